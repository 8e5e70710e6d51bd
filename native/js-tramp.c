/* The JS face of the allocator: handles are data-entry addresses, validated on every use. */
#include "js-tramp.h"
#include "napi-util.h"
#include "tramp-arch.h"
#include "tramp.h"

#include <stdint.h>

#define CODE "ERR_TRAMPFD_TRAMPOLINE"

/* The live trampoline a JS value names, or NULL with a TypeError thrown. */
static tramp_t *handle_arg(napi_env env, napi_value v) {
  uintptr_t h;
  if (!get_address(env, v, "trampoline handle", &h)) return NULL;
  tramp_t *t = tramp_from_handle(h);
  if (!t) throw_type(env, CODE, "not a live trampoline (freed, or never allocated): handle %#llx", (unsigned long long)h);
  return t;
}

static napi_value js_alloc(napi_env env, napi_callback_info info) {
  (void)info;
  tramp_t *t = tramp_alloc();
  if (!t) return throw_error(env, "ERR_TRAMPFD_EXHAUSTED", "cannot allocate a trampoline: %s", tramp_error());
  return make_address(env, tramp_handle(t));
}

static napi_value js_set(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 3) return throw_type(env, CODE, "set(handle, target, context) takes 3 arguments, got %zu", argc);
  tramp_t *t = handle_arg(env, argv[0]);
  uintptr_t target, context;
  if (!t || !get_address(env, argv[1], "target", &target) || !get_address(env, argv[2], "context", &context)) return NULL;
  if (target == 0) return throw_type(env, CODE, "target must be a code address, got 0 (NULL)");
  tramp_set(t, (void *)target, (void *)context);
  return NULL;
}

static napi_value js_address(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 1) return throw_type(env, CODE, "address(handle) takes 1 argument");
  tramp_t *t = handle_arg(env, argv[0]);
  return t ? make_address(env, (uintptr_t)tramp_addr(t)) : NULL;
}

static napi_value js_free(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 1) return throw_type(env, CODE, "free(handle) takes 1 argument");
  tramp_t *t = handle_arg(env, argv[0]);
  if (t) tramp_free(t);
  return NULL;
}

static void set_num(napi_env env, napi_value obj, const char *k, double v) {
  napi_value x;
  napi_create_double(env, v, &x);
  napi_set_named_property(env, obj, k, x);
}

static napi_value js_stats(napi_env env, napi_callback_info info) {
  (void)info;
  struct tramp_stats s;
  tramp_get_stats(&s);
  napi_value o, str;
  napi_create_object(env, &o);
  const char *mode = s.mode == TRAMP_MODE_FILE ? "file" : s.mode == TRAMP_MODE_IMAGE ? "image" : "unset";
  napi_create_string_utf8(env, mode, NAPI_AUTO_LENGTH, &str);
  napi_set_named_property(env, o, "mode", str);
  set_num(env, o, "tables", (double)s.tables);
  set_num(env, o, "live", (double)s.live);
  set_num(env, o, "quarantined", (double)s.quarantined);
  set_num(env, o, "capacity", (double)s.capacity);
  set_num(env, o, "imageUsed", (double)s.image_used);
  set_num(env, o, "imageCapacity", (double)s.image_capacity);
  set_num(env, o, "codeBytesPerSlot", (double)s.slot_bytes);
  set_num(env, o, "dataBytesPerSlot", (double)s.data_bytes);
  if (s.fallback_reason) napi_create_string_utf8(env, s.fallback_reason, NAPI_AUTO_LENGTH, &str);
  else napi_get_null(env, &str);
  napi_set_named_property(env, o, "fallbackReason", str);
  napi_value b;
  napi_get_boolean(env, s.sealed, &b);
  napi_set_named_property(env, o, "sealed", b);
  return o;
}

uintptr_t tramp_selftest_target(void);

/* Allocates a trampoline, calls it through its address and checks the context arrives:
   proof that this process can execute our mapped tables (used by the demo and doctor). */
static napi_value js_self_test(napi_env env, napi_callback_info info) {
  (void)info;
  tramp_t *t = tramp_alloc();
  if (!t) return throw_error(env, "ERR_TRAMPFD_EXHAUSTED", "cannot allocate a trampoline: %s", tramp_error());
  const uintptr_t magic = (uintptr_t)0x7472616d70666421ull; /* "trampfd!" ("pfd!" on 32-bit targets) */
  tramp_set(t, (void *)tramp_selftest_target, (void *)(uintptr_t)magic);
  void *addr = tramp_addr(t);
  uintptr_t got = ((uintptr_t(*)(void))addr)();
  tramp_free(t);
  napi_value o, b;
  napi_create_object(env, &o);
  napi_get_boolean(env, got == magic, &b);
  napi_set_named_property(env, o, "ok", b);
  napi_set_named_property(env, o, "address", make_address(env, (uintptr_t)addr));
  return o;
}

static napi_value js_force_image(napi_env env, napi_callback_info info) {
  (void)info;
  if (tramp_force_image_mode() != 0)
    return throw_error(env, CODE, "in-image mode must be chosen before the first trampoline is allocated");
  return NULL;
}

static napi_value js_seal(napi_env env, napi_callback_info info) {
  (void)info;
  if (tramp_set_sealed(1) != 0)
    return throw_error(env, CODE, "sealing must be chosen before the first trampoline is allocated");
  return NULL;
}

bool js_tramp_init(napi_env env, napi_value exports) {
  static const export_fn fns[] = {
    {"trampAlloc", js_alloc}, {"trampSet", js_set}, {"trampAddress", js_address},
    {"trampFree", js_free}, {"trampStats", js_stats}, {"trampForceImageMode", js_force_image},
    {"trampSelfTest", js_self_test}, {"trampSeal", js_seal},
  };
  /* archFeatures: the branch protections in force (tramp-arch.h), for `trampfd doctor`. */
  napi_value features;
  return export_all(env, exports, fns, (int)(sizeof fns / sizeof fns[0])) &&
         napi_create_string_utf8(env, tramp_arch_features(), NAPI_AUTO_LENGTH, &features) == napi_ok &&
         napi_set_named_property(env, exports, "archFeatures", features) == napi_ok;
}
