/* Native callback runners: a callback whose per-call work runs in C. TypeScript flattens its
   CallOps (src/codegen/native-callbacks.ts) into an Int32Array saying, per argument, which store
   it has and where in the frame it is, and where the result goes; C makes the JS arguments,
   calls the user's function itself and stores an exactly accepted result. An argument it cannot
   make runs the whole callback on the JS runner; a result it does not accept goes to the JS
   result writer (writeBack); an exception goes to the JS onError. So errors are the JS path's own. */
#include "js-cb-ops.h"
#include "env.h"
#include "frame-layout.h"
#include "napi-util.h"
#include "ops-store.h"

#include <stdlib.h>
#include <string.h>

#define CODE "ERR_TRAMPFD_CALLBACK"
#define MAX_ARGS 32
#define MAX_SAFE 9007199254740991.0

/* Header words of a record, then A_WORDS words per argument. */
enum { H_NARGS, H_RET, H_RET_AT, H_WORDS };
enum { A_STORE, A_AT, A_WORDS };

struct cb_arg {
  uint8_t store;
  uint32_t at;             /* frame offset of its exactly stored value */
};

/* What every callback of one C function type shares: made once per type (cbShape), kept while
   its JS handle or any runner uses it. JS-thread only, as are the counts. */
struct cb_shape {
  uint32_t refs;           /* the JS handle, and each runner */
  uint32_t nargs, ret, ret_at;
  uint32_t frame_need;     /* frame bytes the records reach into */
  struct cb_arg args[];
};

struct cb_ops {
  const struct cb_shape *shape;
  uint32_t id;             /* the callback's id, released by the run that outlives its free() */
  uint32_t busy;           /* runs in progress (JS thread only) */
  int orphaned;            /* its callback was freed while it ran: the last run ends it */
  napi_ref fn;             /* the user's function */
  uint64_t fn_batch;       /* the batch scope (entry.batch_serial) that holds fn_handle, or 0 */
  napi_value fn_handle;
};

static void unref_shape(struct cb_shape *s) {
  if (--s->refs == 0) free(s);
}

static void shape_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  unref_shape(data);
}

static void free_ops(napi_env env, struct cb_ops *o) {
  napi_delete_reference(env, o->fn);
  unref_shape((struct cb_shape *)o->shape);
  free(o);
}

bool cb_ops_release(napi_env env, struct cb_ops *o) {
  if (o->busy) {
    o->orphaned = 1;
    return true;
  }
  free_ops(env, o);
  return false;
}

/* cbShape(record): a callback type's records, checked and kept in C, as a handle for cbCreate. */
static napi_value js_cb_shape(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value record, handle;
  napi_typedarray_type type;
  size_t words = 0;
  void *data = NULL;
  bool is = false;
  napi_get_cb_info(env, info, &argc, &record, NULL, NULL);
  if (argc != 1 || napi_is_typedarray(env, record, &is) != napi_ok || !is ||
      napi_get_typedarray_info(env, record, &type, &words, &data, NULL, NULL) != napi_ok || type != napi_int32_array)
    return throw_type(env, CODE, "cbShape(Int32Array record)");
  const int32_t *w = data;
  if (words < H_WORDS || w[H_NARGS] < 0 || w[H_NARGS] > MAX_ARGS || words != H_WORDS + (size_t)w[H_NARGS] * A_WORDS ||
      w[H_RET] < 0 || w[H_RET] >= S_COUNT ||
      (w[H_RET] != S_VOID && (w[H_RET_AT] < FRAME_RET_GPR ||
                              w[H_RET_AT] + store_bytes(w[H_RET]) > FRAME_RET_GPR + FRAME_RET_SIZE)))
    return throw_type(env, CODE, "cbShape: malformed record");
  uint32_t n = (uint32_t)w[H_NARGS];
  struct cb_shape *s = calloc(1, sizeof *s + n * sizeof s->args[0]);
  if (!s) return throw_error(env, CODE, "out of memory");
  *s = (struct cb_shape){1, n, (uint32_t)w[H_RET], (uint32_t)w[H_RET_AT], 0};
  for (uint32_t i = 0; i < n; i++) {
    const int32_t *a = w + H_WORDS + i * A_WORDS;
    if (a[A_STORE] <= S_VOID || a[A_STORE] >= S_COUNT || a[A_AT] < 0 || a[A_AT] > INT32_MAX - 8) {
      free(s);
      return throw_type(env, CODE, "cbShape: malformed argument record %u", i);
    }
    s->args[i] = (struct cb_arg){(uint8_t)a[A_STORE], (uint32_t)a[A_AT]};
    uint32_t end = (uint32_t)a[A_AT] + store_bytes(a[A_STORE]);
    if (end > s->frame_need) s->frame_need = end;
  }
  if (napi_create_external(env, s, shape_finalize, NULL, &handle) != napi_ok) {
    free(s);
    return throw_error(env, CODE, "cannot make a callback shape");
  }
  return handle;
}

bool cb_ops_attach(napi_env env, struct closure *c, napi_value shape, napi_value fn) {
  napi_valuetype st, ft;
  void *data = NULL;
  if (napi_typeof(env, shape, &st) != napi_ok || st != napi_external || napi_typeof(env, fn, &ft) != napi_ok ||
      ft != napi_function || napi_get_value_external(env, shape, &data) != napi_ok) {
    throw_type(env, CODE, "cbCreate(id, stackBytes, frameBytes, retSlot, shape, fn)");
    return false;
  }
  if (!c->owner->released) {
    throw_error(env, CODE, "cbOpsInit must come first");
    return false;
  }
  struct cb_shape *s = data;
  if (s->frame_need > c->frame_bytes) {
    throw_type(env, CODE, "cbCreate: the shape's records reach past the frame (%u > %u bytes)", s->frame_need, c->frame_bytes);
    return false;
  }
  struct cb_ops *o = calloc(1, sizeof *o);
  if (!o) {
    throw_error(env, CODE, "out of memory");
    return false;
  }
  o->shape = s;
  o->id = c->id;
  if (napi_create_reference(env, fn, 1, &o->fn) != napi_ok) {
    free(o);
    throw_error(env, CODE, "cannot keep the callback's function");
    return false;
  }
  s->refs++;
  c->ops = o;
  return true;
}

/* The JS value of argument `a`; false when it is not one C makes as the JS path would (a
   size-like value or pointer beyond 2^53: a bigint or an error). */
static inline bool make_arg(napi_env env, const struct cb_arg *a, const uint8_t *f, napi_value *out) {
  return read_scalar(env, (int)a->store, f + a->at, out);
}

/* Stores result `r` as the generated runner's fast path does (slots.ts acceptExpr/storeStmt);
   false when `r` is not a form that path accepts. */
static bool put_result(napi_env env, uint32_t store, uint8_t *p, napi_value r) {
  double d, lo, hi;
  bool b, lossless = false;
  int64_t i64;
  uint64_t u64;
  switch (store) {
    case S_BOOL:
      if (napi_get_value_bool(env, r, &b) != napi_ok) return false;
      *p = b;
      return true;
    case S_I64:
      if (napi_get_value_bigint_int64(env, r, &i64, &lossless) != napi_ok || !lossless) return false;
      memcpy(p, &i64, 8);
      return true;
    case S_U64:
      if (napi_get_value_bigint_uint64(env, r, &u64, &lossless) != napi_ok || !lossless) return false;
      memcpy(p, &u64, 8);
      return true;
    default:
      break;
  }
  if (napi_get_value_double(env, r, &d) != napi_ok) return false; /* not a number */
  switch (store) {
    case S_F64: memcpy(p, &d, 8); return true;
    case S_F32: { float x = (float)d; memcpy(p, &x, 4); return true; }
    case S_I8: lo = -128; hi = 127; break;
    case S_U8: lo = 0; hi = 255; break;
    case S_I16: lo = -32768; hi = 32767; break;
    case S_U16: lo = 0; hi = 65535; break;
    case S_I32: lo = -2147483648.0; hi = 2147483647.0; break;
    case S_U32: lo = 0; hi = 4294967295.0; break;
    case S_SAFE_I64: lo = -MAX_SAFE; hi = MAX_SAFE; break;
    case S_POINTER: lo = 0; hi = MAX_ADDRESS; break;
    default: lo = 0; hi = MAX_SAFE; break; /* safe-u64 */
  }
  if (!(d >= lo && d <= hi)) return false;
  i64 = (int64_t)d;
  if ((double)i64 != d) return false;
  switch (store) {
    case S_I8: case S_U8: *p = (uint8_t)i64; return true;
    case S_I16: case S_U16: { uint16_t v = (uint16_t)i64; memcpy(p, &v, 2); return true; }
    case S_I32: case S_U32: { uint32_t v = (uint32_t)i64; memcpy(p, &v, 4); return true; }
    case S_POINTER: put_ptr(p, (uintptr_t)i64); return true;
    default: memcpy(p, &i64, 8); return true;
  }
}

/* Calls the JS function `ref` with `a` (if not NULL) and the number `n`. */
static void call_js(napi_env env, napi_ref ref, napi_value a, uint32_t n) {
  napi_value fn, undef, argv[2];
  napi_get_reference_value(env, ref, &fn);
  napi_get_undefined(env, &undef);
  argv[0] = a;
  napi_create_uint32(env, n, &argv[a ? 1 : 0]);
  napi_call_function(env, undef, fn, a ? 2 : 1, argv, NULL);
}

napi_status cb_ops_run(struct env_state *e, struct closure *c, uint32_t top, napi_value dispatch) {
  napi_env env = e->env;
  struct cb_ops *o = c->ops;
  const struct cb_shape *s = o->shape;
  uint8_t *f = e->base + top;
  napi_value argv[MAX_ARGS], fn, undef, r;
  struct entry *en = &e->entry;
  bool pending = false;
  /* Entered from C that another addon called, with its exception pending: JS cannot run, as the
     dispatcher would find, and that exception is not this callback's to take. */
  if (!en->active && napi_is_exception_pending(env, &pending) == napi_ok && pending) return napi_pending_exception;
  for (uint32_t i = 0; i < s->nargs; i++)
    if (!make_arg(env, &s->args[i], f, &argv[i])) /* the JS runner, for the frame at TOP */
      return napi_call_function(env, dispatch, dispatch, 0, NULL, NULL);
  if (en->active && en->batch_serial == o->fn_batch) {
    fn = o->fn_handle;
  } else {
    napi_get_reference_value(env, o->fn, &fn);
    o->fn_batch = en->active ? en->batch_serial : 0;
    o->fn_handle = fn;
  }
  if (!e->undefined) napi_get_undefined(env, &e->undefined);
  undef = e->undefined;
  /* As the JS runner: the frame stack grows past this frame while the function runs. Nothing of
     `c` is read after the call, which may free it (o stays until this run ends). */
  *(uint32_t *)(e->base + CONTROL_TOP) = top + c->frame_bytes;
  o->busy++;
  napi_status st = napi_call_function(env, undef, fn, s->nargs, argv, &r);
  if (st == napi_ok) {
    if (s->ret != S_VOID && !put_result(env, s->ret, f + s->ret_at, r)) call_js(env, e->write_back, r, top);
  } else {
    napi_value ex;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending &&
        napi_get_and_clear_last_exception(env, &ex) == napi_ok) {
      memset(f + FRAME_RET_GPR, 0, FRAME_RET_SIZE); /* what C receives when the function threw */
      call_js(env, e->on_error, ex, top);
      st = napi_ok;
    }
  }
  *(uint32_t *)(e->base + CONTROL_TOP) = top;
  if (--o->busy == 0 && o->orphaned) {
    call_js(env, e->released, NULL, o->id);
    free_ops(env, o);
  }
  return st;
}

/* cbOpsInit(onError, writeBack, released): what native runners hand to JS (see env.h). */
static napi_value js_cb_ops_setup(napi_env env, napi_callback_info info) {
  struct env_state *e = current_env;
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_valuetype t;
  for (size_t i = 0; i < 3; i++)
    if (argc != 3 || napi_typeof(env, argv[i], &t) != napi_ok || t != napi_function)
      return throw_type(env, CODE, "cbOpsInit(onError, writeBack, released)");
  if (e->released) return throw_error(env, CODE, "native callbacks are already initialised in this environment");
  napi_create_reference(env, argv[0], 1, &e->on_error);
  napi_create_reference(env, argv[1], 1, &e->write_back);
  napi_create_reference(env, argv[2], 1, &e->released);
  return NULL;
}

void js_cb_ops_cleanup(struct env_state *e) {
  napi_ref *refs[] = {&e->on_error, &e->write_back, &e->released};
  for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++)
    if (*refs[i]) napi_delete_reference(e->env, *refs[i]);
}

bool js_cb_ops_init(napi_env env, napi_value exports) {
  static const export_fn fns[] = {{"cbOpsInit", js_cb_ops_setup}, {"cbShape", js_cb_shape}};
  return export_all(env, exports, fns, 2);
}
