/* Area: trampolines. Purpose: targets that expose what a trampoline delivered in r10. */
#ifdef __CET__
#include <cet.h>
#endif
        .section .note.GNU-stack, "", @progbits
        .text
/* uint64_t target_context(void): the context the trampoline loaded. */
        .globl target_context
        .type target_context, @function
target_context:
        endbr64
        movq %r10, %rax
        ret
        .size target_context, . - target_context

/* uint64_t target_mix(uint64_t x): r10 * 3 + x, so both the context and the first
   argument register must have survived the trampoline. */
        .globl target_mix
        .type target_mix, @function
target_mix:
        endbr64
        leaq (%r10, %r10, 2), %rax
        addq %rdi, %rax
        ret
        .size target_mix, . - target_mix

/* uint64_t target_stack(a, b, c, d, e, f, g, h, i, j): the 9th and 10th arguments come from the
   caller's stack (7th to 10th are there), so the trampoline must not have moved it: returns
   i * 1000 + j + r10. Ten arguments, so that they reach the stack on AArch64 too. */
        .globl target_stack
        .type target_stack, @function
target_stack:
        endbr64
        movq 24(%rsp), %rax
        imulq $1000, %rax, %rax
        addq 32(%rsp), %rax
        addq %r10, %rax
        ret
        .size target_stack, . - target_stack
