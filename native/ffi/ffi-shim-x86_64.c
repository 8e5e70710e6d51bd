/* The libffi shim on x86-64: libffi's legacy trampoline, and the probes of its closure entries. */
#include "ffi-shim.h"

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

void *shim_arch_entry(const ffi_closure *c) { return shim_legacy_entry(c, legacy, sizeof legacy); }

static long long call_ms(void *code) { return ((int (__attribute__((ms_abi)) *)(int, int))code)(5, 7); }

/* unix64 has one entry for closures with SSE arguments and one without; win64 its own. */
const struct shim_probe shim_arch_probes[] = {
  { "unix64", FFI_UNIX64, 0, 0, shim_call_int },
  { "unix64 with SSE arguments", FFI_UNIX64, 1, 0, shim_call_fp },
  { "win64", FFI_GNUW64, 0, 1, call_ms },
};
const size_t shim_arch_nprobes = sizeof shim_arch_probes / sizeof shim_arch_probes[0];
