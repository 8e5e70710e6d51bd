/* Area: callbacks (i386). Purpose: a test-only addon around raw_call (raw-call.S), so a test can
   call a callback's code address exactly as a regparm, fastcall or stdcall caller would and see
   what came back: rawCall(address, [eax, edx, ecx], stackWords, x87) -> { eax, edx, popped,
   clobbered, st0, x87Used } (x87: what to pop from st(0) afterwards, 0 nothing, 1 a float, 2 a double). */
#define NAPI_VERSION 8
#include <node_api.h>
#include <string.h>

#include "raw-call.h"

static napi_value num(napi_env env, double d) { napi_value v; napi_create_double(env, d, &v); return v; }

static napi_value fail(napi_env env, const char *msg) {
  napi_throw_type_error(env, NULL, msg);
  return NULL;
}

static napi_value raw_call_js(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  struct raw r;
  memset(&r, 0, sizeof r);
  double addr;
  uint32_t nregs = 0, nargs = 0;
  if (argc != 4 || napi_get_value_double(env, argv[0], &addr) != napi_ok || !(addr > 0 && addr <= 4294967295.0) ||
      napi_get_array_length(env, argv[1], &nregs) != napi_ok || nregs != 3 ||
      napi_get_array_length(env, argv[2], &nargs) != napi_ok || nargs > RAW_MAX_ARGS ||
      napi_get_value_uint32(env, argv[3], &r.x87) != napi_ok || r.x87 > 2)
    return fail(env, "rawCall(address, [eax, edx, ecx], stackWords, x87)");
  r.fn = (void *)(uintptr_t)addr;
  r.nargs = nargs;
  for (uint32_t i = 0; i < 3 + nargs; i++) {
    napi_value v;
    napi_get_element(env, i < 3 ? argv[1] : argv[2], i < 3 ? i : i - 3, &v);
    if (napi_get_value_uint32(env, v, i < 3 ? &r.in[i] : &r.args[i - 3]) != napi_ok) return fail(env, "words must be numbers");
  }
  raw_call(&r);
  uint16_t env87[14]; /* the x87 tag word after the call: 2 bits per register, 3 = empty */
  __asm__ volatile("fnstenv %0\n\tfldenv %0" : "=m"(env87));
  unsigned x87_used = 0;
  for (int i = 0; i < 8; i++) x87_used += ((env87[4] >> (2 * i)) & 3) != 3;
  double st0 = 0;
  if (r.x87 == 1) { float f; memcpy(&f, r.st0, 4); st0 = f; }
  if (r.x87 == 2) memcpy(&st0, r.st0, 8);
  napi_value o;
  napi_create_object(env, &o);
  napi_set_named_property(env, o, "eax", num(env, r.out[0]));
  napi_set_named_property(env, o, "edx", num(env, r.out[1]));
  napi_set_named_property(env, o, "popped", num(env, (int32_t)r.popped));
  napi_set_named_property(env, o, "clobbered", num(env, r.clobbered));
  napi_set_named_property(env, o, "st0", num(env, st0));
  napi_set_named_property(env, o, "x87Used", num(env, x87_used));
  return o;
}

NAPI_MODULE_INIT() {
  napi_value f;
  napi_create_function(env, "rawCall", NAPI_AUTO_LENGTH, raw_call_js, NULL, &f);
  napi_set_named_property(env, exports, "rawCall", f);
  return exports;
}
