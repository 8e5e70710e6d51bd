/* Area: trampolines. Purpose: targets that expose what a trampoline delivered in t2. */
        .section .note.GNU-stack, "", %progbits
        .text
/* uint64_t target_context(void): the context the trampoline loaded. */
        .balign 4
        .globl target_context
        .type target_context, %function
target_context:
        mv a0, t2
        ret
        .size target_context, . - target_context

/* uint64_t target_mix(uint64_t x): t2 * 3 + x, so both the context and the first
   argument register must have survived the trampoline. */
        .balign 4
        .globl target_mix
        .type target_mix, %function
target_mix:
        slli t0, t2, 1
        add a0, a0, t0
        add a0, a0, t2
        ret
        .size target_mix, . - target_mix

/* uint64_t target_stack(a, b, c, d, e, f, g, h, i, j): the 9th and 10th arguments come from the
   caller's stack, so the trampoline must not have moved it: returns i * 1000 + j + t2. */
        .balign 4
        .globl target_stack
        .type target_stack, %function
target_stack:
        ld t0, 0(sp)
        ld t1, 8(sp)
        li t3, 1000
        mul a0, t0, t3
        add a0, a0, t1
        add a0, a0, t2
        ret
        .size target_stack, . - target_stack
