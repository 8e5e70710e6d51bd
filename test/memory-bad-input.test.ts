// Area: memory.*. Purpose: each memory function's bad input throws trampfd's classes with their
// codes — TrampfdTypeError (a value of the wrong kind) or TrampfdRangeError (out of range) —
// naming the function, and never reaches native code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memory, TrampfdRangeError, TrampfdTypeError } from '../dist/index.js';

const T = [TrampfdTypeError, 'ERR_TRAMPFD_VALUE_TYPE'] as const;
const R = [TrampfdRangeError, 'ERR_TRAMPFD_VALUE_RANGE'] as const;
const m = memory as unknown as Record<string, (...args: unknown[]) => unknown>;

const cases: [string, unknown[], typeof T | typeof R][] = [
  ['alloc', ['16'], T], ['alloc', [null], T], ['alloc', [-1], R], ['alloc', [1.5], R], ['alloc', [2 ** 53], R], ['alloc', [NaN], R],
  ['free', ['4096'], T], ['free', [null], T], ['free', [12], R], ['free', [-4096], R], ['free', [4096.5], R],
  ['read', [undefined, 'int'], T], ['read', [8, 'int'], R], ['read', [2 ** 60, 'int'], R], ['read', [4096, 'void'], T],
  ['write', [{}, 'int', 1], T], ['write', [0, 'int', 1], R], ['write', [4096, 'void', 1], T],
  ['string', [4096n], T], ['string', [0], R],
  ['view', [true, 4], T], ['view', [16, 4], R], ['view', [4096, -1], R], ['view', [4096, 1.5], R], ['view', [4096, '4'], T],
  ['address', [123], T], ['address', [null], T], ['address', [[1, 2]], T], ['address', ['abc'], T],
];

for (const [fn, args, [cls, code]] of cases) {
  test(`memory.${fn}(${args.map((a) => (typeof a === 'bigint' ? `${a}n` : typeof a === 'number' ? String(a) : JSON.stringify(a) ?? String(a))).join(', ')}) throws ${cls.name}`, () => {
    assert.throws(() => m[fn]!(...args), (e: unknown) => {
      assert.ok(e instanceof cls, `expected ${cls.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
      assert.equal((e as { code?: string }).code, code);
      assert.match((e as Error).message, new RegExp(`^memory\\.${fn}: `));
      return true;
    });
  });
}

test('good input still works', () => {
  const p = memory.alloc(8);
  memory.write(p, 'int', 42);
  assert.equal(memory.read(p, 'int'), 42);
  assert.equal(memory.view(p, 4)[0], 42);
  memory.free(p);
  memory.free(0);
});
