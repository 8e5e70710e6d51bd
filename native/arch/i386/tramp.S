/* i386 System V: the static trampoline tables, the freed-slot trap, a self-test target.
 *
 * File table: TRAMP_SLOTS_PER_TABLE identical slots. Each loads its context and target from
 * TRAMP_TABLE_SIZE bytes further on, so the table works wherever the allocator maps a copy of it,
 * as long as a data region follows it. The template in our image is never executed itself; only
 * copies mapped from the file are.
 * Image pool: TRAMP_IMAGE_SLOTS slots addressing tramp_image_data in .bss, PC-relative too (an
 * absolute address would be a text relocation).
 *
 * i386 has no PC-relative load and no register to spare: regparm(3) passes arguments in eax, edx
 * and ecx, fastcall in ecx and edx. So a slot takes its own address with a zero-displacement call
 * (`call 1f; 1: popl %eax`), which the CET shadow stack does not record and return predictors
 * treat as no call; a call/ret thunk would have to lie inside each remapped table and costs a
 * second call and return. eax is saved first, and the context goes on the stack, not into a
 * register. Slot contract (tramp.h), at the target:
 *   0(%esp) = the caller's eax, 4(%esp) = context, 8(%esp) = the caller's return address,
 *   12(%esp) on = the caller's stack arguments; eax is clobbered (it points into the slot), every
 *   other register is untouched.
 * A target's first `popl %eax` restores eax and leaves the context on top, above the return
 * address, for it to pop; it returns past the context word itself. Only a plain `ret` from the
 * target returns to the caller, so a shadow stack still matches. */
#include "../../tramp-layout.h"
#ifdef __CET__
#include <cet.h> /* marks the object IBT/SHSTK-compatible; every slot starts with endbr32 */
#endif

        .if TRAMP_DATA_CONTEXT != 0 || TRAMP_DATA_TARGET != 4
        .error "data entry layout changed: review the slots"
        .endif

#if defined(__linux__) && defined(__ELF__)
        .section .note.GNU-stack, "", @progbits
#endif

/* endbr32 (4) + subl (3) + pushl (1) + call (5) + popl (1) + pushl disp32(%eax) (6)
   + popl 4(%esp) (4) + jmp *disp32(%eax) (6) = 30 bytes, padded with int3. The data entry is
   TRAMP_TABLE_SIZE past the slot's start, eax holds the slot's start + 13. */
        .section .text.trampfd_table, "ax", @progbits
        .balign TRAMP_TABLE_SIZE
        .globl tramp_file_table
        .hidden tramp_file_table
        .type tramp_file_table, @object
tramp_file_table:
        .rept TRAMP_SLOTS_PER_TABLE
0:      endbr32
        subl $4, %esp                   /* a hole for the context */
        pushl %eax                      /* the caller's eax */
        call 1f
1:      popl %eax                       /* eax = 0b + 13 */
        pushl TRAMP_TABLE_SIZE + TRAMP_DATA_CONTEXT - 13(%eax)
        popl 4(%esp)                    /* into the hole: the address is taken after the pop */
        jmp *TRAMP_TABLE_SIZE + TRAMP_DATA_TARGET - 13(%eax)
        .if 1b - 0b != 13 || . - 0b != 30
        .error "file-table slot encoding changed: fix the displacements"
        .endif
        .fill TRAMP_SLOT_SIZE - 30, 1, 0xcc
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
0:      endbr32
        subl $4, %esp
        pushl %eax
        call 1f
1:      popl %eax
        pushl tramp_image_data + slot * TRAMP_SLOT_SIZE + TRAMP_DATA_CONTEXT - 1b(%eax)
        popl 4(%esp)
        jmp *tramp_image_data + slot * TRAMP_SLOT_SIZE + TRAMP_DATA_TARGET - 1b(%eax)
        .if . - 0b > TRAMP_SLOT_SIZE
        .error "image-pool slot overflows TRAMP_SLOT_SIZE"
        .endif
        .balign TRAMP_SLOT_SIZE, 0xcc
        .set slot, slot + 1
        .endr
        .size tramp_image_table, . - tramp_image_table

/* Target of every freed slot: its context is the slot's own address (tramp.c trap()). The
   caller's return address stays where it is, above the context, for backtraces. Never returns. */
        .text
        .globl tramp_trap_freed
        .hidden tramp_trap_freed
        .type tramp_trap_freed, @function
tramp_trap_freed:
        endbr32
        popl %eax                       /* the caller's eax; the slot's address is on top */
        movl (%esp), %eax
        andl $-16, %esp
        subl $12, %esp
        pushl %eax                      /* cdecl, esp 16-byte aligned at the call */
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

/* uintptr_t tramp_selftest_target(void): returns the context a trampoline delivered. */
        .text
        .globl tramp_selftest_target
        .hidden tramp_selftest_target
        .type tramp_selftest_target, @function
tramp_selftest_target:
        endbr32
        popl %eax                       /* the caller's eax */
        popl %eax                       /* the context: the result */
        ret
        .size tramp_selftest_target, . - tramp_selftest_target
