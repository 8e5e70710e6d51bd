/* Native callback runners: op records made in TS, walked in C per callback (see js-cb-ops.c). */
#ifndef TRAMPFD_JS_CB_OPS_H
#define TRAMPFD_JS_CB_OPS_H
#include "napi-util.h"
struct env_state;
struct closure;
struct cb_ops;
bool js_cb_ops_init(napi_env env, napi_value exports);
void js_cb_ops_cleanup(struct env_state *e);
/* Gives closure `c` a native runner of `shape` (a cbShape handle), calling `fn`. False: a JS error is thrown. */
bool cb_ops_attach(napi_env env, struct closure *c, napi_value shape, napi_value fn);
/* Runs `c` natively with its frame at offset `top` (CONTROL_TOP); `dispatch` runs the JS runner
   instead. Returns napi_ok, or the failed call's status when JS cannot run (no exception). */
napi_status cb_ops_run(struct env_state *e, struct closure *c, uint32_t top, napi_value dispatch);
/* Its closure is freed: releases the runner now (false), or when its last run in progress ends
   (true; that run then tells JS the id is free). */
bool cb_ops_release(napi_env env, struct cb_ops *o);
#endif
