// Area: values. Purpose: a size_t, ssize_t, long (or another size-like type) that C produced
// beyond 2^53 is read as a bigint, never an error and never a rounded number — in call
// returns, struct and union members, callback arguments and memory.read — and safe values stay
// numbers. Pointers keep their rule (an address beyond 2^53 is an error). Also run in every
// marshaller mode by call-modes.test.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callback, cdef, load, memory } from '../dist/index.js';
import { gcc, scratchDir } from './support-native.js';

const U64_MAX = 2n ** 64n - 1n, I64_MIN = -(2n ** 63n), I64_MAX = 2n ** 63n - 1n;
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
size_t slv_2_53(void) { return (size_t)1 << 53; }
size_t slv_safe(void) { return ((size_t)1 << 53) - 1; }
long slv_long_min(void) { return LONG_MIN; }
long slv_long_max(void) { return LONG_MAX; }
ssize_t slv_neg_2_53(void) { return -((ssize_t)1 << 53); }
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
  return cb(SIZE_MAX, LONG_MIN, LLONG_MAX, big) * 10 + cb(3, -4, 5, small);
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
    ['size_t slv_size_max(void)', U64_MAX], ['size_t slv_2_53(void)', 2n ** 53n],
    ['size_t slv_safe(void)', Number.MAX_SAFE_INTEGER], ['long slv_long_min(void)', I64_MIN],
    ['long slv_long_max(void)', I64_MAX], ['ssize_t slv_neg_2_53(void)', -(2n ** 53n)],
    ['ssize_t slv_minus_one(void)', -1], ['unsigned long slv_ulong_max(void)', U64_MAX],
    ['uintptr_t slv_uintptr_max(void)', U64_MAX],
  ];
  for (const [decl, want] of cases) {
    const got = lib.func(decl)();
    assert.ok(Object.is(got, want), `${decl} returned ${String(got)} (${typeof got}), expected ${String(want)}`);
  }
});

test('a size-like value read back as a bigint is accepted again as an argument', () => {
  const max = lib.func('size_t slv_size_max(void)')();
  assert.equal(lib.func('int slv_is_size_max(size_t v)')(max), 1);
});

test('pointers beyond 2^53 stay an error (no x86-64 Linux user address is one)', () => {
  assert.throws(() => lib.func('void *slv_pointer_high(void)')(), (e: Error) => e instanceof RangeError && /not a safe integer/.test(e.message));
});

test('real libc: strtoul("-1") is (unsigned long)-1, strtol beyond 2^53 is exact', () => {
  const strtoul = libc.func('unsigned long strtoul(const char *s, char **end, int base)');
  const strtol = libc.func('long strtol(const char *s, char **end, int base)');
  assert.equal(strtoul('-1', null, 10), U64_MAX);
  assert.equal(strtoul('42', null, 10), 42);
  assert.equal(strtol('9007199254740993', null, 10), 9007199254740993n);
  assert.equal(strtol('-9223372036854775808', null, 10), I64_MIN);
  const iconv_open = libc.func('void *iconv_open(const char *to, const char *from)');
  const iconv = libc.func('size_t iconv(void *cd, char **in, size_t *inleft, char **out, size_t *outleft)');
  const iconv_close = libc.func('int iconv_close(void *cd)');
  const cd = iconv_open('ASCII', 'UTF-8');
  const input = Buffer.from('é');
  const out = Buffer.alloc(8);
  const inp = new BigUint64Array([BigInt(memory.address(input))]), outp = new BigUint64Array([BigInt(memory.address(out))]);
  const inleft = new BigUint64Array([BigInt(input.length)]), outleft = new BigUint64Array([8n]);
  assert.equal(iconv(cd, inp, inleft, outp, outleft), U64_MAX, 'iconv fails with (size_t)-1 (EILSEQ)');
  iconv_close(cd);
});

test('struct members beyond 2^53 are bigints: register and memory returns', () => {
  assert.deepEqual(lib.func('struct slv_dirent slv_dirent(void)')(), { d_ino: 12, d_off: I64_MAX, d_reclen: 24 });
  assert.deepEqual(lib.func('struct slv_wide slv_wide(void)')(), { a: I64_MIN, b: 1, c: I64_MAX, d: U64_MAX, e: 7 });
});

test('union members beyond 2^53 are bigints', () => {
  const u = lib.func('union slv_u slv_union(void)')() as { l: unknown };
  assert.equal(u.l, I64_MIN);
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
    [U64_MAX, I64_MIN, I64_MAX, { d_ino: U64_MAX, d_off: I64_MIN, d_reclen: 1 }],
    [3, -4, 5, { d_ino: 5, d_off: -5, d_reclen: 2 }],
  ]);
  using cb = callback('int cb(size_t a, long b, ssize_t c, struct slv_dirent d)', (a: unknown) => (a === U64_MAX ? 1 : 2));
  assert.equal(call(cb), 12);
});

test('memory.read of size-like types, scalars, arrays and struct members', () => {
  const p = memory.alloc(64);
  try {
    memory.write(p, 'uint64_t', 2n ** 60n);
    assert.equal(memory.read(p, 'size_t'), 2n ** 60n);
    memory.write(p, 'long', I64_MIN);
    assert.equal(memory.read(p, 'long'), I64_MIN);
    memory.write(p, 'long', -5);
    assert.equal(memory.read(p, 'long'), -5);
    memory.write(p, 'size_t[2]', [U64_MAX, 3]);
    assert.deepEqual(memory.read(p, 'size_t[2]'), [U64_MAX, 3]);
    memory.write(p, 'struct slv_dirent', { d_ino: U64_MAX, d_off: I64_MAX, d_reclen: 1 });
    assert.deepEqual(memory.read(p, 'struct slv_dirent'), { d_ino: U64_MAX, d_off: I64_MAX, d_reclen: 1 });
  } finally {
    memory.free(p);
  }
});
