/* Generated from src/native/frame-layout.ts and src/targets/i386.ts by `npm run gen:frame`; do not edit. */
/* GPR slots: eax edx ecx; FPR slots:  (low 8 bytes). */
/* Return slots: eax edx then st0. Trampoline context register: 4(%esp). */
#ifndef TRAMPFD_FRAME_LAYOUT_I386_H
#define TRAMPFD_FRAME_LAYOUT_I386_H

#define FRAME_TARGET_I386 1
#define FRAME_WORD 4
#define FRAME_FPR_SLOT 8
#define FRAME_GPR 0
#define FRAME_GPR_COUNT 3
#define FRAME_FPR 16
#define FRAME_FPR_COUNT 0
#define FRAME_FN 16
#define FRAME_STACK_SIZE 20
#define FRAME_AL 24
#define FRAME_FLAGS 28
#define FRAME_RET_GPR 32
#define FRAME_RET_GPR_COUNT 2
#define FRAME_RET_FPR 40
#define FRAME_RET_FPR_COUNT 1
#define FRAME_RET_SIZE 16
#define FRAME_ERRNO 48
#define FRAME_CALLER_SP 56
#define FRAME_CLOSURE 60
#define FRAME_STACK 80
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
