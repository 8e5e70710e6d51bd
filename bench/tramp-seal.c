/* Benchmark: the cost of tramp_set with sealed data pages (argv[1] "on") or plain ones ("off"),
   and of alloc + set + free. Sealing is fixed per process, so run.mjs runs this twice. */
#define _GNU_SOURCE
#include "../native/tramp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}
static int target(void) { return 0; }

int main(int argc, char **argv) {
  int on = argc > 1 && strcmp(argv[1], "on") == 0;
  long rounds = argc > 2 ? atol(argv[2]) : 200000;
  if (tramp_set_sealed(on) != 0) return 1;
  tramp_t *t = tramp_alloc();
  if (!t) return 1;
  double best_set = 1e30, best_cycle = 1e30;
  for (int rep = 0; rep < 5; rep++) {
    double t0 = now_ns();
    for (long r = 0; r < rounds; r++) tramp_set(t, (void *)target, (void *)r);
    double set = (now_ns() - t0) / (double)rounds;
    t0 = now_ns();
    for (long r = 0; r < rounds / 4; r++) {
      tramp_t *u = tramp_alloc();
      tramp_set(u, (void *)target, (void *)r);
      tramp_free(u);
    }
    double cycle = (now_ns() - t0) / (double)(rounds / 4);
    if (set < best_set) best_set = set;
    if (cycle < best_cycle) best_cycle = cycle;
  }
  printf("%s set %.1f ns  alloc+set+free %.1f ns\n", on ? "sealed" : "plain", best_set, best_cycle);
  return 0;
}
