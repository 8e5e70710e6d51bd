/* Per-JS-environment state (main thread or a worker): its frame buffer, thread and callback queue. */
#ifndef TRAMPFD_ENV_H
#define TRAMPFD_ENV_H

#include "napi-util.h"
#include "tramp.h"

#include <pthread.h>
#include <stdint.h>

struct closure;

/* A callback invocation from a thread that is not the environment's JS thread. */
struct request {
  struct closure *closure;
  uint8_t *frame;          /* the closure entry's frame, on the requesting thread's stack */
  int done;
  struct request *next;
};

struct env_state {
  napi_env env;
  pthread_t thread;        /* the JS thread that owns this environment */
  uint8_t *base;           /* frame buffer (FRAME_BUFFER_SIZE bytes) */
  napi_ref dispatcher;     /* JS function that runs the callback whose frame is at CONTROL_TOP */
  napi_value dispatch_fn;  /* the dispatcher as a handle of the innermost native entry's scope, or NULL */
  napi_threadsafe_function wakeup; /* wakes the event loop to serve foreign-thread requests */
  pthread_mutex_t lock;
  pthread_cond_t cond;     /* broadcast when a request is queued or done, or a blocking call ends */
  struct request *head, *tail;
  struct closure *closures; /* live closures, released when the environment ends */
  int closing;
};

struct closure {
  struct env_state *owner;
  tramp_t *tramp;
  uint32_t id;             /* index in the JS callback table */
  uint32_t stack_bytes;    /* caller stack-argument bytes to copy into the JS frame */
  uint32_t frame_bytes;    /* the JS runner's whole frame: header, stack copy, scratch */
  uint32_t ret_slot;       /* frame slot whose word C must get back in RET_GPR (a hidden result
                              pointer), 0 for none: copied there even when JS cannot run */
  struct closure *prev, *next;
};

/* The environment whose JS thread is the calling thread (NULL on other threads). */
extern __thread struct env_state *current_env __attribute__((tls_model("initial-exec")));

/* Every native entry that may run callbacks brackets its work with these, so callbacks reuse
   one handle to the dispatcher per entry instead of opening a handle scope each. */
static inline napi_value enter_scope(struct env_state *e) {
  napi_value saved = e->dispatch_fn;
  e->dispatch_fn = NULL;
  return saved;
}
static inline void leave_scope(struct env_state *e, napi_value saved) { e->dispatch_fn = saved; }

/* FRAME_FLAGS bit of a callback frame: no foreign call is in progress on the JS thread, so an
   exception has no call to be rethrown from. */
#define CALLBACK_DETACHED 2

/* Runs closure `c` with the frame `frame` on the environment's JS thread (the caller). */
void run_callback(struct env_state *e, struct closure *c, uint8_t *frame, int detached);
/* Serves every queued foreign-thread request; called on the JS thread. */
void serve_requests(struct env_state *e, int detached);

#endif
