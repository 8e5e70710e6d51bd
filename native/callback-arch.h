/* What a target does with a callback's result bits: cbCreate's retSlot >> 16, which the TS planner
 * computes for the target (RISC-V: result widening, codegen/ops.ts resultWidening; i386: the x87
 * result and the callee-pop bytes). Each native/arch/<target>/arch.c provides both; C passes the
 * bits through and never reads them itself. */
#ifndef TRAMPFD_CALLBACK_ARCH_H
#define TRAMPFD_CALLBACK_ARCH_H

#include <stdbool.h>
#include <stdint.h>

/* Whether `bits` mean something on this target for a callback with `stack_bytes` of stack arguments. */
bool callback_bits_valid(uint32_t bits, uint32_t stack_bytes);
/* Applies non-zero `bits` to the closure entry's `frame` once its result slots are final: after
   the runner, and also when JS could not run (zeros), so that the closure entry still returns as
   the convention wants. */
void callback_finish(uint32_t bits, uint8_t *frame);

/* Targets whose runners store exactly what the convention returns (x86-64, AArch64) take no bits:
   their arch.c defines CALLBACK_NO_RESULT_BITS before including this header and gets these. */
#ifdef CALLBACK_NO_RESULT_BITS
bool callback_bits_valid(uint32_t bits, uint32_t stack_bytes) {
  (void)stack_bytes;
  return bits == 0;
}

void callback_finish(uint32_t bits, uint8_t *frame) {
  (void)bits;
  (void)frame;
}
#endif

#endif
