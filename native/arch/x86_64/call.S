/* x86-64 System V: the generic call stub and the callback closure entry. Both only move
 * bytes between registers and a frame (layout: frame-layout.h); every ABI decision was made
 * by the planner in TypeScript. */
#include "frame-layout.h"
#ifdef __CET__
#include <cet.h>
#endif

#if defined(__linux__) && defined(__ELF__)
        .section .note.GNU-stack, "", @progbits
#endif

/* void trampfd_call(uint8_t *frame): loads the argument registers and outgoing stack bytes
   from a frame (layout: frame-layout.h), calls FRAME_FN, stores the return registers.
   It makes no ABI decision: the planner in TypeScript decided where every byte goes. */
        .if FRAME_GPR != 0 || FRAME_FPR != 48 || FRAME_RET_FPR != FRAME_RET_GPR + 16
        .error "frame layout changed: review trampfd_call"
        .endif
        .text
        .globl trampfd_call
        .hidden trampfd_call
        .type trampfd_call, @function
trampfd_call:
        .cfi_startproc
        endbr64
        pushq %rbp
        .cfi_def_cfa_offset 16
        .cfi_offset %rbp, -16
        movq %rsp, %rbp
        .cfi_def_cfa_register %rbp
        pushq %rbx
        pushq %r12
        .cfi_offset %rbx, -24
        .cfi_offset %r12, -32
        movq %rdi, %rbx                 /* the frame survives the call in rbx */
        movl FRAME_STACK_SIZE(%rbx), %ecx  /* 32 bits: the upper half is not written */
        testl %ecx, %ecx
        jz 1f                           /* rep movsb costs ~4 ns even for zero bytes; rsp = rbp - 16 is aligned */
        subq %rcx, %rsp
        andq $-16, %rsp                 /* psABI: 16-byte aligned at the call */
        leaq FRAME_STACK(%rbx), %rsi
        movq %rsp, %rdi
        rep movsb
1:
        movq FRAME_FPR + 0(%rbx), %xmm0
        movq FRAME_FPR + 8(%rbx), %xmm1
        movq FRAME_FPR + 16(%rbx), %xmm2
        movq FRAME_FPR + 24(%rbx), %xmm3
        movq FRAME_FPR + 32(%rbx), %xmm4
        movq FRAME_FPR + 40(%rbx), %xmm5
        movq FRAME_FPR + 48(%rbx), %xmm6
        movq FRAME_FPR + 56(%rbx), %xmm7
        movq FRAME_GPR + 0(%rbx), %rdi
        movq FRAME_GPR + 8(%rbx), %rsi
        movq FRAME_GPR + 16(%rbx), %rdx
        movq FRAME_GPR + 24(%rbx), %rcx
        movq FRAME_GPR + 32(%rbx), %r8
        movq FRAME_GPR + 40(%rbx), %r9
        movzbl FRAME_AL(%rbx), %eax
        call *FRAME_FN(%rbx)
        movq %rax, FRAME_RET_GPR + 0(%rbx)
        movq %rdx, FRAME_RET_GPR + 8(%rbx)
        movq %xmm0, FRAME_RET_FPR + 0(%rbx)
        movq %xmm1, FRAME_RET_FPR + 8(%rbx)
        leaq -16(%rbp), %rsp
        popq %r12
        popq %rbx
        popq %rbp
        .cfi_def_cfa %rsp, 8
        ret
        .cfi_endproc
        .size trampfd_call, . - trampfd_call

/* Target of every callback trampoline: r10 = the closure. Saves the argument registers and
   the caller's stack-argument address into a frame on this stack, lets trampfd_dispatch run
   the JS function, then loads the return registers it left in the frame. */
        .if FRAME_STACK % 16 != 0 || FRAME_CALLER_SP + 8 > FRAME_STACK
        .error "frame layout changed: review trampfd_closure_entry"
        .endif
        .text
        .globl trampfd_closure_entry
        .hidden trampfd_closure_entry
        .type trampfd_closure_entry, @function
trampfd_closure_entry:
        .cfi_startproc
        endbr64
        pushq %rbp
        .cfi_def_cfa_offset 16
        .cfi_offset %rbp, -16
        movq %rsp, %rbp
        .cfi_def_cfa_register %rbp
        subq $FRAME_STACK, %rsp         /* stays 16-byte aligned: rbp is */
        movq %rdi, FRAME_GPR + 0(%rsp)
        movq %rsi, FRAME_GPR + 8(%rsp)
        movq %rdx, FRAME_GPR + 16(%rsp)
        movq %rcx, FRAME_GPR + 24(%rsp)
        movq %r8, FRAME_GPR + 32(%rsp)
        movq %r9, FRAME_GPR + 40(%rsp)
        movq %xmm0, FRAME_FPR + 0(%rsp)
        movq %xmm1, FRAME_FPR + 8(%rsp)
        movq %xmm2, FRAME_FPR + 16(%rsp)
        movq %xmm3, FRAME_FPR + 24(%rsp)
        movq %xmm4, FRAME_FPR + 32(%rsp)
        movq %xmm5, FRAME_FPR + 40(%rsp)
        movq %xmm6, FRAME_FPR + 48(%rsp)
        movq %xmm7, FRAME_FPR + 56(%rsp)
        leaq 16(%rbp), %rax             /* the caller's first stack argument */
        movq %rax, FRAME_CALLER_SP(%rsp)
        movq %r10, %rdi
        movq %rsp, %rsi
        call trampfd_dispatch
        movq FRAME_RET_GPR + 0(%rsp), %rax
        movq FRAME_RET_GPR + 8(%rsp), %rdx
        movq FRAME_RET_FPR + 0(%rsp), %xmm0
        movq FRAME_RET_FPR + 8(%rsp), %xmm1
        leave
        .cfi_def_cfa %rsp, 8
        ret
        .cfi_endproc
        .size trampfd_closure_entry, . - trampfd_closure_entry
