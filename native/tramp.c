/* The trampoline allocator: user-space "trampoline file descriptor" over our own file. */
#define _GNU_SOURCE
#include "tramp.h"
#include "tramp-layout.h"

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
  struct tramp *next;   /* quarantine queue link */
  uintptr_t code;       /* slot address | TRAMP_LIVE */
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

struct table_range {
  uintptr_t data; /* start of the data region */
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

/* Data regions of mapped tables, sorted by address for handle validation. */
static struct table_range *tables;
static size_t ntables, tables_cap;

static struct tramp *bump;      /* next never-used entry */
static struct tramp *bump_end;
static size_t image_used;

static struct tramp *q_head, *q_tail; /* quarantine FIFO */
static size_t q_len;

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

static int add_range(uintptr_t data) {
  if (ntables == tables_cap) {
    size_t cap = tables_cap ? tables_cap * 2 : 64;
    struct table_range *n = realloc(tables, cap * sizeof *n);
    if (!n) return -1;
    tables = n;
    tables_cap = cap;
  }
  size_t i = ntables;
  while (i > 0 && tables[i - 1].data > data) { tables[i] = tables[i - 1]; i--; }
  tables[i].data = data;
  ntables++;
  return 0;
}

/* Maps one more copy of the table from the file, beside a fresh data region. */
static int map_table(void) {
  unsigned char *region = mmap(NULL, TRAMP_REGION_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (region == MAP_FAILED) { set_error("cannot reserve a trampoline table", errno); return -1; }
  void *code = mmap(region, TRAMP_TABLE_SIZE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED,
                    self_fd, table_offset);
  void *data = code == MAP_FAILED ? MAP_FAILED
             : mmap(region + TRAMP_TABLE_SIZE, TRAMP_TABLE_SIZE, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  if (code == MAP_FAILED || data == MAP_FAILED) {
    set_error("cannot map a trampoline table", errno);
    munmap(region, TRAMP_REGION_SIZE);
    return -1;
  }
  /* A file rebuilt in place (same inode) must never run: compare with what we loaded. */
  if (memcmp(code, tramp_file_table, TRAMP_TABLE_SIZE) != 0) {
    munmap(region, TRAMP_REGION_SIZE);
    set_error("mapped trampoline table differs from the loaded one (file changed on disk)", 0);
    return -2;
  }
  if (add_range((uintptr_t)data) != 0) {
    munmap(region, TRAMP_REGION_SIZE);
    set_error("out of memory", ENOMEM);
    return -1;
  }
  bump = data;
  bump_end = (struct tramp *)((unsigned char *)data + TRAMP_TABLE_SIZE);
  return 0;
}

static void choose_mode(void) {
  const char *env = getenv("TRAMPFD_TRAMPOLINES");
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

static struct tramp *fresh(void) {
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
      struct tramp *t = bump++;
      t->code = (uintptr_t)t - TRAMP_TABLE_SIZE;
      return t;
    }
  }
  if (image_used == TRAMP_IMAGE_SLOTS) {
    snprintf(error_buf, sizeof error_buf, "the in-image trampoline pool is exhausted (%d slots; free "
             "some, or let trampfd map its own file)", TRAMP_IMAGE_SLOTS);
    return NULL;
  }
  struct tramp *t = image_entry(image_used);
  t->code = (uintptr_t)(tramp_image_table + image_used * TRAMP_SLOT_SIZE);
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

static void push_quarantine(struct tramp *t) {
  t->next = NULL;
  if (q_tail) q_tail->next = t; else q_head = t;
  q_tail = t;
  q_len++;
}

static struct tramp *pop_quarantine(void) {
  struct tramp *t = q_head;
  q_head = t->next;
  if (!q_head) q_tail = NULL;
  q_len--;
  t->next = NULL;
  return t;
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
  /* Never-handed-out slots rejoin at the head: they were not live since their last
     quarantine, so reusing them soon is safe. */
  for (unsigned i = 0; i < c->nfresh; i++) {
    struct tramp *t = c->fresh[i];
    t->next = q_head;
    q_head = t;
    if (!q_tail) q_tail = t;
    q_len++;
  }
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
  pthread_mutex_lock(&lock);
  if (mode == TRAMP_MODE_UNSET) choose_mode();
  while (c->nfresh < TCACHE_BATCH) {
    struct tramp *t = NULL;
    if (q_len > TRAMP_QUARANTINE) t = pop_quarantine();
    else if ((t = fresh()) != NULL) trap(t);
    if (!t) break;
    c->fresh[c->nfresh++] = t;
  }
  /* Nothing fresh is left anywhere: reuse the oldest freed slots early rather than fail. */
  if (c->nfresh == 0 && c->len > 0) flush_ring_locked(c, c->len);
  while (c->nfresh < TCACHE_BATCH && q_len > 0) c->fresh[c->nfresh++] = pop_quarantine();
  pthread_mutex_unlock(&lock);
  return c->nfresh;
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
  t->code |= TRAMP_LIVE;
  return t;
}

void tramp_set(tramp_t *t, void *target, void *context) {
  __atomic_store_n(&t->context, context, __ATOMIC_RELAXED);
  __atomic_store_n(&t->target, target, __ATOMIC_RELEASE);
}

void *tramp_addr(const tramp_t *t) { return (void *)(t->code & ~TRAMP_LIVE); }
void *tramp_context(const tramp_t *t) { return __atomic_load_n(&t->context, __ATOMIC_ACQUIRE); }
void *tramp_target(const tramp_t *t) { return __atomic_load_n(&t->target, __ATOMIC_ACQUIRE); }
uintptr_t tramp_handle(const tramp_t *t) { return (uintptr_t)t; }

/* A thread that only frees (slots allocated elsewhere) passes its oldest on. */
__attribute__((noinline)) static void spill(struct tcache *c) {
  pthread_mutex_lock(&lock);
  flush_ring_locked(c, RING_CAP / 2);
  pthread_mutex_unlock(&lock);
}

void tramp_free(tramp_t *t) {
  if (!t || !(t->code & TRAMP_LIVE)) return;
  struct tcache *c = get_cache();
  t->code &= ~TRAMP_LIVE;
  trap(t);
  if (__builtin_expect(c == NULL, 0)) { /* no cache for this thread: straight to the FIFO */
    pthread_mutex_lock(&lock);
    push_quarantine(t);
    pthread_mutex_unlock(&lock);
    return;
  }
  if (__builtin_expect(c->len == RING_CAP, 0)) spill(c);
  c->ring[(c->head + c->len) & (RING_CAP - 1)] = t;
  c->len++;
}

tramp_t *tramp_from_handle(uintptr_t h) {
  struct tramp *found = NULL;
  if (h % TRAMP_SLOT_SIZE != 0) return NULL;
  pthread_mutex_lock(&lock);
  uintptr_t img = (uintptr_t)tramp_image_data;
  if (h >= img && h < img + image_used * TRAMP_SLOT_SIZE) {
    found = (struct tramp *)h;
  } else {
    size_t lo = 0, hi = ntables;
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (tables[mid].data + TRAMP_TABLE_SIZE <= h) lo = mid + 1;
      else hi = mid;
    }
    if (lo < ntables && h >= tables[lo].data && h < (uintptr_t)bump_end) found = (struct tramp *)h;
    else if (lo < ntables && h >= tables[lo].data && h < tables[lo].data + TRAMP_TABLE_SIZE &&
             tables[lo].data + TRAMP_TABLE_SIZE != (uintptr_t)bump_end)
      found = (struct tramp *)h;
  }
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

void tramp_get_stats(struct tramp_stats *out) {
  pthread_mutex_lock(&lock);
  out->mode = mode;
  out->tables = ntables;
  /* Live = every slot ever carved out, minus those resting in a pool. Caches of other
     threads are read without their owner's cooperation: a snapshot, exact when quiet. */
  size_t held = 0, idle = q_len;
  for (struct tcache *c = caches; c; c = c->next) {
    held += __atomic_load_n(&c->len, __ATOMIC_RELAXED);
    idle += __atomic_load_n(&c->nfresh, __ATOMIC_RELAXED);
  }
  size_t carved = image_used + (ntables ? ntables * TRAMP_SLOTS_PER_TABLE - (size_t)(bump_end - bump) : 0);
  out->live = carved - idle - held;
  out->quarantined = q_len + held;
  out->capacity = mode == TRAMP_MODE_IMAGE ? TRAMP_IMAGE_SLOTS : ntables * TRAMP_SLOTS_PER_TABLE;
  out->image_used = image_used;
  out->image_capacity = TRAMP_IMAGE_SLOTS;
  out->slot_bytes = TRAMP_SLOT_SIZE;
  out->data_bytes = TRAMP_SLOT_SIZE;
  out->fallback_reason = fallback_reason;
  pthread_mutex_unlock(&lock);
}

/* fork() copies our mappings and the descriptor. In the child only the forking thread
   exists: the other threads' caches are given back to the global pools. */
static void before_fork(void) { pthread_mutex_lock(&lock); }
static void after_fork_parent(void) { pthread_mutex_unlock(&lock); }
static void after_fork_child(void) {
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
