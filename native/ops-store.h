/* Store codes shared by the native marshallers (js-ops.c) and callback runners (js-cb-ops.c):
   how a scalar moves between a JS value and frame bytes; each is its name's index in the addon's
   exported `opsStores` array, which TypeScript reads. */
#ifndef TRAMPFD_OPS_STORE_H
#define TRAMPFD_OPS_STORE_H
enum store { S_VOID, S_I8, S_U8, S_I16, S_U16, S_I32, S_U32, S_BOOL, S_F32, S_F64, S_I64, S_U64,
             S_SAFE_I64, S_SAFE_U64, S_POINTER, S_COUNT };

#include "napi-util.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Bytes a store reads or writes in a slot: a pointer is pointer-sized (4 bytes on i386, where an
   8-byte store would clobber the next stack argument), the size-like 'safe' stores are 8 bytes
   (the planner gives 4-byte size types the 32-bit stores). */
static inline uint32_t store_bytes(int store) {
  switch (store) {
    case S_I8: case S_U8: case S_BOOL: return 1;
    case S_I16: case S_U16: return 2;
    case S_I32: case S_U32: case S_F32: return 4;
    case S_POINTER: return sizeof(void *);
    default: return 8;
  }
}

/* Reads and writes a pointer-sized slot. */
static inline uintptr_t get_ptr(const uint8_t *p) {
  uintptr_t v;
  memcpy(&v, p, sizeof v);
  return v;
}
static inline void put_ptr(uint8_t *p, uintptr_t v) { memcpy(p, &v, sizeof v); }

/* The JS value of the scalar `store` at `p` (a result slot, a callback argument), as the JS path
   reads it; false for a size-like value or pointer beyond 2^53, which the JS path reads (a bigint
   or an error), and for S_VOID. */
static inline bool read_scalar(napi_env env, int store, const uint8_t *p, napi_value *out) {
  const int64_t max_safe = 9007199254740991LL;
  int16_t i16;
  uint16_t u16;
  int32_t i32;
  uint32_t u32;
  int64_t i64;
  uint64_t u64;
  float x;
  double d;
  switch (store) {
    case S_VOID: return false;
    case S_I8: return napi_create_int32(env, *(const int8_t *)p, out) == napi_ok;
    case S_U8: return napi_create_int32(env, *p, out) == napi_ok;
    case S_I16: memcpy(&i16, p, 2); return napi_create_int32(env, i16, out) == napi_ok;
    case S_U16: memcpy(&u16, p, 2); return napi_create_int32(env, u16, out) == napi_ok;
    case S_I32: memcpy(&i32, p, 4); return napi_create_int32(env, i32, out) == napi_ok;
    case S_U32: memcpy(&u32, p, 4); return napi_create_uint32(env, u32, out) == napi_ok;
    case S_BOOL: return napi_get_boolean(env, *p != 0, out) == napi_ok;
    case S_F32: memcpy(&x, p, 4); return napi_create_double(env, x, out) == napi_ok;
    case S_F64: memcpy(&d, p, 8); return napi_create_double(env, d, out) == napi_ok;
    case S_I64: memcpy(&i64, p, 8); return napi_create_bigint_int64(env, i64, out) == napi_ok;
    case S_U64: memcpy(&u64, p, 8); return napi_create_bigint_uint64(env, u64, out) == napi_ok;
    /* Sizes that fit 32 bits (most: strlen's) as V8's small integers, which napi_create_double
       would first have to recognise. */
    case S_SAFE_I64:
      memcpy(&i64, p, 8);
      if (i64 == (int32_t)i64) return napi_create_int32(env, (int32_t)i64, out) == napi_ok;
      return i64 >= -max_safe && i64 <= max_safe && napi_create_double(env, (double)i64, out) == napi_ok;
    case S_POINTER:
      u64 = get_ptr(p);
      if (u64 <= INT32_MAX) return napi_create_int32(env, (int32_t)u64, out) == napi_ok;
      return u64 <= (uint64_t)max_safe && napi_create_double(env, (double)u64, out) == napi_ok;
    default: /* safe-u64 */
      memcpy(&u64, p, 8);
      if (u64 <= INT32_MAX) return napi_create_int32(env, (int32_t)u64, out) == napi_ok;
      return u64 <= (uint64_t)max_safe && napi_create_double(env, (double)u64, out) == napi_ok;
  }
}
#endif
