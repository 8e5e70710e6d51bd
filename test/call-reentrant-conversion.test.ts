// Area: calls. Purpose: JS that runs while arguments are converted — getters, Proxies, `.pointer`
// getters — may call foreign functions (and callbacks) without overwriting the arguments already
// stored: nested calls get frames above the one being built. Calls, .async and callback results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callback, cdef, load, memory } from '../dist/index.js';
import { marshalFixtures } from './support-marshal.js';

cdef(`struct mf_pt { int x; int y; };
      struct mf_line { struct mf_pt a; struct mf_pt b; };
      struct mf_big { int v[6]; double d; char c[40]; };`);
const lib = load(marshalFixtures());
const sumOf = lib.func('int mf_sum_of(int k, struct mf_pt p)');
const sumLine = lib.func('int mf_sum_line(int k, struct mf_line l)');
const sumArr = lib.func('int mf_sum_arr(int k, struct mf_big b)');
const sumPtr = lib.func('int mf_sum_ptr(int k, const int *p, int j)');
const sumTwo = lib.func('int mf_sum_two(struct mf_pt p, struct mf_pt q)');
const strPt = lib.func('int mf_str_pt(const char *s, struct mf_pt p)');
const len = lib.func('int mf_len(const char *s)');
const times10 = lib.func('int mf_times10(int x)');
const repeat = lib.func('int mf_repeat(int (*cb)(int), int n)');
const usePt = lib.func('int mf_use_pt(struct mf_pt (*cb)(int), int k)');

/** Foreign calls of every kind a getter might make; each checks its own result. */
const nested: Record<string, () => void> = {
  scalar: () => assert.equal(times10(7), 70),
  struct: () => assert.equal(sumOf(100, { x: 1, y: 2 }), 103),
  string: () => assert.equal(len('a longer string than the outer one'), 34),
  callbacks: () => assert.equal(repeat((i: number) => times10(i) + sumOf(i, { x: 0, y: 0 }), 3), 33),
};

/** `value`, but reading `key` first makes the nested call. */
function withGetter<T extends object>(value: T, key: keyof T, call: () => void): T {
  const v = value[key];
  return Object.defineProperty({ ...value }, key, { get: () => { call(); return v; }, enumerable: true });
}

/** A Proxy whose every read makes the nested call. */
function proxied<T extends object>(value: T, call: () => void): T {
  return new Proxy(value, { get: (t, k) => { call(); return Reflect.get(t, k); } });
}

const pt = { x: 10, y: 20 };
const ints = new Int32Array([300, 400]);

/** Every conversion that can run user JS, each with the result C must compute. */
function cases(call: () => void): [string, () => number, number][] {
  const v = [1, 2, 3, 4, 5, 6];
  const addr = memory.address(ints);
  return [
    ['getter on a struct member', () => sumOf(5, withGetter(pt, 'x', call)), 35],
    ['getter on the last member', () => sumOf(5, withGetter(pt, 'y', call)), 35],
    ['Proxy struct', () => sumOf(5, proxied(pt, call)), 35],
    ['nested structs', () => sumLine(1, { a: withGetter(pt, 'y', call), b: proxied({ x: 3, y: 4 }, call) }), 38],
    ['Proxy array member of a struct in memory', () => sumArr(1, { v: proxied(v, call), d: 2, c: 'x' }), 24],
    ['getter after the array', () => sumArr(1, withGetter({ v, d: 2, c: 'x' }, 'c', call)), 24],
    ['second struct argument', () => sumTwo(pt, withGetter(pt, 'x', call)), 60],
    ['pointer object', () => sumPtr(5, { get pointer() { call(); return addr; } }, 6), 711],
    ['Proxy pointer object', () => sumPtr(5, proxied({ pointer: addr }, call), 6), 711],
    ['struct after a string argument', () => strPt('abc', withGetter(pt, 'y', call)), 330],
  ];
}

for (const [kind, call] of Object.entries(nested)) {
  test(`a ${kind} call made during argument conversion leaves the outer arguments intact`, () => {
    for (const [label, run, want] of cases(call)) assert.equal(run(), want, label);
  });

  test(`.async: a ${kind} call made during argument conversion leaves the outer arguments intact`, async () => {
    const v = [1, 2, 3, 4, 5, 6];
    assert.equal(await sumOf.async(5, withGetter(pt, 'x', call)), 35);
    assert.equal(await sumArr.async(1, { v: proxied(v, call), d: 2, c: 'x' }), 24);
    assert.equal(await sumPtr.async(5, { get pointer() { call(); return memory.address(ints); } }, 6), 711);
    assert.equal(await strPt.async('abc', withGetter(pt, 'y', call)), 330);
  });

  test(`a ${kind} call made while a callback's result is converted`, () => {
    assert.equal(usePt((k: number) => withGetter({ x: k, y: 2 }, 'x', call), 3), 8);
    assert.equal(usePt(() => proxied(pt, call), 1), 31);
    const cb = callback('struct mf_pt f(int)', (k: number) => withGetter({ x: 1, y: k }, 'y', call));
    assert.equal(usePt(cb, 4), 9);
    cb.free();
  });
}

test('an async call started by a getter while another async call is marshalled', async () => {
  let inner: Promise<unknown> | undefined;
  const outer = strPt.async('abcd', withGetter(pt, 'x', () => { inner = strPt.async('xy', pt); }));
  assert.deepEqual(await Promise.all([outer, inner]), [430, 230]);
});

test('a getter that throws after a nested call leaves the frame stack as it was', () => {
  for (let i = 0; i < 10000; i++) {
    assert.throws(() => sumOf(1, { x: 1, get y() { times10(1); throw new Error('no'); } }), /no/);
  }
  assert.equal(sumOf(5, pt), 35);
});
