/* Foreign memory for JS: malloc/free, zero-copy views, C strings, buffer addresses. */
#include "js-memory.h"
#include "env.h"
#include "frame-layout.h"
#include "napi-util.h"

#include <stdlib.h>
#include <string.h>

#define CODE "ERR_TRAMPFD_MEMORY"
/* Addresses below this are never valid data (the first page is unmapped on Linux). */
#define LOWEST_ADDRESS 4096

static bool address_arg(napi_env env, napi_value v, const char *what, uintptr_t *out) {
  uint64_t a;
  if (!get_u64(env, v, what, &a)) return false;
  if (a < LOWEST_ADDRESS) {
    throw_type(env, CODE, "%s is %s (%#llx): not a readable address", what, a ? "in the first page" : "NULL",
               (unsigned long long)a);
    return false;
  }
  *out = (uintptr_t)a;
  return true;
}

static size_t get_args(napi_env env, napi_callback_info info, napi_value *argv, size_t n) {
  size_t argc = n;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  return argc;
}

static napi_value js_alloc(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  uint64_t size;
  if (get_args(env, info, argv, 1) != 1 || !get_u64(env, argv[0], "size", &size)) return NULL;
  void *p = calloc(1, size ? (size_t)size : 1);
  if (!p) return throw_error(env, CODE, "cannot allocate %llu bytes", (unsigned long long)size);
  return make_address(env, (uintptr_t)p);
}

static napi_value js_free(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  uint64_t p;
  if (get_args(env, info, argv, 1) != 1 || !get_u64(env, argv[0], "pointer", &p)) return NULL;
  free((void *)(uintptr_t)p);
  return NULL;
}

/* view(ptr, length): an ArrayBuffer over foreign memory, no copy. */
static napi_value js_view(napi_env env, napi_callback_info info) {
  napi_value argv[2], ab;
  uintptr_t p;
  uint64_t len;
  if (get_args(env, info, argv, 2) != 2) return throw_type(env, CODE, "view(pointer, length)");
  if (!address_arg(env, argv[0], "pointer", &p) || !get_u64(env, argv[1], "length", &len)) return NULL;
  /* SAFETY: the caller vouches for [p, p + len); no finalizer, the memory is not ours. */
  if (napi_create_external_arraybuffer(env, (void *)p, (size_t)len, NULL, NULL, &ab) != napi_ok)
    return throw_error(env, CODE, "cannot make a view of %llu bytes at %#lx", (unsigned long long)len, (unsigned long)p);
  return ab;
}

/* cstring(ptr): the NUL-terminated UTF-8 string at ptr. */
static napi_value js_cstring(napi_env env, napi_callback_info info) {
  napi_value argv[1], s;
  uintptr_t p;
  if (get_args(env, info, argv, 1) != 1 || !address_arg(env, argv[0], "pointer", &p)) return NULL;
  napi_create_string_utf8(env, (const char *)p, strlen((const char *)p), &s);
  return s;
}

/* bufferAddress(view): address of the first byte of a TypedArray, DataView or ArrayBuffer. */
static napi_value js_buffer_address(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (get_args(env, info, argv, 1) != 1) return throw_type(env, CODE, "bufferAddress(view)");
  void *data = NULL;
  size_t len = 0;
  bool is;
  if (napi_is_typedarray(env, argv[0], &is) == napi_ok && is) {
    napi_typedarray_type t;
    napi_value ab;
    size_t off;
    napi_get_typedarray_info(env, argv[0], &t, &len, &data, &ab, &off);
  } else if (napi_is_dataview(env, argv[0], &is) == napi_ok && is) {
    napi_value ab;
    size_t off;
    napi_get_dataview_info(env, argv[0], &len, &data, &ab, &off);
  } else if (napi_is_arraybuffer(env, argv[0], &is) == napi_ok && is) {
    napi_get_arraybuffer_info(env, argv[0], &data, &len);
  } else {
    return throw_type(env, CODE, "expected a TypedArray, DataView or ArrayBuffer");
  }
  return make_address(env, (uintptr_t)data);
}

/* bufferDetached(view): whether a TypedArray's or DataView's buffer, or an ArrayBuffer, is
   detached. Asked only for empty views: a detached buffer has length 0. */
static napi_value js_buffer_detached(napi_env env, napi_callback_info info) {
  napi_value argv[1], ab = NULL, out;
  if (get_args(env, info, argv, 1) != 1) return throw_type(env, CODE, "bufferDetached(view)");
  bool is, detached = false;
  size_t len, off;
  void *data;
  if (napi_is_typedarray(env, argv[0], &is) == napi_ok && is) {
    napi_typedarray_type t;
    napi_get_typedarray_info(env, argv[0], &t, &len, &data, &ab, &off);
  } else if (napi_is_dataview(env, argv[0], &is) == napi_ok && is) {
    napi_get_dataview_info(env, argv[0], &len, &data, &ab, &off);
  } else {
    ab = argv[0];
  }
  if (ab && napi_is_detached_arraybuffer(env, ab, &detached) != napi_ok) detached = false;
  napi_get_boolean(env, detached, &out);
  return out;
}

/* memLoad(ptr, len) / memStore(ptr, len): copy between foreign memory and the free space at
   the top of the frame stack, where memory.read/write convert values with typed arrays. Much
   cheaper than an external ArrayBuffer per access. */
static napi_value mem_copy(napi_env env, napi_callback_info info, bool load) {
  napi_value argv[2];
  uintptr_t p;
  uint32_t len;
  if (get_args(env, info, argv, 2) != 2) return throw_type(env, CODE, "memLoad/memStore(pointer, length)");
  if (!address_arg(env, argv[0], "pointer", &p) || napi_get_value_uint32(env, argv[1], &len) != napi_ok) return NULL;
  struct env_state *e = current_env;
  uint8_t *base = e->base;
  uint32_t top = control(e, CONTROL_TOP);
  if ((size_t)top + len > FRAME_BUFFER_SIZE) return throw_error(env, CODE, "%u bytes do not fit in the frame buffer", len);
  /* SAFETY: the caller vouches for [p, p + len), as for memory.view. */
  if (load) memcpy(base + top, (const void *)p, len);
  else memcpy((void *)p, base + top, len);
  return NULL;
}
static napi_value js_load(napi_env env, napi_callback_info info) { return mem_copy(env, info, true); }
static napi_value js_store(napi_env env, napi_callback_info info) { return mem_copy(env, info, false); }

bool js_memory_init(napi_env env, napi_value exports) {
  static const export_fn fns[] = {
    {"memAlloc", js_alloc}, {"memFree", js_free}, {"memView", js_view},
    {"memCString", js_cstring}, {"bufferAddress", js_buffer_address}, {"bufferDetached", js_buffer_detached},
    {"memLoad", js_load}, {"memStore", js_store},
  };
  return export_all(env, exports, fns, (int)(sizeof fns / sizeof fns[0]));
}
