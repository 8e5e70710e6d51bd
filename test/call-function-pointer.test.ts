// Area: calls through C function pointers. Purpose: fnptr(address, decl) and
// lib.func(decl, { address }) call a pointer that C returned (int (*get_op(const char *))(int,
// int)), stored in a struct, or a trampfd callback's own pointer, with the same marshallers as
// func() (.async, variadic), and reject an address that is not one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { callback, cdef, fnptr, load, memory, TrampfdRangeError, TrampfdTypeError } from '../dist/index.js';
import { gcc, repo, scratchDir } from './support-native.js';

function fixtures(): string {
  const out = join(scratchDir(), 'libfnptr-fixtures.so');
  if (!existsSync(out)) {
    gcc(['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror', '-fPIC', '-shared', '-o', out, join(repo, 'test/c/fnptr-fixtures.c')]);
  }
  return out;
}

const lib = load(fixtures());
const getOp = lib.func('int (*get_op(const char *name))(int, int)');

test('a function pointer C returned, called through fnptr() and through func(decl, { address })', () => {
  const add = getOp('add') as number;
  const sub = getOp('sub') as number;
  assert.ok(Number.isSafeInteger(add) && add > 0 && add !== sub);
  assert.equal(getOp('nope'), 0);
  const f = fnptr(add, 'int add(int a, int b)');
  assert.equal(f(2, 3), 5);
  assert.equal(f.address, add);
  assert.equal(f.declaration, 'int add(int a, int b)');
  // The name is only a label: nothing called 'minus' exists in the library.
  const minus = lib.func('int minus(int, int)', { address: sub });
  assert.equal(minus(10, 4), 6);
  assert.throws(() => lib.func('int minus(int, int)'), /symbol 'minus' not found/);
  // A function-pointer type and a typedef name of one declare it too.
  assert.equal(fnptr(getOp('mul') as number, 'int (*)(int, int)')(6, 7), 42);
  cdef('typedef int (*fp_binop)(int, int);');
  assert.equal(fnptr(add, 'fp_binop')(-2, -3), -5);
  // Each argument is checked as for any call.
  assert.throws(() => (f as (...a: number[]) => number)(1), /expects 2 arguments, got 1/);
  assert.throws(() => f(1, 'x' as never), TrampfdTypeError);
  assert.throws(() => f(2 ** 31, 0), TrampfdRangeError);
});

test('a function pointer read from a struct', () => {
  cdef(`struct fp_calculator { const char *name; int (*op)(int, int); double (*scale)(double, double); long calls; };`);
  const init = lib.func('int calculator_init(struct fp_calculator *c, const char *name)');
  const c = memory.alloc(memory.sizeof('struct fp_calculator'));
  try {
    assert.equal(init(c, 'mul'), 0);
    const { op, scale } = memory.read(c, 'struct fp_calculator') as { op: number; scale: number };
    assert.equal(op, getOp('mul'));
    assert.equal(fnptr(op, 'int (*)(int, int)')(-6, 7), -42);
    assert.equal(fnptr(scale, 'double scale(double x, double k)')(1.5, 4), 6);
  } finally {
    memory.free(c);
  }
});

test('.async and variadic calls through a pointer', async () => {
  const add = fnptr(getOp('add') as number, 'int add(int, int)');
  assert.equal(await add.async(40, 2), 42);
  const sumPtr = lib.func('int (*get_sum(void))(int, ...)')() as number;
  const sum = fnptr(sumPtr, 'int sum(int n, ...)');
  assert.equal(sum(3, 1, 2, 3), 6);
  assert.equal(sum(0), 0);
  assert.equal(sum(2, ['short', -5], 7), 2);
  await assert.rejects(sum.async(1, 1), /variadic/);
});

test("a trampfd callback's pointer, given as the Callback, its .pointer or a bigint", async () => {
  using cb = callback('int f(int, int)', (a, b) => a * 100 + b);
  for (const address of [cb, cb.pointer, BigInt(cb.pointer)]) {
    const f = fnptr(address, 'int f(int, int)');
    assert.equal(f(1, 2), 102);
    assert.equal(f.address, cb.pointer);
  }
  assert.equal(await fnptr(cb, 'int f(int a, int b)').async(3, 4), 304);
  // And C calling the same pointer gets the same result.
  assert.equal(lib.func('int apply(int (*f)(int, int), int a, int b)')(cb, 5, 6), 506);
});

test('an address that is not a function pointer is an error, never a call', () => {
  const decl = 'int f(int, int)';
  for (const bad of [0, -1, 1.5, NaN, Infinity, 2 ** 53, 0n, -1n, 2n ** 64n]) {
    assert.throws(() => fnptr(bad, decl), (e: unknown) => e instanceof TrampfdRangeError && /function address/.test(e.message), String(bad));
    assert.throws(() => lib.func(decl, { address: bad }), TrampfdRangeError, String(bad));
  }
  for (const bad of [null, undefined, '0x1000', {}, [], () => 0]) {
    assert.throws(() => fnptr(bad as never, decl), (e: unknown) => e instanceof TrampfdTypeError, String(bad));
  }
  const cb = callback(decl, (a, b) => a + b);
  cb.free();
  assert.throws(() => fnptr(cb, decl), /freed/);
  assert.throws(() => fnptr(getOp('add') as number, 'int f(int'), /DeclarationError|expected/);
  assert.throws(() => fnptr(getOp('add') as number, 42 as never), TrampfdTypeError);
});
