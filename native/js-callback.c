/* Callbacks: closures behind static trampolines, run on their JS thread whichever thread calls. */
#define _GNU_SOURCE
#include "js-callback.h"
#include "callback-arch.h"
#include "js-cb-ops.h"
#include "env.h"
#include "frame-layout.h"
#include "napi-util.h"
#include "tramp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CODE "ERR_TRAMPFD_CALLBACK"

void trampfd_closure_entry(void);
void trampfd_dispatch(struct closure *c, uint8_t *frame);

static void say(const char *msg, size_t n) {
  ssize_t ignored = write(STDERR_FILENO, msg, n);
  (void)ignored;
}

__attribute__((noreturn)) static void fatal(const char *msg) {
  say(msg, strlen(msg));
  abort();
}

/* Where the closure entry's frame holds the hidden result pointer: in an argument register slot,
   or (ret_slot at FRAME_STACK and on: i386) among the caller's stack arguments, which the entry
   does not copy. */
static const uint8_t *result_pointer(const struct closure *c, const uint8_t *frame) {
  if (c->ret_slot < FRAME_STACK) return frame + c->ret_slot;
  return *(uint8_t *const *)(frame + FRAME_CALLER_SP) + (c->ret_slot - FRAME_STACK);
}

/* What C gets when JS cannot run: zeroed result registers, and, where the target's convention
   returns it (ret_slot, from the TS planner; 0 elsewhere), the hidden result pointer back. */
static void zero_result(struct closure *c, uint8_t *frame) {
  memset(frame + FRAME_RET_GPR, 0, FRAME_RET_SIZE);
  if (c->ret_slot) memcpy(frame + FRAME_RET_GPR, result_pointer(c, frame), sizeof(void *));
}

/* A callback whose JS environment has ended (process exit, worker exit) returns zeros, with one
   line on stderr the first time, so a program that ends normally keeps its exit status. */
static void report_ended(struct closure *c) {
  if (__atomic_exchange_n(&c->warned, 1, __ATOMIC_RELAXED)) return;
  char msg[160];
  int n = snprintf(msg, sizeof msg, "trampfd: callback %p was called after its JavaScript environment "
                   "ended (process or worker exit); returned 0\n", tramp_addr(c->tramp));
  if (n > 0) say(msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
}

static void ended(struct closure *c, uint8_t *frame) {
  zero_result(c, frame);
  report_ended(c);
}

/* The callback's frame does not fit on the frame stack: C gets zeros, JS a RangeError. */
static void overflow(struct env_state *e, struct closure *c, uint8_t *frame, int detached) {
  zero_result(c, frame);
  napi_handle_scope scope;
  napi_value fn, recv, argv[2];
  napi_open_handle_scope(e->env, &scope);
  napi_get_reference_value(e->env, e->on_overflow, &fn);
  napi_get_undefined(e->env, &recv);
  napi_create_uint32(e->env, c->id, &argv[0]);
  napi_get_boolean(e->env, detached, &argv[1]);
  napi_call_function(e->env, recv, fn, 2, argv, NULL);
  napi_close_handle_scope(e->env, scope);
}

/* Frame words move as words of FRAME_WORD bytes: the closure entry stored them so, and a wider
   load of narrower stores would stall store forwarding on every callback. */
_Static_assert(FRAME_WORD == sizeof(uintptr_t), "a frame word is a pointer");
_Static_assert((FRAME_FN - FRAME_GPR) % FRAME_WORD == 0 && FRAME_RET_SIZE % FRAME_WORD == 0, "whole frame words");
static inline void copy_words(uint8_t *to, const uint8_t *from, size_t n) {
  for (size_t i = 0; i < n; i += FRAME_WORD) {
    uintptr_t w;
    memcpy(&w, from + i, FRAME_WORD);
    *(volatile uintptr_t *)(to + i) = w; /* volatile: not merged into wider stores */
  }
}
static inline void zero_words(uint8_t *to, size_t n) {
  for (size_t i = 0; i < n; i += FRAME_WORD) *(volatile uintptr_t *)(to + i) = 0;
}

void run_callback(struct env_state *e, struct closure *c, uint8_t *frame, int detached) {
  uint8_t *base = e->base;
  uint32_t top = control(e, CONTROL_TOP);
  if (__builtin_expect((size_t)top + c->frame_bytes > FRAME_BUFFER_SIZE, 0)) {
    overflow(e, c, frame, detached);
    return;
  }
  uint8_t *f = base + top;
  copy_words(f + FRAME_GPR, frame + FRAME_GPR, FRAME_FN - FRAME_GPR); /* argument registers */
  if (c->stack_bytes) memcpy(f + FRAME_STACK, *(uint8_t **)(frame + FRAME_CALLER_SP), c->stack_bytes);
  *(uint32_t *)(f + FRAME_CLOSURE) = c->id;
  *(uint32_t *)(f + FRAME_FLAGS) = detached ? CALLBACK_DETACHED : 0;
  zero_words(f + FRAME_RET_GPR, FRAME_RET_SIZE); /* what C receives if JS cannot run */
  if (c->ret_slot) memcpy(f + FRAME_RET_GPR, f + c->ret_slot, sizeof(void *)); /* stack bytes are at f + FRAME_STACK */
  struct entry *en = &e->entry;
  napi_status st;
  /* A closure with a native runner runs in C (js-cb-ops.c); the others through the dispatcher. */
  if (!en->active) { /* entered from C that another addon called: a scope of our own */
    napi_handle_scope scope;
    napi_value fn;
    napi_open_handle_scope(e->env, &scope);
    napi_get_reference_value(e->env, e->dispatcher, &fn);
    st = c->ops ? cb_ops_run(e, c, top, fn) : napi_call_function(e->env, fn, fn, 0, NULL, NULL);
    napi_close_handle_scope(e->env, scope);
  } else {
    if (!en->dispatch_fn) napi_get_reference_value(e->env, e->dispatcher, &en->dispatch_fn); /* entry's scope */
    if (!en->batch || ++en->batch_count == CALLBACK_BATCH) {
      if (en->batch) napi_close_handle_scope(e->env, en->batch);
      napi_open_handle_scope(e->env, &en->batch);
      en->batch_count = 0;
      en->batch_serial = ++e->batches;
    }
    st = c->ops ? cb_ops_run(e, c, top, en->dispatch_fn)
                : napi_call_function(e->env, en->dispatch_fn, en->dispatch_fn, 0, NULL, NULL);
  }
  /* Refused with no exception pending: the environment is stopping (process.exit() runs atexit
     handlers before any cleanup hook), so JS cannot run any more; C got the zeros set above. */
  bool pending = true;
  if (__builtin_expect(st != napi_ok, 0) && napi_is_exception_pending(e->env, &pending) == napi_ok && !pending)
    report_ended(c);
  copy_words(frame + FRAME_RET_GPR, f + FRAME_RET_GPR, FRAME_RET_SIZE);
}

void serve_requests(struct env_state *e, int detached) {
  for (;;) {
    pthread_mutex_lock(&e->lock);
    struct request *r = e->head;
    if (r) {
      e->head = r->next;
      if (!e->head) e->tail = NULL;
    }
    pthread_mutex_unlock(&e->lock);
    if (!r) return;
    run_callback(e, r->closure, r->frame, detached);
    pthread_mutex_lock(&e->lock);
    r->done = 1;
    pthread_cond_signal(&r->cond);
    pthread_mutex_unlock(&e->lock);
  }
}

/* Another thread called: queue the request for the JS thread and wait until it has run. */
static void from_foreign_thread(struct env_state *e, struct closure *c, uint8_t *frame) {
  struct request r = {c, frame, 0, PTHREAD_COND_INITIALIZER, NULL};
  pthread_mutex_lock(&e->lock);
  if (e->closing) {
    pthread_mutex_unlock(&e->lock);
    ended(c, frame);
    return;
  }
  if (e->tail) e->tail->next = &r; else e->head = &r;
  e->tail = &r;
  /* A JS thread waiting in a blocking call serves it (and drains the queue before it stops
     serving); otherwise the event loop is woken. */
  int serving = e->serving;
  if (serving) pthread_cond_signal(&e->cond);
  pthread_mutex_unlock(&e->lock);
  if (!serving) napi_call_threadsafe_function(e->wakeup, NULL, napi_tsfn_nonblocking);
  pthread_mutex_lock(&e->lock);
  while (!r.done) pthread_cond_wait(&r.cond, &e->lock);
  pthread_mutex_unlock(&e->lock);
  pthread_cond_destroy(&r.cond);
}

/* Set in the child of a fork(): only the forking thread survives there, and no JS engine can run.
   A flag set by an atfork handler costs callbacks one load, where getpid() would cost a syscall. */
static int forked_child;
static void mark_forked_child(void) { forked_child = 1; }
__attribute__((constructor)) static void watch_fork(void) { pthread_atfork(NULL, NULL, mark_forked_child); }

/* Called by trampfd_closure_entry with the closure the trampoline delivered and the saved registers. */
__attribute__((visibility("hidden"))) void trampfd_dispatch(struct closure *c, uint8_t *frame) {
  struct env_state *e = c->owner;
  if (__builtin_expect(forked_child, 0))
    fatal("trampfd: a JS callback was called in a child process forked from C; JavaScript cannot "
          "run there; aborting\n");
  /* Read before the run: a callback may free its own closure while it runs. */
  uint32_t bits = c->ret_bits;
  if (current_env == e) run_callback(e, c, frame, 0);
  else from_foreign_thread(e, c, frame);
  if (bits) callback_finish(bits, frame); /* every path, JS run or not, comes back here */
}

static void wakeup_call_js(napi_env env, napi_value js_cb, void *context, void *data) {
  (void)js_cb;
  (void)data;
  if (!env) return;
  struct env_state *e = context;
  struct entry saved = enter_scope(e); /* node opened a handle scope for this call */
  serve_requests(e, 1);
  leave_scope(e, saved);
}

/* cbInit(dispatcher, onOverflow): the JS function run for every callback of this environment that
   has no native runner, and the one told (id, detached) when a callback's frame does not fit on
   the frame stack. */
static napi_value js_cb_init(napi_env env, napi_callback_info info) {
  struct env_state *e = current_env;
  size_t argc = 2;
  napi_value argv[2], name;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_valuetype t0, t1;
  if (argc != 2 || napi_typeof(env, argv[0], &t0) != napi_ok || t0 != napi_function ||
      napi_typeof(env, argv[1], &t1) != napi_ok || t1 != napi_function)
    return throw_type(env, CODE, "cbInit(dispatcher, onOverflow)");
  if (e->dispatcher) return throw_error(env, CODE, "callbacks are already initialised in this environment");
  napi_create_reference(env, argv[0], 1, &e->dispatcher);
  napi_create_reference(env, argv[1], 1, &e->on_overflow);
  napi_create_string_utf8(env, "trampfd.callback", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, NULL, NULL, name, 0, 1, NULL, NULL, e, wakeup_call_js, &e->wakeup) != napi_ok)
    return throw_error(env, CODE, "cannot create the callback wake-up");
  napi_unref_threadsafe_function(env, e->wakeup); /* pending callbacks do not keep node alive */
  return NULL;
}

/* cbCreate(id, stackBytes, frameBytes, retSlot[, shape, fn]) -> the callback's code address (retSlot:
   the hidden result pointer's frame offset, or 0, plus the target's result bits << 16, see
   callback-arch.h); with a shape (cbShape) it runs natively (js-cb-ops.c). The pointer's offset is
   an argument register slot, or one of the stack bytes (FRAME_STACK + offset). */
static bool result_slot_valid(uint32_t slot, uint32_t stack_bytes) {
  if (slot == 0) return true;
  if (slot > 0xff) return false; /* closure.ret_slot */
  if (slot < FRAME_STACK) return slot + sizeof(void *) <= FRAME_FN;
  return slot - FRAME_STACK + sizeof(void *) <= stack_bytes;
}

static napi_value js_cb_create(napi_env env, napi_callback_info info) {
  struct env_state *e = current_env;
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint32_t id, stack_bytes, frame_bytes, ret_slot;
  if ((argc != 4 && argc != 6) || napi_get_value_uint32(env, argv[0], &id) != napi_ok ||
      napi_get_value_uint32(env, argv[1], &stack_bytes) != napi_ok ||
      napi_get_value_uint32(env, argv[2], &frame_bytes) != napi_ok ||
      napi_get_value_uint32(env, argv[3], &ret_slot) != napi_ok ||
      stack_bytes > 65536 || frame_bytes < FRAME_STACK + stack_bytes || frame_bytes > FRAME_BUFFER_SIZE / 4 ||
      !callback_bits_valid(ret_slot >> 16, stack_bytes) || !result_slot_valid(ret_slot & 0xffff, stack_bytes))
    return throw_type(env, CODE, "cbCreate(id, stackBytes, frameBytes, retSlot[, shape, fn])");
  if (!e->dispatcher) return throw_error(env, CODE, "cbInit must come first");
  struct closure *c = calloc(1, sizeof *c);
  if (!c) return throw_error(env, CODE, "out of memory");
  c->tramp = tramp_alloc();
  if (!c->tramp) {
    free(c);
    return throw_error(env, "ERR_TRAMPFD_EXHAUSTED", "cannot allocate a trampoline for a callback: %s", tramp_error());
  }
  c->owner = e;
  c->id = id;
  c->stack_bytes = stack_bytes;
  c->frame_bytes = frame_bytes;
  c->ret_slot = ret_slot & 0xff;
  c->ret_bits = (uint16_t)(ret_slot >> 16);
  if (argc == 6 && !cb_ops_attach(env, c, argv[4], argv[5])) {
    tramp_free(c->tramp);
    free(c);
    return NULL;
  }
  pthread_mutex_lock(&e->lock);
  c->next = e->closures;
  if (e->closures) e->closures->prev = c;
  e->closures = c;
  pthread_mutex_unlock(&e->lock);
  tramp_set(c->tramp, (void *)trampfd_closure_entry, c);
  return make_address(env, (uintptr_t)tramp_addr(c->tramp));
}

/* True when its native runner is running: that run ends it (js-cb-ops.c). */
static bool release(struct env_state *e, struct closure *c) {
  tramp_free(c->tramp); /* from now on the address traps */
  bool running = c->ops && cb_ops_release(e->env, c->ops);
  if (c->prev) c->prev->next = c->next; else e->closures = c->next;
  if (c->next) c->next->prev = c->prev;
  free(c);
  return running;
}

/* cbFree(address) -> whether the callback is running natively (its id is then released by that
   run). The address is validated as a live trampoline whose target is our closure entry and whose
   closure belongs to this environment, so no value can free foreign memory. */
static napi_value js_cb_free(napi_env env, napi_callback_info info) {
  struct env_state *e = current_env;
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint64_t h;
  if (argc != 1 || !get_u64(env, argv[0], "callback address", &h)) return NULL;
  pthread_mutex_lock(&e->lock);
  tramp_t *t = tramp_from_address((uintptr_t)h);
  struct closure *c = t && tramp_target(t) == (void *)trampfd_closure_entry ? tramp_context(t) : NULL;
  bool running = false;
  if (c && c->owner == e) running = release(e, c);
  else c = NULL;
  pthread_mutex_unlock(&e->lock);
  if (!c) return throw_type(env, CODE, "not a live callback of this environment");
  napi_value r;
  napi_get_boolean(env, running, &r);
  return r;
}

/* The environment is ending (worker exit, process exit). Its closures stay, and so do their
   trampolines: a late call finds `closing` set and returns zeros (ended()), where a freed slot
   would abort a program that is ending normally. One closure and one slot per callback never
   freed; a callback freed by JS still traps. */
void js_callback_cleanup(struct env_state *e) {
  pthread_mutex_lock(&e->lock);
  e->closing = 1;
  for (struct request *r = e->head; r; r = r->next) { /* their C callers get zeros */
    zero_result(r->closure, r->frame);
    r->done = 1;
    pthread_cond_signal(&r->cond);
  }
  e->head = e->tail = NULL;
  pthread_cond_broadcast(&e->cond);
  pthread_mutex_unlock(&e->lock);
  if (e->wakeup) napi_release_threadsafe_function(e->wakeup, napi_tsfn_abort);
}

bool js_callback_init(napi_env env, napi_value exports) {
  static const export_fn fns[] = {
    {"cbInit", js_cb_init}, {"cbCreate", js_cb_create}, {"cbFree", js_cb_free},
  };
  return export_all(env, exports, fns, (int)(sizeof fns / sizeof fns[0]));
}
