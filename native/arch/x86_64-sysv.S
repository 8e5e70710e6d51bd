/* x86-64 System V: the static trampoline tables, the freed-slot trap and the call stub.
 *
 * File table: TRAMP_SLOTS_PER_TABLE identical slots. Each loads its context and target
 * from TRAMP_TABLE_SIZE bytes further on, so the table works wherever the allocator maps
 * a copy of it, as long as a data region follows it. The template in our image is never
 * executed itself; only copies mapped from the file are.
 * Image pool: TRAMP_IMAGE_SLOTS slots addressing tramp_image_data in .bss directly. */
#include "../tramp-layout.h"
#include "../frame-layout.h"
#ifdef __CET__
#include <cet.h> /* marks the object IBT/SHSTK-compatible; every slot starts with endbr64 */
#endif

#if defined(__linux__) && defined(__ELF__)
        .section .note.GNU-stack, "", @progbits
#endif

/* endbr64 (4) + movq disp(%rip),%r10 (7) + jmpq *disp(%rip) (6) = 17 bytes, padded with int3. */
        .section .text.trampfd_table, "ax", @progbits
        .balign TRAMP_TABLE_SIZE
        .globl tramp_file_table
        .hidden tramp_file_table
        .type tramp_file_table, @object
tramp_file_table:
        .rept TRAMP_SLOTS_PER_TABLE
0:      endbr64
        movq TRAMP_TABLE_SIZE + TRAMP_DATA_CONTEXT - 11(%rip), %r10
        jmpq *TRAMP_TABLE_SIZE + TRAMP_DATA_TARGET - 17(%rip)
        .if . - 0b != 17
        .error "file-table slot encoding changed: fix the displacements"
        .endif
        .fill TRAMP_SLOT_SIZE - 17, 1, 0xcc
        .endr
        .if . - tramp_file_table != TRAMP_TABLE_SIZE
        .error "file table must be exactly TRAMP_TABLE_SIZE bytes"
        .endif
        .size tramp_file_table, . - tramp_file_table
        /* Keep the next section off the table's last 64 KiB granule. */
        .balign TRAMP_TABLE_SIZE, 0xcc

        .text
        .balign TRAMP_SLOT_SIZE
        .globl tramp_image_table
        .hidden tramp_image_table
        .type tramp_image_table, @object
tramp_image_table:
        .set slot, 0
        .rept TRAMP_IMAGE_SLOTS
0:      endbr64
        movq tramp_image_data + slot * TRAMP_SLOT_SIZE + TRAMP_DATA_CONTEXT(%rip), %r10
        jmpq *tramp_image_data + slot * TRAMP_SLOT_SIZE + TRAMP_DATA_TARGET(%rip)
        .if . - 0b > TRAMP_SLOT_SIZE
        .error "image-pool slot overflows TRAMP_SLOT_SIZE"
        .endif
        .balign TRAMP_SLOT_SIZE, 0xcc
        .set slot, slot + 1
        .endr
        .size tramp_image_table, . - tramp_image_table

/* Target of every freed slot: r10 holds the slot's own address. Never returns. */
        .globl tramp_trap_freed
        .hidden tramp_trap_freed
        .type tramp_trap_freed, @function
tramp_trap_freed:
        endbr64
        movq %r10, %rdi
        andq $-16, %rsp
        call tramp_report_freed
        ud2
        .size tramp_trap_freed, . - tramp_trap_freed

        .bss
        .balign 64
        .globl tramp_image_data
        .hidden tramp_image_data
        .type tramp_image_data, @object
tramp_image_data:
        .zero TRAMP_IMAGE_SLOTS * TRAMP_SLOT_SIZE
        .size tramp_image_data, . - tramp_image_data

/* uint64_t tramp_selftest_target(void): returns the context a trampoline delivered. */
        .text
        .globl tramp_selftest_target
        .hidden tramp_selftest_target
        .type tramp_selftest_target, @function
tramp_selftest_target:
        endbr64
        movq %r10, %rax
        ret
        .size tramp_selftest_target, . - tramp_selftest_target

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
        subq %rcx, %rsp
        andq $-16, %rsp                 /* psABI: 16-byte aligned at the call */
        leaq FRAME_STACK(%rbx), %rsi
        movq %rsp, %rdi
        rep movsb
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
