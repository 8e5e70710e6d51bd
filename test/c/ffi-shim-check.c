/* Area: libtrampfd-ffi.so. Purpose: drives libffi's closure API the way programs use it, each
   check against what the closure must compute; runs the same with the system libffi alone.
   Usage: ffi-shim-check basic|foreign|freed|unprepared|threads|fork|exhaust|status [count] */
#define _GNU_SOURCE
#include "../../native/tramp.h"

#include <dlfcn.h>
#include <ffi.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
  fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); exit(1); } } while (0)

/* The shim's own status function, when it is loaded; it fills a whole struct tramp_stats (a hand
   copy of a prefix once let it write past the caller's struct when tramp.h grew a field). */
typedef int status_fn(struct tramp_stats *, const char **);
static status_fn *shim_status(void) { return (status_fn *)dlsym(RTLD_DEFAULT, "trampfd_ffi_status"); }

static ffi_type *int3[3] = { &ffi_type_sint, &ffi_type_sint, &ffi_type_sint };
static ffi_type *mixed[4] = { &ffi_type_double, &ffi_type_sint64, &ffi_type_float, &ffi_type_pointer };

/* int f(int a, int b, int c) = a*100 + b*10 + c + *user_data */
static void add3(ffi_cif *cif, void *ret, void **args, void *ud) {
  (void)cif;
  *(ffi_sarg *)ret = *(int *)args[0] * 100 + *(int *)args[1] * 10 + *(int *)args[2] + *(int *)ud;
}
/* the same, negated: for a direct write of closure->fun */
static void add3_neg(ffi_cif *cif, void *ret, void **args, void *ud) {
  add3(cif, ret, args, ud);
  *(ffi_sarg *)ret = -*(ffi_sarg *)ret;
}
/* double f(double, int64_t, float, const char *) = sum + strlen + *user_data */
static void mix(ffi_cif *cif, void *ret, void **args, void *ud) {
  (void)cif;
  *(double *)ret = *(double *)args[0] + (double)*(int64_t *)args[1] + *(float *)args[2] +
                   (double)strlen(*(const char **)args[3]) + *(int *)ud;
}
/* The raw API hands the arguments as an array of ffi_raw words. */
static void add3_raw(ffi_cif *cif, void *ret, ffi_raw *args, void *ud) {
  (void)cif;
  *(ffi_sarg *)ret = args[0].sint * 100 + args[1].sint * 10 + args[2].sint + *(int *)ud;
}

typedef int add3_t(int, int, int);
typedef double mix_t(double, int64_t, float, const char *);

static ffi_cif cif_int, cif_mix;

static void prep_cifs(void) {
  CHECK(ffi_prep_cif(&cif_int, FFI_DEFAULT_ABI, 3, &ffi_type_sint, int3) == FFI_OK, "prep_cif int");
  CHECK(ffi_prep_cif(&cif_mix, FFI_DEFAULT_ABI, 4, &ffi_type_double, mixed) == FFI_OK, "prep_cif mix");
}

/* One closure's life: alloc, prep, calls, a direct write of user_data, free. */
static void one_closure(int seed) {
  void *code = NULL;
  int tag = seed, tag2 = seed * 7;
  ffi_closure *c = ffi_closure_alloc(sizeof *c, &code);
  CHECK(c && code, "ffi_closure_alloc");
  CHECK(ffi_prep_closure_loc(c, &cif_int, add3, &tag, code) == FFI_OK, "prep");
  CHECK(((add3_t *)code)(1, 2, 3) == 123 + tag, "call %d", seed);
  c->user_data = &tag2;
  CHECK(((add3_t *)code)(4, 5, 6) == 456 + tag2, "call after user_data write %d", seed);
  ffi_closure_free(c);
}

static void basic(void) {
  int tag = 5, tag2 = 9;
  void *code;
  one_closure(1);

  ffi_closure *c = ffi_closure_alloc(sizeof *c, &code);
  CHECK(c, "alloc mix");
  CHECK(ffi_prep_closure_loc(c, &cif_mix, mix, &tag, code) == FFI_OK, "prep mix");
  CHECK(((mix_t *)code)(1.5, 40, 0.25f, "abc") == 1.5 + 40 + 0.25 + 3 + 5, "mix call");
  /* Re-prep the same closure with another cif and function (no SSE arguments now). */
  CHECK(ffi_prep_closure_loc(c, &cif_int, add3, &tag2, code) == FFI_OK, "re-prep");
  CHECK(((add3_t *)code)(7, 8, 9) == 789 + 9, "call after re-prep");
  c->fun = add3_neg; /* a direct write of fun is honoured too */
  CHECK(((add3_t *)code)(7, 8, 9) == -(789 + 9), "call after a write of fun");
  ffi_closure_free(c);

  /* A user struct embedding a closure, larger than ffi_closure. */
  struct big { ffi_closure closure; int tag; char payload[4000]; };
  struct big *b = ffi_closure_alloc(sizeof *b, &code);
  CHECK(b, "alloc big");
  memset(b->payload, 0x5a, sizeof b->payload);
  b->tag = 11;
  CHECK(ffi_prep_closure_loc(&b->closure, &cif_int, add3, &b->tag, code) == FFI_OK, "prep big");
  CHECK(((add3_t *)code)(0, 0, 1) == 12, "big call");
  for (size_t i = 0; i < sizeof b->payload; i++) CHECK(b->payload[i] == 0x5a, "payload intact");
  ffi_closure_free(b);

  /* The raw API (ffi_raw words), where this libffi has it. */
  ffi_raw_closure *r = ffi_closure_alloc(sizeof *r, &code);
  CHECK(r, "alloc raw");
  CHECK(ffi_prep_raw_closure_loc(r, &cif_int, add3_raw, &tag, code) == FFI_OK, "prep raw");
  CHECK(((add3_t *)code)(3, 2, 1) == 321 + 5, "raw call");
  r->user_data = &tag2;
  CHECK(((add3_t *)code)(3, 2, 1) == 321 + 9, "raw call after user_data write");
  ffi_closure_free(r);

  /* Many live at once, each its own. */
  enum { N = 3000 };
  static ffi_closure *many[N];
  static void *codes[N];
  static int tags[N];
  for (int i = 0; i < N; i++) {
    tags[i] = i;
    many[i] = ffi_closure_alloc(sizeof(ffi_closure), &codes[i]);
    CHECK(many[i], "alloc %d", i);
    CHECK(ffi_prep_closure_loc(many[i], &cif_int, add3, &tags[i], codes[i]) == FFI_OK, "prep %d", i);
  }
  for (int i = 0; i < N; i++) CHECK(((add3_t *)codes[i])(0, 0, 0) == i, "many call %d", i);
  status_fn *st = shim_status();
  if (st) {
    struct tramp_stats s;
    const char *why;
    int active = st(&s, &why);
    printf("shim %s, mode %s, live %zu\n", active ? "active" : "inactive",
           s.mode == 1 ? "file" : s.mode == 2 ? "image" : "unset", s.live);
    if (active) CHECK(s.live >= N, "the shim's allocator holds the %d live closures (live %zu)", N, s.live);
  }
  for (int i = 0; i < N; i++) ffi_closure_free(many[i]);
  printf("ok basic\n");
}

/* Closures the shim did not allocate: the application's own W+X page, as old programs do. */
static void foreign(void) {
  int tag = 3;
  unsigned char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) { printf("ok foreign (no W+X page here: nothing to check)\n"); return; }
  ffi_closure *c = (ffi_closure *)page;
  CHECK(ffi_prep_closure_loc(c, &cif_int, add3, &tag, c) == FFI_OK, "prep foreign");
  CHECK(((add3_t *)(void *)c)(1, 1, 1) == 111 + 3, "foreign call");
  ffi_closure *d = (ffi_closure *)(page + 256);
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  CHECK(ffi_prep_closure(d, &cif_int, add3, &tag) == FFI_OK, "prep_closure foreign");
  CHECK(((add3_t *)(void *)d)(2, 2, 2) == 222 + 3, "foreign call (ffi_prep_closure)");
  munmap(page, 4096);
  printf("ok foreign\n");
}

static void freed(void) {
  int tag = 0;
  void *code;
  ffi_closure *c = ffi_closure_alloc(sizeof *c, &code);
  CHECK(c && ffi_prep_closure_loc(c, &cif_int, add3, &tag, code) == FFI_OK, "prep");
  CHECK(((add3_t *)code)(1, 2, 3) == 123, "call");
  ffi_closure_free(c);
  printf("calling a freed closure\n");
  fflush(stdout);
  ((add3_t *)code)(1, 2, 3);
  printf("still alive\n");
}

static void unprepared(void) {
  void *code;
  ffi_closure *c = ffi_closure_alloc(sizeof *c, &code);
  CHECK(c, "alloc");
  printf("calling an unprepared closure\n");
  fflush(stdout);
  ((add3_t *)code)(1, 2, 3);
  printf("still alive\n");
}

static int per_thread;
static void *worker(void *arg) {
  for (int i = 0; i < per_thread; i++) one_closure((int)(intptr_t)arg * 100000 + i);
  return NULL;
}

static void threads(int n) {
  enum { T = 4 };
  pthread_t th[T];
  per_thread = n;
  for (int i = 0; i < T; i++) CHECK(pthread_create(&th[i], NULL, worker, (void *)(intptr_t)(i + 1)) == 0, "thread");
  for (int i = 0; i < T; i++) pthread_join(th[i], NULL);
  printf("ok threads\n");
}

static void forked(void) {
  int tag = 1;
  void *code;
  ffi_closure *c = ffi_closure_alloc(sizeof *c, &code);
  CHECK(c && ffi_prep_closure_loc(c, &cif_int, add3, &tag, code) == FFI_OK, "prep");
  pid_t pid = fork();
  CHECK(pid >= 0, "fork");
  if (pid == 0) {
    CHECK(((add3_t *)code)(1, 2, 3) == 124, "child calls the parent's closure");
    for (int i = 0; i < 200; i++) one_closure(i);
    ffi_closure_free(c);
    _exit(0);
  }
  for (int i = 0; i < 200; i++) one_closure(-i);
  int status;
  CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
  CHECK(((add3_t *)code)(1, 2, 3) == 124, "parent's closure after fork");
  ffi_closure_free(c);
  printf("ok fork\n");
}

/* Allocates until ffi_closure_alloc fails (bounded): on the in-image pool it must, cleanly. */
static void exhaust(void) {
  enum { MAX = 20000 };
  static void *codes[MAX];
  static ffi_closure *cs[MAX];
  int n = 0;
  while (n < MAX && (cs[n] = ffi_closure_alloc(sizeof(ffi_closure), &codes[n])) != NULL) n++;
  printf("allocated %d\n", n);
  for (int i = 0; i < n; i++) ffi_closure_free(cs[i]);
}

static void status(void) {
  status_fn *st = shim_status();
  if (!st) { printf("no shim\n"); return; }
  struct tramp_stats s;
  const char *why = NULL;
  int active = st(&s, &why);
  printf("shim %s, mode %s%s%s\n", active ? "active" : "inactive",
         s.mode == 1 ? "file" : s.mode == 2 ? "image" : "unset", why ? ": " : "", why ? why : "");
}

int main(int argc, char **argv) {
  CHECK(argc >= 2, "usage: ffi-shim-check basic|foreign|freed|unprepared|threads|fork|exhaust|status [count]");
  prep_cifs();
  const char *what = argv[1];
  if (!strcmp(what, "basic")) basic();
  else if (!strcmp(what, "foreign")) foreign();
  else if (!strcmp(what, "freed")) freed();
  else if (!strcmp(what, "unprepared")) unprepared();
  else if (!strcmp(what, "threads")) threads(argc > 2 ? atoi(argv[2]) : 2000);
  else if (!strcmp(what, "fork")) forked();
  else if (!strcmp(what, "status")) status();
  else if (!strcmp(what, "exhaust")) exhaust();
  else CHECK(0, "unknown check '%s'", what);
  return 0;
}
