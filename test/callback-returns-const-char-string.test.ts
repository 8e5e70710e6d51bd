// Area: callbacks. Purpose: a callback declared to return `const char *` may return a JS string:
// it is encoded (UTF-8, NUL-terminated) into memory the callback object keeps until it returns
// again, so C can use each result until its next call. A returned Buffer is passed by address
// (the JS side keeps it alive). Also run in every runner mode by callback-modes.test.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callback, load } from '../dist/index.js';
import { gcc, scratchDir } from './support-native.js';

const source = `#include <string.h>
/* Calls name(1) and name(2); each result is checked before the next call, as the contract allows. */
int crs_twice(const char *(*name)(int)) {
  const char *a = name(1);
  int ok = a != 0 && strcmp(a, "item 1 \\xc3\\xa9") == 0;
  const char *b = name(2);
  return ok + (b != 0 && strcmp(b, "item 2 \\xc3\\xa9") == 0) * 2;
}
/* The length of what name(0) returns, or -1 for NULL. */
long crs_length(const char *(*name)(int)) {
  const char *s = name(0);
  return s ? (long)strlen(s) : -1;
}
`;
const file = join(scratchDir(), 'callback-returns-string.c');
const so = join(scratchDir(), 'libcallback-returns-string.so');
writeFileSync(file, source);
gcc(['-std=gnu11', '-O2', '-shared', '-fPIC', '-o', so, file]);
const lib = load(so);
const twice = lib.func('int crs_twice(const char *(*name)(int))');
const length = lib.func('long crs_length(const char *(*name)(int))');

test('a const char * callback returns a JS string each time, to a transient and a persistent callback', () => {
  assert.equal(twice((i: number) => `item ${i} é`), 3, 'C saw both strings (transient callback)');
  using cb = callback('const char *name(int i)', (i: number) => `item ${i} é`);
  assert.equal(twice(cb), 3, 'C saw both strings (callback object)');
  assert.equal(twice(cb), 3, 'and again: the buffer is reused per callback object');
  assert.equal(length((): string => 'x'.repeat(100_000)), 100_000, 'a long string');
  assert.equal(length(() => ''), 0);
  assert.equal(length(() => null), -1, 'null is still NULL');
});

test('a Buffer result passes its address; the JS side keeps it alive', () => {
  const kept = Buffer.from('buffer\0');
  assert.equal(length(() => kept), 6);
});

test('a string with a NUL, or a string for a non-const char * result, is an error rethrown from the call', () => {
  assert.throws(() => length(() => 'a\0b'), /callback name: return value: string contains a NUL character|return value: string contains a NUL/);
  const plain = lib.func('long crs_length(char *(*name)(int))' as string);
  assert.throws(() => plain(() => 'x'), /return value: a string is accepted only for 'const char \*'/);
});
