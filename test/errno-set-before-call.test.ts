// Area: errno. Purpose: errno(value) sets C's errno right before the next call declared
// { errno: true } — direct, { blocking: true } and .async() — which C code sees (printf's %m) and
// which only that call consumes; errno() then reads what the call left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { errno, load, TrampfdRangeError, TrampfdTypeError } from '../dist/index.js';

const libc = load('libc.so.6');
const abs = libc.func('int abs(int)', { errno: true }); // leaves errno alone
const plainAbs = libc.func('int abs(int)');
const blockingAbs = libc.func('int abs(int)', { errno: true, blocking: true });
const snprintf = libc.func('int snprintf(char *buf, size_t size, const char *format, ...)', { errno: true });
const strerror = libc.func('const char *strerror(int errnum)');

test('the C function sees the errno set before it, and errno() reads it back after', () => {
  errno(1234);
  assert.equal(abs(-5), 5);
  assert.equal(errno(), 1234);
  assert.equal(abs(-5), 5);
  assert.equal(errno(), 0, 'consumed by one call: the next starts from 0 again');
  const buf = Buffer.alloc(128);
  errno(constants.errno.ENOENT);
  const n = snprintf(buf, buf.length, '%m');
  assert.equal(buf.toString('utf8', 0, n), 'No such file or directory');
  errno(-7);
  abs(1);
  assert.equal(errno(), -7, 'any int');
  assert.equal(strerror(0) > 0, true);
});

test('a call not declared { errno: true } leaves the value for the next one that is', () => {
  errno(constants.errno.EACCES);
  plainAbs(-1);
  plainAbs(-2);
  abs(-3);
  assert.equal(errno(), constants.errno.EACCES);
});

test('blocking and async calls start from the value set too', async () => {
  errno(41);
  assert.equal(blockingAbs(-9), 9);
  assert.equal(errno(), 41);
  errno(42);
  const p = abs.async(-8); // the value is taken when the call is made, not when it runs
  errno(43);
  assert.equal(await p, 8);
  assert.equal(errno(), 42);
  assert.equal(await abs.async(-8), 8);
  assert.equal(errno(), 43);
});

test('errno(value) takes an int', () => {
  for (const bad of ['2', 2n, null, true]) assert.throws(() => errno(bad as never), TrampfdTypeError, String(bad));
  for (const bad of [1.5, NaN, 2 ** 31, -(2 ** 31) - 1, Infinity]) assert.throws(() => errno(bad), TrampfdRangeError, String(bad));
  errno(0);
  abs(0);
  assert.equal(errno(), 0);
});
