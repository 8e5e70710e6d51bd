/* What each target's native/arch/<target>/ folder provides besides its assembly: the few facts
 * about the running CPU that decide how a table is mapped. */
#ifndef TRAMPFD_TRAMP_ARCH_H
#define TRAMPFD_TRAMP_ARCH_H

/* Protection for a mapped table: PROT_READ | PROT_EXEC, plus guard bits the CPU has (AArch64:
   PROT_BTI when it implements BTI, so a branch into the middle of a slot faults). */
int tramp_arch_code_prot(void);

/* A short description of the branch-protection features in force, for `trampfd doctor`
   (e.g. "bti pac" on AArch64, "ibt" on x86-64 when the kernel enforces it, or ""). */
const char *tramp_arch_features(void);

#endif
