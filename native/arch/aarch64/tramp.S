/* AArch64 (AAPCS64): the static trampoline tables, the freed-slot trap, a self-test target.
 *
 * File table: TRAMP_SLOTS_PER_TABLE identical slots. Each loads its target and context from
 * TRAMP_TABLE_SIZE bytes further on (PC-relative), so the table works wherever the allocator maps
 * a copy of it, as long as a data region follows it. The template in our image is never executed
 * itself; only copies mapped from the file are (guarded with PROT_BTI where the CPU has BTI).
 * Image pool: TRAMP_IMAGE_SLOTS slots addressing tramp_image_data in .bss directly.
 *
 * Slot contract (tramp.h): x17 = context, x16 = target (clobbered); LR, x8, x18, every argument
 * register and sp untouched. The target word is loaded with acquire semantics before the context:
 * tramp_set stores the context, then the target with release, so a slot that sees a new target
 * also sees its context (AArch64 may otherwise reorder the two loads). `br x16` keeps a `bti c`
 * (or paciasp) target valid: BTI accepts only x16/x17 as the register of a br into such a pad. */
#include "../../tramp-layout.h"
#include "asm.h"

        .if TRAMP_DATA_CONTEXT != 0 || TRAMP_DATA_TARGET != 8
        .error "data entry layout changed: review the slots"
        .endif

/* bti c; adr; ldar; ldr (literal); br = 20 bytes, padded with udf. */
        .section .text.trampfd_table, "ax", %progbits
        .balign TRAMP_TABLE_SIZE
        .globl tramp_file_table
        .hidden tramp_file_table
        .type tramp_file_table, %object
tramp_file_table:
        .rept TRAMP_SLOTS_PER_TABLE
0:      bti c
        adr x16, 0b + TRAMP_TABLE_SIZE + TRAMP_DATA_TARGET
        ldar x16, [x16]
        ldr x17, 0b + TRAMP_TABLE_SIZE + TRAMP_DATA_CONTEXT
        br x16
        .if . - 0b != 20
        .error "file-table slot encoding changed: fix the padding"
        .endif
        .rept (TRAMP_SLOT_SIZE - 20) / 4
        udf #0
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
0:      bti c
        adrp x17, tramp_image_data + slot * TRAMP_SLOT_SIZE
        add x17, x17, :lo12:tramp_image_data + slot * TRAMP_SLOT_SIZE
        add x16, x17, #TRAMP_DATA_TARGET
        ldar x16, [x16]
        ldr x17, [x17, #TRAMP_DATA_CONTEXT]
        br x16
        .if . - 0b > TRAMP_SLOT_SIZE
        .error "image-pool slot overflows TRAMP_SLOT_SIZE"
        .endif
        .rept (TRAMP_SLOT_SIZE - (. - 0b)) / 4
        udf #0
        .endr
        .set slot, slot + 1
        .endr
        .if . - tramp_image_table != TRAMP_IMAGE_SLOTS * TRAMP_SLOT_SIZE
        .error "image pool must be TRAMP_IMAGE_SLOTS slots of TRAMP_SLOT_SIZE bytes"
        .endif
        .size tramp_image_table, . - tramp_image_table

/* Target of every freed slot: x17 holds the slot's own address. Never returns. The frame record
   keeps LR (the return address into the C code that called the freed pointer) for backtraces. */
        .text
        .balign 4
        .globl tramp_trap_freed
        .hidden tramp_trap_freed
        .type tramp_trap_freed, %function
tramp_trap_freed:
        .cfi_startproc
        PAD_C
        stp x29, x30, [sp, #-16]!
        .cfi_def_cfa_offset 16
        .cfi_offset x29, -16
        .cfi_offset x30, -8
        mov x29, sp
        mov x0, x17
        bl tramp_report_freed
        udf #0
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
        PAD_C
        mov x0, x17
        ret
        .cfi_endproc
        .size tramp_selftest_target, . - tramp_selftest_target
