/* x86-64: tables are mapped read+execute; slots start with endbr64 for IBT kernels. */
#include "../../callback-arch.h"
#include "../../tramp-arch.h"

#include <sys/mman.h>

int tramp_arch_code_prot(void) { return PROT_READ | PROT_EXEC; }

const char *tramp_arch_features(void) {
#ifdef __CET__
  return "endbr64";
#else
  return "";
#endif
}

/* No result bits: the runners store exactly what the convention returns. */
bool callback_bits_valid(uint32_t bits, uint32_t stack_bytes) {
  (void)stack_bytes;
  return bits == 0;
}

void callback_finish(uint32_t bits, uint8_t *frame) {
  (void)bits;
  (void)frame;
}
