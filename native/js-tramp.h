/* Registers the trampoline allocator's JS functions. */
#ifndef TRAMPFD_JS_TRAMP_H
#define TRAMPFD_JS_TRAMP_H
#include "napi-util.h"
bool js_tramp_init(napi_env env, napi_value exports);
#endif
