/* Area: native call stub and closure entry (AArch64). Purpose: drives trampfd_call and
   trampfd_closure_entry (native/arch/aarch64/call.S) through AAPCS64 signatures whose registers and
   stack slots are fixed, from a shared library linked like the addon (BTI- and PAC-guarded); prints
   "ok <what>" per check and exits non-zero with the reason otherwise. A stand-in trampfd_dispatch
   records the frame the closure entry built and writes its return slots. */
#include "frame-layout.h"
#include "../../../native/tramp.h"

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

struct hfa4 { double a, b, c, d; };
struct pair { uint64_t a, b; };
struct big { uint64_t v[5]; };

/* What argument register i, FP register i and stack argument i carry in every scenario. */
#define X(i) (0x1000u + (uint64_t)(i) * 0x111u)
#define D(i) ((double)(i) + 0.25)
#define S(i) (0x50000u + (uint64_t)(i))
static const struct hfa4 HFA = {1.5, -2.75, 1e300, 0.125};

static uint64_t get(const uint8_t *f, int off) { uint64_t v; memcpy(&v, f + off, 8); return v; }
static double getd(const uint8_t *f, int off) { double v; memcpy(&v, f + off, 8); return v; }
static void put(uint8_t *f, int off, uint64_t v) { memcpy(f + off, &v, 8); }
static void putd(uint8_t *f, int off, double v) { memcpy(f + off, &v, 8); }
static void put32(uint8_t *f, int off, uint32_t v) { memcpy(f + off, &v, 4); }

/* ---- callees of trampfd_call: they record what arrived ---------------------------------------- */
static uint64_t seen_x[8], seen_s[2];
static double seen_d[8];
static uint32_t seen_s32;

typedef struct hfa4 many_fn(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
                            double, double, double, double, double, double, double, double,
                            uint64_t, uint64_t, uint32_t);

/* 8 integers in x0..x7, 8 doubles in d0..d7, then 8 + 8 + 4 bytes on the stack; an HFA in d0..d3. */
static struct hfa4 many(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3, uint64_t x4, uint64_t x5, uint64_t x6,
                        uint64_t x7, double d0, double d1, double d2, double d3, double d4, double d5, double d6,
                        double d7, uint64_t s0, uint64_t s1, uint32_t s2) {
  const uint64_t x[8] = {x0, x1, x2, x3, x4, x5, x6, x7};
  const double d[8] = {d0, d1, d2, d3, d4, d5, d6, d7};
  memcpy(seen_x, x, sizeof x);
  memcpy(seen_d, d, sizeof d);
  seen_s[0] = s0;
  seen_s[1] = s1;
  seen_s32 = s2;
  return HFA;
}

static struct pair pair_of(uint64_t a) { return (struct pair){a * 2, a * 3}; }

/* Returned in memory: the caller passes the result's address in x8. */
static struct big big_of(uint64_t a) {
  struct big b;
  for (int i = 0; i < 5; i++) b.v[i] = a + (uint64_t)i;
  return b;
}

static void check_many_seen(const char *what) {
  for (int i = 0; i < 8; i++) CHECK(seen_x[i] == X(i), "%s: x%d = %#llx", what, i, (unsigned long long)seen_x[i]);
  for (int i = 0; i < 8; i++) CHECK(seen_d[i] == D(i), "%s: d%d = %g", what, i, seen_d[i]);
  CHECK(seen_s[0] == S(0) && seen_s[1] == S(1) && seen_s32 == (uint32_t)S(2), "%s: stack arguments %#llx %#llx %#x",
        what, (unsigned long long)seen_s[0], (unsigned long long)seen_s[1], seen_s32);
}

/* A frame for many(): registers, 20 stack bytes (so the copy ends with a 4-byte tail). */
static void many_frame(uint8_t *f, void *fn) {
  memset(f, 0xa5, FRAME_STACK + 64);
  for (int i = 0; i < 8; i++) {
    put(f, FRAME_GPR + 8 * i, X(i));
    putd(f, FRAME_FPR + 8 * i, D(i));
  }
  put(f, FRAME_FN, (uintptr_t)fn);
  put(f, FRAME_STACK, S(0));
  put(f, FRAME_STACK + 8, S(1));
  put32(f, FRAME_STACK + 16, (uint32_t)S(2));
  put32(f, FRAME_STACK_SIZE, 20);
}

static void check_hfa(struct hfa4 r, const char *what) {
  CHECK(r.a == HFA.a && r.b == HFA.b && r.c == HFA.c && r.d == HFA.d, "%s: HFA %g %g %g %g", what, r.a, r.b, r.c, r.d);
}

static void check_ret_hfa(const uint8_t *f, const char *what) {
  check_hfa((struct hfa4){getd(f, FRAME_RET_FPR), getd(f, FRAME_RET_FPR + 8), getd(f, FRAME_RET_FPR + 16),
                          getd(f, FRAME_RET_FPR + 24)}, what);
}

static _Alignas(16) uint8_t frame[FRAME_STACK + 64];

static void scenario_call(void) {
  many_frame(frame, (void *)many);
  trampfd_call(frame);
  check_many_seen("call");
  check_ret_hfa(frame, "call");
  printf("ok call x0..x7 d0..d7 and 20 stack bytes in, d0..d3 out\n");

  memset(frame, 0, sizeof frame);
  put(frame, FRAME_GPR, 7);
  put(frame, FRAME_FN, (uintptr_t)pair_of);
  trampfd_call(frame);
  CHECK(get(frame, FRAME_RET_GPR) == 14 && get(frame, FRAME_RET_GPR + 8) == 21, "call: x0, x1 = %llu %llu",
        (unsigned long long)get(frame, FRAME_RET_GPR), (unsigned long long)get(frame, FRAME_RET_GPR + 8));
  printf("ok call no stack bytes, x0 x1 out\n");

  struct big out = {{0}};
  memset(frame, 0, sizeof frame);
  put(frame, FRAME_GPR, 9);
  put(frame, FRAME_GPR + 64, (uintptr_t)&out); /* slot 8: x8 */
  put(frame, FRAME_FN, (uintptr_t)big_of);
  trampfd_call(frame);
  for (int i = 0; i < 5; i++) CHECK(out.v[i] == 9u + (unsigned)i, "call: result through x8, word %d = %llu", i,
                                    (unsigned long long)out.v[i]);
  printf("ok call x8 result pointer\n");
}

/* ---- the closure entry, with a stand-in for js-callback.c's dispatcher ------------------------ */
static int returning;         /* 0: the HFA, 1: a pair in x0 x1, 2: a big struct through x8 */
static void *got_closure;
static uint8_t got[FRAME_STACK];
static uint64_t got_stack[3];

void trampfd_dispatch(void *closure, uint8_t *f) {
  got_closure = closure;
  memcpy(got, f, FRAME_STACK);
  memcpy(got_stack, (const void *)(uintptr_t)get(f, FRAME_CALLER_SP), sizeof got_stack);
  if (returning == 0) {
    putd(f, FRAME_RET_FPR, HFA.a);
    putd(f, FRAME_RET_FPR + 8, HFA.b);
    putd(f, FRAME_RET_FPR + 16, HFA.c);
    putd(f, FRAME_RET_FPR + 24, HFA.d);
  } else if (returning == 1) {
    put(f, FRAME_RET_GPR, 0x1111);
    put(f, FRAME_RET_GPR + 8, 0x2222);
  } else {
    struct big *b = (struct big *)(uintptr_t)get(f, FRAME_GPR + 64);
    for (int i = 0; i < 5; i++) b->v[i] = 100u + (unsigned)i;
  }
}

static void check_got_many(const char *what, const void *closure) {
  CHECK(got_closure == closure, "%s: closure %p, want %p (x17)", what, got_closure, closure);
  for (int i = 0; i < 8; i++) CHECK(get(got, FRAME_GPR + 8 * i) == X(i), "%s: saved x%d", what, i);
  for (int i = 0; i < 8; i++) CHECK(getd(got, FRAME_FPR + 8 * i) == D(i), "%s: saved d%d", what, i);
  CHECK(got_stack[0] == S(0) && got_stack[1] == S(1) && (uint32_t)got_stack[2] == (uint32_t)S(2),
        "%s: caller's stack arguments %#llx %#llx %#llx", what, (unsigned long long)got_stack[0],
        (unsigned long long)got_stack[1], (unsigned long long)got_stack[2]);
}

static void scenario_closure(void) {
  static int marker;
  tramp_t *t = tramp_alloc();
  CHECK(t, "tramp_alloc: %s", tramp_error());
  tramp_set(t, (void *)trampfd_closure_entry, &marker);
  void *addr = tramp_addr(t);

  returning = 0;
  struct hfa4 r = ((many_fn *)addr)(X(0), X(1), X(2), X(3), X(4), X(5), X(6), X(7), D(0), D(1), D(2), D(3), D(4),
                                    D(5), D(6), D(7), S(0), S(1), (uint32_t)S(2));
  check_got_many("closure", &marker);
  check_hfa(r, "closure");
  printf("ok closure x0..x7 d0..d7 and the caller's stack saved, x17 is the closure, d0..d3 out\n");

  returning = 1;
  struct pair p = ((struct pair (*)(uint64_t))addr)(5);
  CHECK(get(got, FRAME_GPR) == 5, "closure: saved x0");
  CHECK(p.a == 0x1111 && p.b == 0x2222, "closure: x0 x1 = %#llx %#llx", (unsigned long long)p.a, (unsigned long long)p.b);
  printf("ok closure x0 x1 out\n");

  returning = 2;
  struct big b = ((struct big (*)(uint64_t))addr)(6);
  CHECK(get(got, FRAME_GPR) == 6, "closure: saved x0 with a result pointer");
  for (int i = 0; i < 5; i++) CHECK(b.v[i] == 100u + (unsigned)i, "closure: result through x8, word %d", i);
  printf("ok closure x8 result pointer saved\n");

  /* trampfd_call into a trampoline into the closure entry: both stubs, nested. */
  returning = 0;
  many_frame(frame, addr);
  trampfd_call(frame);
  check_got_many("nested", &marker);
  check_ret_hfa(frame, "nested");
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
