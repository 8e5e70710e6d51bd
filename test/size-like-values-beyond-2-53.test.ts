// Area: values. Purpose: a size_t, ssize_t, long (or another size-like type) that C produced
// beyond 2^53 is read as a bigint, never an error and never a rounded number — in call
// returns, struct and union members, callback arguments and memory.read — and safe values stay
// numbers. Pointers keep their rule (an address beyond 2^53 is an error). Also run in every
// marshaller mode by call-modes.test.ts. Where size-like types have 4 bytes (i386, ILP32) no value
// goes beyond 2^53: the same cases check that values at their type's edges read exactly, as numbers.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callback, cdef, load, memory } from '../dist/index.js';
import { HOST } from '../dist/targets/index.js';
import { gcc, scratchDir } from './support-native.js';

/** size_t, ssize_t and uintptr_t have the pointer's size, long and unsigned long long's: 8 or 4 bytes. */
const PTR8 = HOST.model.sizes.pointer === 8, LONG8 = HOST.model.sizes.long === 8;
const SIZE_MAX = PTR8 ? 2n ** 64n - 1n : 4294967295, SSIZE_MAX = PTR8 ? 2n ** 63n - 1n : 2147483647;
const LONG_MIN = LONG8 ? -(2n ** 63n) : -2147483648, LONG_MAX = LONG8 ? 2n ** 63n - 1n : 2147483647;
const ULONG_MAX = LONG8 ? 2n ** 64n - 1n : 4294967295;
/** slv_2_53 returns 1 << SHIFT: 2^53 where size_t holds it, else size_t's top bit. */
const SHIFT = PTR8 ? 53 : 31;
/** An array of pointer-sized words (char ** and size_t * arguments). */
const words = (...v: number[]): BigUint64Array | Uint32Array => (PTR8 ? new BigUint64Array(v.map(BigInt)) : new Uint32Array(v));
const DEFS = `
  struct slv_dirent { unsigned long d_ino; long d_off; unsigned short d_reclen; };
  struct slv_wide { long a, b, c; size_t d, e; };
  union slv_u { long l; double d; };
`;
const source = `#include <stdint.h>
#include <stddef.h>
#include <limits.h>
#include <sys/types.h>
${DEFS}
size_t slv_size_max(void) { return SIZE_MAX; }
size_t slv_2_53(void) { return (size_t)1 << ${SHIFT}; }
size_t slv_safe(void) { return ((size_t)1 << ${SHIFT}) - 1; }
long slv_long_min(void) { return LONG_MIN; }
long slv_long_max(void) { return LONG_MAX; }
ssize_t slv_neg_2_53(void) { return (ssize_t)-((int64_t)1 << ${SHIFT}); }
ssize_t slv_minus_one(void) { return -1; }
unsigned long slv_ulong_max(void) { return ULONG_MAX; }
uintptr_t slv_uintptr_max(void) { return UINTPTR_MAX; }
void *slv_pointer_high(void) { return (void *)0xffff800000001000ULL; }
int slv_is_size_max(size_t v) { return v == SIZE_MAX; }
struct slv_dirent slv_dirent(void) { struct slv_dirent d = { 12, LONG_MAX, 24 }; return d; }
struct slv_wide slv_wide(void) { struct slv_wide w = { LONG_MIN, 1, LONG_MAX, SIZE_MAX, 7 }; return w; }
union slv_u slv_union(void) { union slv_u u; u.l = LONG_MIN; return u; }
/* Calls cb with values only a bigint holds, then with safe ones; returns what cb returned for each. */
int slv_call(int (*cb)(size_t a, long b, ssize_t c, struct slv_dirent d)) {
  struct slv_dirent big = { ULONG_MAX, LONG_MIN, 1 }, small = { 5, -5, 2 };
  return cb(SIZE_MAX, LONG_MIN, SSIZE_MAX, big) * 10 + cb(3, -4, 5, small);
}
`;
const file = join(scratchDir(), 'size-like-values.c');
const so = join(scratchDir(), 'libsize-like-values.so');
writeFileSync(file, source);
gcc(['-std=gnu11', '-O2', '-shared', '-fPIC', '-o', so, file]);
cdef(DEFS);
const lib = load(so);
const libc = load(null);

test('size-like returns beyond 2^53 are bigints; safe ones stay numbers', () => {
  const cases: [string, unknown][] = [
    ['size_t slv_size_max(void)', SIZE_MAX], ['size_t slv_2_53(void)', PTR8 ? 2n ** 53n : 2 ** 31],
    ['size_t slv_safe(void)', PTR8 ? Number.MAX_SAFE_INTEGER : 2 ** 31 - 1], ['long slv_long_min(void)', LONG_MIN],
    ['long slv_long_max(void)', LONG_MAX], ['ssize_t slv_neg_2_53(void)', PTR8 ? -(2n ** 53n) : -(2 ** 31)],
    ['ssize_t slv_minus_one(void)', -1], ['unsigned long slv_ulong_max(void)', ULONG_MAX],
    ['uintptr_t slv_uintptr_max(void)', SIZE_MAX],
  ];
  for (const [decl, want] of cases) {
    const got = lib.func(decl)();
    assert.ok(Object.is(got, want), `${decl} returned ${String(got)} (${typeof got}), expected ${String(want)}`);
  }
});

test('a size-like value read back as a bigint is accepted again as an argument', () => {
  const max = lib.func('size_t slv_size_max(void)')() as number | bigint;
  const isMax = lib.func('int slv_is_size_max(size_t v)');
  assert.equal(isMax(max), 1);
  assert.equal(isMax(BigInt(max)), 1); // a bigint is taken on every target, a 4-byte size_t too
  assert.equal(isMax(3), 0);
});

test('pointers beyond 2^53 stay an error (no x86-64 Linux user address is one)', () => {
  if (!PTR8) { // a 4-byte pointer always fits a JS number: C's cast kept the low word
    assert.equal(lib.func('void *slv_pointer_high(void)')(), 0x1000);
    return;
  }
  assert.throws(() => lib.func('void *slv_pointer_high(void)')(), (e: Error) => e instanceof RangeError && /not a safe integer/.test(e.message));
});

test('real libc: strtoul("-1") is (unsigned long)-1, strtol beyond 2^53 is exact', () => {
  const strtoul = libc.func('unsigned long strtoul(const char *s, char **end, int base)');
  const strtol = libc.func('long strtol(const char *s, char **end, int base)');
  assert.equal(strtoul('-1', null, 10), ULONG_MAX);
  assert.equal(strtoul('42', null, 10), 42);
  // Beyond a 4-byte long's range strtol saturates at LONG_MAX / LONG_MIN.
  assert.equal(strtol('9007199254740993', null, 10), LONG8 ? 9007199254740993n : LONG_MAX);
  assert.equal(strtol('-9223372036854775808', null, 10), LONG_MIN);
  const iconv_open = libc.func('void *iconv_open(const char *to, const char *from)');
  const iconv = libc.func('size_t iconv(void *cd, char **in, size_t *inleft, char **out, size_t *outleft)');
  const iconv_close = libc.func('int iconv_close(void *cd)');
  const cd = iconv_open('ASCII', 'UTF-8');
  const input = Buffer.from('é');
  const out = Buffer.alloc(8);
  const inp = words(memory.address(input)), outp = words(memory.address(out));
  const inleft = words(input.length), outleft = words(8);
  assert.equal(iconv(cd, inp, inleft, outp, outleft), SIZE_MAX, 'iconv fails with (size_t)-1 (EILSEQ)');
  iconv_close(cd);
});

test('struct members beyond 2^53 are bigints: register and memory returns', () => {
  assert.deepEqual(lib.func('struct slv_dirent slv_dirent(void)')(), { d_ino: 12, d_off: LONG_MAX, d_reclen: 24 });
  assert.deepEqual(lib.func('struct slv_wide slv_wide(void)')(), { a: LONG_MIN, b: 1, c: LONG_MAX, d: SIZE_MAX, e: 7 });
});

test('union members beyond 2^53 are bigints', () => {
  const u = lib.func('union slv_u slv_union(void)')() as { l: unknown };
  assert.equal(u.l, LONG_MIN);
});

test('callback arguments beyond 2^53 are bigints, scalars and struct members alike', () => {
  const seen: unknown[][] = [];
  const call = lib.func('int slv_call(int (*cb)(size_t a, long b, ssize_t c, struct slv_dirent d))');
  const r = call((a: unknown, b: unknown, c: unknown, d: unknown) => {
    seen.push([a, b, c, d]);
    return seen.length;
  });
  assert.equal(r, 12);
  assert.deepEqual(seen, [
    [SIZE_MAX, LONG_MIN, SSIZE_MAX, { d_ino: ULONG_MAX, d_off: LONG_MIN, d_reclen: 1 }],
    [3, -4, 5, { d_ino: 5, d_off: -5, d_reclen: 2 }],
  ]);
  using cb = callback('int cb(size_t a, long b, ssize_t c, struct slv_dirent d)', (a: unknown) => (a === SIZE_MAX ? 1 : 2));
  assert.equal(call(cb), 12);
});

test('memory.read of size-like types, scalars, arrays and struct members', () => {
  const p = memory.alloc(64);
  try {
    // Beyond 2^53 where size_t holds it, else beyond int32_t's range.
    const big = PTR8 ? 2n ** 60n : 3_000_000_000;
    memory.write(p, PTR8 ? 'uint64_t' : 'uint32_t', big);
    assert.equal(memory.read(p, 'size_t'), big);
    memory.write(p, 'long', LONG_MIN);
    assert.equal(memory.read(p, 'long'), LONG_MIN);
    memory.write(p, 'long', -5);
    assert.equal(memory.read(p, 'long'), -5);
    memory.write(p, 'size_t[2]', [SIZE_MAX, 3]);
    assert.deepEqual(memory.read(p, 'size_t[2]'), [SIZE_MAX, 3]);
    memory.write(p, 'struct slv_dirent', { d_ino: ULONG_MAX, d_off: LONG_MAX, d_reclen: 1 });
    assert.deepEqual(memory.read(p, 'struct slv_dirent'), { d_ino: ULONG_MAX, d_off: LONG_MAX, d_reclen: 1 });
  } finally {
    memory.free(p);
  }
});
