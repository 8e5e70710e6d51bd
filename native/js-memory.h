/* Registers the foreign-memory functions. */
#ifndef TRAMPFD_JS_MEMORY_H
#define TRAMPFD_JS_MEMORY_H
#include "napi-util.h"
bool js_memory_init(napi_env env, napi_value exports);
#endif
