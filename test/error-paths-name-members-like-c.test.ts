// Area: values. Purpose: error messages say where a bad value is as a C programmer would: the
// function first, then the argument, then the member path ("apply_vec: argument 2 (v), member
// pos.x", "member data[3]"), "strtoull: return value"; a typedef'd anonymous struct or enum is
// named by its typedef, in messages and in `.name`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callback, cdef, load, memory } from '../dist/index.js';
import { HOST } from '../dist/targets/index.js';

cdef(`
  typedef struct { int x, y; } ep_vec_t;
  typedef enum { EP_RED, EP_GREEN } ep_color_t;
  struct ep_body { ep_vec_t pos; int data[4]; struct { double w; ep_vec_t corners[2]; } box; };
`);
const libc = load(null);
// Checked before any call: the function itself never runs with a bad value.
const apply = libc.func('int abs(int n, ep_vec_t v)' as string);

/** The message of what `f` throws. */
function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail('expected an error');
}

test('arguments: function, argument, then member path', () => {
  assert.equal(message(() => apply(1, { x: 'a', y: 1 })), 'abs: argument 2 (v), member x: expected an integer in [-2147483648, 2147483647], got "a"');
  const body = libc.func('int abs(struct ep_body b)' as string);
  assert.match(message(() => body({ data: [1, 2, 3, 1.5] })), /^abs: argument 1 \(b\), member data\[3\]: expected an integer/);
  assert.match(message(() => body({ pos: { x: 2 ** 40 } })), /^abs: argument 1 \(b\), member pos\.x: expected an integer/);
  assert.match(message(() => body({ box: { corners: [{}, { y: null }] } })), /^abs: argument 1 \(b\), member box\.corners\[1\]\.y: expected an integer/);
  assert.match(message(() => body({ box: { q: 1 } })), /^abs: argument 1 \(b\), member box: struct <anonymous> has no member 'q'$/);
  assert.equal(message(() => libc.func('int abs(int n)')(1.5)), 'abs: argument 1 (n): expected an integer in [-2147483648, 2147483647], got 1.5');
  assert.match(message(() => libc.func('int snprintf(char *s, size_t n, const char *f, ...)')(null, 0, '%d', ['int', 1.5])), /^snprintf: argument 4: expected an integer/);
});

test('return values: "function: return value"', () => {
  const strtoull = libc.func('void *strtoull(const char *s, char **end, int base)' as string);
  if (HOST.model.sizes.pointer === 4) { // every 4-byte pointer fits a JS number: no return fails to read (the low word is the pointer)
    assert.equal(strtoull('18446744073709551615', null, 10), 0xffffffff);
    return;
  }
  assert.match(message(() => strtoull('18446744073709551615', null, 10)), /^strtoull: return value: pointer value 18446744073709551615 is not a safe integer/);
});

test('callbacks: "callback name: argument n", "callback name: return value"', () => {
  const qsort = libc.func('void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *a, const void *b))');
  let calls = 0; // one wrong result only: a qsort may compare more than once (sanitizers' does)
  using cmp = callback('int cmp(const void *a, const void *b)', () => (calls++ === 0 ? 1.5 : 0) as number);
  assert.match(message(() => qsort(new Int32Array(2), 2, 4, cmp)), /^callback cmp: return value: expected an integer/);
});

test('memory.read and memory.write name the type, then the member or element', () => {
  const p = memory.alloc(64);
  try {
    assert.match(message(() => memory.write(p, 'struct ep_body', { box: { w: 'x' } })), /^memory\.write\(struct ep_body\), member box\.w: expected a number/);
    assert.match(message(() => memory.write(p, 'int[4]', [1, 2, 3, 'x'])), /^memory\.write\(int\[4\]\), element 3: expected an integer/);
    assert.match(message(() => memory.write(p, 'ep_vec_t[2]', [{}, { x: 'a' }])), /^memory\.write\(ep_vec_t\[2\]\), element 1, member x: /);
  } finally {
    memory.free(p);
  }
});

test('a typedef names its anonymous struct or enum, in messages and in .name', () => {
  const [vec] = cdef('typedef struct { int a; } ep_named_t;') as unknown as { type: { name: string } }[];
  assert.equal(vec!.type.name, 'ep_named_t');
  assert.equal(message(() => memory.write(memory.alloc(8), 'ep_vec_t', { z: 1 })), "memory.write(ep_vec_t): ep_vec_t has no member 'z'");
  assert.equal(message(() => libc.func('int abs(ep_color_t c)')('EP_BLUE')), "abs: argument 1 (c): 'EP_BLUE' is not an enumerator of ep_color_t");
  const cb = callback('void f(ep_vec_t *v, ep_vec_t w)', () => {});
  assert.equal(cb.type.params[0]!.type.name, 'ep_vec_t *');
  assert.equal(cb.type.params[1]!.type.name, 'ep_vec_t');
  cb.free();
});
