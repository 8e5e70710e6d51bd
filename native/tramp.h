/* trampfd's C API: static trampolines from our own shared object, never W+X memory.
 *
 * A trampoline is a unique code address. Calling it enters `target` with every argument
 * register and the stack exactly as the caller left them, and `context` in the target's context
 * register: r10 on x86-64 (the static-chain register), x17 on AArch64 (IP1; the slot branches
 * through x16, which is clobbered too; x8, x18 and the link register are untouched), t2 on
 * RISC-V 64 (GCC's static-chain register; the slot jumps through t1, which is clobbered too; ra
 * and t0 are untouched). i386 has no register to spare (regparm and fastcall pass arguments in
 * eax, edx, ecx), so there the context is on the stack: at the target, 0(%esp) = the caller's eax,
 * 4(%esp) = context, 8(%esp) = the caller's return address, 12(%esp) on = the caller's stack
 * arguments; eax is clobbered (it points into the slot), every other register is untouched. The
 * target's `popl %eax` restores eax and leaves the context on top; it must return past the
 * context word (e.g. move the return address up over it and `ret`).
 * Setting a trampoline while other threads may be calling it is a race: such a call can pair the
 * new target with the old context. Publish a trampoline's address only after tramp_set, and
 * re-point a live one only where no call can be in flight (or allocate a new one).
 * Alloc, set and free are O(1) and thread-safe. A freed trampoline aborts the process with
 * a message naming it if it is still called; freed slots are quarantined before reuse. */
#ifndef TRAMPFD_TRAMP_H
#define TRAMPFD_TRAMP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The C API is exported from the addon so other native code can share one allocator. */
#ifndef TRAMP_API
#define TRAMP_API __attribute__((visibility("default")))
#endif

typedef struct tramp tramp_t;

enum tramp_mode {
  TRAMP_MODE_UNSET = 0, /* nothing allocated yet */
  TRAMP_MODE_FILE = 1,  /* tables mapped again from our own file: no count limit */
  TRAMP_MODE_IMAGE = 2  /* the bounded pool inside the loaded image */
};

struct tramp_stats {
  int mode;                 /* enum tramp_mode */
  size_t tables;            /* tables mapped from the file */
  size_t live;              /* allocated, not freed */
  size_t quarantined;       /* freed, waiting before reuse */
  size_t capacity;          /* slots in mapped tables, or in the image pool */
  size_t image_used;        /* image-pool slots ever handed out */
  size_t image_capacity;    /* TRAMP_IMAGE_SLOTS */
  size_t slot_bytes;        /* code bytes per slot (shared file pages) */
  size_t data_bytes;        /* private data bytes per slot */
  const char *fallback_reason; /* why file mode is not in use, or NULL */
  int sealed;               /* file tables' data pages are read-only outside tramp_* writes */
};

/* Forces the in-image pool (call before the first tramp_alloc); 0 on success. The
   environment variable TRAMPFD_TRAMPOLINES=image does the same. */
TRAMP_API int tramp_force_image_mode(void);

/* Seals the data pages of file-mapped tables (call before the first tramp_alloc; 0 on success):
   they stay read-only except while tramp_alloc/tramp_set/tramp_free write an entry, so a stray
   write cannot redirect a live trampoline. Costs two mprotect calls per write, and writers take
   one lock. TRAMPFD_SEAL=1 does the same. The in-image pool is never sealed. */
TRAMP_API int tramp_set_sealed(int on);

/* A new trampoline whose target is a trap until tramp_set; NULL with tramp_error() set. */
TRAMP_API tramp_t *tramp_alloc(void);
/* Publishes context before target, so a caller never sees a half-set slot. */
TRAMP_API void tramp_set(tramp_t *t, void *target, void *context);
TRAMP_API void *tramp_addr(const tramp_t *t);
TRAMP_API void *tramp_context(const tramp_t *t);
TRAMP_API void *tramp_target(const tramp_t *t);
TRAMP_API void tramp_free(tramp_t *t);

/* The trampoline whose handle is `handle`, if it is live; NULL otherwise. Safe for any value. */
TRAMP_API tramp_t *tramp_from_handle(uintptr_t handle);
/* The trampoline whose code address is `addr`, if it is live; NULL otherwise. Safe for any value. */
TRAMP_API tramp_t *tramp_from_address(uintptr_t addr);
/* The handle as an integer, for tramp_from_handle. */
TRAMP_API uintptr_t tramp_handle(const tramp_t *t);

TRAMP_API void tramp_get_stats(struct tramp_stats *out);
/* Last failure of tramp_alloc on this thread. */
TRAMP_API const char *tramp_error(void);

#ifdef __cplusplus
}
#endif
#endif
