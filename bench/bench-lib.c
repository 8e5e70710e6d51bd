/* Callees for bench/calls.mjs: the same tiny functions for every peer (trampfd, koffi, N-API). */
#include <stddef.h>

typedef struct { double x, y; } bench_s16;          /* 16 bytes: xmm0:xmm1 both ways */
typedef struct { double a, b, c, d, e; } bench_s40; /* 40 bytes: on the stack, returned via memory */

void bench_nop(void) {}

int bench_add(int a, int b) { return a + b; }

double bench_f3(double a, int b, double c) { return a * b + c; }

bench_s16 bench_s16_swap(bench_s16 s) {
  bench_s16 r = { s.y, s.x };
  return r;
}

bench_s40 bench_s40_rotate(bench_s40 s) {
  bench_s40 r = { s.e, s.a, s.b, s.c, s.d };
  return r;
}
