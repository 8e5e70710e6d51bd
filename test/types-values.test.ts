// Area: types/values. Purpose: every C scalar's edge values round-trip exactly through memory; wrong
// values throw errors that name where they were found; records, arrays, bitfields and unions convert.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cdef, parseTypeName, TypeScope } from '../dist/decl/index.js';
import { readValue, TrampfdRangeError, TrampfdTypeError, writeValue } from '../dist/types/index.js';
import type { CType } from '../dist/types/index.js';
import { HOST } from '../dist/targets/index.js';

/** Plain char is signed on x86-64 and unsigned on AArch64 (the target's DataModel). */
const CHAR_SIGNED = HOST.model.charSigned;
/** long and the pointer-sized types have 8 bytes on LP64 targets, 4 on i386 (ILP32). */
const LONG8 = HOST.model.sizes.long === 8;
const PTR8 = HOST.model.sizes.pointer === 8;
/** Edge values of a size-like type of 8 (LP64: the safe-integer range) or 4 bytes. */
const sizeEdges = (wide: boolean, signed: boolean): number[] => wide
  ? (signed ? [-(2 ** 53 - 1), 0, 2 ** 53 - 1] : [0, 2 ** 53 - 1])
  : (signed ? [-2147483648, 0, 2147483647] : [0, 4294967295]);

const scope = new TypeScope();
const T = (name: string): CType => parseTypeName(name, scope);
const view = (n = 64): DataView => new DataView(new ArrayBuffer(n));

function roundTrip(type: CType, value: unknown, at = 3): unknown {
  const v = view(type.size + 16);
  writeValue(v, at, type, value, 'value');
  return readValue(v, at, type);
}

const INT_EDGES: [string, (number | bigint)[]][] = [
  ['char', CHAR_SIGNED ? [-128, -1, 0, 127] : [0, 127, 128, 255]], ['signed char', [-128, 127]], ['unsigned char', [0, 255]],
  ['short', [-32768, 32767]], ['unsigned short', [0, 65535]], ['int', [-2147483648, -1, 0, 2147483647]],
  ['unsigned int', [0, 4294967295]], ['int8_t', [-128, 127]], ['uint8_t', [0, 255]], ['int16_t', [-32768, 32767]],
  ['uint16_t', [0, 65535]], ['int32_t', [-2147483648, 2147483647]], ['uint32_t', [0, 4294967295]],
  ['wchar_t', HOST.model.wcharSigned ? [-2147483648, 2147483647] : [0, 4294967295]], ['char16_t', [0, 65535]], ['char32_t', [0, 4294967295]],
  ['int64_t', [-(2n ** 63n), -1n, 0n, 2n ** 63n - 1n]], ['uint64_t', [0n, 2n ** 64n - 1n]],
  ['long long', [-(2n ** 63n), 2n ** 63n - 1n]], ['unsigned long long', [0n, 2n ** 64n - 1n]],
  ['intmax_t', [-(2n ** 63n), 2n ** 63n - 1n]], ['uintmax_t', [0n, 2n ** 64n - 1n]],
  ['int_least64_t', [-(2n ** 63n)]], ['uint_fast64_t', [2n ** 64n - 1n]],
  ['long', sizeEdges(LONG8, true)], ['unsigned long', sizeEdges(LONG8, false)], ['off_t', sizeEdges(LONG8, true)],
  ['size_t', sizeEdges(PTR8, false)], ['ssize_t', sizeEdges(PTR8, true)], ['intptr_t', sizeEdges(PTR8, true)],
  ['uintptr_t', sizeEdges(PTR8, false)], ['ptrdiff_t', sizeEdges(PTR8, true)],
];

test('integer edge values round-trip for every integer type', () => {
  for (const [name, values] of INT_EDGES) {
    for (const v of values) assert.equal(roundTrip(T(name), v), v, `${name} ${v}`);
  }
});

test('just past each integer range is a RangeError naming where', () => {
  const cases: [string, unknown][] = [
    ['char', CHAR_SIGNED ? 128 : 256], ['char', CHAR_SIGNED ? -129 : -1], ['unsigned char', -1], ['unsigned char', 256], ['short', 32768],
    ['unsigned short', 65536], ['int', 2147483648], ['int', -2147483649], ['unsigned int', -1],
    ['unsigned int', 4294967296], ['int64_t', 2n ** 63n], ['int64_t', -(2n ** 63n) - 1n], ['uint64_t', -1n],
    ['uint64_t', 2n ** 64n], ['size_t', -1], ['size_t', 2 ** 53], ['long', 2 ** 53], ['long', -(2 ** 53)],
    ['int', 1.5], ['int', NaN], ['int', Infinity], ['uint64_t', 2 ** 53], ['uint64_t', 0.5], ['size_t', 2n ** 64n],
  ];
  for (const [name, v] of cases) {
    assert.throws(() => writeValue(view(), 0, T(name), v, 'add: argument 2 (b)'), (e: unknown) => {
      assert.ok(e instanceof TrampfdRangeError, `${name} ${String(v)}: ${String(e)}`);
      assert.equal(e.code, 'ERR_TRAMPFD_VALUE_RANGE');
      assert.match(e.message, /^add: argument 2 \(b\): /);
      return true;
    });
  }
  assert.throws(() => writeValue(view(), 0, T('int'), 1.5, 'add: argument 2 (b)'),
    { message: 'add: argument 2 (b): expected an integer in [-2147483648, 2147483647], got 1.5' });
});

test('wrong kinds of JS values are TypeErrors naming where', () => {
  const cases: [string, unknown][] = [
    ['int', '1'], ['int', 1n], ['int', null], ['int', undefined], ['int', true], ['uint32_t', {}],
    ['int64_t', '5'], ['size_t', 'x'], ['double', 1n], ['float', '1.5'], ['bool', 1], ['bool', 0],
    ['void *', 'hello'], ['void *', {}], ['const char *', 'a string'], ['char[4]', 5],
  ];
  for (const [name, v] of cases) {
    assert.throws(() => writeValue(view(), 0, T(name), v, 'where'), (e: unknown) => {
      assert.ok(e instanceof TrampfdTypeError, `${name} ${String(v)}: ${String(e)}`);
      assert.equal(e.code, 'ERR_TRAMPFD_VALUE_TYPE');
      assert.match(e.message, /^where: /);
      return true;
    });
  }
});

test('64-bit bigint types also take safe-integer numbers and always read a bigint', () => {
  assert.equal(roundTrip(T('int64_t'), -5), -5n);
  assert.equal(roundTrip(T('uint64_t'), 2 ** 53 - 1), 2n ** 53n - 1n);
  assert.throws(() => writeValue(view(), 0, T('int64_t'), 2 ** 60, 'w'), TrampfdRangeError);
});

test('size-like types take bigints in the C range and read a bigint only beyond 2^53', () => {
  assert.equal(roundTrip(T('size_t'), 42n), 42);
  assert.equal(roundTrip(T('long'), -42n), -42);
  const v = view();
  if (!PTR8) { // 4-byte size_t (i386): every value is a number
    writeValue(v, 0, T('uint32_t'), 4294967295, 'w');
    assert.equal(readValue(v, 0, T('size_t'), 'result of f'), 4294967295);
    assert.equal(readValue(v, 0, T('ssize_t'), 'result of f'), -1);
    assert.throws(() => writeValue(v, 0, T('size_t'), 2n ** 32n, 'w'), TrampfdRangeError);
    return;
  }
  writeValue(v, 0, T('uint64_t'), 2n ** 64n - 1n, 'w');
  assert.equal(readValue(v, 0, T('size_t'), 'result of f'), 2n ** 64n - 1n);
  assert.equal(readValue(v, 0, T('ssize_t'), 'result of f'), -1);
  writeValue(v, 0, T('size_t'), 2n ** 64n - 1n, 'w');
  assert.equal(readValue(v, 0, T('uint64_t')), 2n ** 64n - 1n);
});

test('doubles round-trip bit-exactly: -0, NaN, infinities, subnormals, extremes', () => {
  const values = [-0, 0, NaN, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE,
    2.2250738585072014e-308, 2.225073858507201e-308, 0.1, -1e300];
  for (const d of values) assert.ok(Object.is(roundTrip(T('double'), d), d), `double ${d}`);
});

test('floats round like Math.fround, keep -0 and NaN, and hold float subnormals', () => {
  const values = [-0, 0, NaN, Infinity, -Infinity, 0.1, 1 / 3, 3.4028234663852886e38, 1e39, 1.401298464324817e-45,
    1e-46, 1.1754942106924411e-38, -7.006492321624085e-46, 16777217];
  for (const f of values) assert.ok(Object.is(roundTrip(T('float'), f), Math.fround(f)), `float ${f}`);
});

test('bool takes booleans; any non-zero byte reads as true', () => {
  assert.equal(roundTrip(T('bool'), true), true);
  assert.equal(roundTrip(T('_Bool'), false), false);
  const v = view();
  v.setUint8(0, 2);
  assert.equal(readValue(v, 0, T('bool')), true);
});

test('pointers: numbers, null and exact bigints; reads beyond 2^53 throw', () => {
  const p = T('void *');
  assert.equal(roundTrip(p, null), 0);
  if (!PTR8) { // 4-byte pointers (i386): every address is a number below 2^32
    assert.equal(roundTrip(p, 0xfff12345), 0xfff12345);
    assert.equal(roundTrip(p, 0xfff12345n), 0xfff12345);
    for (const bad of [-1, 0.5, 2 ** 32, 2 ** 53, -1n, 2n ** 32n]) {
      assert.throws(() => writeValue(view(), 0, p, bad, 'free: argument 1'), /^RangeError|free: argument 1: expected a pointer/);
    }
    return;
  }
  assert.equal(roundTrip(p, 0x7fff12345678), 0x7fff12345678);
  assert.equal(roundTrip(p, 0x7fff12345678n), 0x7fff12345678);
  assert.equal(roundTrip(p, 2 ** 53 - 1), 2 ** 53 - 1);
  for (const bad of [-1, 0.5, 2 ** 53, -1n, 2n ** 64n]) {
    assert.throws(() => writeValue(view(), 0, p, bad, 'free: argument 1'), /^RangeError|free: argument 1: expected a pointer/);
  }
  const v = view();
  writeValue(v, 0, p, 2n ** 64n - 1n, 'w');
  assert.throws(() => readValue(v, 0, p, 'result'), TrampfdRangeError);
});

test('enums take integers in their base range or enumerator names, and read numbers', () => {
  cdef('enum color { RED, GREEN = 5, BLUE }; enum big { HUGE = 0x100000000 }; enum neg { M = -1 };', scope);
  assert.equal(roundTrip(T('enum color'), 6), 6);
  assert.equal(roundTrip(T('enum color'), 'GREEN'), 5);
  assert.equal(roundTrip(T('enum color'), 4294967295), 4294967295); // any unsigned int, as in C
  assert.equal(roundTrip(T('enum big'), 2 ** 40), 2 ** 40);
  assert.equal(roundTrip(T('enum neg'), -2147483648), -2147483648);
  assert.throws(() => writeValue(view(), 0, T('enum color'), 'PURPLE', 'w'), /w: 'PURPLE' is not an enumerator of enum color/);
  assert.throws(() => writeValue(view(), 0, T('enum color'), -1, 'w'), TrampfdRangeError);
});

test('structs read to and write from plain objects; members left out are zero; errors name the member path', () => {
  cdef(`struct inner { short s; double d; };
        struct outer { char c; struct inner in; int arr[3]; const char *p; };`, scope);
  const o = T('struct outer');
  const value = { c: CHAR_SIGNED ? -1 : 255, in: { s: -32768, d: -0 }, arr: [1, -2, 3], p: 0 };
  const back = roundTrip(o, value) as typeof value;
  assert.deepEqual(back, value);
  assert.ok(Object.is(back.in.d, -0));
  const filled = view();
  new Uint8Array(filled.buffer).fill(0xee);
  writeValue(filled, 0, o, { in: { s: 1 } }, 'f: argument 1 (o)');
  assert.deepEqual(readValue(filled, 0, o), { c: 0, in: { s: 1, d: 0 }, arr: [0, 0, 0], p: 0 });
  assert.throws(() => writeValue(view(), 0, o, { c: 1, in: { s: 1, d: 'x' } }, 'f: argument 1 (o)'),
    { message: 'f: argument 1 (o), member in.d: expected a number, got "x"' });
  assert.throws(() => writeValue(view(), 0, o, { ...value, arr: [1, 2] }, 'x'),
    { message: 'x, member arr: expected 3 elements for int[3], got 2' });
  assert.throws(() => writeValue(view(), 0, o, { ...value, arr: [1, 2, 'x'] }, 'x'), /^TrampfdTypeError: x, member arr\[2\]: /);
  assert.throws(() => writeValue(view(), 0, o, { in: { s: 1, e: 2 } }, 'x'), { message: "x, member in: struct inner has no member 'e'" });
  assert.throws(() => writeValue(view(), 0, o, { ...value, extra: 1 }, 'x'), { message: "x: struct outer has no member 'extra'" });
  assert.throws(() => writeValue(view(), 0, o, [1, 2], 'x'), TrampfdTypeError);
  assert.throws(() => writeValue(view(), 0, o, null, 'x'), TrampfdTypeError);
});

test('bitfields: every width, signed and unsigned, round-trip at their limits without touching neighbours', () => {
  cdef(`struct bf { unsigned char a:1; signed char b:3; unsigned short c:9; int d:17; unsigned e:32;
        long long f:63; unsigned long long g:64; bool h:1; long i:${LONG8 ? 40 : 31}; int j:1; };
        struct pbf { char a:7; long long b:60; unsigned c:3; } __attribute__((packed));`, scope);
  const bf = T('struct bf');
  const lims = { a: 1, b: -4, c: 511, d: -65536, e: 4294967295, f: -(2n ** 62n), g: 2n ** 64n - 1n, h: true, i: LONG8 ? 2 ** 39 - 1 : 2 ** 30 - 1, j: -1 };
  assert.deepEqual(roundTrip(bf, lims), lims);
  const zeros = { a: 0, b: 3, c: 0, d: 65535, e: 0, f: 2n ** 62n - 1n, g: 0n, h: false, i: LONG8 ? -(2 ** 39) : -(2 ** 30), j: 0 };
  assert.deepEqual(roundTrip(bf, zeros), zeros);
  assert.throws(() => writeValue(view(), 0, bf, { ...lims, b: 4 }, 'w'), { message: 'w, member b: expected an integer in [-4, 3], got 4' });
  assert.throws(() => writeValue(view(), 0, bf, { ...lims, j: 1 }, 'w'), /w, member j: expected an integer in \[-1, 0\]/);
  const pbf = T('struct pbf');
  const v = new DataView(new ArrayBuffer(pbf.size + 2));
  v.setUint8(pbf.size, 0xaa);
  const pv = { a: CHAR_SIGNED ? -64 : 127, b: -(2n ** 59n), c: 7 };
  writeValue(v, 0, pbf, pv, 'w');
  assert.deepEqual(readValue(v, 0, pbf), pv);
  assert.equal(v.getUint8(pbf.size), 0xaa);
});

test('anonymous members are promoted; unions write at most one member (none: zeros) and read lazily', () => {
  cdef(`struct tagged { int kind; union { double d; void *p; int64_t i; }; struct { short x, y; }; };
        union u { uint64_t bits; double d; size_t n; };`, scope);
  const t = T('struct tagged');
  const back = roundTrip(t, { kind: 1, d: 1.5, x: 3, y: -4 }) as Record<string, unknown>;
  assert.equal(back.kind, 1);
  assert.equal(back.d, 1.5);
  assert.equal(back.i, 4609434218613702656n);
  assert.equal(back.x, 3);
  assert.throws(() => writeValue(view(), 0, t, { kind: 1, d: 1.5, p: 0, x: 3, y: 4 }, 'w'), /at most one member, got 2/);
  const none = view();
  new Uint8Array(none.buffer).fill(0xee);
  writeValue(none, 0, t, { kind: 2 }, 'w');
  assert.deepEqual({ ...(readValue(none, 0, t) as object) }, { kind: 2, d: 0, p: 0, i: 0n, x: 0, y: 0 });
  const u = T('union u');
  const v = view();
  writeValue(v, 0, u, { bits: 2n ** 64n - 1n }, 'w');
  const read = readValue(v, 0, u) as Record<string, unknown>;
  assert.equal(read.bits, 2n ** 64n - 1n);
  assert.ok(Number.isNaN(read.d));
  assert.equal(read.n, PTR8 ? 2n ** 64n - 1n : 4294967295); // decoded only when asked for
  v.setBigUint64(0, 0n, true); // the read object does not see later changes to memory
  assert.equal(read.bits, 2n ** 64n - 1n);
  const w = view();
  writeValue(w, 0, u, read, 'w'); // a read union writes back its exact bytes
  assert.equal(w.getBigUint64(0, true), 2n ** 64n - 1n);
});

test('char arrays take UTF-8 strings, NUL-padded, and refuse ones that do not fit', () => {
  const a = T('char[6]');
  assert.deepEqual(roundTrip(a, 'hé'), CHAR_SIGNED ? [104, -61, -87, 0, 0, 0] : [104, 195, 169, 0, 0, 0]);
  assert.deepEqual(roundTrip(T('uint8_t[3]'), 'abc'), [97, 98, 99]);
  assert.throws(() => writeValue(view(), 0, a, 'héllo!', 'w'), { message: 'w: string of 7 UTF-8 bytes does not fit in char[6]' });
  assert.throws(() => writeValue(view(), 0, T('int[2]'), 'ab', 'w'), TrampfdTypeError);
  assert.deepEqual(roundTrip(T('int[2][2]'), [[1, 2], [3, 4]]), [[1, 2], [3, 4]]);
  assert.deepEqual(roundTrip(T('uint16_t[3]'), new Uint16Array([1, 2, 65535])), [1, 2, 65535]);
});
