/* Foreign memory for JS: malloc/free, zero-copy views, C strings, buffer addresses. */
#include "js-memory.h"
#include "env.h"
#include "frame-layout.h"
#include "napi-util.h"

#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define CODE "ERR_TRAMPFD_MEMORY"
/* Addresses below this are never valid data (the first page is unmapped on Linux). */
#define LOWEST_ADDRESS 4096

static bool address_arg(napi_env env, napi_value v, const char *what, uintptr_t *out) {
  uintptr_t a;
  if (!get_address(env, v, what, &a)) return false;
  if (a < LOWEST_ADDRESS) {
    throw_type(env, CODE, "%s is %s (%#llx): not a readable address", what, a ? "in the first page" : "NULL",
               (unsigned long long)a);
    return false;
  }
  *out = a;
  return true;
}

static size_t get_args(napi_env env, napi_callback_info info, napi_value *argv, size_t n) {
  size_t argc = n;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  return argc;
}

static napi_value js_alloc(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t size;
  if (get_args(env, info, argv, 1) != 1 || !get_size(env, argv[0], "size", &size)) return NULL;
  void *p = calloc(1, size ? size : 1);
  if (!p) return throw_error(env, CODE, "cannot allocate %zu bytes", size);
  return make_address(env, (uintptr_t)p);
}

static napi_value js_free(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  uintptr_t p;
  if (get_args(env, info, argv, 1) != 1 || !get_address(env, argv[0], "pointer", &p)) return NULL;
  free((void *)p);
  return NULL;
}

/* view(ptr, length): an ArrayBuffer over foreign memory, no copy. */
static napi_value js_view(napi_env env, napi_callback_info info) {
  napi_value argv[2], ab;
  uintptr_t p;
  size_t len;
  if (get_args(env, info, argv, 2) != 2) return throw_type(env, CODE, "view(pointer, length)");
  if (!address_arg(env, argv[0], "pointer", &p) || !get_size(env, argv[1], "length", &len)) return NULL;
  /* SAFETY: the caller vouches for [p, p + len); no finalizer, the memory is not ours. */
  if (napi_create_external_arraybuffer(env, (void *)p, len, NULL, NULL, &ab) != napi_ok)
    return throw_error(env, CODE, "cannot make a view of %zu bytes at %#lx", len, (unsigned long)p);
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

/* Code units of `unit` bytes at p before the first NUL one, at most max. Reads nothing past it. */
static size_t units_before_nul(const uint8_t *p, int unit, uint64_t max) {
  size_t n = 0;
  if (unit == 1 && max == UINT64_MAX) return strlen((const char *)p);
  if (unit == 1) { for (; n < max && p[n]; n++) {} }
  else if (unit == 2) { for (const uint16_t *q = (const uint16_t *)p; n < max && q[n]; n++) {} }
  else { for (const uint32_t *q = (const uint32_t *)p; n < max && q[n]; n++) {} }
  return n;
}

/* The UTF-16 of n UTF-16 or UTF-32 units (TextDecoder's and strings.ts decode's rules: a lone
   surrogate or a code point beyond U+10FFFF becomes U+FFFD) into out, which has 2n units. */
static size_t to_utf16(const uint8_t *p, int unit, size_t n, uint16_t *out) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t c = unit == 2 ? ((const uint16_t *)p)[i] : ((const uint32_t *)p)[i];
    if (unit == 2 && c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      uint32_t d = ((const uint16_t *)p)[i + 1];
      if (d >= 0xdc00 && d <= 0xdfff) { out[k++] = (uint16_t)c; out[k++] = (uint16_t)d; i++; continue; }
    }
    if ((c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff) out[k++] = 0xfffd;
    else if (c >= 0x10000) { out[k++] = (uint16_t)(0xd800 + ((c - 0x10000) >> 10)); out[k++] = (uint16_t)(0xdc00 + (c & 0x3ff)); }
    else out[k++] = (uint16_t)c;
  }
  return k;
}

/* string(ptr, unit, max): the string in the `unit`-byte code units (1: UTF-8, 2: UTF-16, 4:
   UTF-32) at ptr, up to the first NUL unit or `max` units (-1: no bound). JS checked the
   alignment; the caller vouches for the units read. */
static napi_value js_string(napi_env env, napi_callback_info info) {
  napi_value argv[3], s = NULL;
  uintptr_t p;
  int32_t unit;
  double maxd;
  if (get_args(env, info, argv, 3) != 3 || !address_arg(env, argv[0], "pointer", &p) ||
      napi_get_value_int32(env, argv[1], &unit) != napi_ok || napi_get_value_double(env, argv[2], &maxd) != napi_ok ||
      (unit != 1 && unit != 2 && unit != 4) || p % (uintptr_t)unit)
    return throw_type(env, CODE, "string(pointer, unit, max)");
  uint64_t max = maxd < 0 ? UINT64_MAX : (uint64_t)maxd;
  const uint8_t *b = (const uint8_t *)p;
  size_t n = units_before_nul(b, unit, max);
  if (unit == 1) {
    napi_create_string_utf8(env, (const char *)b, n, &s);
    return s;
  }
  if (unit == 2) { /* passed as it is unless a surrogate needs its pair checked */
    size_t i = 0;
    while (i < n && (((const uint16_t *)b)[i] & 0xf800) != 0xd800) i++;
    if (i == n) {
      napi_create_string_utf16(env, (const char16_t *)b, n, &s);
      return s;
    }
  }
  uint16_t *out = malloc((2 * n + 1) * sizeof *out); /* a UTF-32 unit may take two */
  if (!out) return throw_error(env, CODE, "cannot allocate for a string of %zu units", n);
  napi_create_string_utf16(env, (const char16_t *)out, to_utf16(b, unit, n, out), &s);
  free(out);
  return s;
}

/* memory.string itself, made by stringFunction(fallback): a call with one argument, an address
   as a number that is a safe integer past the first page, reads the NUL-terminated UTF-8 string
   there with no JS in between; every other call goes to `fallback` (src/memory.ts), which
   checks, throws and reads exactly as it does on its own. */
static napi_value js_string_call(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], self, s, fn, r = NULL;
  void *fallback;
  double d;
  napi_get_cb_info(env, info, &argc, argv, &self, &fallback);
  if (argc == 1 && napi_get_value_double(env, argv[0], &d) == napi_ok && d >= LOWEST_ADDRESS &&
      d <= MAX_ADDRESS && d == (double)(uint64_t)d) {
    /* SAFETY: the caller vouches for a C string at the address, as for memCString. */
    const char *p = (const char *)(uintptr_t)(uint64_t)d;
    napi_create_string_utf8(env, p, strlen(p), &s);
    return s;
  }
  napi_get_reference_value(env, (napi_ref)fallback, &fn);
  napi_call_function(env, self, fn, argc, argv, &r);
  return r;
}

static napi_value js_string_function(napi_env env, napi_callback_info info) {
  napi_value argv[1], fn;
  napi_ref ref;
  if (get_args(env, info, argv, 1) != 1 || napi_create_reference(env, argv[0], 1, &ref) != napi_ok)
    return throw_type(env, CODE, "stringFunction(fallback)");
  /* The reference lives as long as the function, which memory.ts keeps for the environment's life. */
  if (napi_create_function(env, "string", NAPI_AUTO_LENGTH, js_string_call, ref, &fn) != napi_ok)
    return throw_error(env, CODE, "cannot create memory.string");
  return fn;
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
    {"memCString", js_cstring}, {"memString", js_string}, {"stringFunction", js_string_function}, {"bufferAddress", js_buffer_address}, {"bufferDetached", js_buffer_detached},
    {"memLoad", js_load}, {"memStore", js_store},
  };
  return export_all(env, exports, fns, (int)(sizeof fns / sizeof fns[0]));
}
