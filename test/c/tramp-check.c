/* Area: trampolines (C API). Purpose: one driver, one scenario per argv[1]; prints
   "ok <scenario> ..." on success and exits non-zero with the reason otherwise. */
#define _GNU_SOURCE
#include "../../native/tramp.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

uint64_t target_context(void);
uint64_t target_mix(uint64_t x);
uint64_t target_stack(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
                      uint64_t);

typedef uint64_t (*fn0)(void);
typedef uint64_t (*fn1)(uint64_t);
typedef uint64_t (*fn10)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
                         uint64_t);

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
  fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); exit(1); } } while (0)

static int cmp_ptr(const void *a, const void *b) {
  uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
  return x < y ? -1 : x > y;
}

/* No mapping may be writable and executable at once. */
static void check_no_wx(void) {
  FILE *f = fopen("/proc/self/maps", "r");
  CHECK(f, "cannot read /proc/self/maps");
  char line[512];
  while (fgets(line, sizeof line, f)) {
    char perms[5] = {0};
    if (sscanf(line, "%*s %4s", perms) == 1) CHECK(!(perms[1] == 'w' && perms[2] == 'x'), "W+X mapping: %s", line);
  }
  fclose(f);
}

static void mode_line(const char *name) {
  struct tramp_stats s;
  tramp_get_stats(&s);
  printf("ok %s mode=%s tables=%zu live=%zu quarantined=%zu reason=%s\n", name,
         s.mode == TRAMP_MODE_FILE ? "file" : s.mode == TRAMP_MODE_IMAGE ? "image" : "unset",
         s.tables, s.live, s.quarantined, s.fallback_reason ? s.fallback_reason : "-");
}

static void scenario_million(size_t n) {
  tramp_t **t = malloc(n * sizeof *t);
  uintptr_t *addr = malloc(n * sizeof *addr);
  CHECK(t && addr, "malloc");
  for (size_t i = 0; i < n; i++) {
    t[i] = tramp_alloc();
    CHECK(t[i], "alloc %zu: %s", i, tramp_error());
    tramp_set(t[i], i % 2 ? (void *)target_mix : (void *)target_context, (void *)(uintptr_t)(i * 7 + 1));
    addr[i] = (uintptr_t)tramp_addr(t[i]);
  }
  /* Every one is called: it costs milliseconds and leaves no slot unproven. */
  for (size_t i = 0; i < n; i++) {
    uint64_t ctx = i * 7 + 1;
    if (i % 2) CHECK(((fn1)addr[i])(i) == ctx * 3 + i, "slot %zu mixed wrong", i);
    else CHECK(((fn0)addr[i])() == ctx, "slot %zu gave the wrong context", i);
  }
  tramp_set(t[0], (void *)target_stack, (void *)5);
  CHECK(((fn10)addr[0])(1, 2, 3, 4, 5, 6, 7, 8, 9, 10) == 9010 + 5, "stack arguments moved");
  qsort(addr, n, sizeof *addr, cmp_ptr);
  for (size_t i = 1; i < n; i++) CHECK(addr[i] != addr[i - 1], "duplicate address %#lx", (unsigned long)addr[i]);
  check_no_wx();
  mode_line("million");
  for (size_t i = 0; i < n; i++) tramp_free(t[i]);
  struct tramp_stats s;
  tramp_get_stats(&s);
  CHECK(s.live == 0, "live after free: %zu", s.live);
  free(t);
  free(addr);
}

#define THREADS 8
#define ROUNDS 20000
/* A context is a pointer: the thread's id goes above the round number within its bits. */
#define ID_SHIFT (sizeof(void *) == 8 ? 32 : 16)
static void *thread_main(void *arg) {
  uint64_t id = (uintptr_t)arg;
  tramp_t *mine[16];
  for (int r = 0; r < ROUNDS; r++) {
    int k = r % 16;
    if (r >= 16) {
      uint64_t want = (id << ID_SHIFT) | (uint64_t)(r - 16);
      CHECK(((fn1)tramp_addr(mine[k]))(1) == want * 3 + 1, "thread %lu round %d: crossed context", (unsigned long)id, r);
      tramp_free(mine[k]);
    }
    mine[k] = tramp_alloc();
    CHECK(mine[k], "alloc: %s", tramp_error());
    tramp_set(mine[k], (void *)target_mix, (void *)(uintptr_t)((id << ID_SHIFT) | (uint64_t)r));
  }
  for (int k = 0; k < 16; k++) tramp_free(mine[k]);
  return NULL;
}

static void scenario_threads(void) {
  pthread_t th[THREADS];
  for (uintptr_t i = 0; i < THREADS; i++) CHECK(pthread_create(&th[i], NULL, thread_main, (void *)i) == 0, "pthread_create");
  for (int i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
  struct tramp_stats s;
  tramp_get_stats(&s);
  CHECK(s.live == 0, "live after threads: %zu", s.live);
  mode_line("threads");
}

static void scenario_fork(void) {
  tramp_t *a = tramp_alloc();
  CHECK(a, "alloc");
  tramp_set(a, (void *)target_context, (void *)41);
  pid_t pid = fork();
  CHECK(pid >= 0, "fork");
  if (pid == 0) {
    if (((fn0)tramp_addr(a))() != 41) _exit(2);
    for (int i = 0; i < 5000; i++) { /* crosses into new tables in the child */
      tramp_t *b = tramp_alloc();
      if (!b) _exit(3);
      tramp_set(b, (void *)target_mix, (void *)(uintptr_t)i);
      if (((fn1)tramp_addr(b))(2) != (uint64_t)i * 3 + 2) _exit(4);
    }
    _exit(0);
  }
  int st;
  waitpid(pid, &st, 0);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child failed: status %d", st);
  CHECK(((fn0)tramp_addr(a))() == 41, "parent lost its context");
  tramp_free(a);
  mode_line("fork");
}

static void scenario_trap(void) {
  tramp_t *a = tramp_alloc();
  CHECK(a, "alloc");
  tramp_set(a, (void *)target_context, (void *)1);
  fn0 f = (fn0)tramp_addr(a);
  printf("freed %p\n", (void *)f);
  fflush(stdout);
  tramp_free(a);
  f(); /* must abort */
  printf("still alive\n");
}

static void scenario_image(void) {
  CHECK(tramp_force_image_mode() == 0, "force image mode");
  size_t n = 0;
  tramp_t *t;
  tramp_t **all = malloc(8192 * sizeof *all);
  while ((t = tramp_alloc()) != NULL) {
    tramp_set(t, (void *)target_context, (void *)(uintptr_t)(n + 100));
    all[n++] = t;
  }
  for (size_t i = 0; i < n; i++) CHECK(((fn0)tramp_addr(all[i]))() == i + 100, "image slot %zu", i);
  printf("exhausted after %zu: %s\n", n, tramp_error());
  /* One freed slot is reused when nothing fresh is left. */
  tramp_free(all[7]);
  t = tramp_alloc();
  CHECK(t == all[7], "reuse after exhaustion");
  check_no_wx();
  mode_line("image");
}

/* argv[2]: a copy of the library to load; argv[3]: "rename" or "none". */
static void scenario_replaced(const char *lib, const char *how) {
  void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
  CHECK(h, "dlopen: %s", dlerror());
  tramp_t *(*alloc)(void) = (tramp_t *(*)(void))dlsym(h, "tramp_alloc");
  void (*set)(tramp_t *, void *, void *) = (void (*)(tramp_t *, void *, void *))dlsym(h, "tramp_set");
  void *(*addr)(const tramp_t *) = (void *(*)(const tramp_t *))dlsym(h, "tramp_addr");
  void (*stats)(struct tramp_stats *) = (void (*)(struct tramp_stats *))dlsym(h, "tramp_get_stats");
  CHECK(alloc && set && addr && stats, "dlsym");
  if (strcmp(how, "rename") == 0) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.new", lib);
    FILE *f = fopen(tmp, "w");
    CHECK(f, "create %s", tmp);
    fputs("not the library that was loaded\n", f);
    fclose(f);
    CHECK(rename(tmp, lib) == 0, "rename: %s", strerror(errno));
  }
  for (int i = 0; i < 10; i++) {
    tramp_t *t = alloc();
    CHECK(t, "alloc after replacement");
    set(t, (void *)target_context, (void *)(uintptr_t)(i + 9));
    CHECK(((fn0)addr(t))() == (uint64_t)i + 9, "call after replacement");
  }
  struct tramp_stats s;
  stats(&s);
  printf("ok replaced mode=%s reason=%s\n", s.mode == TRAMP_MODE_FILE ? "file" : "image",
         s.fallback_reason ? s.fallback_reason : "-");
}

/* Mappings in /proc/self/maps, and resident memory in KiB. */
static size_t count_maps(void) {
  FILE *f = fopen("/proc/self/maps", "r");
  CHECK(f, "cannot read /proc/self/maps");
  size_t n = 0;
  int ch;
  while ((ch = fgetc(f)) != EOF) n += ch == '\n';
  fclose(f);
  return n;
}

static size_t rss_kib(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  CHECK(f, "cannot read /proc/self/statm");
  unsigned long size, res;
  CHECK(fscanf(f, "%lu %lu", &size, &res) == 2, "statm");
  fclose(f);
  return res * (size_t)sysconf(_SC_PAGESIZE) / 1024;
}

static size_t stat_tables(void) {
  struct tramp_stats s;
  tramp_get_stats(&s);
  return s.tables;
}

/* A million allocated and freed: tables, mappings and memory go back near the baseline. */
static void scenario_reclaim(size_t n) {
  tramp_t **t = malloc(n * sizeof *t);
  CHECK(t, "malloc");
  memset(t, 0xff, n * sizeof *t); /* touched now, so the baseline includes it */
  tramp_free(tramp_alloc());   /* the first table, the cache and the arena exist from here */
  size_t maps0 = count_maps(), rss0 = rss_kib(), tables0 = stat_tables();
  size_t peak = 0, tables_peak = 0, maps_peak = 0;
  for (int round = 0; round < 2; round++) { /* the second round reuses the reserved regions */
    for (size_t i = 0; i < n; i++) {
      t[i] = tramp_alloc();
      CHECK(t[i], "round %d alloc %zu: %s", round, i, tramp_error());
      tramp_set(t[i], (void *)target_context, (void *)(uintptr_t)(i + 1));
    }
    for (size_t i = 0; i < n; i += 997) CHECK(((fn0)tramp_addr(t[i]))() == i + 1, "slot %zu", i);
    peak = rss_kib();
    tables_peak = stat_tables();
    maps_peak = count_maps();
    for (size_t i = 0; i < n; i++) tramp_free(t[i]);
    struct tramp_stats s;
    tramp_get_stats(&s);
    CHECK(s.live == 0, "live after free: %zu", s.live);
    printf("round %d tables %zu -> %zu -> %zu maps %zu -> %zu -> %zu rss %zu -> %zu -> %zu KiB\n", round,
           tables0, tables_peak, s.tables, maps0, maps_peak, count_maps(), rss0, peak, rss_kib());
  }
  free(t);
  mode_line("reclaim");
}

/* A stale pointer into a table that was given back faults; it never runs anything. */
static void scenario_stale(void) {
  size_t n = 16 * 2048;
  tramp_t **t = malloc(n * sizeof *t);
  CHECK(t, "malloc");
  for (size_t i = 0; i < n; i++) {
    t[i] = tramp_alloc();
    CHECK(t[i], "alloc");
    tramp_set(t[i], (void *)target_context, (void *)1);
  }
  fn0 stale = (fn0)tramp_addr(t[0]);
  size_t before = stat_tables();
  for (size_t i = 0; i < n; i++) tramp_free(t[i]); /* the first tables pass quarantine and go */
  printf("tables %zu -> %zu\n", before, stat_tables());
  CHECK(stat_tables() < before, "tables were not given back");
  CHECK(tramp_from_address((uintptr_t)stale) == NULL, "stale address still validates");
  printf("calling %p\n", (void *)stale);
  fflush(stdout);
  stale();
  printf("still alive\n");
}

/* The process runs out of mappings (vm.max_map_count, reached for real with small mappings):
   mapping a table fails with an error naming the limit; once mappings are freed, it works. */
static void scenario_maxmap(void) {
  tramp_free(tramp_alloc());
  size_t cap = 1 << 17, nfill = 0;
  void **fill = malloc(cap * sizeof *fill);
  CHECK(fill, "malloc");
  long pg = sysconf(_SC_PAGESIZE);
  for (;;) { /* alternate protections so neighbours never merge */
    void *p = mmap(NULL, (size_t)pg, nfill % 2 ? PROT_READ : PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) { CHECK(errno == ENOMEM, "mmap: %s", strerror(errno)); break; }
    CHECK(nfill < cap, "more than %zu mappings and no limit reached", cap);
    fill[nfill++] = p;
  }
  tramp_t *t = NULL;
  size_t got = 0;
  while ((t = tramp_alloc()) != NULL && got < 3 * 2048) got++;
  CHECK(t == NULL, "allocated %zu more with no mapping left", got);
  printf("error after %zu: %s\n", got, tramp_error());
  for (size_t i = 0; i < nfill; i++) munmap(fill[i], (size_t)pg);
  for (int i = 0; i < 4096; i++) {
    t = tramp_alloc();
    CHECK(t, "alloc after the limit was lifted: %s", tramp_error());
    tramp_set(t, (void *)target_context, (void *)(uintptr_t)(i + 3));
    CHECK(((fn0)tramp_addr(t))() == (uint64_t)i + 3, "call after the limit was lifted");
  }
  free(fill);
  mode_line("maxmap");
}

/* The address space runs out (a 32-bit process; mappings stay few and large, far from
   vm.max_map_count): reserving more tables fails with a clean error after the reserved ones are
   used up; once space is given back, allocation works again. */
static void scenario_addrspace(void) {
  tramp_free(tramp_alloc()); /* the first arena exists from here */
  enum { MAX_FILL = 4096 };
  void *fill[MAX_FILL];
  size_t fill_size[MAX_FILL], nfill = 0;
  for (size_t size = (size_t)1 << 30; size >= 65536;) { /* largest first: holes below 64 KiB stay */
    void *p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) { CHECK(errno == ENOMEM, "mmap: %s", strerror(errno)); size /= 2; continue; }
    CHECK(nfill < MAX_FILL, "more than %d reservations and the address space is not full", MAX_FILL);
    fill[nfill] = p;
    fill_size[nfill++] = size;
  }
  size_t got = 0;
  tramp_t *t;
  while ((t = tramp_alloc()) != NULL) {
    CHECK(got < (size_t)1 << 24, "%zu allocated with no address space left", got);
    tramp_set(t, (void *)target_context, (void *)(uintptr_t)(got + 1));
    if (got % 4099 == 0) CHECK(((fn0)tramp_addr(t))() == got + 1, "slot %zu", got);
    got++;
  }
  printf("error after %zu: %s\n", got, tramp_error());
  for (size_t i = 0; i < nfill; i++) munmap(fill[i], fill_size[i]);
  for (int i = 0; i < 4096; i++) {
    t = tramp_alloc();
    CHECK(t, "alloc after space was given back: %s", tramp_error());
    tramp_set(t, (void *)target_context, (void *)(uintptr_t)(i + 3));
    CHECK(((fn0)tramp_addr(t))() == (uint64_t)i + 3, "call after space was given back");
  }
  mode_line("addrspace");
}

/* The protections of the data region that follows the code slot `code`. */
static void data_perms(const void *code, char perms[5]) {
  FILE *f = fopen("/proc/self/maps", "r");
  CHECK(f, "cannot read /proc/self/maps");
  char line[512];
  uintptr_t want = (uintptr_t)code + 65536;
  perms[0] = 0;
  while (fgets(line, sizeof line, f)) {
    unsigned long a, b;
    char p[5];
    if (sscanf(line, "%lx-%lx %4s", &a, &b, p) == 3 && want >= a && want < b) memcpy(perms, p, 5);
  }
  fclose(f);
}

/* Sealed data pages: read-only in /proc/self/maps, 8 threads still work; with "write", a direct
   write to a live entry must fault. */
static void scenario_sealed(const char *how) {
  CHECK(tramp_set_sealed(1) == 0 || getenv("TRAMPFD_SEAL"), "tramp_set_sealed before first alloc");
  tramp_t *a = tramp_alloc();
  CHECK(a, "alloc: %s", tramp_error());
  tramp_set(a, (void *)target_context, (void *)77);
  CHECK(((fn0)tramp_addr(a))() == 77, "sealed trampoline call");
  char perms[5];
  data_perms(tramp_addr(a), perms);
  printf("data %s\n", perms);
  CHECK(strcmp(perms, "r--p") == 0, "data region is %s, not r--p", perms);
  CHECK(tramp_set_sealed(0) == -1, "sealing changed after the first allocation");
  if (strcmp(how, "write") == 0) {
    printf("writing\n");
    fflush(stdout);
    ((void **)(uintptr_t)tramp_handle(a))[1] = (void *)target_mix; /* the target word */
    printf("still alive\n");
    return;
  }
  void *code = tramp_addr(a);
  tramp_free(a);
  scenario_threads();
  data_perms(code, perms);
  CHECK(strcmp(perms, "r--p") == 0, "data region is %s after the threads", perms);
  struct tramp_stats s;
  tramp_get_stats(&s);
  CHECK(s.sealed, "stats do not say sealed");
  mode_line("sealed");
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  CHECK(argc >= 2, "usage: tramp-check scenario");
  const char *s = argv[1];
  if (strcmp(s, "million") == 0) scenario_million(argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000);
  else if (strcmp(s, "threads") == 0) scenario_threads();
  else if (strcmp(s, "fork") == 0) scenario_fork();
  else if (strcmp(s, "trap") == 0) scenario_trap();
  else if (strcmp(s, "image") == 0) scenario_image();
  else if (strcmp(s, "replaced") == 0 && argc == 4) scenario_replaced(argv[2], argv[3]);
  else if (strcmp(s, "reclaim") == 0) scenario_reclaim(argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000);
  else if (strcmp(s, "stale") == 0) scenario_stale();
  else if (strcmp(s, "maxmap") == 0) scenario_maxmap();
  else if (strcmp(s, "addrspace") == 0) scenario_addrspace();
  else if (strcmp(s, "sealed") == 0) scenario_sealed(argc > 2 ? argv[2] : "threads");
  else CHECK(0, "unknown scenario %s", s);
  return 0;
}
