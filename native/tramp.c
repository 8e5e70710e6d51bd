/* The trampoline allocator: user-space "trampoline file descriptor" over our own file. */
#define _GNU_SOURCE
#include "tramp.h"
#include "tramp-layout.h"
#include "tramp-arch.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* From arch/<arch>.S. */
extern const unsigned char tramp_file_table[];
extern const unsigned char tramp_image_table[];
extern unsigned char tramp_image_data[];
extern const unsigned char tramp_trap_freed[];

/* A data entry: the first two words are read by the slot's code; the rest is ours. */
struct tramp {
  void *context;        /* TRAMP_DATA_CONTEXT */
  void *target;         /* TRAMP_DATA_TARGET */
  uintptr_t code;       /* slot address | TRAMP_LIVE */
  unsigned char pad[TRAMP_SLOT_SIZE - 3 * sizeof(void *)]; /* entry i sits at offset i * TRAMP_SLOT_SIZE, as slot i */
};
#define TRAMP_LIVE ((uintptr_t)1)

_Static_assert(sizeof(struct tramp) == TRAMP_SLOT_SIZE, "one data entry per code slot");
_Static_assert(offsetof(struct tramp, context) == TRAMP_DATA_CONTEXT, "context offset");
_Static_assert(offsetof(struct tramp, target) == TRAMP_DATA_TARGET, "target offset");

/* Freed slots wait in a FIFO until this many are queued, so a stale pointer to a freed
   callback keeps trapping for a long while instead of reaching a new owner. */
#define TRAMP_QUARANTINE 4096
/* A table is mapped as [code | data], each TRAMP_TABLE_SIZE bytes. */
#define TRAMP_REGION_SIZE (2 * TRAMP_TABLE_SIZE)
/* Regions are carved from arenas of address space reserved PROT_NONE (see reclaim()). */
#define ARENA_REGIONS 256

struct table {
  uintptr_t data;       /* start of the data region; the code is the TRAMP_TABLE_SIZE before it */
  uint32_t idle;        /* slots in the global FIFO or never carved: all of them = nothing live */
  int dying;            /* chosen by reclaim(), being removed */
  uint64_t last_push;   /* `pushes` when the last of its slots entered the FIFO */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int mode = TRAMP_MODE_UNSET;
static int forced_image;
static const char *fallback_reason;
static char fallback_buf[256];

/* Identity of our file at load time, and the descriptor once opened. */
static char self_path[4096];
static dev_t self_dev;
static ino_t self_ino;
static int self_known;
static int self_fd = -1;
static off_t table_offset;

/* Mapped tables, sorted by address for handle validation; `hint` caches the last lookup. */
static struct table *tables;
static size_t ntables, tables_cap, hint;
/* Reserved (PROT_NONE) regions ready for a table. */
static uintptr_t *spare;
static size_t nspare, spare_cap;

static struct tramp *bump;      /* next never-used entry */
static struct tramp *bump_end;
static size_t image_used, file_carved;

/* The quarantine FIFO: a ring of pointers (entries hold no links, so a table can leave it). */
static struct tramp **q_buf;
static size_t q_cap, q_head, q_len;
static uint64_t pushes;         /* slots ever pushed at the FIFO's tail */

static __thread char error_buf[256];

const char *tramp_error(void) { return error_buf; }

static void set_error(const char *what, int err) {
  snprintf(error_buf, sizeof error_buf, "%s%s%s", what, err ? ": " : "", err ? strerror(err) : "");
}

/* Called by tramp_trap_freed with the freed slot's address. */
__attribute__((visibility("hidden"), noreturn)) void tramp_report_freed(void *slot) {
  char msg[160];
  int n = snprintf(msg, sizeof msg,
                   "trampfd: freed trampoline %p was called (a C pointer to a freed callback "
                   "was kept); aborting\n", slot);
  if (n > 0) {
    ssize_t ignored = write(STDERR_FILENO, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
    (void)ignored;
  }
  abort();
}

/* ---- sealing: data pages read-only except inside a write window ----------------------------
   Data pages are never executable, so switching them between R and RW never touches W^X. One
   lock covers every window: a page is made writable, written and made read-only again before
   the lock is released, so a concurrent writer of the same page never finds it read-only. */
static int seal_wanted = -1;    /* -1: not asked; TRAMPFD_SEAL decides at the first allocation */
static int sealed;              /* file tables are sealed (fixed at the first allocation) */
static uintptr_t page_size;
static pthread_mutex_t seal_lock = PTHREAD_MUTEX_INITIALIZER;

struct window { uintptr_t page; };

/* Makes the page holding `p` writable (closing the window's previous page, if another). */
static void win_open(struct window *w, const void *p) {
  if (!sealed) return;
  uintptr_t pg = (uintptr_t)p & ~(page_size - 1);
  if (pg == w->page) return;
  if (w->page) mprotect((void *)w->page, page_size, PROT_READ);
  else pthread_mutex_lock(&seal_lock);
  if (mprotect((void *)pg, page_size, PROT_READ | PROT_WRITE) != 0) { /* the write would fault */
    char msg[200];
    int n = snprintf(msg, sizeof msg, "trampfd: cannot unseal a trampoline data page (mprotect: %s; "
                     "vm.max_map_count?); aborting\n", strerror(errno));
    ssize_t ignored = write(STDERR_FILENO, msg, n > 0 && (size_t)n < sizeof msg ? (size_t)n : 0);
    (void)ignored;
    abort();
  }
  w->page = pg;
}

static void win_close(struct window *w) {
  if (!w->page) return;
  mprotect((void *)w->page, page_size, PROT_READ);
  w->page = 0;
  pthread_mutex_unlock(&seal_lock);
}

static int is_file_entry(const struct tramp *t) {
  uintptr_t img = (uintptr_t)tramp_image_data;
  return (uintptr_t)t < img || (uintptr_t)t >= img + (uintptr_t)TRAMP_IMAGE_SLOTS * TRAMP_SLOT_SIZE;
}

/* Opens a window for `t` unless it is an image-pool entry (never sealed: .bss shares pages). */
static void win_entry(struct window *w, const struct tramp *t) {
  if (sealed && is_file_entry(t)) win_open(w, t);
}

static void trap(struct tramp *t) {
  uintptr_t code = t->code & ~TRAMP_LIVE;
  __atomic_store_n(&t->context, (void *)code, __ATOMIC_RELAXED);
  __atomic_store_n(&t->target, (void *)tramp_trap_freed, __ATOMIC_RELEASE);
}

static int find_phdr(struct dl_phdr_info *info, size_t size, void *arg) {
  (void)size;
  uintptr_t want = (uintptr_t)tramp_file_table;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_LOAD) continue;
    uintptr_t start = info->dlpi_addr + ph->p_vaddr;
    if (want >= start && want + TRAMP_TABLE_SIZE <= start + ph->p_filesz) {
      *(off_t *)arg = (off_t)(ph->p_offset + (want - start));
      return 1;
    }
  }
  return 0;
}

/* Records which file we were loaded from, as early as possible. */
__attribute__((constructor)) static void remember_self(void) {
  Dl_info info;
  struct stat st;
  if (!dladdr(tramp_file_table, &info) || !info.dli_fname) return;
  /* Never unloaded: Node dlcloses an addon when the worker that loaded it ends, yet threads keep
     running our TLS destructor and atfork handlers, and C keeps pointers into our tables. */
  (void)dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
  if (info.dli_fname[0] != '/') return;
  if (strlen(info.dli_fname) >= sizeof self_path) return;
  if (stat(info.dli_fname, &st) != 0) return;
  strcpy(self_path, info.dli_fname);
  self_dev = st.st_dev;
  self_ino = st.st_ino;
  self_known = 1;
}

static void fall_back(const char *why, int err) {
  snprintf(fallback_buf, sizeof fallback_buf, "%s%s%s", why, err ? ": " : "", err ? strerror(err) : "");
  fallback_reason = fallback_buf;
  mode = TRAMP_MODE_IMAGE;
}

/* Opens our file and checks it is the one we were loaded from. */
static int open_self(void) {
  struct stat st;
  off_t off = -1;
  if (!self_known) { fall_back("cannot name the loaded file (dladdr gave no absolute path)", 0); return -1; }
  if (!dl_iterate_phdr(find_phdr, &off) || off < 0 || off % TRAMP_TABLE_SIZE != 0) {
    fall_back("trampoline table is not a 64 KiB-aligned range of a loadable segment", 0);
    return -1;
  }
  int fd = open(self_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) { fall_back("cannot open the loaded file", errno); return -1; }
  if (fstat(fd, &st) != 0 || st.st_dev != self_dev || st.st_ino != self_ino) {
    close(fd);
    fall_back("the file on disk is not the one that was loaded (replaced since load)", 0);
    return -1;
  }
  self_fd = fd;
  table_offset = off;
  return 0;
}

/* The table holding data address `a`, or NULL; caller holds the lock. */
static struct table *table_of(uintptr_t a) {
  if (hint < ntables && a - tables[hint].data < TRAMP_TABLE_SIZE) return &tables[hint];
  size_t lo = 0, hi = ntables;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (tables[mid].data + TRAMP_TABLE_SIZE <= a) lo = mid + 1;
    else hi = mid;
  }
  if (lo < ntables && a >= tables[lo].data) { hint = lo; return &tables[lo]; }
  return NULL;
}

static int add_table(uintptr_t data) {
  if (ntables == tables_cap) {
    size_t cap = tables_cap ? tables_cap * 2 : 64;
    struct table *n = realloc(tables, cap * sizeof *n);
    if (!n) return -1;
    tables = n;
    tables_cap = cap;
  }
  size_t i = ntables;
  while (i > 0 && tables[i - 1].data > data) { tables[i] = tables[i - 1]; i--; }
  tables[i] = (struct table){data, TRAMP_SLOTS_PER_TABLE, 0, 0};
  ntables++;
  return 0;
}

static int push_spare(uintptr_t region) {
  if (nspare == spare_cap) {
    size_t cap = spare_cap ? spare_cap * 2 : ARENA_REGIONS;
    uintptr_t *n = realloc(spare, cap * sizeof *n);
    if (!n) return -1;
    spare = n;
    spare_cap = cap;
  }
  spare[nspare++] = region;
  return 0;
}

/* Gives a region back to the reserve: one PROT_NONE mapping replaces code and data at once. */
static int reserve_region(uintptr_t region) {
  return mmap((void *)region, TRAMP_REGION_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
              -1, 0) == MAP_FAILED ? -1 : 0;
}

/* mmap's ENOMEM is also what the per-process mapping limit gives: name it, with its value. */
static void set_map_error(const char *what, int err) {
  if (err != ENOMEM) { set_error(what, err); return; }
  char limit[32] = "?";
  int fd = open("/proc/sys/vm/max_map_count", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t n = read(fd, limit, sizeof limit - 1);
    limit[n > 0 ? n : 0] = 0;
    limit[strcspn(limit, "\n")] = 0;
    close(fd);
    if (!limit[0]) strcpy(limit, "?");
  }
  snprintf(error_buf, sizeof error_buf, "%s: out of memory, or the process reached its limit of "
           "memory mappings (vm.max_map_count = %s; free trampolines or raise it)", what, limit);
}

/* Maps one more copy of the table from the file, beside a fresh data region. */
static int map_table(void) {
  if (nspare == 0) {
    size_t n = ARENA_REGIONS;
    unsigned char *arena;
    /* Short of address space (a 32-bit process), a smaller reservation may still fit. */
    while ((arena = mmap(NULL, n * TRAMP_REGION_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                         -1, 0)) == MAP_FAILED && errno == ENOMEM && n > 1)
      n /= 2;
    if (arena == MAP_FAILED) { set_map_error("cannot reserve trampoline tables", errno); return -1; }
    for (size_t i = n; i-- > 0;) /* lowest first: tables stay close together */
      if (push_spare((uintptr_t)arena + i * TRAMP_REGION_SIZE) != 0) { set_error("out of memory", ENOMEM); return -1; }
  }
  unsigned char *region = (unsigned char *)spare[nspare - 1];
  void *code = mmap(region, TRAMP_TABLE_SIZE, tramp_arch_code_prot(), MAP_PRIVATE | MAP_FIXED,
                    self_fd, table_offset);
  void *data = code == MAP_FAILED ? MAP_FAILED
             : mmap(region + TRAMP_TABLE_SIZE, TRAMP_TABLE_SIZE, sealed ? PROT_READ : PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  int err = errno;
  if (code == MAP_FAILED || data == MAP_FAILED) {
    reserve_region((uintptr_t)region);
    set_map_error("cannot map a trampoline table", err);
    return -1;
  }
  /* A file rebuilt in place (same inode) must never run: compare with what we loaded. */
  if (memcmp(code, tramp_file_table, TRAMP_TABLE_SIZE) != 0) {
    reserve_region((uintptr_t)region);
    set_error("mapped trampoline table differs from the loaded one (file changed on disk)", 0);
    return -2;
  }
  if (add_table((uintptr_t)data) != 0) {
    reserve_region((uintptr_t)region);
    set_error("out of memory", ENOMEM);
    return -1;
  }
  nspare--;
  bump = data;
  bump_end = (struct tramp *)((unsigned char *)data + TRAMP_TABLE_SIZE);
  return 0;
}

static void choose_mode(void) {
  const char *env = getenv("TRAMPFD_TRAMPOLINES");
  const char *seal = getenv("TRAMPFD_SEAL");
  page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
  sealed = seal_wanted >= 0 ? seal_wanted : seal && strcmp(seal, "1") == 0;
  if (forced_image || (env && strcmp(env, "image") == 0)) {
    fall_back("in-image mode requested", 0);
    return;
  }
  if (open_self() != 0) return;
  int r = map_table();
  if (r != 0) {
    close(self_fd);
    self_fd = -1;
    fall_back(error_buf, 0);
    return;
  }
  mode = TRAMP_MODE_FILE;
}

static struct tramp *image_entry(size_t i) {
  return (struct tramp *)(tramp_image_data + i * TRAMP_SLOT_SIZE);
}

/* A never-used entry, trapped; caller holds the lock and `w` open as needed. */
static struct tramp *fresh(struct window *w) {
  struct tramp *t;
  if (mode == TRAMP_MODE_FILE) {
    if (bump == bump_end) {
      int r = map_table();
      if (r == -2) { /* the file changed under us: stop mapping it, finish on the image pool */
        fall_back(error_buf, 0);
      } else if (r != 0) {
        return NULL;
      }
    }
    if (mode == TRAMP_MODE_FILE) {
      t = bump++;
      table_of((uintptr_t)t)->idle--;
      file_carved++;
      win_entry(w, t);
      t->code = (uintptr_t)t - TRAMP_TABLE_SIZE;
      trap(t);
      return t;
    }
  }
  if (image_used == TRAMP_IMAGE_SLOTS) {
    snprintf(error_buf, sizeof error_buf, "the in-image trampoline pool is exhausted (%d slots; free "
             "some, or let trampfd map its own file)", TRAMP_IMAGE_SLOTS);
    return NULL;
  }
  t = image_entry(image_used);
  t->code = (uintptr_t)(tramp_image_table + image_used * TRAMP_SLOT_SIZE);
  trap(t);
  image_used++;
  return t;
}

/* Per-thread caches make alloc and free a handful of stores with no lock in the steady
   state: each thread keeps its own quarantine ring (FIFO) of the slots it freed, and takes
   a slot back only once TRAMP_QUARANTINE newer frees stand behind it. Fresh slots come
   from the global pools TCACHE_BATCH at a time. */
#define TCACHE_BATCH 64
#define RING_CAP (2 * TRAMP_QUARANTINE) /* power of two */
struct tcache {
  struct tramp *fresh[TCACHE_BATCH];  /* ready to hand out, already trapped */
  unsigned nfresh;
  unsigned head, len;                 /* quarantine ring: oldest at head */
  pthread_t owner;
  struct tcache *prev, *next;         /* registry of caches, for stats and fork */
  struct tramp *ring[RING_CAP];
};

static struct tcache *caches;
static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static __thread struct tcache *my_cache __attribute__((tls_model("initial-exec")));

/* Room for one more FIFO entry (the ring doubles); 0 when out of memory. */
static int q_room(void) {
  if (q_len < q_cap) return 1;
  size_t cap = q_cap ? q_cap * 2 : 4096;
  struct tramp **n = malloc(cap * sizeof *n);
  if (!n) return 0;
  for (size_t i = 0; i < q_len; i++) n[i] = q_buf[(q_head + i) & (q_cap - 1)];
  free(q_buf);
  q_buf = n;
  q_cap = cap;
  q_head = 0;
  return 1;
}

/* Counts a slot into its table's idle slots; `pushed`: it entered at the tail (quarantined). */
static void idle_in(struct tramp *t, int pushed) {
  struct table *tb = is_file_entry(t) ? table_of((uintptr_t)t) : NULL;
  if (!tb) return;
  tb->idle++;
  if (pushed) tb->last_push = pushes;
}

/* Out of memory for the FIFO: the slot stays trapped and is never reused (a leak, not a crash). */
static void push_quarantine(struct tramp *t) {
  if (!q_room()) return;
  q_buf[(q_head + q_len++) & (q_cap - 1)] = t;
  pushes++;
  idle_in(t, 1);
}

/* Never-handed-out slots rejoin at the head: they were not live since their last quarantine. */
static void push_front(struct tramp *t) {
  if (!q_room()) return;
  q_head = (q_head - 1) & (q_cap - 1);
  q_buf[q_head] = t;
  q_len++;
  idle_in(t, 0);
}

static struct tramp *pop_quarantine(void) {
  struct tramp *t = q_buf[q_head];
  q_head = (q_head + 1) & (q_cap - 1);
  q_len--;
  struct table *tb = is_file_entry(t) ? table_of((uintptr_t)t) : NULL;
  if (tb) tb->idle--;
  return t;
}

/* Unmaps tables with nothing live and nothing in quarantine; caller holds the lock.
   A reclaimed region goes back to PROT_NONE, not to the kernel: a stale pointer into it faults
   instead of reaching whatever mmap would put there next, and it costs no memory. The arena
   around it is one reservation, so reserved regions merge into its PROT_NONE mappings rather
   than adding one each; a region is reused for a new table only after all its slots passed
   quarantine, which is the guarantee a reused slot gives anyway. Hysteresis: the table being
   carved and one more idle table stay, and a pass runs only when it can drop at least half
   the FIFO, so its O(FIFO) filtering costs O(1) per freed slot. */
static void reclaim(void) {
  size_t n = 0;
  struct table *spare_table = NULL; /* the highest stays, as the spare */
  uintptr_t carving = bump_end ? (uintptr_t)bump_end - TRAMP_TABLE_SIZE : 0;
  for (size_t i = 0; i < ntables; i++) {
    struct table *tb = &tables[i];
    if (tb->idle == TRAMP_SLOTS_PER_TABLE && tb->data != carving && pushes - tb->last_push >= TRAMP_QUARANTINE) {
      if (spare_table) spare_table->dying = 1, n++;
      spare_table = tb;
    }
  }
  if (n == 0 || n * TRAMP_SLOTS_PER_TABLE * 2 < q_len) {
    for (size_t i = 0; i < ntables; i++) tables[i].dying = 0;
    return;
  }
  size_t kept = 0;
  for (size_t i = 0; i < q_len; i++) { /* filter the FIFO in place, order kept */
    struct tramp *t = q_buf[(q_head + i) & (q_cap - 1)];
    struct table *tb = is_file_entry(t) ? table_of((uintptr_t)t) : NULL;
    if (!tb || !tb->dying) q_buf[(q_head + kept++) & (q_cap - 1)] = t;
  }
  q_len = kept;
  if (q_cap > 4096 && q_len < q_cap / 4) { /* give back what a burst of frees made it grow to */
    size_t cap = 4096;
    while (cap < 2 * q_len) cap *= 2;
    struct tramp **nb = malloc(cap * sizeof *nb);
    if (nb) {
      for (size_t i = 0; i < q_len; i++) nb[i] = q_buf[(q_head + i) & (q_cap - 1)];
      free(q_buf);
      q_buf = nb;
      q_cap = cap;
      q_head = 0;
    }
  }
  size_t out = 0;
  for (size_t i = 0; i < ntables; i++) {
    struct table tb = tables[i];
    if (tb.dying) {
      uintptr_t region = tb.data - TRAMP_TABLE_SIZE;
      if (reserve_region(region) == 0) {
        (void)push_spare(region); /* if it cannot be remembered, it stays reserved, unused */
        file_carved -= TRAMP_SLOTS_PER_TABLE;
        continue;
      }
      tb.dying = 0; /* cannot be reserved again: the table stays, and its slots rejoin the FIFO */
      for (size_t k = 0; k < TRAMP_SLOTS_PER_TABLE; k++)
        if (q_room()) q_buf[(q_head + q_len++) & (q_cap - 1)] = (struct tramp *)(tb.data + k * TRAMP_SLOT_SIZE);
    }
    tables[out++] = tb;
  }
  ntables = out;
  hint = 0;
}

/* Moves the oldest `n` of a cache's quarantined slots to the global FIFO; caller holds the lock. */
static void flush_ring_locked(struct tcache *c, unsigned n) {
  for (unsigned i = 0; i < n; i++) push_quarantine(c->ring[(c->head + i) & (RING_CAP - 1)]);
  c->head = (c->head + n) & (RING_CAP - 1);
  c->len -= n;
}

/* Gives all of a cache's slots back to the global pools; caller holds the lock. */
static void drain_locked(struct tcache *c) {
  flush_ring_locked(c, c->len);
  for (unsigned i = 0; i < c->nfresh; i++) push_front(c->fresh[i]);
  c->nfresh = 0;
}

static void unlink_locked(struct tcache *c) {
  if (c->prev) c->prev->next = c->next; else caches = c->next;
  if (c->next) c->next->prev = c->prev;
}

static void cache_exit(void *p) {
  struct tcache *c = p;
  pthread_mutex_lock(&lock);
  drain_locked(c);
  unlink_locked(c);
  reclaim();
  pthread_mutex_unlock(&lock);
  my_cache = NULL;
  free(c);
}

static void make_key(void) { pthread_key_create(&cache_key, cache_exit); }

__attribute__((noinline)) static struct tcache *new_cache(void) {
  struct tcache *c;
  pthread_once(&cache_once, make_key);
  c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->owner = pthread_self();
  pthread_setspecific(cache_key, c);
  pthread_mutex_lock(&lock);
  c->next = caches;
  if (caches) caches->prev = c;
  caches = c;
  pthread_mutex_unlock(&lock);
  my_cache = c;
  return c;
}

static inline struct tcache *get_cache(void) {
  struct tcache *c = my_cache;
  return __builtin_expect(c != NULL, 1) ? c : new_cache();
}

/* Refills the cache with up to TCACHE_BATCH slots; 0 if none could be found. */
__attribute__((noinline)) static unsigned refill(struct tcache *c) {
  struct window w = {0};
  pthread_mutex_lock(&lock);
  if (mode == TRAMP_MODE_UNSET) choose_mode();
  while (c->nfresh < TCACHE_BATCH) {
    struct tramp *t = NULL;
    if (q_len > TRAMP_QUARANTINE) t = pop_quarantine();
    else t = fresh(&w);
    if (!t) break;
    c->fresh[c->nfresh++] = t;
  }
  win_close(&w);
  /* Nothing fresh is left anywhere: reuse the oldest freed slots early rather than fail. */
  if (c->nfresh == 0 && c->len > 0) flush_ring_locked(c, c->len);
  while (c->nfresh < TCACHE_BATCH && q_len > 0) c->fresh[c->nfresh++] = pop_quarantine();
  pthread_mutex_unlock(&lock);
  return c->nfresh;
}

static inline void set_entry(struct tramp *t, void *target, void *context) {
  __atomic_store_n(&t->context, context, __ATOMIC_RELAXED);
  __atomic_store_n(&t->target, target, __ATOMIC_RELEASE);
}

/* The writes of tramp_alloc, tramp_set and tramp_free to an entry of a sealed table, each inside
   a write window; kept out of line so the unsealed paths stay a few stores. */
enum sealed_op { W_LIVE, W_SET, W_FREE };
__attribute__((noinline)) static void sealed_write(struct tramp *t, void *target, void *context, enum sealed_op op) {
  struct window w = {0};
  win_entry(&w, t);
  if (op == W_LIVE) t->code |= TRAMP_LIVE;
  else if (op == W_SET) set_entry(t, target, context);
  else { t->code &= ~TRAMP_LIVE; trap(t); }
  win_close(&w);
}

tramp_t *tramp_alloc(void) {
  struct tcache *c = get_cache();
  if (__builtin_expect(c == NULL, 0)) { set_error("out of memory", ENOMEM); return NULL; }
  struct tramp *t;
  if (c->len > TRAMP_QUARANTINE) {
    t = c->ring[c->head];
    c->head = (c->head + 1) & (RING_CAP - 1);
    c->len--;
  } else {
    if (__builtin_expect(c->nfresh == 0, 0) && refill(c) == 0) return NULL;
    t = c->fresh[--c->nfresh];
  }
  if (__builtin_expect(sealed, 0)) sealed_write(t, NULL, NULL, W_LIVE);
  else t->code |= TRAMP_LIVE;
  return t;
}

void tramp_set(tramp_t *t, void *target, void *context) {
  if (__builtin_expect(sealed, 0)) sealed_write(t, target, context, W_SET);
  else set_entry(t, target, context);
}

void *tramp_addr(const tramp_t *t) { return (void *)(t->code & ~TRAMP_LIVE); }
void *tramp_context(const tramp_t *t) { return __atomic_load_n(&t->context, __ATOMIC_ACQUIRE); }
void *tramp_target(const tramp_t *t) { return __atomic_load_n(&t->target, __ATOMIC_ACQUIRE); }
uintptr_t tramp_handle(const tramp_t *t) { return (uintptr_t)t; }

/* A thread that only frees (slots allocated elsewhere) passes its oldest on. */
__attribute__((noinline)) static void spill(struct tcache *c) {
  pthread_mutex_lock(&lock);
  flush_ring_locked(c, RING_CAP / 2);
  reclaim();
  pthread_mutex_unlock(&lock);
}

/* No cache for this thread: straight to the FIFO. */
__attribute__((noinline)) static void free_uncached(struct tramp *t) {
  pthread_mutex_lock(&lock);
  push_quarantine(t);
  pthread_mutex_unlock(&lock);
}

void tramp_free(tramp_t *t) {
  if (!t || !(t->code & TRAMP_LIVE)) return;
  struct tcache *c = get_cache();
  if (__builtin_expect(sealed, 0)) sealed_write(t, NULL, NULL, W_FREE);
  else { t->code &= ~TRAMP_LIVE; trap(t); }
  if (__builtin_expect(c == NULL, 0)) { free_uncached(t); return; }
  if (__builtin_expect(c->len == RING_CAP, 0)) spill(c);
  c->ring[(c->head + c->len) & (RING_CAP - 1)] = t;
  c->len++;
}

tramp_t *tramp_from_handle(uintptr_t h) {
  struct tramp *found = NULL;
  if (h % TRAMP_SLOT_SIZE != 0) return NULL;
  pthread_mutex_lock(&lock);
  uintptr_t img = (uintptr_t)tramp_image_data;
  if (h >= img && h < img + image_used * TRAMP_SLOT_SIZE) found = (struct tramp *)h;
  else if (table_of(h)) found = (struct tramp *)h; /* mapped: reclaimed tables are gone from `tables` */
  if (found && (!(found->code & TRAMP_LIVE))) found = NULL;
  pthread_mutex_unlock(&lock);
  return found;
}

tramp_t *tramp_from_address(uintptr_t a) {
  uintptr_t img = (uintptr_t)tramp_image_table;
  if (a >= img && a < img + (uintptr_t)TRAMP_IMAGE_SLOTS * TRAMP_SLOT_SIZE)
    return tramp_from_handle((uintptr_t)tramp_image_data + (a - img));
  /* A file table's data entry sits TRAMP_TABLE_SIZE after its slot; tramp_from_handle checks
     that this lands inside a registered data region, i.e. that `a` was a slot. */
  return a > UINTPTR_MAX - TRAMP_TABLE_SIZE ? NULL : tramp_from_handle(a + TRAMP_TABLE_SIZE);
}

int tramp_force_image_mode(void) {
  pthread_mutex_lock(&lock);
  int ok = mode == TRAMP_MODE_UNSET || mode == TRAMP_MODE_IMAGE;
  if (ok) forced_image = 1;
  pthread_mutex_unlock(&lock);
  return ok ? 0 : -1;
}

int tramp_set_sealed(int on) {
  pthread_mutex_lock(&lock);
  int ok = mode == TRAMP_MODE_UNSET;
  if (ok) seal_wanted = on != 0;
  pthread_mutex_unlock(&lock);
  return ok ? 0 : -1;
}

void tramp_get_stats(struct tramp_stats *out) {
  pthread_mutex_lock(&lock);
  out->mode = mode;
  out->tables = ntables;
  /* Live = every slot ever carved out (and not reclaimed), minus those resting in a pool. Caches
     of other threads are read without their owner's cooperation: a snapshot, exact when quiet. */
  size_t held = 0, idle = q_len;
  for (struct tcache *c = caches; c; c = c->next) {
    held += __atomic_load_n(&c->len, __ATOMIC_RELAXED);
    idle += __atomic_load_n(&c->nfresh, __ATOMIC_RELAXED);
  }
  out->live = image_used + file_carved - idle - held;
  out->quarantined = q_len + held;
  out->capacity = mode == TRAMP_MODE_IMAGE ? TRAMP_IMAGE_SLOTS : ntables * TRAMP_SLOTS_PER_TABLE;
  out->image_used = image_used;
  out->image_capacity = TRAMP_IMAGE_SLOTS;
  out->slot_bytes = TRAMP_SLOT_SIZE;
  out->data_bytes = TRAMP_SLOT_SIZE;
  out->fallback_reason = fallback_reason;
  out->sealed = mode == TRAMP_MODE_FILE && sealed;
  pthread_mutex_unlock(&lock);
}

/* fork() copies our mappings and the descriptor. In the child only the forking thread
   exists: the other threads' caches are given back to the global pools. */
static void before_fork(void) {
  pthread_mutex_lock(&lock);
  pthread_mutex_lock(&seal_lock);
}
static void after_fork_parent(void) {
  pthread_mutex_unlock(&seal_lock);
  pthread_mutex_unlock(&lock);
}
static void after_fork_child(void) {
  pthread_mutex_unlock(&seal_lock);
  pthread_t self = pthread_self();
  for (struct tcache *c = caches, *n; c; c = n) {
    n = c->next;
    if (pthread_equal(c->owner, self)) continue;
    drain_locked(c);
    unlink_locked(c);
    free(c);
  }
  pthread_mutex_unlock(&lock);
}

__attribute__((constructor)) static void install_fork_handlers(void) {
  pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}
