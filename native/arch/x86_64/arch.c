/* x86-64: tables are mapped read+execute; slots start with endbr64 for IBT kernels. */
#define CALLBACK_NO_RESULT_BITS /* the runners store exactly what the convention returns */
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
