/* Area: libtrampfd-ffi.so's self-test. Purpose: an ffi_prep_closure_loc placed between the shim
   and the system libffi that spoils its first result as FFI_SABOTAGE says (template: one byte
   of the trampoline; entry: an entry that returns 0), then passes every later call through. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <ffi.h>
#include <stdlib.h>
#include <string.h>

typedef ffi_status prep_fn(ffi_closure *, ffi_cif *, void (*)(ffi_cif *, void *, void **, void *), void *, void *);

static int wrong_entry(void) { return 0; }

ffi_status ffi_prep_closure_loc(ffi_closure *c, ffi_cif *cif, void (*fun)(ffi_cif *, void *, void **, void *),
                                void *ud, void *codeloc) {
  static int calls;
  prep_fn *next = (prep_fn *)dlvsym(RTLD_NEXT, "ffi_prep_closure_loc", "LIBFFI_CLOSURE_8.0");
  if (!next) abort();
  ffi_status st = next(c, cif, fun, ud, codeloc);
  const char *how = getenv("FFI_SABOTAGE");
  if (calls++ == 0 && st == FFI_OK && how) {
    if (!strcmp(how, "template")) c->tramp[5] ^= 1;
    if (!strcmp(how, "entry")) {
      void *e = (void *)wrong_entry;
      memcpy(c->tramp + FFI_TRAMPOLINE_SIZE - sizeof e, &e, sizeof e); /* the legacy trampoline's last word */
    }
  }
  return st;
}
