/* The hand-written N-API binding a careful author would write for bench/calls.mjs: each export
   converts its arguments with N-API calls and calls the same C function the FFIs call, from
   bench-lib.c (linked in; noinline keeps the call a real call). */
#include <node_api.h>
#include <stdlib.h>
#include <string.h>

typedef struct { double x, y; } bench_s16;
typedef struct { double a, b, c, d, e; } bench_s40;

#define CALLEE __attribute__((noinline, visibility("hidden")))
CALLEE void bench_nop(void);
CALLEE int bench_add(int a, int b);
CALLEE double bench_f3(double a, int b, double c);
CALLEE bench_s16 bench_s16_swap(bench_s16 s);
CALLEE bench_s40 bench_s40_rotate(bench_s40 s);

#define ARGS(n)                                             \
  size_t argc = (n);                                        \
  napi_value argv[(n)];                                     \
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);     \
  if (argc < (n)) {                                         \
    napi_throw_type_error(env, NULL, "too few arguments");  \
    return NULL;                                            \
  }

static napi_value nop(napi_env env, napi_callback_info info) {
  (void)env;
  (void)info;
  bench_nop();
  return NULL;
}

static napi_value add(napi_env env, napi_callback_info info) {
  ARGS(2)
  int32_t a, b;
  if (napi_get_value_int32(env, argv[0], &a) != napi_ok || napi_get_value_int32(env, argv[1], &b) != napi_ok) {
    napi_throw_type_error(env, NULL, "add(int, int)");
    return NULL;
  }
  napi_value r;
  napi_create_int32(env, bench_add(a, b), &r);
  return r;
}

static napi_value f3(napi_env env, napi_callback_info info) {
  ARGS(3)
  double a, c;
  int32_t b;
  if (napi_get_value_double(env, argv[0], &a) != napi_ok || napi_get_value_int32(env, argv[1], &b) != napi_ok ||
      napi_get_value_double(env, argv[2], &c) != napi_ok) {
    napi_throw_type_error(env, NULL, "f3(double, int, double)");
    return NULL;
  }
  napi_value r;
  napi_create_double(env, bench_f3(a, b, c), &r);
  return r;
}

static napi_value memsetBuf(napi_env env, napi_callback_info info) {
  ARGS(2)
  void *data;
  size_t len;
  int32_t v;
  if (napi_get_buffer_info(env, argv[0], &data, &len) != napi_ok || napi_get_value_int32(env, argv[1], &v) != napi_ok) {
    napi_throw_type_error(env, NULL, "memsetBuf(Buffer, int)");
    return NULL;
  }
  memset(data, v, len);
  return NULL;
}

static napi_value strlenStr(napi_env env, napi_callback_info info) {
  ARGS(1)
  char stack[256];
  char *s = stack;
  size_t len;
  if (napi_get_value_string_utf8(env, argv[0], NULL, 0, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "strlenStr(string)");
    return NULL;
  }
  if (len >= sizeof stack && !(s = malloc(len + 1))) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  napi_get_value_string_utf8(env, argv[0], s, len + 1, &len);
  napi_value r;
  napi_create_uint32(env, (uint32_t)strlen(s), &r);
  if (s != stack) free(s);
  return r;
}

static int get_double(napi_env env, napi_value obj, const char *name, double *out) {
  napi_value v;
  return napi_get_named_property(env, obj, name, &v) == napi_ok && napi_get_value_double(env, v, out) == napi_ok;
}

static void set_double(napi_env env, napi_value obj, const char *name, double d) {
  napi_value v;
  napi_create_double(env, d, &v);
  napi_set_named_property(env, obj, name, v);
}

static napi_value s16(napi_env env, napi_callback_info info) {
  ARGS(1)
  bench_s16 s;
  if (!get_double(env, argv[0], "x", &s.x) || !get_double(env, argv[0], "y", &s.y)) {
    napi_throw_type_error(env, NULL, "s16({x, y})");
    return NULL;
  }
  bench_s16 r = bench_s16_swap(s);
  napi_value o;
  napi_create_object(env, &o);
  set_double(env, o, "x", r.x);
  set_double(env, o, "y", r.y);
  return o;
}

static napi_value s40(napi_env env, napi_callback_info info) {
  ARGS(1)
  bench_s40 s;
  if (!get_double(env, argv[0], "a", &s.a) || !get_double(env, argv[0], "b", &s.b) || !get_double(env, argv[0], "c", &s.c) ||
      !get_double(env, argv[0], "d", &s.d) || !get_double(env, argv[0], "e", &s.e)) {
    napi_throw_type_error(env, NULL, "s40({a, b, c, d, e})");
    return NULL;
  }
  bench_s40 r = bench_s40_rotate(s);
  napi_value o;
  napi_create_object(env, &o);
  set_double(env, o, "a", r.a);
  set_double(env, o, "b", r.b);
  set_double(env, o, "c", r.c);
  set_double(env, o, "d", r.d);
  set_double(env, o, "e", r.e);
  return o;
}

NAPI_MODULE_INIT() {
  static const struct { const char *name; napi_callback fn; } fns[] = {
    {"nop", nop}, {"add", add}, {"f3", f3}, {"memsetBuf", memsetBuf}, {"strlenStr", strlenStr}, {"s16", s16}, {"s40", s40},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f);
    napi_set_named_property(env, exports, fns[i].name, f);
  }
  return exports;
}
