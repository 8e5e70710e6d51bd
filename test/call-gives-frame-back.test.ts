// Area: foreign calls and the frame stack (native/js-call.c, src/codegen/compile.ts). Purpose: a
// call gives its frame back to the frame stack however it ends — also when the native call
// leaves JS with an exception (here: a callback entered with V8's stack exhausted), which the
// generated marshallers no longer wrap in try/finally: the frame-stack top is where it started,
// for marshallers with and without pinned arguments, generated and interpreted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callback, load } from '../dist/index.js';
import { codegenSettings } from '../dist/codegen/compile.js';
import { TOP_WORD, views } from '../dist/codegen/frame.js';
import { callbackFixtures } from './support-callbacks.js';

const lib = load(callbackFixtures());
const cb = callback('int f(int)', (x: number) => x + 1);
const declarations = {
  'a function-pointer argument (pins)': 'int call_int(int (*f)(int), int x)',
  // unsigned long has the pointer's size on LP64 and ILP32 alike; a signed long could not hold an
  // i386 address at or above 2^31.
  'the address as an unsigned long (no pins)': 'int call_int(unsigned long f, int x)',
};

for (const [label, decl] of Object.entries(declarations)) {
  for (const interpreted of [false, true]) {
    test(`${label}, ${interpreted ? 'interpreted' : 'generated'}: calls that throw from inside leave the frame-stack top as it was`, () => {
      codegenSettings.interpretOnly = interpreted;
      const callInt = lib.func(decl);
      codegenSettings.interpretOnly = process.env.TRAMPFD_INTERPRET === '1';
      const arg = decl.includes('long') ? cb.pointer : cb;
      const top0 = views.u32[TOP_WORD];
      let thrown = 0;
      let made = 0;
      // Recurse until V8's stack runs out, then call at each level on the way back: the deepest
      // calls fail inside (the callback cannot be entered), shallower ones succeed.
      const rec = (n: number): number => {
        try {
          return rec(n + 1);
        } catch {
          try {
            const r = callInt(arg, n);
            if (r !== n + 1) throw new Error(`got ${r}`);
            made++;
            return r;
          } catch (e) {
            if (!(e instanceof RangeError)) throw e;
            thrown++;
            throw e;
          }
        }
      };
      try { rec(0); } catch { /* every level failed: counted below */ }
      assert.ok(thrown > 0, 'no call failed from inside: the test did not reach its case');
      assert.ok(made > 0, `no call succeeded (${thrown} failed)`);
      assert.equal(views.u32[TOP_WORD], top0, `the frame-stack top moved after ${thrown} failed and ${made} good calls`);
      assert.equal(callInt(arg, 41), 42);
    });
  }
}
