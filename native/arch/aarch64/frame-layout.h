/* Generated from src/native/frame-layout.ts and src/targets/aarch64.ts by `npm run gen:frame`; do not edit. */
/* GPR slots: x0 x1 x2 x3 x4 x5 x6 x7 x8; FPR slots: d0 d1 d2 d3 d4 d5 d6 d7 (low 8 bytes). */
/* Return slots: x0 x1 then d0 d1 d2 d3. Trampoline context register: x17. */
#ifndef TRAMPFD_FRAME_LAYOUT_AARCH64_H
#define TRAMPFD_FRAME_LAYOUT_AARCH64_H

#define FRAME_TARGET_AARCH64 1
#define FRAME_WORD 8
#define FRAME_FPR_SLOT 8
#define FRAME_GPR 0
#define FRAME_GPR_COUNT 9
#define FRAME_FPR 72
#define FRAME_FPR_COUNT 8
#define FRAME_FN 136
#define FRAME_STACK_SIZE 144
#define FRAME_AL 152
#define FRAME_FLAGS 156
#define FRAME_RET_GPR 160
#define FRAME_RET_GPR_COUNT 2
#define FRAME_RET_FPR 176
#define FRAME_RET_FPR_COUNT 4
#define FRAME_RET_SIZE 48
#define FRAME_ERRNO 208
#define FRAME_CALLER_SP 216
#define FRAME_CLOSURE 224
#define FRAME_STACK 240
#define FRAME_RESULT_POINTER 64
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
