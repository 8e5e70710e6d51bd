/* i386 System V: the generic call stub and the callback closure entry. Both only move bytes
 * between registers and a frame (layout: frame-layout.h); every ABI decision was made by the
 * planner in TypeScript, including the two things i386 adds: which x87 result st(0) carries
 * (the frame's AL byte: 0 none, 1 float, 2 double) and, for a callback, how many stack bytes
 * it pops on return (stdcall, fastcall, a hidden result pointer: the STACK_SIZE word, set by C
 * from the closure's result bits, js-callback.c and arch.c). */
#include "frame-layout.h"
#ifdef __CET__
#include <cet.h>
#endif

        .if FRAME_WORD != 4 || FRAME_GPR_COUNT != 3 || FRAME_GPR != 0 || FRAME_FN != 16
        .error "frame layout changed: review the register lists"
        .endif
        .if FRAME_RET_GPR_COUNT != 2 || FRAME_RET_FPR != FRAME_RET_GPR + 8
        .error "frame layout changed: review the return registers"
        .endif
        .if FRAME_STACK % 16 != 0 || FRAME_CALLER_SP + 4 > FRAME_STACK
        .error "frame layout changed: review trampfd_closure_entry"
        .endif

/* Values of the frame's AL byte. */
#define X87_NONE 0
#define X87_FLOAT 1
#define X87_DOUBLE 2

#if defined(__linux__) && defined(__ELF__)
        .section .note.GNU-stack, "", @progbits
#endif

/* void trampfd_call(uint8_t *frame), cdecl: copies FRAME_STACK_SIZE bytes from FRAME_STACK to
   the outgoing stack (esp 16-byte aligned at the call), loads eax, edx and ecx from the GPR
   slots (regparm, fastcall; harmless for cdecl), calls FRAME_FN, stores eax and edx, then pops
   st(0) into the FPR return slot as the AL byte says. The callee may have popped its own stack
   arguments (stdcall, fastcall, a hidden result pointer): esp comes back from ebp. */
        .text
        .globl trampfd_call
        .hidden trampfd_call
        .type trampfd_call, @function
trampfd_call:
        .cfi_startproc
        endbr32
        pushl %ebp
        .cfi_def_cfa_offset 8
        .cfi_offset %ebp, -8
        movl %esp, %ebp
        .cfi_def_cfa_register %ebp
        pushl %ebx
        pushl %esi
        pushl %edi
        .cfi_offset %ebx, -12
        .cfi_offset %esi, -16
        .cfi_offset %edi, -20
        movl 8(%ebp), %ebx              /* the frame survives the call in ebx */
        movl FRAME_STACK_SIZE(%ebx), %ecx
        subl %ecx, %esp
        andl $-16, %esp                 /* psABI (Linux): 16-byte aligned at the call */
        testl %ecx, %ecx
        jz 1f
        leal FRAME_STACK(%ebx), %esi
        movl %esp, %edi
        rep movsb                       /* DF is clear: psABI */
1:      movl FRAME_GPR + 0(%ebx), %eax
        movl FRAME_GPR + 4(%ebx), %edx
        movl FRAME_GPR + 8(%ebx), %ecx
        call *FRAME_FN(%ebx)
        movl %eax, FRAME_RET_GPR + 0(%ebx)
        movl %edx, FRAME_RET_GPR + 4(%ebx)
        movzbl FRAME_AL(%ebx), %ecx
        cmpl $X87_FLOAT, %ecx
        jne 2f
        fstps FRAME_RET_FPR(%ebx)
        jmp 3f
2:      cmpl $X87_DOUBLE, %ecx
        jne 3f
        fstpl FRAME_RET_FPR(%ebx)
3:      leal -12(%ebp), %esp
        popl %edi
        popl %esi
        popl %ebx
        popl %ebp
        .cfi_restore %edi
        .cfi_restore %esi
        .cfi_restore %ebx
        .cfi_restore %ebp
        .cfi_def_cfa %esp, 4
        ret
        .cfi_endproc
        .size trampfd_call, . - trampfd_call

/* Target of every callback trampoline, entered per the slot contract (tramp.S): 0(%esp) = the
   caller's eax, 4(%esp) = the closure, 8(%esp) = the return address. Saves eax, edx and ecx and
   the caller's stack-argument address into a frame on this stack, lets trampfd_dispatch run the
   JS function, then loads eax, edx and, as the AL byte says, st(0) from the return slots it left
   in the frame. It returns past the closure word and the STACK_SIZE word's bytes (the callee-pop
   bytes): the return address moves up by that much and a plain `ret` takes it, so a shadow stack
   still matches. C sets both words (zero here first), also when JS cannot run. */
        .text
        .globl trampfd_closure_entry
        .hidden trampfd_closure_entry
        .type trampfd_closure_entry, @function
trampfd_closure_entry:
        .cfi_startproc
        .cfi_def_cfa_offset 12          /* the slot pushed eax and the closure */
        endbr32
        popl %eax
        .cfi_def_cfa_offset 8
        pushl %ebp
        .cfi_def_cfa_offset 12
        .cfi_offset %ebp, -12
        movl %esp, %ebp                 /* 4(%ebp) closure, 8(%ebp) return address, 12(%ebp) arguments */
        .cfi_def_cfa_register %ebp
        subl $FRAME_STACK + 16, %esp    /* the two dispatch arguments (padded), then the frame */
        andl $-16, %esp
        movl %eax, 16 + FRAME_GPR + 0(%esp)
        movl %edx, 16 + FRAME_GPR + 4(%esp)
        movl %ecx, 16 + FRAME_GPR + 8(%esp)
        movl $0, 16 + FRAME_GPR + 12(%esp) /* the slot word up to FRAME_FN: copied to JS, so no stack garbage */
        movl $0, 16 + FRAME_STACK_SIZE(%esp)
        movl $X87_NONE, 16 + FRAME_AL(%esp)
        leal 12(%ebp), %eax             /* the caller's first stack argument */
        movl %eax, 16 + FRAME_CALLER_SP(%esp)
        movl 4(%ebp), %eax
        movl %eax, 0(%esp)
        leal 16(%esp), %eax
        movl %eax, 4(%esp)
        call trampfd_dispatch           /* cdecl: esp is 16-byte aligned here and unchanged after */
        movzbl 16 + FRAME_AL(%esp), %ecx
        cmpl $X87_FLOAT, %ecx
        jne 1f
        flds 16 + FRAME_RET_FPR(%esp)
        jmp 2f
1:      cmpl $X87_DOUBLE, %ecx
        jne 2f
        fldl 16 + FRAME_RET_FPR(%esp)
2:      movl 16 + FRAME_RET_GPR + 0(%esp), %eax
        movl 16 + FRAME_RET_GPR + 4(%esp), %edx
        movl 16 + FRAME_STACK_SIZE(%esp), %ecx
        leave                           /* esp at the closure word, the return address above it */
        .cfi_def_cfa %esp, 8
        .cfi_restore %ebp
        pushl 4(%esp)                   /* the return address, moved up by the popped bytes: */
        .cfi_adjust_cfa_offset 4
        popl 4(%esp, %ecx)              /* the address is taken after the pop */
        .cfi_adjust_cfa_offset -4
        leal 4(%esp, %ecx), %esp
        .cfi_def_cfa_offset 4
        ret
        .cfi_endproc
        .size trampfd_closure_entry, . - trampfd_closure_entry
