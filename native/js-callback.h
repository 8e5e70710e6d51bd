/* Registers the callback functions; releases an environment's callbacks when it ends. */
#ifndef TRAMPFD_JS_CALLBACK_H
#define TRAMPFD_JS_CALLBACK_H
#include "napi-util.h"
struct env_state;
bool js_callback_init(napi_env env, napi_value exports);
void js_callback_cleanup(struct env_state *e);
#endif
