// Area: calls and callbacks. Purpose: what may stand for a pointer, and what may not. Pointer
// objects ({ pointer }, Callback) are validated like plain numbers; a freed Callback and a Callback
// of another prototype are refused before C runs; detached buffers throw, shared ones pass
// zero-copy — as arguments, callback results, struct members and variadic arguments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callback, CallbackError, cdef, load, memory, TrampfdRangeError, TrampfdTypeError } from '../dist/index.js';
import { HOST } from '../dist/targets/index.js';
import { marshalFixtures } from './support-marshal.js';

/** Pointers have 64 bits (LP64) or 32 (ILP32, i386), where every address is a safe-integer number. */
const BITS = HOST.model.sizes.pointer * 8;
const TOP = 2n ** BigInt(BITS) - 1n;

cdef('typedef int mf_int; struct mf_holder { int (*fn)(int); int x; };');
const lib = load(marshalFixtures());
const libc = load(null);
const ptrId = lib.func('uint64_t mf_ptr_id(const void *p)');
const ptrFrom = lib.func('uint64_t mf_ptr_from(const void *(*cb)(void))');
const callHolder = lib.func('int mf_call_holder(struct mf_holder h)');
const callFp = lib.func('int mf_call_fp(int (*fn)(int), int x)');
const callVp = lib.func('int mf_call_vp(void *fn, int x)');
const memset = libc.func('void *memset(void *s, int c, size_t n)');
const qsort = libc.func('void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))');
const snprintf = libc.func('int snprintf(char *s, size_t n, const char *format, ...)');

type ErrorClass = new (...args: any[]) => Error;
function rejects(fn: () => unknown, cls: ErrorClass, code: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    assert.equal((e as { code?: string }).code, code, (e as Error).message);
    assert.match((e as Error).message, message);
    return true;
  });
}

/** Each way C can be handed a pointer object: argument, callback result, variadic argument. */
const routes: [string, (p: unknown) => unknown][] = [
  ['argument', (p) => ptrId(p as never)],
  ['callback result', (p) => ptrFrom((() => p) as never)],
  ['variadic argument', (p) => snprintf(null, 0, '%p', p as never)],
];

const bad: [unknown, ErrorClass, string][] = [
  [NaN, TrampfdRangeError, 'ERR_TRAMPFD_VALUE_RANGE'],
  [2 ** 64, TrampfdRangeError, 'ERR_TRAMPFD_VALUE_RANGE'],
  [2 ** 53, TrampfdRangeError, 'ERR_TRAMPFD_VALUE_RANGE'],
  [1.5, TrampfdRangeError, 'ERR_TRAMPFD_VALUE_RANGE'],
  [-1, TrampfdRangeError, 'ERR_TRAMPFD_VALUE_RANGE'],
  [Infinity, TrampfdRangeError, 'ERR_TRAMPFD_VALUE_RANGE'],
  [-1n, TrampfdRangeError, 'ERR_TRAMPFD_VALUE_RANGE'],
  [2n ** 64n, TrampfdRangeError, 'ERR_TRAMPFD_VALUE_RANGE'],
  // A 4-byte pointer (ILP32) holds [0, 2^32): 2^32 does not fit, as a number or a bigint.
  ...(BITS === 32 ? [[2 ** 32, TrampfdRangeError, 'ERR_TRAMPFD_VALUE_RANGE'], [2n ** 32n, TrampfdRangeError, 'ERR_TRAMPFD_VALUE_RANGE']] as [unknown, ErrorClass, string][] : []),
  ['4096', TrampfdTypeError, 'ERR_TRAMPFD_VALUE_TYPE'],
  [{}, TrampfdTypeError, 'ERR_TRAMPFD_VALUE_TYPE'],
];

for (const [route, pass] of routes) {
  test(`${route}: { pointer } must be a non-negative safe integer, a bigint below 2^${BITS} or null`, () => {
    for (const [p, cls, code] of bad) rejects(() => pass({ pointer: p }), cls, code, /\.pointer must be|expected a pointer/);
    if (route !== 'variadic argument') {
      assert.equal(pass({ pointer: 4096 }), 4096n);
      // The largest number and bigint a pointer holds: 2^53 - 1 and 2^64 - 1, or 2^32 - 1 for both.
      assert.equal(pass({ pointer: BITS === 64 ? 2 ** 53 - 1 : 2 ** 32 - 1 }), BITS === 64 ? 2n ** 53n - 1n : TOP);
      assert.equal(pass({ pointer: TOP }), TOP);
      assert.equal(pass({ pointer: null }), 0n);
    }
  });
}

test('struct member: { pointer } is validated, a Callback is taken', () => {
  rejects(() => callHolder({ fn: { pointer: -1 }, x: 1 }), TrampfdRangeError, 'ERR_TRAMPFD_VALUE_RANGE', /argument 1.*fn.*\.pointer must be/);
  rejects(() => callHolder({ fn: { pointer: 1.5 }, x: 1 }), TrampfdRangeError, 'ERR_TRAMPFD_VALUE_RANGE', /\.pointer must be/);
  const twice = callback('int twice(int)', (x: number) => 2 * x);
  assert.equal(callHolder({ fn: twice, x: 21 }), 42);
  assert.equal(callHolder({ fn: { pointer: twice.pointer }, x: 4 }), 8);
  twice.free();
});

test('a freed Callback throws ERR_TRAMPFD_FREED before C runs: argument, result, struct member, variadic', () => {
  const cmp = callback('int cmp(const void *, const void *)', () => 0);
  cmp.free();
  const a = new Int32Array([3, 1, 2]);
  rejects(() => qsort(a, 3, 4, cmp), CallbackError, 'ERR_TRAMPFD_FREED', /qsort: argument 4 \(cmp\): this callback was freed/);
  assert.deepEqual([...a], [3, 1, 2], 'qsort did not run');
  const f = callback('int f(int)', (x: number) => x);
  f.free();
  rejects(() => callFp(f, 1), CallbackError, 'ERR_TRAMPFD_FREED', /freed/);
  rejects(() => callVp(f, 1), CallbackError, 'ERR_TRAMPFD_FREED', /freed/);
  rejects(() => callHolder({ fn: f, x: 1 }), CallbackError, 'ERR_TRAMPFD_FREED', /fn.*freed/);
  rejects(() => ptrFrom((() => f) as never), CallbackError, 'ERR_TRAMPFD_FREED', /return value.*freed/);
  rejects(() => snprintf(null, 0, '%p', f), CallbackError, 'ERR_TRAMPFD_FREED', /argument 4.*freed/);
  // The raw number stays the escape hatch (C keeps the trap for stale pointers it holds).
  assert.equal(ptrId(f.pointer), BigInt(f.pointer));
});

test('a Callback of another prototype is refused, naming both types; same types after typedefs pass', () => {
  const dbl = callback('double f(double)', (x: number) => x);
  const a = new Int32Array([3, 1, 2]);
  rejects(() => qsort(a, 3, 4, dbl), TrampfdTypeError, 'ERR_TRAMPFD_VALUE_TYPE',
    /qsort: argument 4 \(cmp\): expected a callback of type 'int \(\*\)\(const void \*, const void \*\)', got one of type 'double \(double\)'/);
  assert.deepEqual([...a], [3, 1, 2]);
  rejects(() => callFp(dbl, 1), TrampfdTypeError, 'ERR_TRAMPFD_VALUE_TYPE', /'int \(\*\)\(int\)'.*'double \(double\)'/);
  rejects(() => callHolder({ fn: dbl, x: 1 }), TrampfdTypeError, 'ERR_TRAMPFD_VALUE_TYPE', /fn: expected a callback of type/);
  // Escape hatches and untyped pointers: the number, a { pointer } object, void *.
  const inc = callback('mf_int inc(const mf_int value)', (x: number) => x + 1);
  assert.equal(callFp(inc, 1), 2, 'typedefs, parameter names and top-level qualifiers do not matter');
  assert.equal(callVp(inc, 2), 3, 'void * takes any callback');
  assert.equal(callFp(inc.pointer, 3), 4);
  assert.equal(callFp({ pointer: inc.pointer }, 4), 5);
  const other = callback('long g(int)', (x: number) => x);
  rejects(() => callFp(other, 1), TrampfdTypeError, 'ERR_TRAMPFD_VALUE_TYPE', /'int \(\*\)\(int\)'.*'long \(int\)'/);
  for (const cb of [dbl, inc, other]) cb.free();
});

test('each property of a pointer object is read once', () => {
  const reads: string[] = [];
  const inc = callback('int inc(int)', (x: number) => x + 1);
  const p = new Proxy(inc, { get: (t, k) => { reads.push(String(k)); const v = Reflect.get(t, k); return typeof v === 'function' ? v.bind(t) : v; } });
  assert.equal(callFp(p, 1), 2);
  assert.deepEqual(reads.sort(), ['freed', 'pointer', 'type']);
  inc.free();
});

test('a view of a detached ArrayBuffer throws; an empty attached one passes 0', () => {
  const ab = new ArrayBuffer(16);
  const view = new Uint8Array(ab);
  const dv = new Uint32Array(ab, 4, 2);
  const dataView = new DataView(ab);
  structuredClone(ab, { transfer: [ab] });
  rejects(() => ptrId(dataView), TrampfdTypeError, 'ERR_TRAMPFD_VALUE_TYPE', /detached/);
  rejects(() => memory.address(dataView), TrampfdTypeError, 'ERR_TRAMPFD_VALUE_TYPE', /detached/);
  rejects(() => memset(view, 0, 16), TrampfdTypeError, 'ERR_TRAMPFD_VALUE_TYPE', /memset: argument 1 \(s\): .*detached/);
  rejects(() => ptrId(dv), TrampfdTypeError, 'ERR_TRAMPFD_VALUE_TYPE', /detached/);
  rejects(() => ptrId(ab), TrampfdTypeError, 'ERR_TRAMPFD_VALUE_TYPE', /detached/);
  rejects(() => ptrFrom((() => view) as never), TrampfdTypeError, 'ERR_TRAMPFD_VALUE_TYPE', /return value.*detached/);
  rejects(() => memory.address(view), TrampfdTypeError, 'ERR_TRAMPFD_VALUE_TYPE', /detached/);
  assert.equal(ptrId(new Uint8Array(0)), 0n);
  assert.equal(ptrId(new ArrayBuffer(0)), 0n);
  assert.equal(ptrId(new Uint8Array(new ArrayBuffer(8), 8)), 0n);
});

test('SharedArrayBuffer and views of one pass their bytes, zero-copy', async () => {
  const sab = new SharedArrayBuffer(32);
  const bytes = new Uint8Array(sab);
  const base = memory.address(sab);
  assert.ok(base > 0);
  assert.equal(memory.address(bytes), base);
  assert.equal(memory.address(new Uint8Array(sab, 8)), base + 8);
  memset(bytes.subarray(4), 7, 3);
  assert.deepEqual([...bytes.subarray(0, 8)], [0, 0, 0, 0, 7, 7, 7, 0]);
  memset(sab, 1, 2);
  assert.deepEqual([...bytes.subarray(0, 3)], [1, 1, 0]);
  assert.equal(ptrId(new Int32Array(sab, 16)), BigInt(base + 16));
  assert.equal(ptrFrom((() => new Int32Array(sab, 8)) as never), BigInt(base + 8));
  await memset.async(new Uint8Array(sab, 24, 4), 9, 4);
  assert.deepEqual([...bytes.subarray(24, 29)], [9, 9, 9, 9, 0]);
});
