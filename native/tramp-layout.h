/* Trampoline table geometry, shared by tramp.c and every arch/<target>/tramp.S (both #include it). */
#ifndef TRAMPFD_TRAMP_LAYOUT_H
#define TRAMPFD_TRAMP_LAYOUT_H

/* One table: 64 KiB of code, 64 KiB aligned in the file, so one mapping of it works on
   kernels with 4K, 16K and 64K pages. */
#define TRAMP_TABLE_SIZE 65536
/* Bytes of code per slot; the slot's data entry sits at the same offset in the data
   region that follows the code, TRAMP_TABLE_SIZE further on. */
#define TRAMP_SLOT_SIZE 32
#define TRAMP_SLOTS_PER_TABLE (TRAMP_TABLE_SIZE / TRAMP_SLOT_SIZE)
/* Offsets inside a data entry (one entry per slot, TRAMP_SLOT_SIZE bytes). */
#define TRAMP_DATA_CONTEXT 0 /* loaded into the context register (tramp.h) */
#define TRAMP_DATA_TARGET __SIZEOF_POINTER__ /* jumped to: the next word */
/* Slots of the in-image pool, used when the file cannot be mapped again. */
#define TRAMP_IMAGE_SLOTS 4096

#endif
