/* Native marshallers: a declared function whose per-call work runs in C. TypeScript flattens its
   CallOps (src/codegen/native-ops.ts) into an Int32Array of records saying, per argument, which
   JS form to accept and where in the frame to store it; C only follows them. A value outside the
   fast forms sends the whole call to the JS marshaller, so errors are the JS path's own. */
#include "js-ops.h"
#include "env.h"
#include "frame-layout.h"
#include "js-call.h"
#include "napi-util.h"
#include "ops-store.h"

#include <stdlib.h>
#include <string.h>

/* Store names by code (ops-store.h). */
static const char *const store_names[S_COUNT] = {"void", "i8", "u8", "i16", "u16", "i32", "u32", "bool", "f32",
                                                  "f64", "i64", "u64", "safe-i64", "safe-u64", "pointer"};

/* Header words of a record, then ARG_WORDS words per argument. */
enum { H_NARGS, H_FLAGS, H_FIXED, H_STACK, H_AL, H_FN_LO, H_FN_HI, H_RET, H_RET_AT, H_LIMIT, H_WORDS };
/* accept: the store whose JS forms the argument takes; wide: the slot takes it as 32 bits. */
enum { A_ACCEPT, A_WIDE, A_AT, A_CSTRING, A_WORDS };
#define MAX_ARGS 32
#define MAX_SAFE 9007199254740991.0

/* How put_arg takes an argument: the common number forms inline, everything else in put_other. */
enum { OP_I32, OP_INT, OP_F64, OP_F32, OP_OTHER };

struct arg {
  uint8_t op;
  uint8_t accept, cstring;
  uint8_t width;         /* bytes an integer or bool is stored as: 4 when the slot takes it widened */
  bool number;           /* takes numbers: a float, or an integer store whose numbers lie in [lo, hi] */
  uint32_t at;
  double lo, hi;
};

struct native_fn {
  uint32_t nargs, flags, fixed, stack, al, ret, ret_at, limit;
  uintptr_t fn;
  napi_ref fallback;     /* the JS marshaller for the same ops */
  napi_ref slow_return;  /* (f) => the JS path's result read at frame f */
  napi_ref after_cbs;    /* () => rethrows a pending callback exception */
  napi_ref errno_state;  /* { value } */
  struct arg args[];
};

static inline void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* Integer range of each exact integer store. */
static bool int_range(int s, double *lo, double *hi) {
  switch (s) {
    case S_I8: *lo = -128; *hi = 127; return true;
    case S_U8: *lo = 0; *hi = 255; return true;
    case S_I16: *lo = -32768; *hi = 32767; return true;
    case S_U16: *lo = 0; *hi = 65535; return true;
    case S_I32: *lo = -2147483648.0; *hi = 2147483647.0; return true;
    case S_U32: *lo = 0; *hi = 4294967295.0; return true;
    case S_SAFE_I64: *lo = -MAX_SAFE; *hi = MAX_SAFE; return true;
    case S_SAFE_U64: *lo = 0; *hi = MAX_SAFE; return true;
    case S_POINTER: *lo = 0; *hi = MAX_ADDRESS; return true; /* beyond: the JS path says why */
    default: return false;
  }
}

static inline void put_int(uint8_t *p, const struct arg *a, int64_t v) {
  switch (a->width) {
    case 1: *p = (uint8_t)v; return;
    case 2: { uint16_t w = (uint16_t)v; memcpy(p, &w, 2); return; }
    case 4: { uint32_t w = (uint32_t)v; memcpy(p, &w, 4); return; }
    default: put64(p, (uint64_t)v);
  }
}

/* Address of a typed array's or DataView's first byte; false: not a view, or an empty one. */
static bool view_address(napi_env env, napi_value v, uintptr_t *out) {
  bool is;
  void *data = NULL;
  size_t n = 0;
  if (napi_is_typedarray(env, v, &is) == napi_ok && is) {
    napi_typedarray_type t;
    size_t len, off;
    if (napi_get_typedarray_info(env, v, &t, &len, &data, NULL, &off) != napi_ok) return false;
    n = len;
  } else if (napi_is_dataview(env, v, &is) == napi_ok && is) {
    size_t off;
    if (napi_get_dataview_info(env, v, &n, &data, NULL, &off) != napi_ok) return false;
  } else {
    return false; /* ArrayBuffers too: JS decides with instanceof, which C cannot mirror */
  }
  if (n == 0) return false; /* empty or detached: the JS path tells them apart */
  *out = (uintptr_t)data;
  return true;
}

/* Strings up to this many UTF-16 units are fetched as UTF-16 and narrowed here when all ASCII:
   V8 copies units without encoding them, which is ~2x cheaper than its UTF-8 writer at 30
   characters; longer ones go to the UTF-8 writer directly, whose ASCII loop is a block copy. */
#define SHORT_STRING 256

/* Narrows the `n` UTF-16 units at `p` to bytes in place (byte i overwrites only units already
   read); false when a unit is not ASCII or is NUL, after narrowing everything anyway: per 8
   units one mask and one compare collect what is wrong, tested once at the end (GCC vectors:
   SSE2 or NEON). The last 8 units are loaded first and narrowed last, overlapping the blocks
   before them. */
typedef uint16_t u16x8 __attribute__((vector_size(16)));
typedef uint8_t u8x8 __attribute__((vector_size(8)));
static bool narrow_ascii(uint8_t *p, size_t n) {
  if (n < 8) {
    unsigned bad = 0;
    for (size_t i = 0; i < n; i++) {
      uint16_t c;
      memcpy(&c, p + 2 * i, 2);
      bad |= (c & 0xff80u) | (c == 0);
      p[i] = (uint8_t)c;
    }
    return !bad;
  }
  u16x8 last, bad = {0};
  memcpy(&last, p + 2 * (n - 8), 16);
  for (size_t i = 0; i + 8 < n; i += 8) {
    u16x8 w;
    memcpy(&w, p + 2 * i, 16);
    bad |= (w & 0xff80) | (u16x8)(w == 0);
    u8x8 b = __builtin_convertvector(w, u8x8);
    memcpy(p + i, &b, 8);
  }
  bad |= (last & 0xff80) | (u16x8)(last == 0);
  u8x8 b = __builtin_convertvector(last, u8x8);
  memcpy(p + n - 8, &b, 8);
  uint64_t h[2];
  memcpy(h, &bad, 16);
  return !(h[0] | h[1]);
}

enum string_put { PUT_STRING, NOT_A_STRING, TO_JS };

/* A `const char *` from a string: UTF-8 into the frame's scratch at *top (16-aligned). TO_JS
   (the JS path decides): it may not fit, or it contains a NUL, which the JS path reports. V8
   writes a lone surrogate as U+FFFD, as TextEncoder does. A short string's UTF-16 fetch is also
   the type test and the length query: one Node-API call for the common case. */
static inline __attribute__((always_inline)) enum string_put put_string(napi_env env, napi_value v, uint8_t *base,
                                                                         uint32_t *top, uint32_t limit, uintptr_t *out) {
  uint32_t at = *top;
  if ((uint64_t)at + 3 * (SHORT_STRING + 1) + 16 > limit) return TO_JS; /* nearly full: JS copies to the heap */
  uint8_t *s = base + at;
  size_t n, len;
  napi_status st = napi_get_value_string_utf16(env, v, (char16_t *)s, SHORT_STRING + 1, &n);
  if (st == napi_string_expected) return NOT_A_STRING;
  if (st != napi_ok) return TO_JS;
  if (n < SHORT_STRING && narrow_ascii(s, n)) {
    s[n] = 0;
  } else {
    if (n < SHORT_STRING) len = n;
    else if (napi_get_value_string_utf16(env, v, NULL, 0, &len) != napi_ok) return TO_JS;
    /* UTF-8 takes at most 3 bytes a UTF-16 unit */
    if ((uint64_t)at + 3 * (uint64_t)len + 16 > limit) return TO_JS;
    if (napi_get_value_string_utf8(env, v, (char *)s, 3 * len + 1, &n) != napi_ok || memchr(s, 0, n)) return TO_JS;
  }
  *top = (uint32_t)((at + n + 16) & ~(size_t)15);
  *out = (uintptr_t)s;
  return PUT_STRING;
}

/* Stores number `d` per record `a`, which takes numbers; false when it is out of range. */
static inline bool put_number(uint8_t *p, const struct arg *a, double d) {
  if (a->accept == S_F64) { memcpy(p, &d, 8); return true; }
  if (a->accept == S_F32) { float x = (float)d; memcpy(p, &x, 4); return true; }
  if (!(d >= a->lo && d <= a->hi)) return false;
  int64_t i = (int64_t)d;
  if ((double)i != d) return false;
  put_int(p, a, i);
  return true;
}

/* The forms that are not plain numbers: booleans, bigints, pointers (numbers, null, views). */
static __attribute__((noinline)) bool put_other(napi_env env, const struct arg *a, napi_value v, uint8_t *p) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return false;
  switch (a->accept) {
    case S_BOOL: {
      bool b;
      if (t != napi_boolean) return false;
      napi_get_value_bool(env, v, &b);
      put_int(p, a, b);
      return true;
    }
    case S_I64: case S_U64: {
      bool lossless = false;
      uint64_t u;
      if (t != napi_bigint) return false;
      if (a->accept == S_I64) {
        int64_t i;
        napi_get_value_bigint_int64(env, v, &i, &lossless);
        u = (uint64_t)i;
      } else {
        napi_get_value_bigint_uint64(env, v, &u, &lossless);
      }
      if (!lossless) return false;
      put64(p, u);
      return true;
    }
    case S_POINTER: {
      uintptr_t addr = 0;
      double d;
      if (t == napi_number) return napi_get_value_double(env, v, &d) == napi_ok && put_number(p, a, d);
      if (t == napi_null) addr = 0;
      else if (t == napi_object) { if (!view_address(env, v, &addr)) return false; }
      else return false;
      put_ptr(p, addr);
      return true;
    }
    default: return false;
  }
}

/* Stores argument `v` per record `a`; false when `v` is not one of the fast forms. */
static inline __attribute__((always_inline)) bool put_arg(napi_env env, const struct arg *a, napi_value v, uint8_t *base,
                                                          uint8_t *fr, uint32_t *top, uint32_t limit) {
  uint8_t *p = fr + a->at;
  double d;
  if (a->cstring) { /* a string first: the fetch fails on anything else, for no napi_typeof */
    uintptr_t addr;
    enum string_put r = put_string(env, v, base, top, limit, &addr);
    if (r == TO_JS) return false;
    if (r == PUT_STRING) {
      put_ptr(p, addr);
      return true;
    }
  }
  if (a->op == OP_OTHER) return put_other(env, a, v, p);
  /* No napi_typeof: napi_get_value_double fails on anything but a number. */
  if (napi_get_value_double(env, v, &d) != napi_ok) return false;
  if (a->op == OP_I32) { /* int, stored as 32 bits: the most common argument */
    if (!(d >= -2147483648.0 && d <= 2147483647.0)) return false;
    int32_t i = (int32_t)d;
    if ((double)i != d) return false;
    memcpy(p, &i, 4);
    return true;
  }
  return put_number(p, a, d);
}

/* The call goes to the JS marshaller, with every argument as given (`fetched` of them are in argv). */
static __attribute__((noinline)) napi_value to_js(napi_env env, napi_callback_info info, const struct native_fn *nf,
                                                  size_t argc, size_t fetched, napi_value *argv, napi_value self) {
  napi_value fn, result = NULL, *all = argv;
  if (argc > fetched) { /* more than the entry fetched */
    all = malloc(argc * sizeof *all);
    if (!all) return throw_error(env, "ERR_TRAMPFD_CALL", "out of memory");
    napi_get_cb_info(env, info, &argc, all, NULL, NULL);
  }
  napi_get_reference_value(env, nf->fallback, &fn);
  napi_call_function(env, self, fn, argc, all, &result);
  if (all != argv) free(all);
  return result;
}

static napi_value call_ref(napi_env env, napi_ref ref, size_t argc, napi_value *argv) {
  napi_value fn, undef, result = NULL;
  napi_get_reference_value(env, ref, &fn);
  napi_get_undefined(env, &undef);
  napi_call_function(env, undef, fn, argc, argv, &result);
  return result;
}

/* The result in the return slots; sizes and pointers that are not safe integers are the JS path's to read. */
static napi_value result(napi_env env, const struct native_fn *nf, uint8_t *fr, uint32_t f) {
  napi_value r = NULL;
  if (nf->ret == S_VOID) return NULL;
  if (read_scalar(env, (int)nf->ret, fr + nf->ret_at, &r)) return r;
  napi_value at;
  napi_create_uint32(env, f, &at);
  return call_ref(env, nf->slow_return, 1, &at);
}

/* The call itself, after the arguments are in the frame: the stub, callback exceptions, errno. */
static napi_value finish(napi_env env, struct native_fn *nf, struct env_state *e, uint8_t *fr, uint32_t f, uint32_t top) {
  uint8_t *base = e->base;
  put_ptr(fr + FRAME_FN, nf->fn);
  memcpy(fr + FRAME_STACK_SIZE, &nf->stack, 4);
  memcpy(fr + FRAME_AL, &nf->al, 4);
  memcpy(fr + FRAME_FLAGS, &nf->flags, 4);
  *(uint32_t *)(base + CONTROL_FRAME) = f;
  *(uint32_t *)(base + CONTROL_TOP) = (top + 15) & ~15u;
  uint32_t mark = control(e, CONTROL_PENDING); /* callback exceptions waiting before this call */
  struct entry saved = enter_scope(e);
  if (nf->flags & FRAME_FLAG_ERRNO) {
    errno_in(e, fr);
    call_frame(fr);
  } else {
    trampfd_call(fr);
  }
  leave_scope(e, saved);
  *(uint32_t *)(base + CONTROL_TOP) = f;
  if (control(e, CONTROL_PENDING) != mark) { /* a callback of this call threw: JS rethrows it */
    napi_value m;
    napi_create_uint32(env, mark, &m);
    if (!call_ref(env, nf->after_cbs, 1, &m)) return NULL;
  }
  if (nf->flags & FRAME_FLAG_ERRNO) {
    napi_value obj, v;
    int32_t err;
    memcpy(&err, fr + FRAME_ERRNO, 4);
    napi_get_reference_value(env, nf->errno_state, &obj);
    napi_create_int32(env, err, &v);
    napi_set_named_property(env, obj, "value", v);
  }
  napi_value r;
  int32_t i32;
  double d;
  switch (nf->ret) { /* the commonest results inline */
    case S_VOID: return NULL;
    case S_I32: memcpy(&i32, fr + nf->ret_at, 4); return napi_create_int32(env, i32, &r) == napi_ok ? r : NULL;
    case S_F64: memcpy(&d, fr + nf->ret_at, 8); return napi_create_double(env, d, &r) == napi_ok ? r : NULL;
    default: return result(env, nf, fr, f);
  }
}

/* `n` arguments (a constant in the small entries, so the loop unrolls) into the frame, then the call. */
static inline __attribute__((always_inline)) napi_value run(napi_env env, napi_callback_info info, size_t argc,
                                                            size_t fetched, napi_value *argv, napi_value self,
                                                            struct native_fn *nf, uint32_t n) {
  if (argc != n) return to_js(env, info, nf, argc, fetched, argv, self); /* JS throws the arity error */
  struct env_state *e = current_env;
  uint8_t *base = e->base;
  uint32_t f = control(e, CONTROL_TOP);
  if ((uint64_t)f + nf->fixed > nf->limit) return to_js(env, info, nf, argc, fetched, argv, self);
  uint8_t *fr = base + f;
  uint32_t top = f + nf->fixed;
#pragma GCC unroll 6
  for (uint32_t i = 0; i < n; i++)
    if (!put_arg(env, &nf->args[i], argv[i], base, fr, &top, nf->limit)) return to_js(env, info, nf, argc, fetched, argv, self);
  return finish(env, nf, e, fr, f, top);
}

/* One entry per small arity; napi_get_cb_info reports the real count, so a surplus shows. */
#define ENTRY(N)                                                        \
  static napi_value call_##N(napi_env env, napi_callback_info info) {  \
    napi_value argv[(N) + 1], self;                                     \
    struct native_fn *nf;                                               \
    size_t argc = (N);                                                  \
    napi_get_cb_info(env, info, &argc, argv, &self, (void **)&nf);      \
    return run(env, info, argc, (N), argv, self, nf, (N));              \
  }
ENTRY(0) ENTRY(1) ENTRY(2) ENTRY(3) ENTRY(4) ENTRY(5) ENTRY(6)
static const napi_callback entries[] = {call_0, call_1, call_2, call_3, call_4, call_5, call_6};

/* Arities above the small entries: up to MAX_ARGS. */
static napi_value call_many(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS], self;
  struct native_fn *nf;
  size_t argc = MAX_ARGS;
  napi_get_cb_info(env, info, &argc, argv, &self, (void **)&nf);
  if (argc != nf->nargs) return to_js(env, info, nf, argc, MAX_ARGS, argv, self);
  return run(env, info, argc, MAX_ARGS, argv, self, nf, nf->nargs);
}

static void free_fn(napi_env env, void *data, void *hint) {
  (void)hint;
  struct native_fn *nf = data;
  napi_delete_reference(env, nf->fallback);
  napi_delete_reference(env, nf->slow_return);
  napi_delete_reference(env, nf->after_cbs);
  napi_delete_reference(env, nf->errno_state);
  free(nf);
}

/* nativeFunction(name, record, fallback, slowReturn, afterCallbacks, errnoState): the marshaller. */
static napi_value js_native_function(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_typedarray_type type;
  size_t words = 0;
  void *data = NULL;
  bool is = false;
  char name[256];
  size_t name_len;
  if (argc != 6 || napi_is_typedarray(env, argv[1], &is) != napi_ok || !is ||
      napi_get_typedarray_info(env, argv[1], &type, &words, &data, NULL, NULL) != napi_ok || type != napi_int32_array ||
      napi_get_value_string_utf8(env, argv[0], name, sizeof name, &name_len) != napi_ok)
    return throw_type(env, "ERR_TRAMPFD_CALL", "nativeFunction(name, Int32Array record, fallback, slowReturn, afterCallbacks, errnoState)");
  const int32_t *w = data;
  if (words < H_WORDS || w[H_NARGS] < 0 || w[H_NARGS] > MAX_ARGS || words != H_WORDS + (size_t)w[H_NARGS] * A_WORDS ||
      w[H_RET] < 0 || w[H_RET] >= S_COUNT || w[H_LIMIT] <= 0 || w[H_LIMIT] > FRAME_BUFFER_SIZE ||
      (sizeof(uintptr_t) < 8 && w[H_FN_HI] != 0)) /* an address this target cannot hold */
    return throw_type(env, "ERR_TRAMPFD_CALL", "nativeFunction: malformed record");
  uint32_t n = (uint32_t)w[H_NARGS];
  struct native_fn *nf = calloc(1, sizeof *nf + n * sizeof nf->args[0]);
  if (!nf) return throw_error(env, "ERR_TRAMPFD_CALL", "out of memory");
  *nf = (struct native_fn){n, (uint32_t)w[H_FLAGS], (uint32_t)w[H_FIXED], (uint32_t)w[H_STACK], (uint32_t)w[H_AL],
                           (uint32_t)w[H_RET], (uint32_t)w[H_RET_AT], (uint32_t)w[H_LIMIT],
                           (uintptr_t)((uint64_t)(uint32_t)w[H_FN_LO] | (uint64_t)(uint32_t)w[H_FN_HI] << 32),
                           NULL, NULL, NULL, NULL};
  for (uint32_t i = 0; i < n; i++) {
    const int32_t *a = w + H_WORDS + i * A_WORDS;
    if (a[A_ACCEPT] <= S_VOID || a[A_ACCEPT] >= S_COUNT || a[A_AT] < 0 ||
        (int64_t)a[A_AT] + (a[A_WIDE] ? 4 : store_bytes(a[A_ACCEPT])) > w[H_FIXED]) {
      free(nf);
      return throw_type(env, "ERR_TRAMPFD_CALL", "nativeFunction: malformed argument record %u", i);
    }
    static const uint8_t widths[S_COUNT] = {[S_I8] = 1, [S_U8] = 1, [S_BOOL] = 1, [S_I16] = 2, [S_U16] = 2, [S_I32] = 4, [S_U32] = 4};
    struct arg *g = &nf->args[i];
    *g = (struct arg){OP_OTHER, (uint8_t)a[A_ACCEPT], a[A_CSTRING] != 0, a[A_WIDE] ? 4 : widths[a[A_ACCEPT]], false,
                      (uint32_t)a[A_AT], 0, 0};
    if (!g->width) g->width = a[A_ACCEPT] == S_POINTER ? sizeof(void *) : 8;
    g->number = int_range(g->accept, &g->lo, &g->hi) || g->accept == S_F32 || g->accept == S_F64;
    if (g->number && g->accept != S_POINTER)
      g->op = g->accept == S_I32 && g->width == 4 ? OP_I32 : g->accept == S_F64 ? OP_F64 : g->accept == S_F32 ? OP_F32 : OP_INT;
  }
  napi_value fn;
  napi_callback entry = n < sizeof entries / sizeof entries[0] ? entries[n] : call_many;
  if (napi_create_function(env, name, name_len, entry, nf, &fn) != napi_ok ||
      napi_add_finalizer(env, fn, nf, free_fn, NULL, NULL) != napi_ok) {
    free(nf);
    return throw_error(env, "ERR_TRAMPFD_CALL", "cannot create a native marshaller");
  }
  napi_create_reference(env, argv[2], 1, &nf->fallback);
  napi_create_reference(env, argv[3], 1, &nf->slow_return);
  napi_create_reference(env, argv[4], 1, &nf->after_cbs);
  napi_create_reference(env, argv[5], 1, &nf->errno_state);
  return fn;
}

/* stringToFrame(s, limit): the JS marshallers' `const char *` copy, as put_string makes it, at
   the frame stack's top, which moves past it; the address, or -1 when `s` does not fit below
   `limit` or contains a NUL (JS then decides and reports). */
static napi_value js_string_to_frame(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], r;
  uint32_t limit;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 2 || napi_get_value_uint32(env, argv[1], &limit) != napi_ok || limit > FRAME_BUFFER_SIZE)
    return throw_type(env, "ERR_TRAMPFD_CALL", "stringToFrame(string, limit)");
  struct env_state *e = current_env;
  uint32_t top = control(e, CONTROL_TOP);
  uintptr_t addr;
  switch (put_string(env, argv[0], e->base, &top, limit, &addr)) {
    case PUT_STRING:
      *(uint32_t *)(e->base + CONTROL_TOP) = top;
      return make_address(env, addr);
    case NOT_A_STRING: return throw_type(env, "ERR_TRAMPFD_CALL", "stringToFrame(string, limit)");
    default: napi_create_int32(env, -1, &r); return r;
  }
}

bool js_ops_init(napi_env env, napi_value exports) {
  napi_value names, s;
  napi_create_array_with_length(env, S_COUNT, &names);
  for (uint32_t i = 0; i < S_COUNT; i++) {
    napi_create_string_utf8(env, store_names[i], NAPI_AUTO_LENGTH, &s);
    napi_set_element(env, names, i, s);
  }
  napi_set_named_property(env, exports, "opsStores", names);
  static const export_fn fns[] = {{"nativeFunction", js_native_function}, {"stringToFrame", js_string_to_frame}};
  return export_all(env, exports, fns, 2);
}
