/* RISC-V 64: tables are mapped read+execute; Linux has no landing-pad (Zicfilp) mapping flag we
 * use yet, so the features string is empty. A callback's result bits are its result widening. */
#include "../../callback-arch.h"
#include "../../tramp-arch.h"
#include "frame-layout.h"

#include <string.h>
#include <sys/mman.h>

int tramp_arch_code_prot(void) { return PROT_READ | PROT_EXEC; }

const char *tramp_arch_features(void) { return ""; }

bool callback_bits_valid(uint32_t bits, uint32_t stack_bytes) {
  (void)stack_bytes;
  return bits <= 63;
}

/* Where the convention wants more than the bytes a runner stored (the bits come from the TS
   planner, codegen/ops.ts resultWidening): a0 extended from 32, 8 or 16 bits, a1 from 32 bits,
   floats in fa0 and fa1 NaN-boxed. */
void callback_finish(uint32_t bits, uint8_t *frame) {
  uint8_t *a0 = frame + FRAME_RET_GPR, *a1 = a0 + 8;
  int64_t w;
  int32_t i32;
  switch (bits & 7) {
    case 1: memcpy(&i32, a0, 4); w = i32; break;
    case 2: w = (int8_t)a0[0]; break;
    case 3: w = a0[0]; break;
    case 4: { int16_t h; memcpy(&h, a0, 2); w = h; break; }
    case 5: { uint16_t h; memcpy(&h, a0, 2); w = h; break; }
    default: memcpy(&w, a0, 8); break;
  }
  memcpy(a0, &w, 8);
  if (bits & 8) {
    memcpy(&i32, a1, 4);
    w = i32;
    memcpy(a1, &w, 8);
  }
  if (bits & 16) memset(frame + FRAME_RET_FPR + 4, 0xff, 4);
  if (bits & 32) memset(frame + FRAME_RET_FPR + FRAME_FPR_SLOT + 4, 0xff, 4);
}
