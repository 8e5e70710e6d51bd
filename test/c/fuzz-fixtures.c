/* Area: API fuzzer. Purpose: C callees whose results say exactly what C received, so a fuzzed
   JS value that the API accepted can be compared with what the contract says C must get. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#define ECHO(T, name) T fz_echo_##name(T x) { return x; }
ECHO(int8_t, i8)
ECHO(uint8_t, u8)
ECHO(int16_t, i16)
ECHO(uint16_t, u16)
ECHO(int32_t, i32)
ECHO(uint32_t, u32)
ECHO(int64_t, i64)
ECHO(uint64_t, u64)
ECHO(size_t, size)
ECHO(ssize_t, ssize)
ECHO(long, long)
ECHO(bool, bool)
ECHO(float, f32)
ECHO(double, f64)
ECHO(void *, ptr)
ECHO(const char *, str)

enum fz_color { FZ_RED = 1, FZ_GREEN = 2, FZ_BLUE = -7 };
ECHO(enum fz_color, enum)

/* Every scalar also passed on the stack: six integer arguments come first. */
int64_t fz_stack_i64(long a, long b, long c, long d, long e, long f, int64_t x) {
  return (a | b | c | d | e | f) ? -1 : x;
}

struct fz_rec {
  int8_t a;
  uint16_t b;
  int32_t c;
  double d;
  float e;
  int64_t f;
  char s[6];
  void *p;
  struct { int16_t x, y; } in;
  int32_t arr[3];
};
struct fz_rec fz_echo_rec(struct fz_rec r) { return r; }
void fz_copy_rec(const struct fz_rec *from, struct fz_rec *to) { *to = *from; }

struct fz_small { float x; int32_t y; };
struct fz_small fz_echo_small(struct fz_small s) { return s; }

int fz_apply(int (*f)(int), int x) { return f(x); }
double fz_apply_d(double (*f)(double, double), double x) { return f(x, x); }
/* Calls f twice; the JS side checks both results. */
int fz_apply_twice(int (*f)(int), int x) { return f(x) + f(x + 1); }
