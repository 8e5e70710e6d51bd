/* The libffi shim on x86-64: reading libffi's legacy trampoline, and the self-test of its entries. */
#define _GNU_SOURCE
#include "ffi-shim.h"
#include "../tramp.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libffi 3.x's x86-64 trampoline (ffi64.c and ffiw64.c): endbr64; lea -0xb(%rip),%r10;
   jmp *7(%rip); nopl 0(%rax); then the entry address. The lea puts the trampoline's own
   address, which is the closure's, in r10: the register a trampfd slot loads its context into. */
static const unsigned char legacy[24] = {
  0xf3, 0x0f, 0x1e, 0xfa,
  0x4c, 0x8d, 0x15, 0xf5, 0xff, 0xff, 0xff,
  0xff, 0x25, 0x07, 0x00, 0x00, 0x00,
  0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00,
};
_Static_assert(FFI_TRAMPOLINE_SIZE == sizeof legacy + sizeof(void *), "the legacy trampoline fills tramp[]");

void *shim_arch_entry(const ffi_closure *c) {
  /* In words, as the system prep wrote them (a byte compare would stall on its stores). */
  for (size_t i = 0; i < sizeof legacy; i += 8) {
    uint64_t have, want;
    memcpy(&have, c->tramp + i, 8);
    memcpy(&want, legacy + i, 8);
    if (have != want) return NULL;
  }
  void *entry;
  memcpy(&entry, c->tramp + sizeof legacy, sizeof entry);
  return entry;
}

/* The probes compute from their arguments and from the int user_data points to. */
static void probe_int(ffi_cif *cif, void *ret, void **args, void *ud) {
  (void)cif;
  *(ffi_sarg *)ret = *(int *)args[0] * 3 + *(int *)args[1] + *(int *)ud;
}
static void probe_sse(ffi_cif *cif, void *ret, void **args, void *ud) {
  (void)cif;
  *(double *)ret = *(double *)args[0] * 2 + *(int *)args[1] + *(int *)ud;
}

enum probe_kind { PROBE_INT, PROBE_SSE, PROBE_MS };

static long long call(enum probe_kind k, void *code) {
  switch (k) {
  case PROBE_INT: return ((int (*)(int, int))code)(5, 7);
  case PROBE_SSE: return (long long)((double (*)(double, int))code)(2.5, 7);
  case PROBE_MS: return ((int (__attribute__((ms_abi)) *)(int, int))code)(5, 7);
  }
  return -1;
}
static long long expect(enum probe_kind k, int tag) { return (k == PROBE_SSE ? 5 : 15) + 7 + tag; }

static const char *kind_name(enum probe_kind k) {
  return k == PROBE_INT ? "unix64" : k == PROBE_SSE ? "unix64 with SSE arguments" : "win64";
}

/* 1 verified (entries[*n] added), 0 ABI not built into this libffi, -1 failed. */
static int probe(prep_loc_fn *prep, enum probe_kind k, void **entries, int *n, char *why, size_t ws) {
  static ffi_type *int_args[2] = { &ffi_type_sint, &ffi_type_sint };
  static ffi_type *sse_args[2] = { &ffi_type_double, &ffi_type_sint };
  ffi_cif cif;
  ffi_abi abi = k == PROBE_MS ? FFI_GNUW64 : FFI_UNIX64;
  if (ffi_prep_cif(&cif, abi, 2, k == PROBE_SSE ? &ffi_type_double : &ffi_type_sint,
                   k == PROBE_SSE ? sse_args : int_args) != FFI_OK)
    return k == PROBE_MS ? 0 : (snprintf(why, ws, "ffi_prep_cif failed for the %s probe", kind_name(k)), -1);
  ffi_closure *c = calloc(1, sizeof *c); /* plain RW memory, as a shim closure is */
  if (!c) { snprintf(why, ws, "out of memory"); return -1; }
  int tag1 = 100, tag2 = 200, r = -1;
  ffi_status st = prep(c, &cif, k == PROBE_SSE ? probe_sse : probe_int, &tag1, c);
  void *entry = st == FFI_OK ? shim_arch_entry(c) : NULL;
  Dl_info a, b;
  tramp_t *t = NULL;
  if (st == FFI_BAD_ABI && k == PROBE_MS) { r = 0; goto out; }
  if (st != FFI_OK) { snprintf(why, ws, "ffi_prep_closure_loc failed (%d) for the %s probe", (int)st, kind_name(k)); goto out; }
  if (!entry) { snprintf(why, ws, "ffi_prep_closure_loc wrote an unknown trampoline for the %s probe", kind_name(k)); goto out; }
  if (!dladdr(entry, &a) || !dladdr((void *)prep, &b) || a.dli_fbase != b.dli_fbase) {
    snprintf(why, ws, "the %s closure entry %p is not in the libffi that wrote it", kind_name(k), entry);
    goto out;
  }
  if (!(t = tramp_alloc())) { snprintf(why, ws, "no trampoline for the self-test: %s", tramp_error()); goto out; }
  tramp_set(t, entry, c);
  long long got1 = call(k, tramp_addr(t));
  c->user_data = &tag2; /* a later direct write must be honoured */
  long long got2 = call(k, tramp_addr(t));
  if (got1 != expect(k, tag1) || got2 != expect(k, tag2)) {
    snprintf(why, ws, "the %s probe returned %lld and %lld through a trampoline, not %lld and %lld",
             kind_name(k), got1, got2, expect(k, tag1), expect(k, tag2));
    goto out;
  }
  for (int i = 0; i < *n; i++) if (entries[i] == entry) { r = 1; goto out; }
  entries[(*n)++] = entry;
  r = 1;
out:
  if (t) tramp_free(t);
  free(c);
  return r;
}

int shim_arch_selftest(prep_loc_fn *prep, void **entries, char *why, size_t ws) {
  int n = 0;
  for (enum probe_kind k = PROBE_INT; k <= PROBE_MS; k++)
    if (probe(prep, k, entries, &n, why, ws) < 0) return -1;
  return n;
}
