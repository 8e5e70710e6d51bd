// Generated struct and string fast paths: every value form and error still matches the generic path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { cdef, load } from '../dist/index.js';
import { gcc, scratchDir } from './support-native.js';

const src = `
#include <stddef.h>
#include <string.h>
struct fp_in { int a; double b; size_t n; unsigned char tag[3]; struct { short s; float f; } sub; };
struct fp_big { double v[5]; long long ll; void *p; };
double fp_sum(struct fp_in x) { return x.a + x.b + (double)x.n + x.tag[0] + x.tag[1] + x.tag[2] + x.sub.s + x.sub.f; }
struct fp_in fp_echo(struct fp_in x) { x.a += 1; return x; }
struct fp_big fp_big_echo(struct fp_big x) { x.ll = -x.ll; return x; }
size_t fp_len(const char *s) { return strlen(s); }
`;
const dir = scratchDir();
writeFileSync(join(dir, 'fp.c'), src);
gcc(['-O2', '-shared', '-fPIC', '-o', join(dir, 'libfp.so'), join(dir, 'fp.c')]);
cdef(`struct fp_in { int a; double b; size_t n; unsigned char tag[3]; struct { short s; float f; } sub; };
      struct fp_big { double v[5]; long long ll; void *p; };`);
const lib = load(join(dir, 'libfp.so'));
const sum = lib.func('double fp_sum(struct fp_in x)');
const echo = lib.func('struct fp_in fp_echo(struct fp_in x)');
const bigEcho = lib.func('struct fp_big fp_big_echo(struct fp_big x)');
const len = lib.func('size_t fp_len(const char *s)');

const good = { a: 1, b: 0.5, n: 10, tag: [1, 2, 3], sub: { s: -4, f: 0.25 } };

test('structs by value: the fast path and the generic forms give the same bytes', () => {
  assert.equal(sum(good), 1 + 0.5 + 10 + 6 - 4 + 0.25);
  assert.deepEqual(echo(good), { ...good, a: 2 });
  // Forms only the generic path accepts: a bigint for size_t, a string for unsigned char[3].
  assert.equal(sum({ ...good, n: 10n }), 1 + 0.5 + 10 + 6 - 4 + 0.25);
  assert.equal(sum({ ...good, tag: 'abc' }), 1 + 0.5 + 10 + 97 + 98 + 99 - 4 + 0.25);
  const big = { v: [1, 2, 3, 4, 5], ll: 7n, p: 4096 };
  assert.deepEqual(bigEcho(big), { ...big, ll: -7n });
});

test('structs by value: wrong forms fail with the generic messages', () => {
  assert.throws(() => sum({ ...good, extra: 1 }), /fp_sum: argument 1 \(x\): struct fp_in has no member 'extra'/);
  const { b: _b, ...missing } = good;
  assert.equal(sum(missing), 1 + 10 + 6 - 4 + 0.25, 'a member left out is zero');
  assert.equal(sum({ ...good, b: undefined, sub: undefined }), 1 + 10 + 6, 'undefined members are zero too');
  assert.throws(() => sum({ ...good, a: 1.5 }), /expected an integer/);
  assert.throws(() => sum({ ...good, tag: [1, 2] }), /expected 3 elements/);
  assert.throws(() => sum({ ...good, sub: { s: 70000, f: 0 } }), /expected an integer in \[-32768, 32767\]/);
  assert.throws(() => sum([1, 2]), /expected an object for struct fp_in/);
  assert.throws(() => sum(null), /expected an object for struct fp_in/);
});

test('const char * strings: ASCII fast path, UTF-8, long strings and NUL', () => {
  assert.equal(len('hello'), 5);
  assert.equal(len(''), 0);
  assert.equal(len('héllo wörld'), 13);
  assert.equal(len('x'.repeat(300)), 300);
  assert.equal(len('€'.repeat(400_000)), 1_200_000); // larger than the frame buffer: a pinned copy
  assert.throws(() => len('a\0b'), /string contains a NUL character/);
  const buf = Buffer.from('abc\0');
  assert.equal(len(buf), 3);
  assert.equal(len(buf.subarray(1)), 2);
  assert.equal(len(new Uint8Array([65, 66, 0]).buffer), 2);
});
