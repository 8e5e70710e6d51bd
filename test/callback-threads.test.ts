// Area: callbacks across threads and call modes. Purpose: 8 pthreads × 100,000 calls into one JS
// callback, served by a { blocking: true } call and by an .async() call (from the event loop):
// every call arrives once, in order per thread, and C checks every result. Also the same-thread
// case, re-entrancy 100 levels deep, the exception rule (rethrown from the call in progress, C
// gets 0; from a thread with no call in progress, 'uncaughtException'), and async calls whose
// Buffer and string arguments must stay alive until they settle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callback, load, trampolines, type Callback, type CallbackFunction } from '../dist/index.js';
import { callbackFixtures, childReport, distUrl, runChild } from './support-callbacks.js';
import { testSupport } from './support-native.js';

/** Calls per thread; callback-hardened.test.ts lowers it for the slower --jitless run. */
const ITERS = Number(process.env.TRAMPFD_CALLBACK_THREAD_ITERS ?? 100_000);
const THREADS = 8;
const expect = (t: number, i: number) => t * 1000003 + i;

const lib = load(callbackFixtures());
const RUN_THREADS = 'long run_threads(int (*f)(int t, int i), int nthreads, int iters)';
const runThreadsBlocking = lib.func(RUN_THREADS, { blocking: true });
const runThreads = lib.func(RUN_THREADS);
const callSameThread = lib.func('long call_same_thread(int (*f)(int t, int i), int t, int iters)');
const callInt = lib.func('int call_int(int (*f)(int), int x)');
const reenter = lib.func('int reenter(int (*f)(int), int depth)');
const seenReset = lib.func('void seen_reset(void)');
const seenAt = lib.func('int seen_at(int depth)');
const sleepSum = lib.func('long sleep_sum(const unsigned char *buf, int n, int ms)');
const sleepHash = lib.func('uint32_t sleep_hash(const char *s, int ms)');
const sleepScale = lib.func('double sleep_scale(double x, int64_t k, int ms)');

/** A callback for f(t, i) that counts calls per thread and notices any out of order. */
function counter() {
  const calls = new Array<number>(THREADS).fill(0);
  const state = { calls, outOfOrder: 0, overlapping: 0 };
  let inside = false;
  const fn = (t: number, i: number) => {
    if (inside) state.overlapping++; // two threads' callbacks must never run at once in JS
    inside = true;
    if (calls[t] !== i) state.outOfOrder++;
    calls[t]!++;
    inside = false;
    return expect(t, i);
  };
  return { state, fn };
}

function checkCounts(state: ReturnType<typeof counter>['state'], mismatches: unknown): void {
  assert.equal(mismatches, 0, 'C saw a wrong result');
  assert.deepEqual(state.calls, new Array(THREADS).fill(ITERS), 'calls per thread: none lost, none crossed');
  assert.equal(state.calls.reduce((a, b) => a + b, 0), THREADS * ITERS);
  assert.equal(state.outOfOrder, 0);
  assert.equal(state.overlapping, 0);
}

test(`${THREADS} threads × ${ITERS} calls, served while a { blocking: true } call joins them`, (t) => {
  const { state, fn } = counter();
  using cb = callback('int f(int t, int i)', fn);
  const t0 = performance.now();
  const mismatches = runThreadsBlocking(cb, THREADS, ITERS);
  t.diagnostic(`${((performance.now() - t0) * 1e3 / (THREADS * ITERS)).toFixed(1)} µs per cross-thread call`);
  checkCounts(state, mismatches);
});

test(`${THREADS} threads × ${ITERS} calls, served from the event loop while .async() joins them`, async (t) => {
  const { state, fn } = counter();
  using cb = callback('int f(int t, int i)', fn);
  const t0 = performance.now();
  const mismatches = await runThreads.async(cb, THREADS, ITERS);
  t.diagnostic(`${((performance.now() - t0) * 1e3 / (THREADS * ITERS)).toFixed(1)} µs per cross-thread call`);
  checkCounts(state, mismatches);
});

test('.async() with a plain JS function: its transient callback lives until the promise settles', async () => {
  const before = trampolines.stats().live;
  const { state, fn } = counter();
  const p = runThreads.async(fn, 2, 1000);
  assert.equal(trampolines.stats().live, before + 1);
  assert.equal(await p, 0);
  assert.deepEqual(state.calls.slice(0, 2), [1000, 1000]);
  assert.equal(trampolines.stats().live, before);
  assert.equal(await callInt.async((x: number) => x * 3, 14), 42);
});

test('a plain (non-blocking) call whose callee calls back on the same thread', () => {
  const { state, fn } = counter();
  using cb = callback('int f(int t, int i)', fn);
  assert.equal(callSameThread(cb, 5, 100_000), 0);
  assert.equal(state.calls[5], 100_000);
  assert.equal(callSameThread(fn, 6, 10), 0, 'a transient callback');
});

test('called on the JS thread from C that another addon entered (no trampfd call in progress), many times', () => {
  const support = testSupport(); // test/c/test-support.c: call(address, 1, x) calls f(x)
  let calls = 0;
  using cb = callback('uint64_t f(uint64_t x)', (x: bigint) => (calls++, x * 3n));
  assert.equal(support.call(cb.pointer, 1, 14n), 42n);
  const junk: unknown[] = [];
  for (let i = 0; i < 10_000; i++) junk.push({ i }, [i]); // new handles where old ones were
  let wrong = 0;
  for (let i = 0; i < 1000; i++) if (support.call(cb.pointer, 1, BigInt(i)) !== BigInt(3 * i)) wrong++;
  assert.equal(wrong, 0, `${wrong} of 1000 calls did not reach the JS function (C got 0)`);
  assert.equal(calls, 1001);
});

/** What f returns at depth d in the re-entrancy tests: f(0) = 1000, f(d) = reenter(f, d - 1) + d. */
const nested = (d: number): number => (d === 0 ? 1000 : nested(d - 1) + 1 + d);

test('re-entrancy 100 levels deep: JS → C → JS → …, every level checks its value, C records what it got', () => {
  const DEPTH = 100;
  seenReset();
  const depths: number[] = [];
  const cb: Callback = callback('int f(int depth)', (d: number): number => {
    depths.push(d);
    if (d === 0) return 1000;
    const r = reenter(cb, d - 1) as number;
    assert.equal(r, nested(d - 1) + 1, `value at depth ${d}`);
    return r + d;
  });
  try {
    assert.equal(reenter(cb, DEPTH), nested(DEPTH) + 1);
  } finally {
    cb.free();
  }
  assert.deepEqual(depths, Array.from({ length: DEPTH + 1 }, (_, i) => DEPTH - i));
  for (let d = 0; d <= DEPTH; d++) assert.equal(seenAt(d), nested(d), `C at depth ${d}`);

  // The same with a plain JS function: a new transient callback at every level.
  const before = trampolines.stats().live;
  let peak = 0;
  const g = (d: number): number => {
    peak = Math.max(peak, trampolines.stats().live - before);
    return d === 0 ? 1000 : (reenter(g, d - 1) as number) + d;
  };
  assert.equal(reenter(g, DEPTH), nested(DEPTH) + 1);
  assert.equal(peak, DEPTH + 1, 'one live transient callback per level');
  assert.equal(trampolines.stats().live, before, 'all released on the way out');
});

test('exceptions: rethrown from the call in progress; C received 0', () => {
  seenReset();
  const boom = new Error('boom');
  using cb = callback('int f(int)', () => { throw boom; });
  assert.throws(() => reenter(cb, 42), (e) => e === boom);
  assert.equal(seenAt(42), 0, 'C got 0 from the throwing callback');
  // A result of the wrong type is an exception too.
  using bad = callback('int f(int)', (() => 'not an int') as CallbackFunction);
  assert.throws(() => reenter(bad, 7), TypeError);
  assert.equal(seenAt(7), 0);
  // The next call is clean: nothing left pending.
  assert.equal(callInt((x: number) => x + 1, 1), 2);
});

test('exceptions: nested 20 levels, the error propagates level by level; each level of C received 0', () => {
  const DEPTH = 20;
  seenReset();
  const origin = new RangeError('deepest');
  const unwound: number[] = [];
  const cb: Callback = callback('int f(int depth)', (d: number): number => {
    if (d === 0) throw origin;
    try {
      return reenter(cb, d - 1) as number;
    } catch (e) {
      unwound.push(d);
      throw e;
    }
  });
  try {
    assert.throws(() => reenter(cb, DEPTH), (e) => e === origin);
  } finally {
    cb.free();
  }
  assert.deepEqual(unwound, Array.from({ length: DEPTH }, (_, i) => i + 1));
  for (let d = 0; d <= DEPTH; d++) assert.equal(seenAt(d), 0, `C at depth ${d}`);
});

test('exceptions: a foreign thread during a { blocking: true } call — rethrown from that call', () => {
  let calls = 0;
  using cb = callback('int f(int t, int i)', (t: number, i: number) => {
    calls++;
    if (t === 1 && i === 500) throw new Error('thread 1 call 500');
    return expect(t, i);
  });
  assert.throws(() => runThreadsBlocking(cb, 2, 1000), /thread 1 call 500/);
  assert.equal(calls, 2000, 'the threads went on (C got 0) until the call returned');
});

test('exceptions: a foreign thread with no call in progress — process "uncaughtException"; C got 0', () => {
  const r = runChild(`
    import { callback, load } from ${JSON.stringify(distUrl)};
    const lib = load(FIXTURES);
    const start = lib.func('int start_detached(int (*f)(int))');
    const state = lib.func('int detached_state(void)');
    const result = lib.func('int detached_result(void)');
    const callInt = lib.func('int call_int(int (*f)(int), int x)');
    const caught = [];
    process.on('uncaughtException', (e) => caught.push(e.message));
    const cb = callback('int f(int)', (x) => { throw new Error('from a foreign thread: ' + x); });
    if (start(cb) !== 0) throw new Error('no thread');
    const report = {};
    const poll = setInterval(async () => {
      if (!state()) return;
      clearInterval(poll);
      report.detached = result();
      // An .async() call's callbacks are served from the event loop as well.
      report.async = await callInt.async((x) => { throw new Error('during async ' + x); }, 3);
      setImmediate(() => console.log(JSON.stringify({ ...report, caught })));
    }, 2);
  `);
  assert.equal(r.status, 0, r.stderr);
  const rep = childReport(r);
  assert.equal(rep.detached, 0, 'C got 0');
  assert.equal(rep.async, 0, 'C got 0');
  assert.deepEqual(rep.caught, ['from a foreign thread: 7', 'during async 3']);
});

test('async calls resolve with the right values; Buffers and strings stay alive until they settle (gc forced)', () => {
  const r = runChild(`
    import { load } from ${JSON.stringify(distUrl)};
    const lib = load(FIXTURES);
    const sum = lib.func('long sleep_sum(const unsigned char *buf, int n, int ms)');
    const hash = lib.func('uint32_t sleep_hash(const char *s, int ms)');
    const fnv = (s) => { let h = 2166136261; for (const b of Buffer.from(s)) h = Math.imul(h ^ b, 16777619) >>> 0; return h; };
    const checks = [];
    // Each argument is made in a scope that ends before gc runs; only the call can keep it alive.
    function start(k) {
      const n = [8, 64, 100, 4096, 70000][k % 5];
      const bytes = k % 2 ? new Uint8Array(n).fill(k + 1) : Buffer.alloc(n, k + 1);
      checks.push(sum.async(bytes, n, 50).then((got) => [got, n * (k + 1), 'bytes ' + n]));
      const s = 'string ' + k + ' ' + 'é✓'.repeat(k * 40);
      const want = fnv(s);
      checks.push(hash.async(s, 50).then((got) => [got, want, 'string ' + s.length]));
    }
    for (let k = 0; k < 20; k++) start(k);
    for (let i = 0; i < 5; i++) { globalThis.gc(); const junk = []; for (let j = 0; j < 64; j++) junk.push(Buffer.alloc(65536, 0xee), new Uint8Array(64).fill(0xdd)); }
    globalThis.gc();
    const results = await Promise.all(checks);
    console.log(JSON.stringify(results.filter(([got, want]) => got !== want)));
  `, ['--expose-gc']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(childReport(r), [], 'every async call read the bytes it was given');
});

test('async calls in flight together: numbers, int64 and doubles come back right', async () => {
  const ps = [];
  for (let k = 0; k < 16; k++) ps.push(sleepScale.async(1.5 + k, BigInt(k) - 8n, 20));
  ps.push(sleepSum.async(Buffer.from([1, 2, 3]), 3, 10), sleepHash.async('', 10));
  const got = await Promise.all(ps);
  assert.deepEqual(got, [...Array.from({ length: 16 }, (_, k) => (1.5 + k) * (k - 8)), 6, 2166136261]);
});
