/* Per-JS-environment state (main thread or a worker): its frame buffer, thread and callback queue. */
#ifndef TRAMPFD_ENV_H
#define TRAMPFD_ENV_H

#include "napi-util.h"
#include "tramp.h"

#include <pthread.h>
#include <stdint.h>

struct closure;
struct cb_ops;

/* A callback invocation from a thread that is not the environment's JS thread. */
struct request {
  struct closure *closure;
  uint8_t *frame;          /* the closure entry's frame, on the requesting thread's stack */
  int done;
  pthread_cond_t cond;     /* signalled when done: each requester waits on its own */
  struct request *next;
};

/* What a native entry point (a call, a blocking call, a wake-up) lets its callbacks share. */
struct entry {
  int active;              /* a trampfd entry is on the JS stack */
  napi_value dispatch_fn;  /* the dispatcher, as a handle of that entry's own scope */
  napi_handle_scope batch; /* scope for the handles callbacks leave behind, renewed every CALLBACK_BATCH */
  uint32_t batch_count;
  uint64_t batch_serial;   /* names that scope (never reused): native runners cache handles in it */
};
#define CALLBACK_BATCH 1024

struct env_state {
  napi_env env;
  napi_ref exports;        /* the one exports object of this environment (ESM and CJS builds share it) */
  pthread_t thread;        /* the JS thread that owns this environment */
  uint8_t *base;           /* frame buffer (FRAME_BUFFER_SIZE bytes) */
  napi_ref dispatcher;     /* JS function that runs the callback whose frame is at CONTROL_TOP */
  napi_ref on_overflow;    /* JS function told (id, detached) when a callback's frame does not fit */
  napi_ref on_error;       /* native runners (js-cb-ops.c): given (exception, frame) when a callback threw, */
  napi_ref write_back;     /* (value, frame) for a result C does not accept, */
  napi_ref released;       /* (id) when a callback freed while it ran has finished */
  struct entry entry;      /* the innermost native entry on this environment's JS thread */
  int serving;             /* the JS thread waits in a blocking call, serving requests itself */
  napi_threadsafe_function wakeup; /* wakes the event loop to serve foreign-thread requests */
  pthread_mutex_t lock;
  pthread_cond_t cond;     /* broadcast when a request is queued or done, or a blocking call ends */
  struct request *head, *tail;
  struct closure *closures; /* live closures, released when the environment ends */
  int closing;             /* ended: closures stay, late calls return zeros */
  uint64_t batches;        /* batch scopes opened so far */
  napi_value undefined;    /* `undefined`: a root, valid in every scope */
};

struct closure {
  struct env_state *owner;
  tramp_t *tramp;
  uint32_t id;             /* index in the JS callback table */
  /* Bitfields keep the closure small; `warned` is 4 bytes (2-byte atomics need libatomic on
     RISC-V with GCC 12). */
  uint32_t stack_bytes : 24; /* caller stack-argument bytes to copy into the JS frame (<= 65536) */
  uint32_t ret_slot : 8;     /* frame offset of the word C must get back in RET_GPR (a hidden result
                                pointer: a register slot, or FRAME_STACK + its stack offset), 0 for
                                none: copied there even when JS cannot run */
  uint32_t frame_bytes;      /* the JS runner's whole frame: header, stack copy, scratch (<= FRAME_BUFFER_SIZE / 4) */
  uint32_t warned;           /* the "called after its environment ended" line was written */
  uint16_t ret_bits;         /* the target's result bits (callback-arch.h; from the TS planner), 0 for none */
  struct cb_ops *ops;      /* its native runner (js-cb-ops.c), or NULL: the JS runner runs it */
  struct closure *prev, *next;
};

/* A control word of the environment's frame buffer (CONTROL_FRAME, CONTROL_TOP). */
static inline uint32_t control(const struct env_state *e, int offset) {
  return *(const uint32_t *)(e->base + offset);
}

/* The environment whose JS thread is the calling thread (NULL on other threads). */
extern __thread struct env_state *current_env __attribute__((tls_model("initial-exec")));

/* Every native entry that may run callbacks brackets its work with these: its callbacks then
   share one dispatcher handle and one handle scope per CALLBACK_BATCH callbacks, instead of
   allocating a scope each. Scopes stay strictly nested: an entry closes its batch scope before
   it returns. */
static inline struct entry enter_scope(struct env_state *e) {
  struct entry saved = e->entry;
  e->entry = (struct entry){1, NULL, NULL, 0, 0};
  return saved;
}
static inline void leave_scope(struct env_state *e, struct entry saved) {
  if (e->entry.batch) napi_close_handle_scope(e->env, e->entry.batch);
  e->entry = saved;
}

/* FRAME_FLAGS bit of a callback frame: no foreign call is in progress on the JS thread, so an
   exception has no call to be rethrown from. */
#define CALLBACK_DETACHED 2

/* Runs closure `c` with the frame `frame` on the environment's JS thread (the caller). */
void run_callback(struct env_state *e, struct closure *c, uint8_t *frame, int detached);
/* Serves every queued foreign-thread request; called on the JS thread. */
void serve_requests(struct env_state *e, int detached);

#endif
