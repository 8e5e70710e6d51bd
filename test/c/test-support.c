/* Area: trampolines (JS API). Purpose: a test-only addon that calls native addresses, so
   tests can prove what a trampoline delivers. Checks its own inputs. */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>

uint64_t target_context(void);
uint64_t target_mix(uint64_t x);
uint64_t target_stack(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
                      uint64_t);

typedef uint64_t (*fn0)(void);
typedef uint64_t (*fn1)(uint64_t);
typedef uint64_t (*fn10)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
                         uint64_t);

static napi_value num(napi_env env, double d) { napi_value v; napi_create_double(env, d, &v); return v; }
static napi_value big(napi_env env, uint64_t x) { napi_value v; napi_create_bigint_uint64(env, x, &v); return v; }

static uintptr_t addr_arg(napi_env env, napi_value v) {
  double d = 0;
  if (napi_get_value_double(env, v, &d) != napi_ok || d <= 0) {
    napi_throw_type_error(env, NULL, "expected an address (positive number)");
    return 0;
  }
  return (uintptr_t)d;
}

static napi_value targets(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value o;
  napi_create_object(env, &o);
  napi_set_named_property(env, o, "context", num(env, (double)(uintptr_t)target_context));
  napi_set_named_property(env, o, "mix", num(env, (double)(uintptr_t)target_mix));
  napi_set_named_property(env, o, "stack", num(env, (double)(uintptr_t)target_stack));
  return o;
}

/* call(address, kind, x): kind 0 calls f(), 1 calls f(x), 10 calls f(1..8, x, x + 1): its last two
   arguments are on the stack on x86-64 and AArch64 alike. */
static napi_value call(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 3) { napi_throw_type_error(env, NULL, "call(address, kind, x)"); return NULL; }
  uintptr_t a = addr_arg(env, argv[0]);
  if (!a) return NULL;
  int32_t kind;
  uint64_t x;
  bool lossless;
  napi_get_value_int32(env, argv[1], &kind);
  if (napi_get_value_bigint_uint64(env, argv[2], &x, &lossless) != napi_ok) {
    napi_throw_type_error(env, NULL, "x must be a bigint");
    return NULL;
  }
  switch (kind) {
    case 0: return big(env, ((fn0)a)());
    case 1: return big(env, ((fn1)a)(x));
    case 10: return big(env, ((fn10)a)(1, 2, 3, 4, 5, 6, 7, 8, x, x + 1));
    default: napi_throw_range_error(env, NULL, "kind must be 0, 1 or 10"); return NULL;
  }
}

NAPI_MODULE_INIT() {
  napi_value f;
  napi_create_function(env, "targets", NAPI_AUTO_LENGTH, targets, NULL, &f);
  napi_set_named_property(env, exports, "targets", f);
  napi_create_function(env, "call", NAPI_AUTO_LENGTH, call, NULL, &f);
  napi_set_named_property(env, exports, "call", f);
  return exports;
}
