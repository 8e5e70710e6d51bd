/* The hand-written N-API baseline for bench/callbacks.mjs: C loops calling a JS `int f(int)`
   n times with napi_call_function, as a careful binding does it (a handle scope per call, the
   argument made and the result read with N-API). */
#include <node_api.h>
#include <stdint.h>

/* loop(f, n): f(i) for i < n; returns the sum of the results. */
static napi_value loop(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], undef, out;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t n;
  napi_valuetype t;
  if (argc < 2 || napi_typeof(env, argv[0], &t) != napi_ok || t != napi_function ||
      napi_get_value_int32(env, argv[1], &n) != napi_ok) {
    napi_throw_type_error(env, NULL, "loop(f, n)");
    return NULL;
  }
  napi_get_undefined(env, &undef);
  int64_t s = 0;
  for (int32_t i = 0; i < n; i++) {
    napi_handle_scope scope;
    napi_value arg, r;
    int32_t v = 0;
    napi_open_handle_scope(env, &scope);
    napi_create_int32(env, i, &arg);
    napi_status st = napi_call_function(env, undef, argv[0], 1, &arg, &r);
    if (st == napi_ok) napi_get_value_int32(env, r, &v);
    napi_close_handle_scope(env, scope);
    if (st != napi_ok) return NULL; /* the exception propagates */
    s += v;
  }
  napi_create_double(env, (double)s, &out);
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "loop", NAPI_AUTO_LENGTH, loop, NULL, &fn);
  napi_set_named_property(env, exports, "loop", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
