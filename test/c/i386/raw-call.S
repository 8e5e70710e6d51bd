/* Area: native call stub and closure entry (i386). Purpose: raw_call (raw-call.h), a caller that
   sets eax, edx, ecx and the stack words exactly, keeps ebx, esi and edi at known values across
   the call, and measures what the callee popped; ebp is its frame, so a callee that lost it
   crashes the test. */
#include "raw-call.h"
#ifdef __CET__
#include <cet.h>
#endif
        .section .note.GNU-stack, "", @progbits
        .text
        .globl raw_call
        .hidden raw_call
        .type raw_call, @function
raw_call:
        endbr32
        pushl %ebp
        movl %esp, %ebp
        pushl %ebx
        pushl %esi
        pushl %edi
        subl $12, %esp                  /* -16(%ebp) the record, -20 esp at the call, -24 the callee */
        movl 8(%ebp), %eax
        movl %eax, -16(%ebp)
        movl RAW_FN(%eax), %ecx
        movl %ecx, -24(%ebp)
        movl RAW_NARGS(%eax), %ecx
        leal 0(, %ecx, 4), %edx
        subl %edx, %esp
        andl $-16, %esp                 /* 16-byte aligned at the call, as GCC's callers are */
        leal RAW_ARGS(%eax), %esi
        movl %esp, %edi
        rep movsl
        movl %esp, -20(%ebp)
        movl $0x11111111, %ebx
        movl $0x22222222, %esi
        movl $0x33333333, %edi
        movl RAW_IN + 4(%eax), %edx
        movl RAW_IN + 8(%eax), %ecx
        movl RAW_IN + 0(%eax), %eax
        call *-24(%ebp)
        movl %esp, %ecx
        subl -20(%ebp), %ecx
        pushl %ecx
        pushl %edx
        pushl %eax
        xorl %ecx, %ecx
        cmpl $0x11111111, %ebx
        je 1f
        orl $1, %ecx
1:      cmpl $0x22222222, %esi
        je 2f
        orl $2, %ecx
2:      cmpl $0x33333333, %edi
        je 3f
        orl $4, %ecx
3:      movl -16(%ebp), %ebx
        movl %ecx, RAW_CLOBBERED(%ebx)
        movl -20(%ebp), %ecx
        movl %ecx, RAW_CALL_ESP(%ebx)
        popl RAW_OUT + 0(%ebx)
        popl RAW_OUT + 4(%ebx)
        popl RAW_POPPED(%ebx)
        movl RAW_X87(%ebx), %ecx
        cmpl $1, %ecx
        jne 4f
        fstps RAW_ST0(%ebx)
4:      cmpl $2, %ecx
        jne 5f
        fstpl RAW_ST0(%ebx)
5:      leal -12(%ebp), %esp
        popl %edi
        popl %esi
        popl %ebx
        popl %ebp
        ret
        .size raw_call, . - raw_call
