// Area: calls. Purpose: every scalar type's edge values round-trip exactly through an identity
// function, in a register and on the stack; values a type cannot hold throw errors naming the
// parameter; returns a JS number cannot hold exactly throw; variadic arguments keep their type's rules.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cdef, load, memory } from '../dist/index.js';
import { gcc, scratchDir } from './support-native.js';
import { HOST } from '../dist/targets/index.js';

/** Plain char is signed on x86-64 and unsigned on AArch64. */
const CHAR_SIGNED = HOST.model.charSigned;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** long has 8 bytes on LP64 and 4 on ILP32 (i386); size_t, ssize_t, [u]intptr_t and ptrdiff_t have the pointer's size. */
const LONG_BYTES = HOST.model.sizes.long, PTR_BYTES = HOST.model.sizes.pointer;
const I64_MIN = -(2n ** 63n), I64_MAX = 2n ** 63n - 1n, U64_MAX = 2n ** 64n - 1n;
const FLT_MAX = 3.4028234663852886e38, FLT_TRUE_MIN = 2 ** -149;

interface Case {
  c: string;
  /** Values that come back unchanged (Object.is), or [given, expected] pairs. */
  ok: readonly unknown[];
  /** Values refused with a RangeError (right kind, cannot be held exactly). */
  range: readonly unknown[];
  /** Values refused with a TypeError (wrong kind). */
  type: readonly unknown[];
}

const same = (v: unknown): [unknown, unknown] => [v, v];
const signed = (lo: number, hi: number): Case['ok'] => [0, -1, 1, lo, hi, lo + 1, hi - 1, [-0, 0]];
const NOT_INT = [1.5, NaN, Infinity, -Infinity];
const WRONG_KIND = ['1', 1n, null, undefined, true, {}, [1]];

function ints(c: string, lo: number, hi: number): Case {
  return { c, ok: lo < 0 ? signed(lo, hi) : [0, 1, hi, hi - 1, [-0, 0]], range: [lo - 1, hi + 1, ...NOT_INT], type: WRONG_KIND };
}
function big(c: string, lo: bigint, hi: bigint): Case {
  return {
    c, ok: [lo, hi, 0n, 1n, ...(lo < 0n ? [-1n] : []), [5, 5n], [MAX_SAFE, BigInt(MAX_SAFE)]],
    range: [lo - 1n, hi + 1n, 1.5, 2 ** 53, ...(lo < 0n ? [] : [-1])], type: ['1', null, undefined, true, {}],
  };
}
function sizeLike(c: string, isSigned: boolean, bytes: number): Case {
  if (bytes === 4) { // every value fits a safe integer: the edges are the type's own, a bigint in range is taken too
    const lo = isSigned ? -(2 ** 31) : 0, hi = isSigned ? 2 ** 31 - 1 : 2 ** 32 - 1;
    return {
      c, ok: [0, 1, lo, hi, hi - 1, [12n, 12], [BigInt(lo), lo], [BigInt(hi), hi], [-0, 0], ...(isSigned ? [-1, lo + 1] : [])],
      range: [lo - 1, hi + 1, BigInt(lo) - 1n, BigInt(hi) + 1n, 2 ** 53, -(2 ** 53), 1.5, NaN, ...(isSigned ? [] : [-1, -1n])],
      type: ['1', null, undefined, true, {}],
    };
  }
  return {
    c, ok: isSigned ? [0, -1, MAX_SAFE, -MAX_SAFE, [12n, 12], I64_MIN, I64_MAX, 2n ** 53n, -(2n ** 53n)] : [0, 1, MAX_SAFE, [12n, 12], U64_MAX, 2n ** 53n],
    range: [2 ** 53, -(2 ** 53), 1.5, NaN, ...(isSigned ? [] : [-1, -1n])], type: ['1', null, undefined, true, {}],
  };
}
const floats = (c: 'float' | 'double'): Case => {
  const common = [0, -0, NaN, Infinity, -Infinity, 1, -1];
  const ok = c === 'float'
    ? [...common, FLT_MAX, -FLT_MAX, FLT_TRUE_MIN, -FLT_TRUE_MIN, 2 ** -126,
      [0.1, Math.fround(0.1)], [1e40, Infinity], [-1e40, -Infinity], [2 ** -150, 0], [1 + 2 ** -30, 1], [16777217, 16777216]]
    : [...common, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 2 ** -1022, 0.1, Math.PI];
  return { c, ok, range: [], type: ['1', 1n, null, undefined, true, {}] };
};

const CASES: readonly Case[] = [
  CHAR_SIGNED ? ints('char', -128, 127) : ints('char', 0, 255), ints('signed char', -128, 127), ints('unsigned char', 0, 255),
  ints('short', -32768, 32767), ints('unsigned short', 0, 65535),
  ints('int', -(2 ** 31), 2 ** 31 - 1), ints('unsigned int', 0, 2 ** 32 - 1),
  ints('int8_t', -128, 127), ints('uint8_t', 0, 255), ints('int16_t', -32768, 32767), ints('uint16_t', 0, 65535),
  ints('int32_t', -(2 ** 31), 2 ** 31 - 1), ints('uint32_t', 0, 2 ** 32 - 1),
  big('long long', I64_MIN, I64_MAX), big('unsigned long long', 0n, U64_MAX),
  big('int64_t', I64_MIN, I64_MAX), big('uint64_t', 0n, U64_MAX),
  sizeLike('long', true, LONG_BYTES), sizeLike('unsigned long', false, LONG_BYTES), sizeLike('size_t', false, PTR_BYTES),
  sizeLike('ssize_t', true, PTR_BYTES), sizeLike('intptr_t', true, PTR_BYTES), sizeLike('uintptr_t', false, PTR_BYTES),
  sizeLike('ptrdiff_t', true, PTR_BYTES),
  { c: 'bool', ok: [true, false], range: [], type: [0, 1, 'true', null, undefined, 1n] },
  floats('float'), floats('double'),
  PTR_BYTES === 8
    ? { c: 'void *', ok: [0, 0x1000, MAX_SAFE, [null, 0], [0x2000n, 0x2000]], range: [-1, 1.5, 2 ** 53, -1n, 2n ** 64n], type: ['x', true, undefined, {}] }
    // A 4-byte pointer holds [0, 2^32): 2^32 - 1 is the top address, 2^32 does not fit.
    : { c: 'void *', ok: [0, 0x1000, 2 ** 32 - 1, [null, 0], [0x2000n, 0x2000], [2n ** 32n - 1n, 2 ** 32 - 1]],
      range: [-1, 1.5, 2 ** 32, 2 ** 53, -1n, 2n ** 32n, 2n ** 64n], type: ['x', true, undefined, {}] },
  { c: 'enum ce_e', ok: [0, 1, 2 ** 32 - 1, ['CE_BIG', 2 ** 32 - 1]], range: [-1, 2 ** 32, 1.5, 'CE_NONE'], type: [1n, null, true] },
];

const ident = (c: string): string => c.replace(/\s*\*/, '_ptr').replace(/ /g, '_');
/** Ten int and ten double dummies fill every argument register, so `x` goes on the stack. */
const DUMMIES = [...Array.from({ length: 10 }, (_, i) => `int i${i}`), ...Array.from({ length: 10 }, (_, i) => `double d${i}`)];
const dummyValues = [...Array.from({ length: 10 }, (_, i) => i - 5), ...Array.from({ length: 10 }, (_, i) => i + 0.25)];

const ENUM = 'enum ce_e { CE_ZERO = 0, CE_ONE = 1, CE_BIG = 4294967295u };';
const source = `#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>
#include <limits.h>
#include <sys/types.h>
${ENUM}
int ce_dummy_errors;
static void dummies(${DUMMIES.join(', ')}) {
${DUMMIES.map((d, i) => `  if (${d.split(' ')[1]} != ${dummyValues[i]}) ce_dummy_errors++;`).join('\n')}
}
${CASES.map(({ c }) => `${c} id_${ident(c)}(${c} x) { return x; }
${c} id_${ident(c)}_stack(${DUMMIES.join(', ')}, ${c} x) {
  dummies(${DUMMIES.map((d) => d.split(' ')[1]).join(', ')});
  return x;
}`).join('\n')}
size_t ce_size_above_2_53(void) { return (size_t)((1ULL << 53) + 1); }
size_t ce_size_max_safe(void) { return (size_t)((1ULL << 53) - 1); }
ssize_t ce_ssize_below(void) { return (ssize_t)(-(1LL << 53) - 1); }
size_t ce_size_max(void) { return SIZE_MAX; }
ssize_t ce_ssize_min(void) { return -(ssize_t)(SIZE_MAX / 2) - 1; }
long ce_long_min(void) { return LONG_MIN; }
unsigned long ce_ulong_max(void) { return ULONG_MAX; }
void *ce_pointer_high(void) { return (void *)(uintptr_t)0xffff800000001000ULL; }
uintptr_t ce_uintptr_max(void) { return UINTPTR_MAX; }
int ce_va_int(int n, ...) { va_list ap; va_start(ap, n); int x = va_arg(ap, int); va_end(ap); return x; }
double ce_va_double(int n, ...) { va_list ap; va_start(ap, n); double x = va_arg(ap, double); va_end(ap); return x; }
`;

const file = join(scratchDir(), 'call-scalar-edge-values.c');
const so = join(scratchDir(), 'libcall-scalar-edge-values.so');
writeFileSync(file, source);
gcc(['-std=gnu11', '-O2', '-shared', '-fPIC', '-o', so, file]);
cdef(ENUM);
const lib = load(so);
const dummyErrors = lib.symbol('ce_dummy_errors');

const show = (v: unknown): string => (typeof v === 'bigint' ? `${v}n` : Object.is(v, -0) ? '-0' : typeof v === 'string' ? JSON.stringify(v)
  : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

for (const { c, ok, range, type } of CASES) {
  const name = `id_${ident(c)}`;
  const f = lib.func(`${c} ${name}(${c} x)`);
  const g = lib.func(`${c} ${name}_stack(${DUMMIES.join(', ')}, ${c} x)`);

  test(`${c}: edge values round-trip exactly, in a register and on the stack`, () => {
    for (const item of ok) {
      const [given, want] = Array.isArray(item) ? item : same(item);
      const r1 = f(given), r2 = g(...dummyValues, given);
      assert.ok(Object.is(r1, want), `${name}(${show(given)}) returned ${show(r1)}, expected ${show(want)}`);
      assert.ok(Object.is(r2, want), `${name}_stack(..., ${show(given)}) returned ${show(r2)}, expected ${show(want)}`);
    }
    assert.equal(memory.read(dummyErrors, 'int'), 0, 'the dummy arguments before x arrived intact');
  });

  test(`${c}: values it cannot hold, or of the wrong kind, throw naming the parameter`, () => {
    for (const [values, cls] of [[range, RangeError], [type, TypeError]] as const) {
      for (const v of values) {
        assert.throws(() => f(v), (e: Error) => e instanceof cls && /^id_\w+: argument 1 \(x\)/.test(e.message) && e.message.includes(name),
          `${name}(${show(v)}) should throw a ${cls.name} naming argument 1 (x)`);
        assert.throws(() => g(...dummyValues, v), (e: Error) => e instanceof cls && e.message.includes(`${name}_stack: argument 21 (x)`),
          `${name}_stack(..., ${show(v)}) should throw a ${cls.name} naming argument 21 (x)`);
      }
    }
    assert.throws(() => f(), /expects 1 argument, got 0/);
    assert.throws(() => f(ok[0], ok[0]), /expects 1 argument, got 2/);
  });
}

test('a size_t, ssize_t or long return beyond 2^53 is a bigint; a pointer there throws', () => {
  if (PTR_BYTES === 4 && LONG_BYTES === 4) {
    // ILP32: no size-like value goes beyond 2^53 and every address is a safe integer, so the
    // types' edges read back exactly, as numbers, and C's cast of the high address kept its low word.
    for (const [decl, want] of [['size_t ce_size_max(void)', 2 ** 32 - 1], ['ssize_t ce_ssize_min(void)', -(2 ** 31)],
      ['long ce_long_min(void)', -(2 ** 31)], ['unsigned long ce_ulong_max(void)', 2 ** 32 - 1],
      ['uintptr_t ce_uintptr_max(void)', 2 ** 32 - 1], ['size_t ce_size_max_safe(void)', 2 ** 32 - 1],
      ['void *ce_pointer_high(void)', 0x1000]] as const) {
      const got = lib.func(decl)();
      assert.ok(Object.is(got, want), `${decl} returned ${show(got)}, expected ${show(want)}`);
    }
    return;
  }
  assert.equal(lib.func('size_t ce_size_max_safe(void)')(), MAX_SAFE);
  assert.equal(lib.func('size_t ce_size_max(void)')(), U64_MAX);
  assert.equal(lib.func('ssize_t ce_ssize_min(void)')(), I64_MIN);
  assert.equal(lib.func('unsigned long ce_ulong_max(void)')(), U64_MAX);
  assert.equal(lib.func('size_t ce_size_above_2_53(void)')(), 2n ** 53n + 1n);
  assert.equal(lib.func('ssize_t ce_ssize_below(void)')(), -(2n ** 53n) - 1n);
  assert.equal(lib.func('long ce_long_min(void)')(), I64_MIN);
  assert.equal(lib.func('uintptr_t ce_uintptr_max(void)')(), U64_MAX);
  assert.throws(() => lib.func('void *ce_pointer_high(void)')(), (e: Error) => e instanceof RangeError &&
    e.message.includes('ce_pointer_high: return value') && /not a safe integer/.test(e.message));
});

test('variadic arguments follow the value rules of their declared type, then the default promotions', () => {
  const vi = lib.func('int ce_va_int(int n, ...)');
  const vd = lib.func('double ce_va_double(int n, ...)');
  assert.equal(vi(1, ['int', -7]), -7);
  assert.equal(vi(1, ['short', -32768]), -32768);
  assert.equal(vi(1, ['unsigned char', 255]), 255);
  assert.equal(vi(1, ['bool', true]), 1, 'a bool is passed as an int 1');
  assert.equal(vi(1, ['bool', false]), 0);
  assert.ok(Object.is(vd(1, ['double', -0]), -0));
  assert.equal(vd(1, ['float', 0.1]), Math.fround(0.1), 'a float is rounded to float, then promoted to double');
  assert.equal(vd(1, ['float', 1e40]), Infinity);
  assert.throws(() => vi(1, ['char', CHAR_SIGNED ? 200 : 300]), RangeError, 'char cannot hold it, whatever it is promoted to');
  assert.throws(() => vi(1, ['unsigned char', -1]), RangeError);
  assert.throws(() => vi(1, ['short', 40000]), RangeError);
  assert.throws(() => vi(1, ['bool', 1]), TypeError);
});
