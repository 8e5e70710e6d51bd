/* Area: native call stub and closure entry (i386). Purpose: drives trampfd_call and
   trampfd_closure_entry (native/arch/i386/call.S) with hand-built frames and exact callers
   (raw-call.S): eax, edx, ecx and the stack bytes arrive exactly, esp is 16-byte aligned at each
   call, float and double results cross through st(0) both ways as the AL byte says, callee-pop
   conventions (stdcall, fastcall, a hidden result pointer) leave the caller's esp right,
   ebx/esi/edi/ebp survive, and the x87 stack is empty after every call. Prints "ok <what>" per
   check and exits non-zero with the reason otherwise. A stand-in trampfd_dispatch records the
   frame the closure entry built and finishes it with the real callback_finish (arch.c). */
#include "frame-layout.h"
#include "raw-call.h"
#include "../../../native/callback-arch.h"
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

/* Distinct words for register and stack argument i. */
#define W(i) (0xc0de0000u + 0x1111u * (uint32_t)(i))
#define GARBAGE 0xa5a5a5a5u
/* The closure entry's result bits (callback-arch.h): the x87 kind, then the bytes popped / 4. */
#define BITS(x87, pop) ((uint32_t)(x87) | (uint32_t)(pop) / 4 << 2)

static uint32_t get(const uint8_t *f, int off) { uint32_t v; memcpy(&v, f + off, 4); return v; }
static void put(uint8_t *f, int off, uint32_t v) { memcpy(f + off, &v, 4); }
static void putd(uint8_t *f, int off, double v) { memcpy(f + off, &v, 8); }
static void putf(uint8_t *f, int off, float v) { memcpy(f + off, &v, 4); }
static double getd(const uint8_t *f, int off) { double v; memcpy(&v, f + off, 8); return v; }
static float getf(const uint8_t *f, int off) { float v; memcpy(&v, f + off, 4); return v; }

/* esp at the call that entered the calling function: its first stack argument (GCC gives a
   function that asks for its frame address a frame pointer: ebp + 4 is the return address). */
#define CALLER_SP() ((const uint8_t *)__builtin_frame_address(0) + 8)

/* The x87 registers in use (tag word), and the stack-fault and invalid bits of the status word:
   a pop of an empty register or a ninth push sets them. */
struct x87 { unsigned used, faults; };
__attribute__((noinline)) static struct x87 x87_state(void) {
  uint16_t env[14];
  __asm__ volatile("fnstenv %0\n\tfldenv %0" : "=m"(env));
  struct x87 s = {0, env[2] & 0x41u};
  for (int i = 0; i < 8; i++) s.used += ((env[4] >> (2 * i)) & 3) != 3;
  return s;
}
static void x87_empty(const char *what) {
  struct x87 s = x87_state();
  CHECK(s.used == 0 && s.faults == 0, "%s: x87 stack holds %u registers, status faults %#x", what, s.used, s.faults);
}

static _Alignas(16) uint8_t frame[FRAME_STACK + 128];

static void new_frame(void *fn, uint32_t stack_words, uint32_t x87) {
  memset(frame, 0xa5, sizeof frame);
  put(frame, FRAME_FN, (uint32_t)(uintptr_t)fn);
  put(frame, FRAME_STACK_SIZE, 4 * stack_words);
  put(frame, FRAME_AL, x87);
}

/* Calls trampfd_call(frame) from raw_call: callee-saved registers kept, nothing popped. */
static void call_frame(const char *what) {
  struct raw r = {.fn = (void *)trampfd_call, .nargs = 1, .args = {(uint32_t)(uintptr_t)frame}};
  raw_call(&r);
  CHECK(r.clobbered == 0, "%s: trampfd_call changed callee-saved registers (mask %#x: 1 ebx, 2 esi, 4 edi)", what,
        r.clobbered);
  CHECK(r.popped == 0, "%s: trampfd_call returned with esp moved by %d", what, (int)r.popped);
}

/* ---- callees of trampfd_call: they record what arrived ---------------------------------------- */
static uint32_t seen_reg[3];
static uint8_t seen_stack[64];
static uintptr_t seen_sp;

static void record_stack(const uint8_t *sp, size_t n) {
  seen_sp = (uintptr_t)sp;
  memcpy(seen_stack, sp, n);
}

/* regparm(3): a, b, c in eax, edx, ecx; d, e on the stack. A 64-bit result in edx:eax. */
__attribute__((noinline, regparm(3))) static uint64_t rp3(uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e) {
  seen_reg[0] = a;
  seen_reg[1] = b;
  seen_reg[2] = c;
  record_stack(CALLER_SP(), 8);
  return (uint64_t)W(40) << 32 | (d ^ e);
}

/* cdecl with a double and a float at 4-byte-aligned stack offsets; 32 bytes. A double in st(0). */
__attribute__((noinline)) static double mixed(uint32_t a, double x, uint32_t b, float y, uint32_t c, uint32_t d,
                                              uint32_t e) {
  record_stack(CALLER_SP(), 32);
  return x * 2 + y + (a == W(0) && b == W(3) && c == W(5) && d == W(6) && e == W(7) ? 0 : 1000);
}

/* cdecl, nine words: 36 bytes, not a multiple of 16. */
__attribute__((noinline)) static uint32_t nine(uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e, uint32_t f,
                                               uint32_t g, uint32_t h, uint32_t i) {
  record_stack(CALLER_SP(), 36);
  return a + b + c + d + e + f + g + h + i;
}

__attribute__((noinline)) static float halve(float x) { return x / 2; }
__attribute__((noinline)) static double twice(double x) { return x * 2; }

/* stdcall: pops its 12 bytes itself. */
__attribute__((noinline, stdcall)) static uint32_t std3(uint32_t a, uint32_t b, uint32_t c) {
  record_stack(CALLER_SP(), 12);
  return a * 3 + b * 5 + c * 7;
}

/* fastcall: a in ecx, b in edx, c and d on the stack; pops those 8 bytes. */
__attribute__((noinline, fastcall)) static uint32_t fast4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  seen_reg[2] = a;
  seen_reg[1] = b;
  record_stack(CALLER_SP(), 8);
  return a ^ (b << 1) ^ (c << 2) ^ (d << 3);
}

/* Returned in memory: the caller passes the result's address as the first stack argument, the
   callee pops it and returns it in eax. */
struct big { uint32_t v[5]; };
__attribute__((noinline)) static struct big big_of(uint32_t a) {
  struct big b;
  for (int i = 0; i < 5; i++) b.v[i] = a + (uint32_t)i;
  return b;
}

static void check_stack(const char *what, const uint8_t *want, size_t n) {
  CHECK(seen_sp % 16 == 0, "%s: esp %#lx at the call is not 16-byte aligned", what, (unsigned long)seen_sp);
  for (size_t i = 0; i < n; i++)
    CHECK(seen_stack[i] == want[i], "%s: stack byte %zu is %#x, want %#x", what, i, seen_stack[i], want[i]);
}

static void scenario_call(void) {
  x87_empty("start");
  new_frame((void *)rp3, 2, 0);
  for (int i = 0; i < 3; i++) put(frame, FRAME_GPR + 4 * i, W(i));
  put(frame, FRAME_STACK, W(3));
  put(frame, FRAME_STACK + 4, W(4));
  call_frame("regparm(3)");
  for (int i = 0; i < 3; i++) CHECK(seen_reg[i] == W(i), "regparm(3): register %d = %#x", i, seen_reg[i]);
  check_stack("regparm(3)", frame + FRAME_STACK, 8);
  CHECK(get(frame, FRAME_RET_GPR) == (W(3) ^ W(4)) && get(frame, FRAME_RET_GPR + 4) == W(40), "regparm(3): eax edx = %#x %#x",
        get(frame, FRAME_RET_GPR), get(frame, FRAME_RET_GPR + 4));
  x87_empty("regparm(3)");
  printf("ok call eax edx ecx and 8 stack bytes in, edx:eax out, esp aligned, ebx esi edi kept\n");

  new_frame((void *)mixed, 8, 2);
  put(frame, FRAME_STACK, W(0));
  putd(frame, FRAME_STACK + 4, 1.25);
  put(frame, FRAME_STACK + 12, W(3));
  putf(frame, FRAME_STACK + 16, 0.5f);
  for (int i = 5; i < 8; i++) put(frame, FRAME_STACK + 4 * i, W(i));
  call_frame("mixed");
  check_stack("mixed", frame + FRAME_STACK, 32);
  CHECK(getd(frame, FRAME_RET_FPR) == 3.0, "mixed: st(0) = %g, want 3", getd(frame, FRAME_RET_FPR));
  x87_empty("mixed");
  new_frame((void *)nine, 9, 0);
  uint32_t sum = 0;
  for (int i = 0; i < 9; i++) put(frame, FRAME_STACK + 4 * i, W(i)), sum += W(i);
  call_frame("nine");
  check_stack("nine", frame + FRAME_STACK, 36);
  CHECK(get(frame, FRAME_RET_GPR) == sum, "nine: eax = %#x, want %#x", get(frame, FRAME_RET_GPR), sum);
  printf("ok call a double and a float at 4-byte stack offsets, 32 and 36 stack bytes exact, a double out\n");

  for (int k = 0; k < 10; k++) { /* more than the 8 x87 registers: each result must be popped */
    new_frame((void *)halve, 1, 1);
    putf(frame, FRAME_STACK, (float)k);
    call_frame("halve");
    CHECK(getf(frame, FRAME_RET_FPR) == (float)k / 2, "halve %d: st(0) = %g", k, getf(frame, FRAME_RET_FPR));
  }
  x87_empty("10 float calls");
  new_frame((void *)twice, 2, 2);
  putd(frame, FRAME_STACK, -3.5);
  call_frame("twice");
  CHECK(getd(frame, FRAME_RET_FPR) == -7.0, "twice: st(0) = %g", getd(frame, FRAME_RET_FPR));
  x87_empty("twice");
  /* The AL byte alone decides: with 0 the result stays on the x87 stack (popped here by hand). */
  new_frame((void *)twice, 2, 0);
  putd(frame, FRAME_STACK, 1.0);
  put(frame, FRAME_RET_FPR, 0);
  put(frame, FRAME_RET_FPR + 4, 0);
  trampfd_call(frame);
  struct x87 s = x87_state();
  __asm__ volatile("fstp %%st(0)" ::: "st");
  CHECK(s.used == 1 && getd(frame, FRAME_RET_FPR) == 0.0, "AL 0: x87 holds %u, RET_FPR %g", s.used,
        getd(frame, FRAME_RET_FPR));
  x87_empty("AL 0");
  printf("ok call float and double results popped from st(0) as the AL byte says, 10 in a row, x87 empty\n");

  new_frame((void *)std3, 3, 0);
  for (int i = 0; i < 3; i++) put(frame, FRAME_STACK + 4 * i, W(i));
  call_frame("stdcall");
  check_stack("stdcall", frame + FRAME_STACK, 12);
  CHECK(get(frame, FRAME_RET_GPR) == W(0) * 3 + W(1) * 5 + W(2) * 7, "stdcall: eax = %#x", get(frame, FRAME_RET_GPR));
  new_frame((void *)fast4, 2, 0);
  put(frame, FRAME_GPR + 4, W(1)); /* edx */
  put(frame, FRAME_GPR + 8, W(0)); /* ecx */
  put(frame, FRAME_STACK, W(2));
  put(frame, FRAME_STACK + 4, W(3));
  call_frame("fastcall");
  CHECK(seen_reg[2] == W(0) && seen_reg[1] == W(1), "fastcall: ecx edx = %#x %#x", seen_reg[2], seen_reg[1]);
  check_stack("fastcall", frame + FRAME_STACK, 8);
  CHECK(get(frame, FRAME_RET_GPR) == (W(0) ^ W(1) << 1 ^ W(2) << 2 ^ W(3) << 3), "fastcall: eax = %#x", get(frame, FRAME_RET_GPR));
  struct big out = {{0}};
  new_frame((void *)big_of, 2, 0);
  put(frame, FRAME_STACK, (uint32_t)(uintptr_t)&out);
  put(frame, FRAME_STACK + 4, 9);
  call_frame("result pointer");
  for (int i = 0; i < 5; i++) CHECK(out.v[i] == 9u + (unsigned)i, "result pointer: word %d = %u", i, out.v[i]);
  CHECK(get(frame, FRAME_RET_GPR) == (uint32_t)(uintptr_t)&out, "result pointer: eax = %#x", get(frame, FRAME_RET_GPR));
  printf("ok call stdcall, fastcall and a hidden result pointer pop their bytes: the caller's esp is restored\n");
}

/* ---- the closure entry, with a stand-in for js-callback.c's dispatcher ------------------------ */
static struct {
  uint32_t stack_bytes;       /* of the caller's stack arguments to record */
  uint32_t bits;              /* the closure's result bits */
  int ret;                    /* 0: eax edx, 1: float, 2: double, 3: a struct through the stack's first word */
} mode;
static void *got_closure;
static uint8_t got[FRAME_STACK], got_stack[64];
static uintptr_t got_sp, got_frame;
static struct x87 got_x87;

void trampfd_dispatch(void *closure, uint8_t *f) {
  got_closure = closure;
  got_sp = (uintptr_t)CALLER_SP();
  got_frame = (uintptr_t)f;
  got_x87 = x87_state();
  memcpy(got, f, FRAME_STACK);
  const uint8_t *caller;
  memcpy(&caller, f + FRAME_CALLER_SP, sizeof caller);
  memcpy(got_stack, caller, mode.stack_bytes);
  switch (mode.ret) {
    case 0: put(f, FRAME_RET_GPR, W(50)); put(f, FRAME_RET_GPR + 4, W(51)); break;
    case 1: putf(f, FRAME_RET_FPR, 2.5f); break;
    case 2: putd(f, FRAME_RET_FPR, -0.125); break;
    default: {
      struct big *b;
      memcpy(&b, caller, sizeof b);
      for (int i = 0; i < 5; i++) b->v[i] = 100u + (unsigned)i;
      put(f, FRAME_RET_GPR, (uint32_t)(uintptr_t)b); /* as js-callback.c does with ret_slot */
    }
  }
  if (mode.bits) callback_finish(mode.bits, f);
}

static void check_entered(const char *what, const void *closure, const struct raw *r) {
  CHECK(got_closure == closure, "%s: closure %p, want %p", what, got_closure, closure);
  CHECK(got_sp % 16 == 0 && got_frame % 16 == 0, "%s: esp %#lx at the dispatch call, frame %#lx: not 16-byte aligned",
        what, (unsigned long)got_sp, (unsigned long)got_frame);
  CHECK(got_x87.used == 0, "%s: x87 stack not empty at the dispatch", what);
  CHECK(get(got, FRAME_AL) == 0 && get(got, FRAME_STACK_SIZE) == 0, "%s: AL %#x, STACK_SIZE %#x before C set them", what,
        get(got, FRAME_AL), get(got, FRAME_STACK_SIZE));
  if (r) {
    CHECK(get(got, FRAME_CALLER_SP) == r->call_esp, "%s: caller sp %#x, want %#x", what, get(got, FRAME_CALLER_SP),
          r->call_esp);
    CHECK(memcmp(got_stack, r->args, mode.stack_bytes) == 0, "%s: the caller's stack arguments differ", what);
    CHECK(r->clobbered == 0, "%s: callee-saved registers changed (mask %#x)", what, r->clobbered);
  }
}

static void scenario_closure(void) {
  static int marker;
  tramp_t *t = tramp_alloc();
  CHECK(t, "tramp_alloc: %s", tramp_error());
  tramp_set(t, (void *)trampfd_closure_entry, &marker);
  void *addr = tramp_addr(t);
  x87_empty("start");

  /* A regparm(3) caller: eax, edx, ecx and two stack words; edx:eax back; nothing popped. */
  mode.stack_bytes = 8, mode.bits = 0, mode.ret = 0;
  struct raw r = {.fn = addr, .nargs = 2, .in = {W(0), W(1), W(2)}, .args = {W(3), W(4)}};
  raw_call(&r);
  check_entered("regparm(3)", &marker, &r);
  for (int i = 0; i < 3; i++) CHECK(get(got, FRAME_GPR + 4 * i) == W(i), "regparm(3): saved register %d = %#x", i,
                                    get(got, FRAME_GPR + 4 * i));
  CHECK(r.out[0] == W(50) && r.out[1] == W(51), "regparm(3): eax edx = %#x %#x", r.out[0], r.out[1]);
  CHECK(r.popped == 0, "cdecl: the closure entry popped %d bytes", (int)r.popped);
  x87_empty("regparm(3)");
  printf("ok closure eax edx ecx and the caller's stack saved, the closure delivered, esp aligned, edx:eax out\n");

  /* stdcall (12 bytes), fastcall (ecx, edx, 8 bytes): the entry pops what the bits say. */
  mode.stack_bytes = 12, mode.bits = BITS(0, 12);
  r = (struct raw){.fn = addr, .nargs = 3, .in = {GARBAGE, GARBAGE, GARBAGE}, .args = {W(5), W(6), W(7)}};
  raw_call(&r);
  check_entered("stdcall", &marker, &r);
  CHECK(r.popped == 12 && r.out[0] == W(50), "stdcall: popped %d, eax %#x", (int)r.popped, r.out[0]);
  mode.stack_bytes = 8, mode.bits = BITS(0, 8);
  r = (struct raw){.fn = addr, .nargs = 2, .in = {GARBAGE, W(1), W(0)}, .args = {W(2), W(3)}};
  raw_call(&r);
  check_entered("fastcall", &marker, &r);
  CHECK(get(got, FRAME_GPR + 8) == W(0) && get(got, FRAME_GPR + 4) == W(1), "fastcall: saved ecx edx");
  CHECK(r.popped == 8, "fastcall: popped %d", (int)r.popped);
  /* The same through GCC's own callers, many times: a wrong pop would leave its esp off. */
  uint32_t acc = 0;
  for (uint32_t i = 0; i < 100; i++) {
    mode.stack_bytes = 12, mode.bits = BITS(0, 12);
    acc += ((__attribute__((stdcall)) uint32_t (*)(uint32_t, uint32_t, uint32_t))addr)(i, i + 1, i + 2);
    CHECK(get(got_stack, 4) == i + 1, "GCC stdcall caller %u: second argument %u", i, get(got_stack, 4));
    mode.stack_bytes = 8, mode.bits = BITS(0, 8);
    acc += ((__attribute__((fastcall)) uint32_t (*)(uint32_t, uint32_t, uint32_t, uint32_t))addr)(i, 7, i, i + 3);
    CHECK(get(got, FRAME_GPR + 8) == i && get(got_stack, 4) == i + 3, "GCC fastcall caller %u", i);
  }
  CHECK(acc == 200 * W(50), "GCC callers: results summed to %#x", acc);
  printf("ok closure stdcall and fastcall callbacks pop their stack bytes (raw and GCC callers), ebx esi edi kept\n");

  /* Results through st(0): the entry loads what the bits say, once. */
  mode.stack_bytes = 0, mode.bits = BITS(1, 0), mode.ret = 1;
  r = (struct raw){.fn = addr, .x87 = 1};
  raw_call(&r);
  check_entered("float", &marker, &r);
  CHECK(getf(r.st0, 0) == 2.5f, "float: st(0) = %g", getf(r.st0, 0));
  x87_empty("float");
  mode.stack_bytes = 8, mode.bits = BITS(2, 8), mode.ret = 2;
  r = (struct raw){.fn = addr, .nargs = 2, .x87 = 2, .args = {W(8), W(9)}};
  raw_call(&r);
  check_entered("double, stdcall", &marker, &r);
  CHECK(getd(r.st0, 0) == -0.125 && r.popped == 8, "double, stdcall: st(0) = %g, popped %d", getd(r.st0, 0), (int)r.popped);
  x87_empty("double");
  mode.stack_bytes = 4, mode.bits = BITS(1, 0), mode.ret = 1;
  float fsum = 0;
  for (int k = 0; k < 10; k++) fsum += ((float (*)(float))addr)((float)k); /* more than 8 x87 registers */
  CHECK(fsum == 25.0f, "10 float callbacks: sum %g, want 25", fsum);
  x87_empty("10 float callbacks");
  mode.bits = 0, mode.ret = 0;
  ((void (*)(float))addr)(1.0f);
  x87_empty("no x87 result");
  printf("ok closure float and double results pushed on st(0) as the bits say, 10 in a row, x87 empty after\n");

  /* A struct returned in memory: the pointer is the first stack word, popped by the callee and
     returned in eax. */
  struct big out = {{0}};
  mode.stack_bytes = 8, mode.bits = BITS(0, 4), mode.ret = 3;
  r = (struct raw){.fn = addr, .nargs = 2, .args = {(uint32_t)(uintptr_t)&out, 6}};
  raw_call(&r);
  check_entered("result pointer", &marker, &r);
  CHECK(r.popped == 4 && r.out[0] == (uint32_t)(uintptr_t)&out, "result pointer: popped %d, eax %#x", (int)r.popped, r.out[0]);
  for (int i = 0; i < 5; i++) CHECK(out.v[i] == 100u + (unsigned)i, "result pointer: word %d", i);
  struct big b = ((struct big (*)(uint32_t))addr)(6);
  for (int i = 0; i < 5; i++) CHECK(b.v[i] == 100u + (unsigned)i, "GCC caller, result pointer: word %d", i);
  printf("ok closure a hidden result pointer: filled, popped, returned in eax\n");

  /* trampfd_call into a trampoline into the closure entry: both stubs, a stdcall double. */
  mode.stack_bytes = 12, mode.bits = BITS(2, 12), mode.ret = 2;
  new_frame(addr, 3, 2);
  for (int i = 0; i < 3; i++) put(frame, FRAME_GPR + 4 * i, W(20 + i)), put(frame, FRAME_STACK + 4 * i, W(30 + i));
  call_frame("nested");
  check_entered("nested", &marker, NULL);
  for (int i = 0; i < 3; i++) CHECK(get(got, FRAME_GPR + 4 * i) == W(20 + i) && get(got_stack, 4 * i) == W(30 + i),
                                    "nested: word %d", i);
  CHECK(getd(frame, FRAME_RET_FPR) == -0.125, "nested: st(0) = %g", getd(frame, FRAME_RET_FPR));
  x87_empty("nested");
  printf("ok nested trampfd_call -> trampoline -> closure entry (stdcall, a double through st(0))\n");
  tramp_free(t);
}

/* The result bits the closure entry takes: x87 kinds 0-2, at most the stack bytes popped. */
static void scenario_bits(void) {
  CHECK(callback_bits_valid(0, 0) && callback_bits_valid(1, 0) && callback_bits_valid(2, 0), "x87 kinds");
  CHECK(!callback_bits_valid(3, 0), "x87 kind 3 accepted");
  CHECK(callback_bits_valid(BITS(2, 65532), 65536) && !callback_bits_valid(BITS(0, 12), 8), "pop bounds");
  callback_finish(BITS(2, 65532), frame);
  CHECK(get(frame, FRAME_AL) == 2 && get(frame, FRAME_STACK_SIZE) == 65532, "finish: AL %u, STACK_SIZE %u",
        get(frame, FRAME_AL), get(frame, FRAME_STACK_SIZE));
  printf("ok bits x87 kind and callee-pop bytes checked and written where the closure entry reads them\n");
}

int call_check(const char *scenario) {
  if (strcmp(scenario, "call") == 0) scenario_call();
  else if (strcmp(scenario, "closure") == 0) scenario_closure();
  else if (strcmp(scenario, "bits") == 0) scenario_bits();
  else CHECK(0, "unknown scenario %s", scenario);
  return 0;
}
