/* Generated from src/native/frame-layout.ts and src/targets/riscv64.ts by `npm run gen:frame`; do not edit. */
/* GPR slots: a0 a1 a2 a3 a4 a5 a6 a7; FPR slots: fa0 fa1 fa2 fa3 fa4 fa5 fa6 fa7 (low 8 bytes). */
/* Return slots: a0 a1 then fa0 fa1. Trampoline context register: t2. */
#ifndef TRAMPFD_FRAME_LAYOUT_RISCV64_H
#define TRAMPFD_FRAME_LAYOUT_RISCV64_H

#define FRAME_TARGET_RISCV64 1
#define FRAME_WORD 8
#define FRAME_FPR_SLOT 8
#define FRAME_GPR 0
#define FRAME_GPR_COUNT 8
#define FRAME_FPR 64
#define FRAME_FPR_COUNT 8
#define FRAME_FN 128
#define FRAME_STACK_SIZE 136
#define FRAME_AL 144
#define FRAME_FLAGS 148
#define FRAME_RET_GPR 152
#define FRAME_RET_GPR_COUNT 2
#define FRAME_RET_FPR 168
#define FRAME_RET_FPR_COUNT 2
#define FRAME_RET_SIZE 32
#define FRAME_ERRNO 184
#define FRAME_CALLER_SP 192
#define FRAME_CLOSURE 200
#define FRAME_STACK 208
#define FRAME_RESULT_POINTER 0
#define FRAME_FLAG_ERRNO 1
#define CONTROL_FRAME 0
#define CONTROL_TOP 4
#define CONTROL_ERRNO 8
#define CONTROL_PENDING 12
#define CONTROL_SIZE 64
#define FRAME_BUFFER_SIZE 8388608

#ifdef __ASSEMBLER__
.if !(FRAME_GPR + FRAME_WORD * FRAME_GPR_COUNT <= FRAME_FPR)
.error "frame layout: gpr slots overlap fprs"
.endif
.if !(FRAME_FPR + FRAME_FPR_SLOT * FRAME_FPR_COUNT <= FRAME_FN)
.error "frame layout: fpr slots overlap fn"
.endif
.if !(FRAME_RET_GPR + FRAME_RET_SIZE <= FRAME_ERRNO)
.error "frame layout: return slots overlap errno"
.endif
.if !(FRAME_RET_FPR == FRAME_RET_GPR + FRAME_WORD * FRAME_RET_GPR_COUNT)
.error "frame layout: return fprs follow return gprs"
.endif
.if !(FRAME_CALLER_SP + FRAME_WORD <= FRAME_STACK)
.error "frame layout: caller sp overlaps the stack bytes"
.endif
.if !(FRAME_STACK % 16 == 0)
.error "frame layout: stack bytes must start 16-aligned"
.endif
#else
_Static_assert(FRAME_GPR + FRAME_WORD * FRAME_GPR_COUNT <= FRAME_FPR, "frame layout: gpr slots overlap fprs");
_Static_assert(FRAME_FPR + FRAME_FPR_SLOT * FRAME_FPR_COUNT <= FRAME_FN, "frame layout: fpr slots overlap fn");
_Static_assert(FRAME_RET_GPR + FRAME_RET_SIZE <= FRAME_ERRNO, "frame layout: return slots overlap errno");
_Static_assert(FRAME_RET_FPR == FRAME_RET_GPR + FRAME_WORD * FRAME_RET_GPR_COUNT, "frame layout: return fprs follow return gprs");
_Static_assert(FRAME_CALLER_SP + FRAME_WORD <= FRAME_STACK, "frame layout: caller sp overlaps the stack bytes");
_Static_assert(FRAME_STACK % 16 == 0, "frame layout: stack bytes must start 16-aligned");
#endif

#endif
