// Area: callbacks and the frame stack. Purpose: callbacks nested deep with a 60,000-byte struct
// argument never abort: the frame stack holds what the issue's program needs (8 levels), and past
// its end C gets zeros while the foreign call in progress rethrows a TrampfdRangeError naming the
// callback; the process survives and the next call works. Child processes (a worker with a large
// thread stack, so C's by-value copies do not hit V8's stack limit first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMULATION_SLOWDOWN, distUrl, runChild } from './support-callbacks.js';
import { lifecycleFixtures } from './support-lifecycle.js';

/** Runs `body` in a worker with a 256 MiB stack; `callBig(cb, depth)` calls cb(big, depth) from C. */
function inWorker(body: string) {
  return runChild(`
    import { Worker } from 'node:worker_threads';
    const w = new Worker(\`
      import { callback, cdef, load } from ${JSON.stringify(distUrl)};
      cdef('struct big { int first; unsigned char pad[59992]; int last; };');
      const callBig = load(${JSON.stringify(lifecycleFixtures())}).func('int call_big(int (*f)(struct big b, int depth), int depth)');
      const out = (o) => console.log(JSON.stringify(o));
      ${body.replace(/[`\\$]/g, (c) => '\\' + c)}
    \`, { eval: true, resourceLimits: { stackSizeMb: 256 } });
    w.on('error', (e) => { console.log('worker error ' + e.stack); process.exitCode = 1; });
  `, [], 120_000 * EMULATION_SLOWDOWN);
}

function report(r: ReturnType<typeof runChild>): any {
  assert.equal(r.signal, null, `killed by ${r.signal}\n${r.stdout}\n${r.stderr}`);
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

test('callbacks with a 60,000-byte struct argument nested 8 deep run to the end', () => {
  const got = report(inWorker(`
    const seen = [];
    const cb = callback('int f(struct big b, int depth)', (b, depth) => {
      seen.push(b.first === depth && b.last === ~depth);
      return depth < 8 ? callBig(cb, depth + 1) + 1 : 100;
    });
    out({ r: callBig(cb, 1), seen: seen.every(Boolean), n: seen.length });
  `));
  assert.deepEqual(got, { r: 107, n: 8, seen: true });
});

test('nesting past the frame stack\'s end: the outermost call throws a TrampfdRangeError, the next call works', () => {
  const got = report(inWorker(`
    let deepest = 0;
    const innerGot = [];
    const cb = callback('int f(struct big b, int depth)', (b, depth) => {
      deepest = depth;
      const r = callBig(cb, depth + 1); // throws once the frame stack is exhausted below
      innerGot.push(r);
      return r + 1;
    });
    let error;
    try { callBig(cb, 1); } catch (e) { error = { name: e.name, code: e.code, ctor: e.constructor.name, message: e.message }; }
    const again = callback('int g(struct big b, int depth)', (b, depth) => b.first * 2 + depth);
    out({ deepest, innerGot, error, next: callBig(again, 5) });
  `));
  assert.ok(got.deepest > 30, `nested ${got.deepest} deep before the end of an 8 MiB frame stack`);
  assert.deepEqual(got.innerGot, [], 'each level rethrew the error instead of returning');
  assert.equal(got.error?.ctor, 'TrampfdRangeError', JSON.stringify(got));
  assert.match(got.error.message, /^callback f: the frame stack is exhausted \(callbacks nested too deeply, or arguments too large\)$/);
  assert.equal(got.next, 15);
});
