// The native callback layer trusts no value: only live closures of this environment can be freed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callback, trampolines } from '../dist/index.js';
import { addon } from '../dist/native/addon.js';

test('cbFree refuses anything but a live callback address of this environment', () => {
  const cb = callback('int f(int)', (x: number) => x);
  const plain = trampolines.alloc(); // a live trampoline, but not a callback's
  for (const bad of [0, 8, 4096, 2 ** 47, cb.pointer + 8, cb.pointer + 65536, plain.address, -1, 1.5, 2n ** 64n]) {
    assert.throws(() => addon.cbFree(bad as number), /not a live callback|must be|must fit/, `value ${bad}`);
  }
  assert.equal(cb.freed, false);
  cb.free();
  assert.throws(() => addon.cbFree(cb.pointer), /not a live callback/);
  assert.throws(() => cb.free(), /already freed/);
  plain.free();
});
