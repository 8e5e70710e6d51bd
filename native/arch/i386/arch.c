/* i386: tables are mapped read+execute; slots start with endbr32 for IBT kernels. A callback's
 * result bits say what the closure entry (call.S) does on return: bits 0-1 the x87 result it
 * loads into st(0) (1 float, 2 double), bits 2 and up the stack bytes it pops, / 4 (stdcall,
 * fastcall, a hidden result pointer). */
#include "../../callback-arch.h"
#include "../../tramp-arch.h"
#include "frame-layout.h"

#include <string.h>
#include <sys/mman.h>

int tramp_arch_code_prot(void) { return PROT_READ | PROT_EXEC; }

const char *tramp_arch_features(void) {
#ifdef __CET__
  return "endbr32";
#else
  return "";
#endif
}

/* A callee pops at most its own stack arguments. */
bool callback_bits_valid(uint32_t bits, uint32_t stack_bytes) {
  return (bits & 3) != 3 && (bits >> 2) * 4 <= stack_bytes;
}

/* The closure entry reads the x87 kind from the AL byte and the bytes to pop from the STACK_SIZE
   word of its frame (it set both to 0 before the dispatch). */
void callback_finish(uint32_t bits, uint8_t *frame) {
  uint32_t x87 = bits & 3, pop = (bits >> 2) * 4;
  memcpy(frame + FRAME_AL, &x87, 4);
  memcpy(frame + FRAME_STACK_SIZE, &pop, 4);
}
