/* What the generic libffi shim (ffi-shim.c) and its per-target part (ffi-shim-<target>.c) share. */
#ifndef TRAMPFD_FFI_SHIM_H
#define TRAMPFD_FFI_SHIM_H

#include <ffi.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef void closure_fun(ffi_cif *, void *, void **, void *);
typedef ffi_status prep_loc_fn(ffi_closure *, ffi_cif *, closure_fun *, void *, void *);

/* The closure entry that the system ffi_prep_closure_loc just wrote into `c`'s own legacy
   trampoline, provided that trampoline hands the closure to its entry the way a trampfd slot
   hands over its context; NULL if the bytes are anything else. */
__attribute__((visibility("hidden"))) void *shim_arch_entry(const ffi_closure *c);

/* The entry stored right after `legacy` (n bytes, a multiple of 8) at the start of tramp[], if
   tramp[] starts with exactly those bytes. In words, as the system prep wrote them: a byte
   compare would stall on its stores. */
static inline void *shim_legacy_entry(const ffi_closure *c, const unsigned char *legacy, size_t n) {
  for (size_t i = 0; i < n; i += 8) {
    uint64_t have, want;
    memcpy(&have, c->tramp + i, 8);
    memcpy(&want, legacy + i, 8);
    if (have != want) return NULL;
  }
  void *entry;
  memcpy(&entry, c->tramp + n, sizeof entry);
  return entry;
}

/* One closure ABI of this target for the self-test (ffi-shim.c runs it): a closure of `abi` with
   the cif of int f(int, int), or with `fp` of double f(double, int), is prepared by the system
   libffi and `call` calls its code address with (5, 7), or (2.5, 7), in that ABI. */
struct shim_probe {
  const char *name;
  ffi_abi abi;
  int fp;
  int optional; /* an ABI this libffi may be built without: FFI_BAD_ABI then skips the probe */
  long long (*call)(void *code);
};
/* The probes of this target, one for each closure entry its libffi has. */
__attribute__((visibility("hidden"))) extern const struct shim_probe shim_arch_probes[];
__attribute__((visibility("hidden"))) extern const size_t shim_arch_nprobes;

/* The calls of the two probe signatures in the target's default C ABI. */
__attribute__((visibility("hidden"))) long long shim_call_int(void *code);
__attribute__((visibility("hidden"))) long long shim_call_fp(void *code);

#endif
