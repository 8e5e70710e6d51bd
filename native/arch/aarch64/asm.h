/* AArch64 assembly helpers shared by tramp.S and call.S: landing pads, return-address signing and
 * the GNU property note that tells the linker (and ld.so, which then maps us guarded) that this
 * object is BTI- and PAC-compatible. Without the note in every object the linked file loses it. */
#ifndef TRAMPFD_AARCH64_ASM_H
#define TRAMPFD_AARCH64_ASM_H

/* Entry of a function that keeps LR: `bti c` accepts blr and br x16/x17 (HINT space: a NOP on
   CPUs without BTI). */
#define PAD_C bti c

/* Entry and exit of a function that saves LR. paciasp signs LR with SP as modifier and is itself
   a landing pad for blr and br x16/x17; autiasp checks it before ret. Both are HINT-space NOPs on
   CPUs without PAC. Without pac-ret the entry is a plain `bti c`. */
#if defined(__ARM_FEATURE_PAC_DEFAULT) && (__ARM_FEATURE_PAC_DEFAULT & 1)
#define SIGN_LR paciasp; .cfi_negate_ra_state
#define AUTH_LR autiasp; .cfi_negate_ra_state
#elif defined(__ARM_FEATURE_PAC_DEFAULT) && (__ARM_FEATURE_PAC_DEFAULT & 2)
#define SIGN_LR pacibsp; .cfi_negate_ra_state
#define AUTH_LR autibsp; .cfi_negate_ra_state
#else
#define SIGN_LR bti c
#define AUTH_LR
#endif

/* GNU_PROPERTY_AARCH64_FEATURE_1_AND: bit 0 BTI, bit 1 PAC. */
#define TRAMPFD_FEATURE_BTI 1
#define TRAMPFD_FEATURE_PAC 2
#if defined(__ARM_FEATURE_BTI_DEFAULT) && __ARM_FEATURE_BTI_DEFAULT
#define TRAMPFD_NOTE_BTI TRAMPFD_FEATURE_BTI
#else
#define TRAMPFD_NOTE_BTI 0
#endif
#if defined(__ARM_FEATURE_PAC_DEFAULT) && __ARM_FEATURE_PAC_DEFAULT
#define TRAMPFD_NOTE_PAC TRAMPFD_FEATURE_PAC
#else
#define TRAMPFD_NOTE_PAC 0
#endif

#if TRAMPFD_NOTE_BTI || TRAMPFD_NOTE_PAC
        .pushsection .note.gnu.property, "a"
        .balign 8
        .long 4                         /* n_namesz */
        .long 16                        /* n_descsz */
        .long 5                         /* NT_GNU_PROPERTY_TYPE_0 */
        .asciz "GNU"
        .long 0xc0000000                /* GNU_PROPERTY_AARCH64_FEATURE_1_AND */
        .long 4                         /* pr_datasz */
        .long TRAMPFD_NOTE_BTI | TRAMPFD_NOTE_PAC
        .long 0                         /* pad to 8 */
        .popsection
#endif

        .section .note.GNU-stack, "", %progbits

#endif
