/* Area: native call stub and closure entry (i386). Purpose: the record raw_call (raw-call.S)
   works from, shared by C and assembly: a call with exact eax, edx, ecx and stack words, as a
   regparm, fastcall or stdcall caller makes it. */
#ifndef TRAMPFD_TEST_RAW_CALL_H
#define TRAMPFD_TEST_RAW_CALL_H

#define RAW_FN 0         /* the address called */
#define RAW_NARGS 4      /* stack words pushed, args[0] lowest (at esp at the call) */
#define RAW_IN 8         /* eax, edx, ecx at the call */
#define RAW_OUT 20       /* eax, edx after it */
#define RAW_POPPED 28    /* esp after the return minus esp at the call: bytes the callee popped */
#define RAW_CLOBBERED 32 /* bit per callee-saved register that came back changed: 1 ebx, 2 esi, 4 edi */
#define RAW_X87 36       /* what to pop from st(0) after the call: 0 nothing, 1 a float, 2 a double */
#define RAW_ST0 40       /* the popped value (8 bytes) */
#define RAW_CALL_ESP 48  /* esp at the call */
#define RAW_ARGS 52      /* RAW_MAX_ARGS stack words */
#define RAW_MAX_ARGS 32

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>
struct raw {
  void *fn;
  uint32_t nargs;
  uint32_t in[3];
  uint32_t out[2];
  uint32_t popped;
  uint32_t clobbered;
  uint32_t x87;
  unsigned char st0[8];
  uint32_t call_esp;
  uint32_t args[RAW_MAX_ARGS];
};
_Static_assert(offsetof(struct raw, nargs) == RAW_NARGS && offsetof(struct raw, in) == RAW_IN &&
               offsetof(struct raw, out) == RAW_OUT && offsetof(struct raw, popped) == RAW_POPPED &&
               offsetof(struct raw, clobbered) == RAW_CLOBBERED && offsetof(struct raw, x87) == RAW_X87 &&
               offsetof(struct raw, st0) == RAW_ST0 && offsetof(struct raw, call_esp) == RAW_CALL_ESP &&
               offsetof(struct raw, args) == RAW_ARGS, "raw-call.h offsets");
/* Makes the call `r` describes, with ebx, esi and edi holding known values across it. */
void raw_call(struct raw *r);
#endif
#endif
