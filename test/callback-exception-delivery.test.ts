// Area: callbacks. Purpose: a callback's exception is rethrown by the foreign call that was running
// when it was thrown — not by a later call another callback makes — and when several callbacks
// throw during one call, none is lost: one is rethrown as it is, more as one AggregateError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callback, load } from '../dist/index.js';
import { marshalFixtures } from './support-marshal.js';

const lib = load(marshalFixtures());
const decls = {
  callTwo: 'int mf_call_two(int (*a)(int), int (*b)(int))',
  repeat: 'int mf_repeat(int (*cb)(int), int n)',
  times10: 'int mf_times10(int x)',
} as const;
// Each case runs with plain and with blocking declarations of every function involved.
const variants = [{}, { blocking: true }].map((o) => ({
  label: 'blocking' in o ? 'blocking calls' : 'calls',
  callTwo: lib.func(decls.callTwo, o), repeat: lib.func(decls.repeat, o), times10: lib.func(decls.times10, o),
}));

class E extends Error {}

for (const v of variants) {
  test(`${v.label}: a callback's exception is not delivered to a call a later callback makes`, () => {
    const seen: unknown[] = [];
    const e1 = new E('E1');
    const a = callback('int a(int)', () => { throw e1; });
    const b = callback('int b(int)', (x: number) => {
      try {
        return v.times10(x); // must return 20, not throw E1
      } catch (e) {
        seen.push(e);
        return -1;
      }
    });
    assert.throws(() => v.callTwo(a, b), (e: unknown) => e === e1);
    assert.deepEqual(seen, [], 'the inner call threw nothing');
    a.free();
    b.free();
  });

  test(`${v.label}: an inner call that throws its own callback's exception leaves the outer one's pending`, () => {
    const outer = new E('outer');
    const inner = new E('inner');
    const caught: unknown[] = [];
    assert.throws(() => v.callTwo(
      () => { throw outer; },
      (x: number) => {
        try {
          v.repeat(() => { throw inner; }, 1);
        } catch (e) {
          caught.push(e);
        }
        return x;
      },
    ), (e: unknown) => e === outer);
    assert.deepEqual(caught, [inner], 'the inner call threw its own callback\'s exception only');
  });

  test(`${v.label}: several callbacks throwing in one call give one AggregateError, in order`, () => {
    let n = 0;
    assert.throws(() => v.repeat(() => { throw new E(`e${n++}`); }, 3), (e: unknown) => {
      assert.ok(e instanceof AggregateError, String(e));
      assert.equal(e.message, 'mf_repeat: 3 callbacks threw during the call');
      assert.deepEqual(e.errors.map((x: Error) => x.message), ['e0', 'e1', 'e2']);
      assert.ok(e.errors.every((x: unknown) => x instanceof E));
      return true;
    });
    // Only one throws: it is rethrown as it is.
    const only = new E('only');
    assert.throws(() => v.repeat((i: number) => { if (i === 1) throw only; return i; }, 3), (e: unknown) => e === only);
    // Nothing is left pending for the next call.
    assert.equal(v.repeat((i: number) => i, 4), 6);
  });
}
