/* libtrampfd-ffi.so: libffi's closure allocator on trampfd's static trampolines.
 *
 * A closure lives in plain RW memory (malloc) and its code address is a trampfd trampoline
 * whose context is the closure and whose target is the system libffi's own closure entry,
 * which reads cif/fun/user_data through the closure pointer it is handed. So the system
 * ffi_prep_closure_loc still fills the closure (later direct writes to it are honoured), and
 * nothing is ever writable and executable. Everything else stays the system libffi's.
 *
 * A shim closure is recognised by a marker in its tramp[] bytes, which no code ever runs
 * (our trampoline replaces them): closures from anywhere else go to the system libffi as
 * they are. The system's entries are verified by a self-test before first use; if anything
 * does not match, the whole process uses the system libffi (TRAMPFD_FFI_DEBUG=1 says why).
 * What differs by target (libffi's legacy trampoline, one probe per closure entry) is in
 * ffi-shim-<target>.c. */
#define _GNU_SOURCE
#include "ffi-shim.h"
#include "../tramp.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SHIM_API __attribute__((visibility("default")))
#define LIBFFI_CLOSURE_VERSION "LIBFFI_CLOSURE_8.0"

typedef void raw_fun(ffi_cif *, void *, ffi_raw *, void *);
typedef void java_raw_fun(ffi_cif *, void *, ffi_java_raw *, void *);
typedef ffi_status prep_raw_fn(ffi_raw_closure *, ffi_cif *, raw_fun *, void *, void *);
typedef ffi_status prep_java_raw_fn(ffi_java_raw_closure *, ffi_cif *, java_raw_fun *, void *, void *);

/* The system libffi's own closure functions. */
static struct {
  void *(*alloc)(size_t, void **);
  void (*free)(void *);
  prep_loc_fn *prep_loc;
  prep_raw_fn *prep_raw_loc;
  prep_java_raw_fn *prep_java_raw_loc;
} sys;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int active;         /* closures come from trampfd */
static int debug;          /* TRAMPFD_FFI_DEBUG */
static char why[256];      /* why not, when !active */
static void *entries[8];   /* closure entries the self-test verified */
static int nentries;
static int done;           /* init ran: the fast path skips pthread_once */
static pthread_key_t blocks_key;
static void drop_blocks(void *unused);

/* Written over tramp[] of every shim closure (three words: AArch64's tramp[] has 24 bytes);
   `self` tells a copy from the original. The magic's low bit is `small`. */
#define SHIM_MAGIC 0x3169666670727466ull
struct marker {
  uint64_t magic;
  tramp_t *tramp;
  void *self;
};
_Static_assert(sizeof(struct marker) <= FFI_TRAMPOLINE_SIZE, "the marker fits in tramp[]");
_Static_assert((SHIM_MAGIC & 1) == 0, "the magic's low bit is free");
/* What a marker says. */
struct mark {
  tramp_t *tramp;
  size_t small; /* 1: a SMALL_BLOCK block, which goes back to this thread's block cache */
};

static void *lookup(const char *name) {
  void *f = dlvsym(RTLD_NEXT, name, LIBFFI_CLOSURE_VERSION);
  return f ? f : dlsym(RTLD_NEXT, name);
}

/* ---- the self-test: closures prepared by the system libffi, called through trampolines ---- */

/* The probes compute from their arguments and from the int user_data points to. */
static void probe_int(ffi_cif *cif, void *ret, void **args, void *ud) {
  (void)cif;
  *(ffi_sarg *)ret = *(int *)args[0] * 3 + *(int *)args[1] + *(int *)ud;
}
static void probe_fp(ffi_cif *cif, void *ret, void **args, void *ud) {
  (void)cif;
  *(double *)ret = *(double *)args[0] * 2 + *(int *)args[1] + *(int *)ud;
}
long long shim_call_int(void *code) { return ((int (*)(int, int))code)(5, 7); }
long long shim_call_fp(void *code) { return (long long)((double (*)(double, int))code)(2.5, 7); }
static long long expect(const struct shim_probe *p, int tag) { return (p->fp ? 2.5 * 2 : 5 * 3) + 7 + tag; }

/* 1 verified (its entry is in entries[]), 0 its ABI is not built into this libffi, -1 failed. */
static int probe(const struct shim_probe *p) {
  static ffi_type *int_args[2] = { &ffi_type_sint, &ffi_type_sint };
  static ffi_type *fp_args[2] = { &ffi_type_double, &ffi_type_sint };
  ffi_cif cif;
  if (ffi_prep_cif(&cif, p->abi, 2, p->fp ? &ffi_type_double : &ffi_type_sint, p->fp ? fp_args : int_args) != FFI_OK)
    return p->optional ? 0 : (snprintf(why, sizeof why, "ffi_prep_cif failed for the %s probe", p->name), -1);
  ffi_closure *c = calloc(1, sizeof *c); /* plain RW memory, as a shim closure is */
  if (!c) { snprintf(why, sizeof why, "out of memory"); return -1; }
  int tag1 = 100, tag2 = 200, r = -1;
  ffi_status st = sys.prep_loc(c, &cif, p->fp ? probe_fp : probe_int, &tag1, c);
  void *entry = st == FFI_OK ? shim_arch_entry(c) : NULL;
  Dl_info a, b;
  tramp_t *t = NULL;
  if (st == FFI_BAD_ABI && p->optional) { r = 0; goto out; }
  if (st != FFI_OK) { snprintf(why, sizeof why, "ffi_prep_closure_loc failed (%d) for the %s probe", (int)st, p->name); goto out; }
  if (!entry) { snprintf(why, sizeof why, "ffi_prep_closure_loc wrote an unknown trampoline for the %s probe", p->name); goto out; }
  if (!dladdr(entry, &a) || !dladdr((void *)sys.prep_loc, &b) || a.dli_fbase != b.dli_fbase) {
    snprintf(why, sizeof why, "the %s closure entry %p is not in the libffi that wrote it", p->name, entry);
    goto out;
  }
  if (!(t = tramp_alloc())) { snprintf(why, sizeof why, "no trampoline for the self-test: %s", tramp_error()); goto out; }
  tramp_set(t, entry, c);
  long long got1 = p->call(tramp_addr(t));
  c->user_data = &tag2; /* a later direct write must be honoured */
  long long got2 = p->call(tramp_addr(t));
  if (got1 != expect(p, tag1) || got2 != expect(p, tag2)) {
    snprintf(why, sizeof why, "the %s probe returned %lld and %lld through a trampoline, not %lld and %lld",
             p->name, got1, got2, expect(p, tag1), expect(p, tag2));
    goto out;
  }
  r = 1;
  for (int i = 0; i < nentries; i++) if (entries[i] == entry) goto out;
  entries[nentries++] = entry;
out:
  if (t) tramp_free(t);
  free(c);
  return r;
}

static void selftest(void) {
  if (shim_arch_nprobes > sizeof entries / sizeof entries[0]) { snprintf(why, sizeof why, "more probes than entries[]"); return; }
  for (size_t i = 0; i < shim_arch_nprobes; i++)
    if (probe(&shim_arch_probes[i]) < 0) { nentries = 0; return; }
  if (nentries > 0) active = 1;
  else snprintf(why, sizeof why, "the self-test verified no closure entry");
}

static void init(void) {
  pthread_key_create(&blocks_key, drop_blocks);
  const char *d = getenv("TRAMPFD_FFI_DEBUG");
  debug = d && *d && strcmp(d, "0") != 0;
  sys.alloc = (void *(*)(size_t, void **))lookup("ffi_closure_alloc");
  sys.free = (void (*)(void *))lookup("ffi_closure_free");
  sys.prep_loc = (prep_loc_fn *)lookup("ffi_prep_closure_loc");
  sys.prep_raw_loc = (prep_raw_fn *)lookup("ffi_prep_raw_closure_loc");
  sys.prep_java_raw_loc = (prep_java_raw_fn *)lookup("ffi_prep_java_raw_closure_loc");
  if (!sys.alloc || !sys.free || !sys.prep_loc) {
    snprintf(why, sizeof why, "the system libffi's closure functions (%s) were not found", LIBFFI_CLOSURE_VERSION);
  } else {
    selftest();
  }
  __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
  if (!debug) return;
  if (active) {
    struct tramp_stats s;
    tramp_get_stats(&s);
    fprintf(stderr, "trampfd-ffi: closures run on trampfd trampolines (%s mode%s%s); %d libffi entries verified\n",
            s.mode == TRAMP_MODE_FILE ? "file" : "in-image", s.fallback_reason ? ": " : "",
            s.fallback_reason ? s.fallback_reason : "", nentries);
  } else {
    fprintf(stderr, "trampfd-ffi: using the system libffi's closures: %s\n", why);
  }
}

static inline void ready(void) {
  if (__builtin_expect(!__atomic_load_n(&done, __ATOMIC_ACQUIRE), 0)) pthread_once(&once, init);
}

/* Field by field, in words: a struct copied through the stack would cost store-forwarding
   stalls right where the system prep has just written these bytes. */
static inline void put_word(ffi_closure *c, size_t off, uint64_t v) { memcpy(c->tramp + off, &v, sizeof v); }
static inline uint64_t get_word(const ffi_closure *c, size_t off) {
  uint64_t v;
  memcpy(&v, c->tramp + off, sizeof v);
  return v;
}

static void mark(ffi_closure *c, tramp_t *t, size_t small) {
  put_word(c, offsetof(struct marker, magic), SHIM_MAGIC | small);
  put_word(c, offsetof(struct marker, tramp), (uintptr_t)t);
  put_word(c, offsetof(struct marker, self), (uintptr_t)c);
}

/* The marker of a shim closure; 0 for any other closure. Free clears the marker, so a stale
   one never survives in reused memory, and a copy of a closure fails the `self` test. */
static int ours(const ffi_closure *c, struct mark *m) {
  uint64_t magic = get_word(c, offsetof(struct marker, magic));
  if ((magic & ~(uint64_t)1) != SHIM_MAGIC || get_word(c, offsetof(struct marker, self)) != (uintptr_t)c)
    return 0;
  m->tramp = (tramp_t *)(uintptr_t)get_word(c, offsetof(struct marker, tramp));
  m->small = magic & 1;
  return 1;
}

/* Closures of the common size come from a per-thread LIFO of malloc'd blocks: a program that
   keeps a few dozen callbacks alive would otherwise miss malloc's small per-thread cache. */
#define SMALL_BLOCK 64
#define BLOCK_CACHE 256
_Static_assert(sizeof(ffi_closure) <= SMALL_BLOCK, "an ffi_closure fits a small block");
struct block { struct block *next; };
/* One TLS object: its address is one load. */
static __thread struct { struct block *head; unsigned n; } blocks __attribute__((tls_model("initial-exec")));

static void drop_blocks(void *unused) {
  (void)unused;
  for (struct block *b = blocks.head, *n; b; b = n) { n = b->next; free(b); }
  blocks.head = NULL;
  blocks.n = 0;
}

static void *block_get(void) {
  struct block *b = blocks.head;
  if (!b) return malloc(SMALL_BLOCK);
  blocks.head = b->next;
  blocks.n--;
  return b;
}

static void block_put(void *p) {
  if (blocks.n == BLOCK_CACHE) { free(p); return; }
  /* The key's destructor gives a thread's blocks back to malloc when the thread ends. */
  if (!blocks.head) pthread_setspecific(blocks_key, (void *)1);
  struct block *b = p;
  b->next = blocks.head;
  blocks.head = b;
  blocks.n++;
}

/* Where a trampoline goes before the closure is prepared. */
static void not_prepared(void) {
  static const char msg[] = "trampfd-ffi: an ffi_closure was called before ffi_prep_closure_loc "
                            "prepared it; aborting\n";
  ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
  (void)ignored;
  abort();
}

static int verified(const void *entry) {
  for (int i = 0; i < nentries; i++) if (entries[i] == entry) return 1;
  return 0;
}

/* After the system prep ran on shim closure `c`: point its trampoline at the entry the
   system wrote, if that entry was verified, and put the marker back over tramp[]. */
/* The uncommon ends of finish(), out of line so that its common one saves no registers for them. */
__attribute__((noinline, cold)) static ffi_status finish_other(ffi_closure *c, struct mark mk, ffi_status st,
                                                               void *entry) {
  const struct mark *m = &mk;
  struct mark now;
  if (st != FFI_OK) {
    if (entry) mark(c, m->tramp, m->small); /* a failed prep wrote nothing executable to keep */
    return st;
  }
  if (!entry) {
    /* The system prep was routed back through us (raw closures call ffi_prep_closure_loc
       through the PLT), which already finished it. */
    if (ours(c, &now) && now.tramp == m->tramp) return FFI_OK;
    if (debug) fprintf(stderr, "trampfd-ffi: ffi_prep_closure_loc wrote an unknown trampoline; the closure is not usable\n");
    mark(c, m->tramp, m->small);
    return FFI_BAD_ABI;
  }
  if (debug) fprintf(stderr, "trampfd-ffi: closure entry %p was not verified by the self-test; the closure is not usable\n", entry);
  tramp_set(m->tramp, (void *)not_prepared, c);
  mark(c, m->tramp, m->small);
  return FFI_BAD_ABI;
}

static inline ffi_status finish(ffi_closure *c, const struct mark *m, ffi_status st) {
  void *entry = shim_arch_entry(c);
  if (__builtin_expect(st != FFI_OK || !entry || !verified(entry), 0)) return finish_other(c, *m, st, entry);
  tramp_set(m->tramp, entry, c);
  mark(c, m->tramp, m->small);
  return FFI_OK;
}

/* No trampoline: says why (once, or always with TRAMPFD_FFI_DEBUG) and gives the block back. */
__attribute__((noinline, cold)) static void *alloc_failed(void *c, size_t small) {
  static int told;
  if (!__atomic_exchange_n(&told, 1, __ATOMIC_RELAXED) || debug)
    fprintf(stderr, "trampfd-ffi: ffi_closure_alloc failed: %s\n", tramp_error());
  if (small) block_put(c); else free(c);
  return NULL;
}

SHIM_API void *ffi_closure_alloc(size_t size, void **code) {
  ready();
  if (!active) return sys.alloc ? sys.alloc(size, code) : NULL;
  if (!code) return NULL;
  size_t small = size <= SMALL_BLOCK;
  ffi_closure *c = small ? block_get() : malloc(size);
  if (!c) return NULL;
  tramp_t *t = tramp_alloc();
  if (__builtin_expect(!t, 0)) return alloc_failed(c, small);
  tramp_set(t, (void *)not_prepared, c);
  mark(c, t, small);
  *code = tramp_addr(t);
  return c;
}

/* A shim closure exists only once init() ran (its allocation saw `done`), so the free and prep
   of one skip ready(). */
SHIM_API void ffi_closure_free(void *ptr) {
  struct mark m;
  if (!ptr) return;
  if (!ours(ptr, &m)) {
    ready();
    if (sys.free) sys.free(ptr);
    return;
  }
  put_word(ptr, offsetof(struct marker, magic), 0);
  tramp_free(m.tramp); /* a later call through the code address traps with trampfd's message */
  if (m.small) block_put(ptr); else free(ptr);
}

SHIM_API ffi_status ffi_prep_closure_loc(ffi_closure *c, ffi_cif *cif, closure_fun *fun, void *user_data,
                                         void *codeloc) {
  struct mark m;
  if (!ours(c, &m)) {
    ready();
    return sys.prep_loc ? sys.prep_loc(c, cif, fun, user_data, codeloc) : FFI_BAD_ABI;
  }
  return finish(c, &m, sys.prep_loc(c, cif, fun, user_data, codeloc));
}

SHIM_API ffi_status ffi_prep_closure(ffi_closure *c, ffi_cif *cif, closure_fun *fun, void *user_data) {
  return ffi_prep_closure_loc(c, cif, fun, user_data, c);
}

/* The system's raw variants hand their generic closure `codeloc` as user_data and read the
   raw closure back through it; for a shim closure that must be the closure, not the code. */
SHIM_API ffi_status ffi_prep_raw_closure_loc(ffi_raw_closure *c, ffi_cif *cif, raw_fun *fun, void *user_data,
                                             void *codeloc) {
  struct mark m;
  ready();
  if (!sys.prep_raw_loc) return FFI_BAD_ABI;
  if (!ours((ffi_closure *)c, &m)) return sys.prep_raw_loc(c, cif, fun, user_data, codeloc);
  return finish((ffi_closure *)c, &m, sys.prep_raw_loc(c, cif, fun, user_data, c));
}

SHIM_API ffi_status ffi_prep_raw_closure(ffi_raw_closure *c, ffi_cif *cif, raw_fun *fun, void *user_data) {
  return ffi_prep_raw_closure_loc(c, cif, fun, user_data, c);
}

SHIM_API ffi_status ffi_prep_java_raw_closure_loc(ffi_java_raw_closure *c, ffi_cif *cif, java_raw_fun *fun,
                                                  void *user_data, void *codeloc) {
  struct mark m;
  ready();
  if (!sys.prep_java_raw_loc) return FFI_BAD_ABI;
  if (!ours((ffi_closure *)c, &m)) return sys.prep_java_raw_loc(c, cif, fun, user_data, codeloc);
  return finish((ffi_closure *)c, &m, sys.prep_java_raw_loc(c, cif, fun, user_data, c));
}

SHIM_API ffi_status ffi_prep_java_raw_closure(ffi_java_raw_closure *c, ffi_cif *cif, java_raw_fun *fun,
                                              void *user_data) {
  return ffi_prep_java_raw_closure_loc(c, cif, fun, user_data, c);
}

/* 1 when this process's closures run on trampfd trampolines, 0 when they are the system
   libffi's (*reason then says why). Fills *stats with the shim's allocator statistics. */
SHIM_API int trampfd_ffi_status(struct tramp_stats *stats, const char **reason) {
  ready();
  if (stats) tramp_get_stats(stats);
  if (reason) *reason = active ? NULL : why;
  return active;
}
