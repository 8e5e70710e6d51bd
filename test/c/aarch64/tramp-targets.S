/* Area: trampolines. Purpose: targets that expose what a trampoline delivered in x17. Each starts
   with `bti c`, the pad a slot's `br x16` needs when these pages are guarded (a NOP otherwise). */
        .section .note.GNU-stack, "", %progbits
        .text
/* uint64_t target_context(void): the context the trampoline loaded. */
        .balign 4
        .globl target_context
        .type target_context, %function
target_context:
        bti c
        mov x0, x17
        ret
        .size target_context, . - target_context

/* uint64_t target_mix(uint64_t x): x17 * 3 + x, so both the context and the first
   argument register must have survived the trampoline. */
        .balign 4
        .globl target_mix
        .type target_mix, %function
target_mix:
        bti c
        add x0, x0, x17, lsl #1
        add x0, x0, x17
        ret
        .size target_mix, . - target_mix

/* uint64_t target_stack(a, b, c, d, e, f, g, h, i, j): the 9th and 10th arguments come from the
   caller's stack, so the trampoline must not have moved it: returns i * 1000 + j + x17. */
        .balign 4
        .globl target_stack
        .type target_stack, %function
target_stack:
        bti c
        ldp x9, x10, [sp]
        mov x11, #1000
        madd x0, x9, x11, x10
        add x0, x0, x17
        ret
        .size target_stack, . - target_stack
