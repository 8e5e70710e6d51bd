/* What the generic libffi shim (ffi-shim.c) and its per-target part (ffi-shim-<target>.c) share. */
#ifndef TRAMPFD_FFI_SHIM_H
#define TRAMPFD_FFI_SHIM_H

#include <ffi.h>
#include <stddef.h>

typedef void closure_fun(ffi_cif *, void *, void **, void *);
typedef ffi_status prep_loc_fn(ffi_closure *, ffi_cif *, closure_fun *, void *, void *);

/* The closure entry that the system ffi_prep_closure_loc just wrote into `c`'s own legacy
   trampoline, provided that trampoline hands the closure to its entry the way a trampfd slot
   hands over its context; NULL if the bytes are anything else. */
__attribute__((visibility("hidden"))) void *shim_arch_entry(const ffi_closure *c);

/* Calls closures prepared by the system `prep` through trampfd trampolines, one per closure
   ABI of this target: each must return what its function computes from its arguments and
   user_data, also after user_data was rewritten in place. Fills entries[] with the verified
   entries (at most 8) and returns their count, or -1 with `why` set. */
__attribute__((visibility("hidden"))) int shim_arch_selftest(prep_loc_fn *prep, void **entries,
                                                            char *why, size_t why_size);

#endif
