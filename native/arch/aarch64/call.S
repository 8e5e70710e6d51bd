/* AArch64 (AAPCS64): the generic call stub and the callback closure entry. Both only move bytes
 * between registers and a frame (layout: frame-layout.h); every ABI decision was made by the
 * planner in TypeScript. */
#include "frame-layout.h"
#include "asm.h"

        .if FRAME_GPR_COUNT != 9 || FRAME_FPR_COUNT != 8 || FRAME_FPR_SLOT != 8 || FRAME_WORD != 8
        .error "frame layout changed: review the register lists"
        .endif
        .if FRAME_RET_GPR_COUNT != 2 || FRAME_RET_FPR_COUNT != 4 || FRAME_RET_FPR != FRAME_RET_GPR + 16
        .error "frame layout changed: review the return registers"
        .endif
        .if FRAME_GPR % 8 || FRAME_FPR % 8 || FRAME_RET_GPR % 8 || FRAME_FN % 8 || FRAME_CALLER_SP % 8
        .error "frame slots must be 8-byte aligned for ldp/stp"
        .endif
        .if FRAME_RET_FPR + 24 > 504 || FRAME_FPR + 56 > 504 || FRAME_CALLER_SP > 32760
        .error "frame offsets out of ldp/stp range"
        .endif
        .if FRAME_STACK % 16 != 0 || FRAME_STACK > 4095 || FRAME_CALLER_SP + 8 > FRAME_STACK
        .error "frame layout changed: review trampfd_closure_entry"
        .endif

/* void trampfd_call(uint8_t *frame): copies FRAME_STACK_SIZE bytes from FRAME_STACK to the
   outgoing stack, loads x0..x8 and d0..d7 from the frame, calls FRAME_FN, stores x0, x1 and
   d0..d3 to the return slots. */
        .text
        .balign 4
        .globl trampfd_call
        .hidden trampfd_call
        .type trampfd_call, %function
trampfd_call:
        .cfi_startproc
        SIGN_LR
        stp x29, x30, [sp, #-32]!
        .cfi_def_cfa_offset 32
        .cfi_offset x29, -32
        .cfi_offset x30, -24
        mov x29, sp
        .cfi_def_cfa x29, 32
        str x19, [sp, #16]
        .cfi_offset x19, -16
        mov x19, x0                     /* the frame survives the call in x19 */
        ldr w9, [x19, #FRAME_STACK_SIZE] /* 32 bits: the upper half is not written */
        cbz w9, 3f
        add x10, x9, #15
        and x10, x10, #~15
        sub sp, sp, x10                 /* AAPCS64: sp stays 16-byte aligned */
        add x11, x19, #FRAME_STACK
        mov x12, sp
1:      subs x9, x9, #8                 /* 8 bytes at a time, then the tail */
        b.lo 2f
        ldr x10, [x11], #8
        str x10, [x12], #8
        b 1b
2:      adds x9, x9, #8
        b.eq 3f
4:      ldrb w10, [x11], #1
        strb w10, [x12], #1
        subs x9, x9, #1
        b.ne 4b
3:      ldr x9, [x19, #FRAME_FN]
        ldp d0, d1, [x19, #FRAME_FPR + 0]
        ldp d2, d3, [x19, #FRAME_FPR + 16]
        ldp d4, d5, [x19, #FRAME_FPR + 32]
        ldp d6, d7, [x19, #FRAME_FPR + 48]
        ldp x0, x1, [x19, #FRAME_GPR + 0]
        ldp x2, x3, [x19, #FRAME_GPR + 16]
        ldp x4, x5, [x19, #FRAME_GPR + 32]
        ldp x6, x7, [x19, #FRAME_GPR + 48]
        ldr x8, [x19, #FRAME_GPR + 64]  /* the indirect-result register */
        blr x9
        stp x0, x1, [x19, #FRAME_RET_GPR]
        stp d0, d1, [x19, #FRAME_RET_FPR + 0]
        stp d2, d3, [x19, #FRAME_RET_FPR + 16]
        mov sp, x29
        .cfi_def_cfa sp, 32
        ldr x19, [sp, #16]
        .cfi_restore x19
        ldp x29, x30, [sp], #32
        .cfi_restore x29
        .cfi_restore x30
        .cfi_def_cfa_offset 0
        AUTH_LR
        ret
        .cfi_endproc
        .size trampfd_call, . - trampfd_call

/* Target of every callback trampoline, reached by `br x16` with x17 = the closure. Saves the
   argument registers and the caller's stack-argument address into a frame on this stack, lets
   trampfd_dispatch run the JS function, then loads the return registers it left in the frame. */
        .text
        .balign 4
        .globl trampfd_closure_entry
        .hidden trampfd_closure_entry
        .type trampfd_closure_entry, %function
trampfd_closure_entry:
        .cfi_startproc
        SIGN_LR
        stp x29, x30, [sp, #-16]!
        .cfi_def_cfa_offset 16
        .cfi_offset x29, -16
        .cfi_offset x30, -8
        mov x29, sp
        .cfi_def_cfa x29, 16
        sub sp, sp, #FRAME_STACK        /* stays 16-byte aligned */
        stp x0, x1, [sp, #FRAME_GPR + 0]
        stp x2, x3, [sp, #FRAME_GPR + 16]
        stp x4, x5, [sp, #FRAME_GPR + 32]
        stp x6, x7, [sp, #FRAME_GPR + 48]
        str x8, [sp, #FRAME_GPR + 64]
        stp d0, d1, [sp, #FRAME_FPR + 0]
        stp d2, d3, [sp, #FRAME_FPR + 16]
        stp d4, d5, [sp, #FRAME_FPR + 32]
        stp d6, d7, [sp, #FRAME_FPR + 48]
        add x9, x29, #16                /* sp at entry: the caller's first stack argument */
        str x9, [sp, #FRAME_CALLER_SP]
        mov x0, x17
        mov x1, sp
        bl trampfd_dispatch
        ldp x0, x1, [sp, #FRAME_RET_GPR]
        ldp d0, d1, [sp, #FRAME_RET_FPR + 0]
        ldp d2, d3, [sp, #FRAME_RET_FPR + 16]
        mov sp, x29
        .cfi_def_cfa sp, 16
        ldp x29, x30, [sp], #16
        .cfi_restore x29
        .cfi_restore x30
        .cfi_def_cfa_offset 0
        AUTH_LR
        ret
        .cfi_endproc
        .size trampfd_closure_entry, . - trampfd_closure_entry
