/* Area: trampolines. Purpose: targets that expose what a trampoline delivered on the stack
   (native/tramp.h: 0(%esp) the caller's eax, 4(%esp) the context, 8(%esp) the return address).
   Each restores eax, takes the context off the stack and returns past it with a plain ret. */
#ifdef __CET__
#include <cet.h>
#endif
        .section .note.GNU-stack, "", @progbits
        .text
/* uint64_t target_context(void): the context the trampoline delivered. */
        .globl target_context
        .type target_context, @function
target_context:
        endbr32
        popl %eax
        popl %eax
        xorl %edx, %edx
        ret
        .size target_context, . - target_context

/* uint64_t target_mix(uint64_t x): context * 3 + x, so both the context and the caller's stack
   argument must have survived the trampoline. */
        .globl target_mix
        .type target_mix, @function
target_mix:
        endbr32
        popl %eax
        popl %ecx                       /* the context; x is at 4(%esp) now */
        movl $3, %eax
        mull %ecx
        addl 4(%esp), %eax
        adcl 8(%esp), %edx
        ret
        .size target_mix, . - target_mix

/* uint64_t target_stack(a, b, c, d, e, f, g, h, i, j): the 9th and 10th arguments (all are on
   the stack on i386), so the trampoline must not have moved the stack: i * 1000 + j + context. */
        .globl target_stack
        .type target_stack, @function
target_stack:
        endbr32
        popl %eax
        popl %ecx                       /* the context */
        pushl %ebx                      /* 4(%esp) the return address, a at 8(%esp), i at 72, j at 80 */
        movl $1000, %eax
        mull 72(%esp)
        imull $1000, 76(%esp), %ebx
        addl %ebx, %edx
        addl 80(%esp), %eax
        adcl 84(%esp), %edx
        addl %ecx, %eax
        adcl $0, %edx
        popl %ebx
        ret
        .size target_stack, . - target_stack
