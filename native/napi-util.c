/* N-API helpers: errors with codes, exact integer reads, function export. */
#include "napi-util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

static napi_value throw_with(napi_env env, bool type, const char *code, const char *fmt, va_list ap) {
  char msg[512];
  vsnprintf(msg, sizeof msg, fmt, ap);
  if (type) napi_throw_type_error(env, code, msg);
  else napi_throw_error(env, code, msg);
  return NULL;
}

napi_value throw_type(napi_env env, const char *code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  throw_with(env, true, code, fmt, ap);
  va_end(ap);
  return NULL;
}

napi_value throw_error(napi_env env, const char *code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  throw_with(env, false, code, fmt, ap);
  va_end(ap);
  return NULL;
}

bool get_u64(napi_env env, napi_value v, const char *what, uint64_t *out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return false;
  if (t == napi_number) {
    double d;
    napi_get_value_double(env, v, &d);
    if (!(d >= 0 && d <= 9007199254740991.0) || floor(d) != d) {
      throw_type(env, "ERR_TRAMPFD_ADDRESS", "%s must be a non-negative safe integer or a bigint, got %g", what, d);
      return false;
    }
    *out = (uint64_t)d;
    return true;
  }
  if (t == napi_bigint) {
    bool lossless;
    napi_get_value_bigint_uint64(env, v, out, &lossless);
    if (!lossless) {
      throw_type(env, "ERR_TRAMPFD_ADDRESS", "%s must fit in 64 unsigned bits", what);
      return false;
    }
    return true;
  }
  throw_type(env, "ERR_TRAMPFD_ADDRESS", "%s must be a number or a bigint", what);
  return false;
}

bool get_address(napi_env env, napi_value v, const char *what, uintptr_t *out) {
  uint64_t a;
  if (!get_u64(env, v, what, &a)) return false;
#if UINTPTR_MAX < UINT64_MAX
  if (a > UINTPTR_MAX) {
    throw_type(env, "ERR_TRAMPFD_ADDRESS", "%s must fit in %d unsigned bits (this target's pointers), got %#llx", what,
               (int)(8 * sizeof(void *)), (unsigned long long)a);
    return false;
  }
#endif
  *out = (uintptr_t)a;
  return true;
}

bool get_size(napi_env env, napi_value v, const char *what, size_t *out) {
  uint64_t n;
  if (!get_u64(env, v, what, &n)) return false;
#if SIZE_MAX < UINT64_MAX
  if (n > SIZE_MAX) {
    throw_type(env, "ERR_TRAMPFD_ADDRESS", "%s must fit in %d unsigned bits (this target's size_t), got %llu", what,
               (int)(8 * sizeof(size_t)), (unsigned long long)n);
    return false;
  }
#endif
  *out = (size_t)n;
  return true;
}

napi_value make_address(napi_env env, uintptr_t addr) {
  napi_value v;
  napi_create_double(env, (double)addr, &v);
  return v;
}

bool export_all(napi_env env, napi_value exports, const export_fn *fns, int n) {
  for (int i = 0; i < n; i++) {
    napi_value f;
    if (napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f) != napi_ok) return false;
    if (napi_set_named_property(env, exports, fns[i].name, f) != napi_ok) return false;
  }
  return true;
}
