/* Benchmark: libffi closures from libtrampfd-ffi.so against the system libffi's own, in one
   process, interleaved round by round: alloc + prep + free of a closure, and a call through a
   prepared closure. Usage: ffi-shim-closures <path of libtrampfd-ffi.so> [rounds] */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <ffi.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef void *alloc_fn(size_t, void **);
typedef void free_fn(void *);
typedef ffi_status prep_fn(ffi_closure *, ffi_cif *, void (*)(ffi_cif *, void *, void **, void *), void *, void *);
struct peer { const char *name; alloc_fn *alloc; free_fn *free; prep_fn *prep; };

static void *sym(void *h, const char *name) {
  void *f = dlvsym(h, name, "LIBFFI_CLOSURE_8.0");
  if (!f) { fprintf(stderr, "%s: %s\n", name, dlerror()); exit(1); }
  return f;
}
static struct peer load(const char *name, void *h) {
  return (struct peer){ name, (alloc_fn *)sym(h, "ffi_closure_alloc"), (free_fn *)sym(h, "ffi_closure_free"),
                        (prep_fn *)sym(h, "ffi_prep_closure_loc") };
}

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: a loaded machine preempts us */
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void add1(ffi_cif *cif, void *ret, void **args, void *ud) {
  (void)cif; (void)ud;
  *(ffi_sarg *)ret = *(int *)args[0] + 1;
}

static ffi_cif cif;
#define BATCH 64 /* live at once, as a program holding a few callbacks would */
#define LIFE_OPS (2000 * BATCH)
#define CALLS 2000000

static double lifecycle(const struct peer *p) {
  ffi_closure *c[BATCH];
  void *code[BATCH];
  double t0 = now_ns();
  for (int r = 0; r < LIFE_OPS / BATCH; r++) {
    for (int i = 0; i < BATCH; i++) {
      c[i] = p->alloc(sizeof(ffi_closure), &code[i]);
      if (!c[i] || p->prep(c[i], &cif, add1, NULL, code[i]) != FFI_OK) { fprintf(stderr, "%s: alloc/prep failed\n", p->name); exit(1); }
    }
    for (int i = 0; i < BATCH; i++) p->free(c[i]);
  }
  return (now_ns() - t0) / LIFE_OPS;
}

static double calls(const struct peer *p) {
  void *code;
  ffi_closure *c = p->alloc(sizeof *c, &code);
  if (!c || p->prep(c, &cif, add1, NULL, code) != FFI_OK) exit(1);
  int (*volatile f)(int) = (int (*)(int))code;
  int x = 0;
  double t0 = now_ns();
  for (int i = 0; i < CALLS; i++) x = f(x);
  double ns = (now_ns() - t0) / CALLS;
  if (x != CALLS) { fprintf(stderr, "%s: closure computed %d, not %d\n", p->name, x, CALLS); exit(1); }
  p->free(c);
  return ns;
}

static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }
static double median(double *v, int n) { qsort(v, n, sizeof *v, cmp); return v[n / 2]; }

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: ffi-shim-closures <libtrampfd-ffi.so> [rounds]\n"); return 2; }
  int rounds = argc > 2 ? atoi(argv[2]) : 15;
  if (rounds < 1 || rounds > 1000) rounds = 15;
  static ffi_type *args[1] = { &ffi_type_sint };
  if (ffi_prep_cif(&cif, FFI_DEFAULT_ABI, 1, &ffi_type_sint, args) != FFI_OK) return 1;
  void *sys_h = dlopen("libffi.so.8", RTLD_NOW | RTLD_NOLOAD);
  void *shim_h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!sys_h || !shim_h) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 1; }
  struct peer peers[2] = { load("system libffi", sys_h), load("trampfd-ffi", shim_h) };
  int (*status)(void *, const char **) = (int (*)(void *, const char **))dlsym(shim_h, "trampfd_ffi_status");
  char stats[128];
  const char *why = NULL;
  if (!status || !status(stats, &why)) { fprintf(stderr, "the shim is not active: %s\n", why ? why : "?"); return 1; }

  double life[2][1000], call[2][1000];
  for (int p = 0; p < 2; p++) { lifecycle(&peers[p]); calls(&peers[p]); } /* warm up */
  for (int r = 0; r < rounds; r++) {
    for (int k = 0; k < 2; k++) { /* alternate which peer goes first */
      int p = (r + k) % 2;
      life[p][r] = lifecycle(&peers[p]);
      call[p][r] = calls(&peers[p]);
    }
  }
  double l0 = median(life[0], rounds), l1 = median(life[1], rounds);
  double c0 = median(call[0], rounds), c1 = median(call[1], rounds);
  printf("libffi closures, %d interleaved rounds, medians (ns)\n", rounds);
  printf("%-28s %14s %14s %8s\n", "", "system libffi", "trampfd-ffi", "ratio");
  printf("%-28s %14.1f %14.1f %7.2fx\n", "alloc + prep + free", l0, l1, l1 / l0);
  printf("%-28s %14.2f %14.2f %+7.2f ns\n", "call through a closure", c0, c1, c1 - c0);
  return 0;
}
