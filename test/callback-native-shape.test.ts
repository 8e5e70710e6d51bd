// Area: callbacks, native runners (native/js-cb-ops.c cbShape). Purpose: the records of a callback
// type are checked and kept in C once per type, shared by every callback of it: a shape stays as
// long as a callback uses it, even after its JS handle and type object are collected; the native
// layer refuses shapes that are malformed or not shapes at all, with errors that say so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../dist/index.js'; // cbInit and cbOpsInit, which cbCreate needs first
import { addon } from '../dist/native/addon.js';
import { callbackFixtures, distUrl, runChild } from './support-callbacks.js';

test('a shape outlives its JS handle while a callback of its type is live', () => {
  // The address goes as an unsigned long, the pointer's size on LP64 and ILP32 (a signed long cannot
  // hold an i386 address at or above 2^31). The callback object and its type are dropped and cdef() resets the declaration cache, so the
  // type, its JS shape and the handle can all be collected; the C closure keeps its runner's shape.
  const r = runChild(`
    import { setFlagsFromString } from 'node:v8';
    import { runInNewContext } from 'node:vm';
    import { callback, cdef, load } from ${JSON.stringify(distUrl)};
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc');
    const callInt = load(${JSON.stringify(callbackFixtures())}).func('int call_int(unsigned long f, int x)');
    const addresses = [];
    for (let i = 0; i < 3; i++) {
      const cb = callback('int shape_probe_' + i + '(int x)', (x) => x * 10 + i);
      if (!cb.native) throw new Error('not on the native runner');
      addresses.push(cb.pointer);
    }
    cdef('typedef int shape_probe_reset_t;');
    for (let k = 0; k < 6; k++) { gc(); await new Promise((r) => setImmediate(r)); }
    // New shapes of the same size (a double argument elsewhere, no result) would land where
    // freed ones were.
    const { addon } = await import(${JSON.stringify(new URL('native/addon.js', distUrl).href)});
    const junk = [];
    for (let i = 0; i < 64; i++) junk.push(addon.cbShape(Int32Array.of(1, 0, 0, 9, 200)));
    console.log(JSON.stringify(addresses.map((a, i) => callInt(a, 4 + i))));
  `, ['--jitless']);
  assert.equal(r.status, 0, `${r.signal ?? r.status}\n${r.stdout}\n${r.stderr}`);
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').at(-1)!), [40, 51, 62]);
});

test('the native layer refuses malformed shapes and handles that are not shapes', () => {
  const refuse = (f: () => unknown, message: RegExp) =>
    assert.throws(f, (e: Error & { code?: string }) => e instanceof TypeError && e.code === 'ERR_TRAMPFD_CALLBACK' && message.test(e.message));
  refuse(() => addon.cbShape(new Uint32Array(3) as unknown as Int32Array), /cbShape\(Int32Array record\)/);
  refuse(() => addon.cbShape(Int32Array.of(2, 0, 0, 5, 0)), /malformed record/); // two arguments, one record
  refuse(() => addon.cbShape(Int32Array.of(1, 0, 0, 99, 0)), /malformed argument record 0/); // no such store
  refuse(() => addon.cbShape(Int32Array.of(1, 0, 0, 5, -8)), /malformed argument record 0/);
  const shape = addon.cbShape(Int32Array.of(1, 0, 0, 5, 1 << 20)); // well formed, but far past any frame
  refuse(() => addon.cbCreate(0, 0, 256, 0, shape, () => 0), /reach past the frame/);
  refuse(() => addon.cbCreate(0, 0, 256, 0, {}, () => 0), /cbCreate\(id, stackBytes, frameBytes, retSlot, shape, fn\)/);
  refuse(() => addon.cbCreate(0, 0, 256, 0, Int32Array.of(0, 0, 0), () => 0), /shape, fn/);
});
