/* Generated from src/native/frame-layout.ts by `npm run gen:frame`; do not edit. */
#ifndef TRAMPFD_FRAME_LAYOUT_H
#define TRAMPFD_FRAME_LAYOUT_H

#define FRAME_GPR 0
#define FRAME_GPR_COUNT 6
#define FRAME_FPR 48
#define FRAME_FPR_COUNT 8
#define FRAME_FN 112
#define FRAME_STACK_SIZE 120
#define FRAME_AL 128
#define FRAME_FLAGS 132
#define FRAME_RET_GPR 136
#define FRAME_RET_FPR 152
#define FRAME_ERRNO 168
#define FRAME_CALLER_SP 176
#define FRAME_CLOSURE 184
#define FRAME_STACK 192
#define FRAME_FLAG_ERRNO 1
#define CONTROL_FRAME 0
#define CONTROL_TOP 4
#define CONTROL_ERRNO 8
#define CONTROL_PENDING 12
#define CONTROL_SIZE 64
#define FRAME_BUFFER_SIZE 8388608

#endif
