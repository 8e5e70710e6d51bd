/* Small N-API helpers shared by the addon's files: errors and exact 64-bit integers. */
#ifndef TRAMPFD_NAPI_UTIL_H
#define TRAMPFD_NAPI_UTIL_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Throws a TypeError/Error with a stable code; returns NULL for `return throw_...(...)`. */
napi_value throw_type(napi_env env, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
napi_value throw_error(napi_env env, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reads a number that is a non-negative safe integer, or a bigint in [0, 2^64), exactly.
   On failure throws a TypeError naming `what` and returns false. */
bool get_u64(napi_env env, napi_value v, const char *what, uint64_t *out);
/* get_u64 for an address, which must also fit this target's pointers (2^32 - 1 on a 32-bit
   one): a larger value throws a TypeError saying so, never truncated to some other address. */
bool get_address(napi_env env, napi_value v, const char *what, uintptr_t *out);
/* get_u64 for a byte count, which must also fit size_t (2^32 - 1 on a 32-bit target). */
bool get_size(napi_env env, napi_value v, const char *what, size_t *out);
/* The largest address a JS number names exactly and a pointer holds: 2^53 - 1 on 64-bit targets,
   2^32 - 1 on 32-bit ones. */
#define MAX_ADDRESS (UINTPTR_MAX < 9007199254740991ULL ? (double)UINTPTR_MAX : 9007199254740991.0)
/* A number for an address (every x86-64 user address is a safe integer). */
napi_value make_address(napi_env env, uintptr_t addr);

/* Registers functions on `exports`. */
typedef struct { const char *name; napi_callback fn; } export_fn;
bool export_all(napi_env env, napi_value exports, const export_fn *fns, int n);

#endif
