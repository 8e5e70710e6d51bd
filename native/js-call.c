/* Foreign calls: the shared frame buffer, the zero-argument call entries (direct, blocking on a
   helper thread, async on the libuv pool). */
#define _GNU_SOURCE
#include "js-call.h"
#include "env.h"
#include "frame-layout.h"
#include "napi-util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>



__thread struct env_state *current_env __attribute__((tls_model("initial-exec")));

/* On the JS thread, before a call leaves it: a call that captures errno starts from the value
   errno(value) left in CONTROL_ERRNO (0 unless set), which only that call consumes. */
void errno_in(struct env_state *e, uint8_t *frame) {
  if (*(uint32_t *)(frame + FRAME_FLAGS) & FRAME_FLAG_ERRNO) {
    int32_t *next = (int32_t *)(e->base + CONTROL_ERRNO);
    *(int32_t *)(frame + FRAME_ERRNO) = *next;
    *next = 0;
  }
}

void call_frame(uint8_t *frame) {
  if (*(uint32_t *)(frame + FRAME_FLAGS) & FRAME_FLAG_ERRNO) {
    errno = *(int32_t *)(frame + FRAME_ERRNO);
    trampfd_call(frame);
    *(int32_t *)(frame + FRAME_ERRNO) = errno;
  } else {
    trampfd_call(frame);
  }
}

/* The zero-argument entry: the generated marshaller has filled the frame already. */
static napi_value js_call(napi_env env, napi_callback_info info) {
  (void)env;
  (void)info;
  struct env_state *e = current_env;
  struct entry saved = enter_scope(e);
  uint32_t f = control(e, CONTROL_FRAME);
  uint8_t *frame = e->base + f;
  errno_in(e, frame);
  call_frame(frame);
  leave_scope(e, saved);
  /* The frame stack gives the frame back here, even when JS is left with an exception (a
     callback's stack overflow, termination): the marshaller needs no try/finally for it. */
  *(uint32_t *)(e->base + CONTROL_TOP) = f;
  return NULL;
}

struct blocking_job {
  struct env_state *e;
  uint8_t *frame;
  int done;
};

static void *blocking_main(void *p) {
  struct blocking_job *j = p;
  call_frame(j->frame);
  pthread_mutex_lock(&j->e->lock);
  j->done = 1;
  pthread_cond_broadcast(&j->e->cond);
  pthread_mutex_unlock(&j->e->lock);
  return NULL;
}

/* A call that may block: it runs on a helper thread while this JS thread serves callbacks
   that other threads send, so e.g. pthread_join on a thread that calls back cannot deadlock. */
static napi_value js_call_blocking(napi_env env, napi_callback_info info) {
  (void)info;
  struct env_state *e = current_env;
  uint32_t f = control(e, CONTROL_FRAME);
  struct blocking_job job = {e, e->base + f, 0};
  errno_in(e, job.frame);
  pthread_t th;
  if (pthread_create(&th, NULL, blocking_main, &job) != 0) {
    *(uint32_t *)(e->base + CONTROL_TOP) = f; /* as js_call: the frame is given back */
    return throw_error(env, "ERR_TRAMPFD_THREAD", "cannot start a helper thread for a blocking call");
  }
  struct entry saved = enter_scope(e);
  pthread_mutex_lock(&e->lock);
  e->serving++;
  while (!job.done) {
    if (e->head) {
      pthread_mutex_unlock(&e->lock);
      serve_requests(e, 0);
      pthread_mutex_lock(&e->lock);
      continue;
    }
    pthread_cond_wait(&e->cond, &e->lock);
  }
  e->serving--;
  int left = e->head != NULL; /* queued while we were finishing, without a wake-up */
  pthread_mutex_unlock(&e->lock);
  if (left) serve_requests(e, 0);
  pthread_join(th, NULL);
  leave_scope(e, saved);
  *(uint32_t *)(e->base + CONTROL_TOP) = f; /* as js_call */
  return NULL;
}

struct async_job {
  napi_async_work work;
  napi_ref on_done;
  uint8_t *frame;          /* a private copy: the shared buffer is reused while we run */
  size_t size;
};

static void async_execute(napi_env env, void *p) {
  (void)env;
  struct async_job *j = p;
  call_frame(j->frame);
}

static void async_complete(napi_env env, napi_status status, void *p) {
  struct async_job *j = p;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value fn, undef, ok;
  napi_get_reference_value(env, j->on_done, &fn);
  napi_get_undefined(env, &undef);
  napi_get_boolean(env, status == napi_ok, &ok);
  /* The frame comes back to the top of the frame stack, where on_done reads its results. */
  struct env_state *e = current_env;
  uint32_t top = control(e, CONTROL_TOP);
  if (top + j->size <= FRAME_BUFFER_SIZE) memcpy(e->base + top, j->frame, j->size);
  napi_call_function(env, undef, fn, 1, &ok, NULL);
  napi_delete_reference(env, j->on_done);
  napi_delete_async_work(env, j->work);
  napi_close_handle_scope(env, scope);
  free(j->frame);
  free(j);
}

/* callAsync(size, onDone): runs the frame at CONTROL_FRAME (`size` bytes) on the libuv pool;
   onDone(ok) runs on this thread with the finished frame copied to CONTROL_TOP. */
static napi_value js_call_async(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], name;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint32_t size = 0;
  if (argc != 2 || napi_get_value_uint32(env, argv[0], &size) != napi_ok || size < FRAME_STACK || size > FRAME_BUFFER_SIZE)
    return throw_type(env, "ERR_TRAMPFD_CALL", "callAsync(size, onDone)");
  struct async_job *j = calloc(1, sizeof *j);
  if (!j || !(j->frame = malloc(size))) { free(j); return throw_error(env, "ERR_TRAMPFD_CALL", "out of memory"); }
  struct env_state *e = current_env;
  errno_in(e, e->base + control(e, CONTROL_FRAME));
  memcpy(j->frame, e->base + control(e, CONTROL_FRAME), size);
  j->size = size;
  napi_create_reference(env, argv[1], 1, &j->on_done);
  napi_create_string_utf8(env, "trampfd.async", NAPI_AUTO_LENGTH, &name);
  if (napi_create_async_work(env, NULL, name, async_execute, async_complete, j, &j->work) != napi_ok ||
      napi_queue_async_work(env, j->work) != napi_ok) {
    napi_delete_reference(env, j->on_done);
    free(j->frame);
    free(j);
    return throw_error(env, "ERR_TRAMPFD_CALL", "cannot queue an async call");
  }
  return NULL;
}

static void free_buffer(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  munmap(data, FRAME_BUFFER_SIZE);
}

bool js_call_init(napi_env env, napi_value exports, struct env_state *e) {
  /* Reserved, not committed: a page costs memory only once a frame reaches it, so the frame
     stack can be deep (FRAME_BUFFER_SIZE) for the one program that nests that far. */
  void *m = mmap(NULL, FRAME_BUFFER_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED) return false;
  e->base = m;
  *(uint32_t *)(e->base + CONTROL_FRAME) = CONTROL_SIZE;
  *(uint32_t *)(e->base + CONTROL_TOP) = CONTROL_SIZE;
  napi_value buf;
  /* SAFETY: the buffer is freed by the ArrayBuffer's finalizer, at environment teardown at the
     latest; native code reads it only from calls and callbacks made while JS holds it. */
  if (napi_create_external_arraybuffer(env, e->base, FRAME_BUFFER_SIZE, free_buffer, NULL, &buf) != napi_ok) return false;
  napi_set_named_property(env, exports, "frameBuffer", buf);
  napi_set_named_property(env, exports, "frameBase", make_address(env, (uintptr_t)e->base));
  static const export_fn fns[] = {
    {"call", js_call}, {"callBlocking", js_call_blocking}, {"callAsync", js_call_async},
  };
  return export_all(env, exports, fns, (int)(sizeof fns / sizeof fns[0]));
}
