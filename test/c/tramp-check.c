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
#include <sys/wait.h>
#include <unistd.h>

uint64_t target_context(void);
uint64_t target_mix(uint64_t x);
uint64_t target_stack(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

typedef uint64_t (*fn0)(void);
typedef uint64_t (*fn1)(uint64_t);
typedef uint64_t (*fn8)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

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
  CHECK(((fn8)addr[0])(1, 2, 3, 4, 5, 6, 7, 8) == 7008 + 5, "stack arguments moved");
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
static void *thread_main(void *arg) {
  uintptr_t id = (uintptr_t)arg;
  tramp_t *mine[16];
  for (int r = 0; r < ROUNDS; r++) {
    int k = r % 16;
    if (r >= 16) {
      uint64_t want = (id << 32) | (uint64_t)(r - 16);
      CHECK(((fn1)tramp_addr(mine[k]))(1) == want * 3 + 1, "thread %lu round %d: crossed context", (unsigned long)id, r);
      tramp_free(mine[k]);
    }
    mine[k] = tramp_alloc();
    CHECK(mine[k], "alloc: %s", tramp_error());
    tramp_set(mine[k], (void *)target_mix, (void *)((id << 32) | (uint64_t)r));
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
  else CHECK(0, "unknown scenario %s", s);
  return 0;
}
