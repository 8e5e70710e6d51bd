/* x86-64 System V: the static trampoline tables, the freed-slot trap, a self-test target.
 *
 * File table: TRAMP_SLOTS_PER_TABLE identical slots. Each loads its context and target
 * from TRAMP_TABLE_SIZE bytes further on, so the table works wherever the allocator maps
 * a copy of it, as long as a data region follows it. The template in our image is never
 * executed itself; only copies mapped from the file are.
 * Image pool: TRAMP_IMAGE_SLOTS slots addressing tramp_image_data in .bss directly. */
#include "../../tramp-layout.h"
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

/* uintptr_t tramp_selftest_target(void): returns the context a trampoline delivered. */
        .text
        .globl tramp_selftest_target
        .hidden tramp_selftest_target
        .type tramp_selftest_target, @function
tramp_selftest_target:
        endbr64
        movq %r10, %rax
        ret
        .size tramp_selftest_target, . - tramp_selftest_target
