/* RISC-V 64 (LP64D): the generic call stub and the callback closure entry. Both only move bytes
 * between registers and a frame (layout: frame-layout.h); every ABI decision was made by the
 * planner in TypeScript, including which registers the stub widens (the AL word: marshallers
 * store 4 bytes of an int or a float, the convention wants 8). */
#include "frame-layout.h"

        .if FRAME_GPR_COUNT != 8 || FRAME_FPR_COUNT != 8 || FRAME_FPR_SLOT != 8 || FRAME_WORD != 8
        .error "frame layout changed: review the register lists"
        .endif
        .if FRAME_FPR != FRAME_GPR + 64
        .error "the widening loop walks the GPR slots into the FPR slots"
        .endif
        .if FRAME_RET_GPR_COUNT != 2 || FRAME_RET_FPR_COUNT != 2 || FRAME_RET_FPR != FRAME_RET_GPR + 16
        .error "frame layout changed: review the return registers"
        .endif
        .if FRAME_STACK % 16 != 0 || FRAME_STACK + 16 > 2047 || FRAME_CALLER_SP + 8 > FRAME_STACK
        .error "frame layout changed: review trampfd_closure_entry"
        .endif

        .section .note.GNU-stack, "", %progbits

/* void trampfd_call(uint8_t *frame): widens the registers the AL word names (bit i: sign-extends
   GPR slot i from 32 bits; bit 8 + j: NaN-boxes FPR slot j), copies FRAME_STACK_SIZE bytes from
   FRAME_STACK to the outgoing stack, loads a0..a7 and fa0..fa7 from the frame, calls FRAME_FN,
   stores a0, a1, fa0 and fa1 to the return slots. */
        .text
        .balign 4
        .globl trampfd_call
        .hidden trampfd_call
        .type trampfd_call, %function
trampfd_call:
        .cfi_startproc
        addi sp, sp, -32
        .cfi_def_cfa_offset 32
        sd ra, 24(sp)
        sd s0, 16(sp)
        sd s1, 8(sp)
        .cfi_offset ra, -8
        .cfi_offset s0, -16
        .cfi_offset s1, -24
        addi s1, sp, 32                 /* s1: the CFA, to restore sp after the call */
        .cfi_def_cfa s1, 0
        mv s0, a0                       /* the frame survives the call in s0 */
        lwu t0, FRAME_AL(s0)
        beqz t0, 3f
        addi t1, s0, FRAME_GPR
        li t2, 16                       /* 8 GPR slots, then (t1 runs on) 8 FPR slots */
        li t3, -1
1:      andi t4, t0, 1
        beqz t4, 2f
        addi t5, t2, -8
        blez t5, 4f
        lw t4, 0(t1)                    /* GPR slot: lw sign-extends */
        sd t4, 0(t1)
        j 2f
4:      sw t3, 4(t1)                    /* FPR slot: the upper half all ones */
2:      srli t0, t0, 1
        addi t1, t1, 8
        addi t2, t2, -1
        bnez t0, 1b
3:      lwu t0, FRAME_STACK_SIZE(s0)    /* 32 bits: the upper half is not written */
        beqz t0, 6f
        addi t1, t0, 15
        andi t1, t1, -16
        sub sp, sp, t1                  /* psABI: sp stays 16-byte aligned */
        addi t1, s0, FRAME_STACK
        mv t2, sp
5:      ld t3, 0(t1)                    /* 8 bytes at a time: the size is a multiple of 16 */
        sd t3, 0(t2)
        addi t1, t1, 8
        addi t2, t2, 8
        addi t0, t0, -8
        bgtz t0, 5b
6:      fld fa0, FRAME_FPR + 0(s0)
        fld fa1, FRAME_FPR + 8(s0)
        fld fa2, FRAME_FPR + 16(s0)
        fld fa3, FRAME_FPR + 24(s0)
        fld fa4, FRAME_FPR + 32(s0)
        fld fa5, FRAME_FPR + 40(s0)
        fld fa6, FRAME_FPR + 48(s0)
        fld fa7, FRAME_FPR + 56(s0)
        ld t1, FRAME_FN(s0)
        ld a0, FRAME_GPR + 0(s0)
        ld a1, FRAME_GPR + 8(s0)
        ld a2, FRAME_GPR + 16(s0)
        ld a3, FRAME_GPR + 24(s0)
        ld a4, FRAME_GPR + 32(s0)
        ld a5, FRAME_GPR + 40(s0)
        ld a6, FRAME_GPR + 48(s0)
        ld a7, FRAME_GPR + 56(s0)
        jalr t1
        sd a0, FRAME_RET_GPR + 0(s0)
        sd a1, FRAME_RET_GPR + 8(s0)
        fsd fa0, FRAME_RET_FPR + 0(s0)
        fsd fa1, FRAME_RET_FPR + 8(s0)
        addi sp, s1, -32
        .cfi_def_cfa sp, 32
        ld ra, 24(sp)
        ld s0, 16(sp)
        ld s1, 8(sp)
        .cfi_restore ra
        .cfi_restore s0
        .cfi_restore s1
        addi sp, sp, 32
        .cfi_def_cfa_offset 0
        ret
        .cfi_endproc
        .size trampfd_call, . - trampfd_call

/* Target of every callback trampoline, reached by `jr t1` with t2 = the closure. Saves the
   argument registers and the caller's stack-argument address into a frame on this stack, lets
   trampfd_dispatch run the JS function, then loads the return registers it left in the frame. */
        .text
        .balign 4
        .globl trampfd_closure_entry
        .hidden trampfd_closure_entry
        .type trampfd_closure_entry, %function
trampfd_closure_entry:
        .cfi_startproc
        addi sp, sp, -(FRAME_STACK + 16)  /* stays 16-byte aligned */
        .cfi_def_cfa_offset FRAME_STACK + 16
        sd ra, FRAME_STACK + 8(sp)
        sd s0, FRAME_STACK(sp)
        .cfi_offset ra, -8
        .cfi_offset s0, -16
        addi s0, sp, FRAME_STACK + 16   /* sp at entry: the caller's first stack argument */
        .cfi_def_cfa s0, 0
        sd a0, FRAME_GPR + 0(sp)
        sd a1, FRAME_GPR + 8(sp)
        sd a2, FRAME_GPR + 16(sp)
        sd a3, FRAME_GPR + 24(sp)
        sd a4, FRAME_GPR + 32(sp)
        sd a5, FRAME_GPR + 40(sp)
        sd a6, FRAME_GPR + 48(sp)
        sd a7, FRAME_GPR + 56(sp)
        fsd fa0, FRAME_FPR + 0(sp)
        fsd fa1, FRAME_FPR + 8(sp)
        fsd fa2, FRAME_FPR + 16(sp)
        fsd fa3, FRAME_FPR + 24(sp)
        fsd fa4, FRAME_FPR + 32(sp)
        fsd fa5, FRAME_FPR + 40(sp)
        fsd fa6, FRAME_FPR + 48(sp)
        fsd fa7, FRAME_FPR + 56(sp)
        sd s0, FRAME_CALLER_SP(sp)
        mv a0, t2
        mv a1, sp
        call trampfd_dispatch
        ld a0, FRAME_RET_GPR + 0(sp)
        ld a1, FRAME_RET_GPR + 8(sp)
        fld fa0, FRAME_RET_FPR + 0(sp)
        fld fa1, FRAME_RET_FPR + 8(sp)
        .cfi_def_cfa sp, FRAME_STACK + 16
        ld ra, FRAME_STACK + 8(sp)
        ld s0, FRAME_STACK(sp)
        .cfi_restore ra
        .cfi_restore s0
        addi sp, sp, FRAME_STACK + 16
        .cfi_def_cfa_offset 0
        ret
        .cfi_endproc
        .size trampfd_closure_entry, . - trampfd_closure_entry
