/* Native marshallers: op records made in TS, walked in C per call (see js-ops.c). */
#ifndef TRAMPFD_JS_OPS_H
#define TRAMPFD_JS_OPS_H
#include "napi-util.h"
bool js_ops_init(napi_env env, napi_value exports);
#endif
