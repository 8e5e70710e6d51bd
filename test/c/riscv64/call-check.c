/* Area: native call stub and closure entry (RISC-V 64). Purpose: drives trampfd_call and
   trampfd_closure_entry (native/arch/riscv64/call.S) through LP64D signatures whose registers and
   stack slots are fixed; prints "ok <what>" per check and exits non-zero with the reason otherwise.
   The frames hold 32-bit integers and floats with garbage upper halves, as marshallers leave them:
   the callees (GCC code, which relies on sign-extended ints and NaN-boxed floats) see the right
   values only where the AL word names the register. A stand-in trampfd_dispatch records the
   frame the closure entry built and writes its return slots. */
#include "frame-layout.h"
#include "../../../native/tramp.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void trampfd_call(uint8_t *frame);
void trampfd_closure_entry(void);
__attribute__((visibility("hidden"))) void trampfd_dispatch(void *closure, uint8_t *frame);
int call_check(const char *scenario);

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
  fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); exit(1); } } while (0)

struct dpair { double a, b; };
struct pair { uint64_t a, b; };
struct big { uint64_t v[5]; };

/* What argument register i, FP register i and stack argument i carry in every scenario: negative
   ints (their sign must reach bit 63), floats, and words on the stack. */
#define I(i) (-1000 - (int32_t)(i) * 7)
#define F(i) ((float)(i) + 0.5f)
#define S(i) (0x50000u + (uint64_t)(i))
#define GARBAGE 0xa5a5a5a5u
static const struct dpair DP = {1.5, -2.75};

static uint64_t get(const uint8_t *f, int off) { uint64_t v; memcpy(&v, f + off, 8); return v; }
static double getd(const uint8_t *f, int off) { double v; memcpy(&v, f + off, 8); return v; }
static float getf(const uint8_t *f, int off) { float v; memcpy(&v, f + off, 4); return v; }
static void put(uint8_t *f, int off, uint64_t v) { memcpy(f + off, &v, 8); }
static void putd(uint8_t *f, int off, double v) { memcpy(f + off, &v, 8); }
static void put32(uint8_t *f, int off, uint32_t v) { memcpy(f + off, &v, 4); }
static void putf(uint8_t *f, int off, float v) { memcpy(f + off, &v, 4); }

/* ---- callees of trampfd_call: they record what arrived ---------------------------------------- */
static int64_t seen_i[8];
static double seen_f[8];
static uint64_t seen_s[3];

typedef struct dpair many_fn(int32_t, int32_t, int32_t, int32_t, uint32_t, uint32_t, uint32_t, uint32_t,
                             float, float, float, float, float, float, float, float, uint64_t, uint64_t, uint64_t);

/* 8 ints in a0..a7 (the widening to 64 bits is a no-op to GCC), 8 floats in fa0..fa7 (converted:
   an unboxed one reads as NaN), 3 words on the stack; two doubles back in fa0, fa1. */
__attribute__((noinline)) static struct dpair many(int32_t a0, int32_t a1, int32_t a2, int32_t a3, uint32_t a4,
    uint32_t a5, uint32_t a6, uint32_t a7, float f0, float f1, float f2, float f3, float f4, float f5, float f6,
    float f7, uint64_t s0, uint64_t s1, uint64_t s2) {
  const int64_t i[8] = {a0, a1, a2, a3, (int32_t)a4, (int32_t)a5, (int32_t)a6, (int32_t)a7};
  const double f[8] = {f0, f1, f2, f3, f4, f5, f6, f7};
  memcpy(seen_i, i, sizeof i);
  memcpy(seen_f, f, sizeof f);
  seen_s[0] = s0;
  seen_s[1] = s1;
  seen_s[2] = s2;
  return DP;
}

/* What a register of `many` held, as GCC sees it: a 64-bit register for an int. */
__attribute__((noinline)) static int64_t reg_of_int(int32_t x) { int64_t r; __asm__("mv %0, %1" : "=r"(r) : "r"(x)); return r; }
static int64_t reg0;
__attribute__((noinline)) static void raw_int(int32_t x) { reg0 = reg_of_int(x); }

static struct pair pair_of(uint64_t a) { return (struct pair){a * 2, a * 3}; }

/* Returned in memory: the caller passes the result's address in a0, before the arguments. */
static struct big big_of(uint64_t a) {
  struct big b;
  for (int i = 0; i < 5; i++) b.v[i] = a + (uint64_t)i;
  return b;
}

static _Alignas(16) uint8_t frame[FRAME_STACK + 64];

/* A frame for many(): 4-byte values over garbage, widened as `mask` says; 24 stack bytes. */
static void many_frame(uint8_t *f, void *fn, uint32_t mask) {
  memset(f, 0xa5, FRAME_STACK + 64);
  for (int i = 0; i < 8; i++) {
    put32(f, FRAME_GPR + 8 * i, (uint32_t)I(i));
    putf(f, FRAME_FPR + 8 * i, F(i));
  }
  put(f, FRAME_FN, (uintptr_t)fn);
  for (int i = 0; i < 3; i++) put(f, FRAME_STACK + 8 * i, S(i));
  put32(f, FRAME_STACK_SIZE, 32);
  put32(f, FRAME_AL, mask);
}

static void check_many_seen(const char *what) {
  for (int i = 0; i < 8; i++) CHECK(seen_i[i] == I(i), "%s: a%d = %lld", what, i, (long long)seen_i[i]);
  for (int i = 0; i < 8; i++) CHECK(seen_f[i] == F(i), "%s: fa%d = %g", what, i, seen_f[i]);
  for (int i = 0; i < 3; i++) CHECK(seen_s[i] == S(i), "%s: stack argument %d = %#llx", what, i, (unsigned long long)seen_s[i]);
}

static void scenario_call(void) {
  many_frame(frame, (void *)many, 0xffff);
  trampfd_call(frame);
  check_many_seen("call");
  CHECK(getd(frame, FRAME_RET_FPR) == DP.a && getd(frame, FRAME_RET_FPR + 8) == DP.b, "call: fa0 fa1 = %g %g",
        getd(frame, FRAME_RET_FPR), getd(frame, FRAME_RET_FPR + 8));
  printf("ok call a0..a7 sign-extended, fa0..fa7 NaN-boxed and 24 stack bytes in, fa0 fa1 out\n");

  /* Without the AL bits the stub leaves the slots as they are: GCC's callee sees garbage. */
  many_frame(frame, (void *)many, 0);
  trampfd_call(frame);
  for (int i = 0; i < 8; i++) CHECK(isnan(seen_f[i]), "call unwidened: fa%d = %g, not NaN", i, seen_f[i]);
  many_frame(frame, (void *)raw_int, 0);
  trampfd_call(frame);
  CHECK((uint64_t)reg0 >> 32 == GARBAGE, "call unwidened: a0 = %#llx", (unsigned long long)reg0);
  many_frame(frame, (void *)raw_int, 1);
  trampfd_call(frame);
  CHECK(reg0 == I(0), "call widened: a0 = %#llx", (unsigned long long)reg0);
  printf("ok call the AL bits alone decide the widening\n");

  memset(frame, 0, sizeof frame);
  put(frame, FRAME_GPR, 7);
  put(frame, FRAME_FN, (uintptr_t)pair_of);
  trampfd_call(frame);
  CHECK(get(frame, FRAME_RET_GPR) == 14 && get(frame, FRAME_RET_GPR + 8) == 21, "call: a0, a1 = %llu %llu",
        (unsigned long long)get(frame, FRAME_RET_GPR), (unsigned long long)get(frame, FRAME_RET_GPR + 8));
  printf("ok call no stack bytes, a0 a1 out\n");

  struct big out = {{0}};
  memset(frame, 0, sizeof frame);
  put(frame, FRAME_GPR, (uintptr_t)&out); /* a0: the result pointer, before the arguments */
  put(frame, FRAME_GPR + 8, 9);
  put(frame, FRAME_FN, (uintptr_t)big_of);
  trampfd_call(frame);
  for (int i = 0; i < 5; i++) CHECK(out.v[i] == 9u + (unsigned)i, "call: result through a0, word %d = %llu", i,
                                    (unsigned long long)out.v[i]);
  printf("ok call a0 result pointer\n");
}

/* ---- the closure entry, with a stand-in for js-callback.c's dispatcher ------------------------ */
static int returning;         /* 0: two doubles in fa0 fa1, 1: a pair in a0 a1, 2: a big struct through a0 */
static void *got_closure;
static uint8_t got[FRAME_STACK];
static uint64_t got_stack[3];

void trampfd_dispatch(void *closure, uint8_t *f) {
  got_closure = closure;
  memcpy(got, f, FRAME_STACK);
  memcpy(got_stack, (const void *)(uintptr_t)get(f, FRAME_CALLER_SP), sizeof got_stack);
  if (returning == 0) {
    putd(f, FRAME_RET_FPR, DP.a);
    putd(f, FRAME_RET_FPR + 8, DP.b);
  } else if (returning == 1) {
    put(f, FRAME_RET_GPR, 0x1111);
    put(f, FRAME_RET_GPR + 8, 0x2222);
  } else {
    struct big *b = (struct big *)(uintptr_t)get(f, FRAME_GPR);
    for (int i = 0; i < 5; i++) b->v[i] = 100u + (unsigned)i;
  }
}

static void check_got_many(const char *what, const void *closure) {
  CHECK(got_closure == closure, "%s: closure %p, want %p (t2)", what, got_closure, closure);
  for (int i = 0; i < 8; i++) CHECK((int32_t)get(got, FRAME_GPR + 8 * i) == I(i), "%s: saved a%d", what, i);
  for (int i = 0; i < 8; i++) CHECK(getf(got, FRAME_FPR + 8 * i) == F(i), "%s: saved fa%d", what, i);
  for (int i = 0; i < 3; i++) CHECK(got_stack[i] == S(i), "%s: caller's stack argument %d = %#llx", what, i,
                                    (unsigned long long)got_stack[i]);
}

static void scenario_closure(void) {
  static int marker;
  tramp_t *t = tramp_alloc();
  CHECK(t, "tramp_alloc: %s", tramp_error());
  tramp_set(t, (void *)trampfd_closure_entry, &marker);
  void *addr = tramp_addr(t);

  returning = 0;
  struct dpair r = ((many_fn *)addr)(I(0), I(1), I(2), I(3), (uint32_t)I(4), (uint32_t)I(5), (uint32_t)I(6),
                                     (uint32_t)I(7), F(0), F(1), F(2), F(3), F(4), F(5), F(6), F(7), S(0), S(1), S(2));
  check_got_many("closure", &marker);
  CHECK(r.a == DP.a && r.b == DP.b, "closure: fa0 fa1 = %g %g", r.a, r.b);
  printf("ok closure a0..a7 fa0..fa7 and the caller's stack saved, t2 is the closure, fa0 fa1 out\n");

  returning = 1;
  struct pair p = ((struct pair (*)(uint64_t))addr)(5);
  CHECK(get(got, FRAME_GPR) == 5, "closure: saved a0");
  CHECK(p.a == 0x1111 && p.b == 0x2222, "closure: a0 a1 = %#llx %#llx", (unsigned long long)p.a, (unsigned long long)p.b);
  printf("ok closure a0 a1 out\n");

  returning = 2;
  struct big b = ((struct big (*)(uint64_t))addr)(6);
  CHECK(get(got, FRAME_GPR + 8) == 6, "closure: saved a1 after the result pointer");
  for (int i = 0; i < 5; i++) CHECK(b.v[i] == 100u + (unsigned)i, "closure: result through a0, word %d", i);
  printf("ok closure a0 result pointer saved\n");

  /* trampfd_call into a trampoline into the closure entry: both stubs, nested. */
  returning = 0;
  many_frame(frame, addr, 0xffff);
  trampfd_call(frame);
  check_got_many("nested", &marker);
  CHECK(getd(frame, FRAME_RET_FPR) == DP.a && getd(frame, FRAME_RET_FPR + 8) == DP.b, "nested: fa0 fa1");
  printf("ok nested trampfd_call -> trampoline -> closure entry\n");
  tramp_free(t);
}

int call_check(const char *scenario) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (strcmp(scenario, "call") == 0) scenario_call();
  else if (strcmp(scenario, "closure") == 0) scenario_closure();
  else CHECK(0, "unknown scenario %s", scenario);
  return 0;
}
