/* The libffi shim on AArch64: libffi's legacy trampoline, and the probes of its closure entries. */
#include "ffi-shim.h"

/* libffi 3.x's AArch64 trampoline (aarch64/ffi.c): ldr x16, .+16; adr x17, .-4; br x16; four
   zero bytes; then the entry address. The adr puts the trampoline's own address, which is the
   closure's, in x17: the register a trampfd slot loads its context into, and the one
   ffi_closure_SYSV reads cif, fun and user_data through. Both tail-branch through x16, so the
   entry's `bti c` is a valid landing pad either way. */
static const unsigned char legacy[16] = {
  0x90, 0x00, 0x00, 0x58,
  0xf1, 0xff, 0xff, 0x10,
  0x00, 0x02, 0x1f, 0xd6,
  0x00, 0x00, 0x00, 0x00,
};
_Static_assert(FFI_TRAMPOLINE_SIZE == sizeof legacy + sizeof(void *), "the legacy trampoline fills tramp[]");

void *shim_arch_entry(const ffi_closure *c) { return shim_legacy_entry(c, legacy, sizeof legacy); }

/* AAPCS64 has one entry for closures with FP/SIMD arguments (ffi_closure_SYSV_V, which also
   saves q0-q7) and one without (ffi_closure_SYSV). */
const struct shim_probe shim_arch_probes[] = {
  { "sysv", FFI_SYSV, 0, 0, shim_call_int },
  { "sysv with FP arguments", FFI_SYSV, 1, 0, shim_call_fp },
};
const size_t shim_arch_nprobes = sizeof shim_arch_probes / sizeof shim_arch_probes[0];
