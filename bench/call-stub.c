/* The call stub alone: ns per trampfd_call(frame) of int add(int, int), no JS, no N-API.
 * Build and run (any target; the frame layout header is the target's):
 *   gcc -O2 -I native/arch/x86_64 -o /tmp/call-stub bench/call-stub.c native/arch/x86_64/call.S && /tmp/call-stub
 * Prints the best of 7 rounds of 20M calls. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "frame-layout.h"

void trampfd_call(uint8_t *frame);
/* call.S also holds the closure entry, which calls this; the benchmark never enters it. */
void trampfd_dispatch(void *closure, uint8_t *frame) { (void)closure; (void)frame; }

__attribute__((noinline)) int bench_add(int a, int b) { return a + b; }

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(void) {
  enum { N = 20000000 };
  static _Alignas(16) uint8_t f[FRAME_STACK + 64];
  void *fn = (void *)bench_add;
  memcpy(f + FRAME_FN, &fn, sizeof fn);
  int64_t one = 1, sum = 0;
  memcpy(f + FRAME_GPR + FRAME_WORD, &one, sizeof one);
  double best = 1e9;
  for (int r = 0; r < 7; r++) {
    double t = now();
    for (int64_t i = 0; i < N; i++) {
      memcpy(f + FRAME_GPR, &i, sizeof i);
      trampfd_call(f);
      int32_t v;
      memcpy(&v, f + FRAME_RET_GPR, sizeof v);
      sum += v;
    }
    t = (now() - t) / N * 1e9;
    if (t < best) best = t;
  }
  printf("trampfd_call(int add(int, int)): %.2f ns/call (best of 7 x %d; checksum %lld)\n", best, N, (long long)sum);
  return 0;
}
