/* Benchmark: one trampoline's alloc + set + free, trampfd against libffi's closure API,
   in the same process run. Prints ns/op for each and the ratio. */
#define _GNU_SOURCE
#include "../native/tramp.h"

#include <ffi.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void handler(ffi_cif *cif, void *ret, void **args, void *data) {
  (void)cif; (void)args; (void)data;
  *(ffi_arg *)ret = 0;
}
static int target(void) { return 0; }

#define BATCH 64 /* live at once, as a program holding a few callbacks would */

static double run_trampfd(long rounds) {
  tramp_t *t[BATCH];
  double t0 = now_ns();
  for (long r = 0; r < rounds; r++) {
    for (int i = 0; i < BATCH; i++) {
      t[i] = tramp_alloc();
      tramp_set(t[i], (void *)target, (void *)(long)i);
    }
    for (int i = 0; i < BATCH; i++) tramp_free(t[i]);
  }
  return (now_ns() - t0) / ((double)rounds * BATCH);
}

static double run_libffi(long rounds) {
  ffi_cif cif;
  ffi_prep_cif(&cif, FFI_DEFAULT_ABI, 0, &ffi_type_sint, NULL);
  ffi_closure *c[BATCH];
  void *code[BATCH];
  double t0 = now_ns();
  for (long r = 0; r < rounds; r++) {
    for (int i = 0; i < BATCH; i++) {
      c[i] = ffi_closure_alloc(sizeof(ffi_closure), &code[i]);
      if (!c[i] || ffi_prep_closure_loc(c[i], &cif, handler, NULL, code[i]) != FFI_OK) abort();
    }
    for (int i = 0; i < BATCH; i++) ffi_closure_free(c[i]);
  }
  return (now_ns() - t0) / ((double)rounds * BATCH);
}

int main(int argc, char **argv) {
  long rounds = argc > 1 ? atol(argv[1]) : 20000;
  double best_t = 1e30, best_f = 1e30;
  /* Interleaved repetitions; the best of each damps noise from the other core. */
  for (int rep = 0; rep < 5; rep++) {
    double a = run_trampfd(rounds), b = run_libffi(rounds);
    if (a < best_t) best_t = a;
    if (b < best_f) best_f = b;
  }
  printf("alloc+set+free  trampfd %.1f ns  libffi %.1f ns  ratio %.3f\n", best_t, best_f, best_t / best_f);
  return 0;
}
