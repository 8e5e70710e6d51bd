/* The addon's entry: one env_state per JS environment; each native concern registers its functions. */
#include "env.h"
#include "js-call.h"
#include "js-callback.h"
#include "js-cb-ops.h"
#include "js-dl.h"
#include "js-memory.h"
#include "js-ops.h"
#include "js-tramp.h"
#include "napi-util.h"

#include <stdlib.h>

static void env_cleanup(void *arg) {
  struct env_state *e = arg;
  js_callback_cleanup(e);
  if (e->dispatcher) napi_delete_reference(e->env, e->dispatcher);
  if (e->on_overflow) napi_delete_reference(e->env, e->on_overflow);
  js_cb_ops_cleanup(e);
  if (e->exports) napi_delete_reference(e->env, e->exports);
  if (current_env == e) current_env = NULL;
  /* e itself stays: a foreign thread may still hold a closure pointing at it and must find
     `closing` set. One small struct per ended worker. */
}

NAPI_MODULE_INIT() {
  /* Loaded again on this JS thread, i.e. in the same environment (the ESM and the CJS build of
     the package in one process; Node gives each load its own napi_env): hand out the same
     exports, so both builds share one frame buffer, one dispatcher and one callback table. */
  struct env_state *known = current_env;
  if (known && !known->closing && known->exports) {
    napi_value same;
    if (napi_get_reference_value(known->env, known->exports, &same) == napi_ok && same) return same;
  }
  struct env_state *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  e->env = env;
  e->thread = pthread_self();
  pthread_mutex_init(&e->lock, NULL);
  pthread_cond_init(&e->cond, NULL);
  current_env = e;
  if (!js_tramp_init(env, exports) || !js_call_init(env, exports, e) || !js_dl_init(env, exports) || !js_memory_init(env, exports) ||
      !js_callback_init(env, exports) || !js_ops_init(env, exports) || !js_cb_ops_init(env, exports))
    return NULL;
  napi_add_env_cleanup_hook(env, env_cleanup, e);
  napi_create_reference(env, exports, 1, &e->exports);
  return exports;
}
