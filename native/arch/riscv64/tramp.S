/* RISC-V 64 (LP64D): the static trampoline tables, the freed-slot trap, a self-test target.
 *
 * File table: TRAMP_SLOTS_PER_TABLE identical slots. Each loads its target and context from
 * TRAMP_TABLE_SIZE bytes further on (auipc with 16 << 12 = 65536), so the table works wherever
 * the allocator maps a copy of it, as long as a data region follows it. The template in our image
 * is never executed itself; only copies mapped from the file are.
 * Image pool: TRAMP_IMAGE_SLOTS slots addressing tramp_image_data in .bss directly.
 *
 * Slot contract (tramp.h): t2 = context (GCC's static-chain register), t1 = target (clobbered);
 * ra, t0 (the alternate link register), every argument register and sp untouched. The target is
 * loaded before the context with a fence between: tramp_set stores the context, then the target
 * with release, so a slot that sees a new target also sees its context (RVWMO may otherwise
 * reorder the two loads). `jr t1` is a plain jump: jumps through ra or t0 would be taken as returns
 * by return-address predictors. No compressed instructions and no linker relaxation in the tables:
 * every slot must be the same 20 bytes. */
#include "../../tramp-layout.h"

        .if TRAMP_DATA_CONTEXT != 0 || TRAMP_DATA_TARGET != 8
        .error "data entry layout changed: review the slots"
        .endif
        .if TRAMP_TABLE_SIZE != 16 << 12
        .error "the file-table slots reach their data with auipc 16: review them"
        .endif

        .section .note.GNU-stack, "", %progbits

        .option push
        .option norvc
        .option norelax

/* auipc; ld; fence r,r; ld; jr = 20 bytes, padded with unimp. */
        .section .text.trampfd_table, "ax", %progbits
        .balign TRAMP_TABLE_SIZE
        .globl tramp_file_table
        .hidden tramp_file_table
        .type tramp_file_table, %object
tramp_file_table:
        .rept TRAMP_SLOTS_PER_TABLE
0:      auipc t2, 16
        ld t1, TRAMP_DATA_TARGET(t2)
        fence r, r
        ld t2, TRAMP_DATA_CONTEXT(t2)
        jr t1
        .if . - 0b != 20
        .error "file-table slot encoding changed: fix the padding"
        .endif
        .rept (TRAMP_SLOT_SIZE - 20) / 4
        unimp
        .endr
        .endr
        .if . - tramp_file_table != TRAMP_TABLE_SIZE
        .error "file table must be exactly TRAMP_TABLE_SIZE bytes"
        .endif
        .size tramp_file_table, . - tramp_file_table
        /* Keep the next section off the table's last 64 KiB granule. */
        .balign TRAMP_TABLE_SIZE

        .text
        .balign TRAMP_SLOT_SIZE
        .globl tramp_image_table
        .hidden tramp_image_table
        .type tramp_image_table, %object
tramp_image_table:
        .set slot, 0
        .rept TRAMP_IMAGE_SLOTS
0:      auipc t2, %pcrel_hi(tramp_image_data + slot * TRAMP_SLOT_SIZE)
        addi t2, t2, %pcrel_lo(0b)
        ld t1, TRAMP_DATA_TARGET(t2)
        fence r, r
        ld t2, TRAMP_DATA_CONTEXT(t2)
        jr t1
        .if . - 0b > TRAMP_SLOT_SIZE
        .error "image-pool slot overflows TRAMP_SLOT_SIZE"
        .endif
        .rept (TRAMP_SLOT_SIZE - (. - 0b)) / 4
        unimp
        .endr
        .set slot, slot + 1
        .endr
        .if . - tramp_image_table != TRAMP_IMAGE_SLOTS * TRAMP_SLOT_SIZE
        .error "image pool must be TRAMP_IMAGE_SLOTS slots of TRAMP_SLOT_SIZE bytes"
        .endif
        .size tramp_image_table, . - tramp_image_table

        .option pop

/* Target of every freed slot: t2 holds the slot's own address. Never returns. ra (the return
   address into the C code that called the freed pointer) is saved for backtraces. */
        .text
        .balign 4
        .globl tramp_trap_freed
        .hidden tramp_trap_freed
        .type tramp_trap_freed, %function
tramp_trap_freed:
        .cfi_startproc
        addi sp, sp, -16
        .cfi_def_cfa_offset 16
        sd ra, 8(sp)
        .cfi_offset ra, -8
        mv a0, t2
        call tramp_report_freed
        unimp
        .cfi_endproc
        .size tramp_trap_freed, . - tramp_trap_freed

        .bss
        .balign 64
        .globl tramp_image_data
        .hidden tramp_image_data
        .type tramp_image_data, %object
tramp_image_data:
        .zero TRAMP_IMAGE_SLOTS * TRAMP_SLOT_SIZE
        .size tramp_image_data, . - tramp_image_data

/* uintptr_t tramp_selftest_target(void): returns the context a trampoline delivered. */
        .text
        .balign 4
        .globl tramp_selftest_target
        .hidden tramp_selftest_target
        .type tramp_selftest_target, %function
tramp_selftest_target:
        .cfi_startproc
        mv a0, t2
        ret
        .cfi_endproc
        .size tramp_selftest_target, . - tramp_selftest_target
