/* RISC-V 64: tables are mapped read+execute; Linux has no landing-pad (Zicfilp) mapping flag we
 * use yet, so the features string is empty. */
#include "../../tramp-arch.h"

#include <sys/mman.h>

int tramp_arch_code_prot(void) { return PROT_READ | PROT_EXEC; }

const char *tramp_arch_features(void) { return ""; }
