// Area: callbacks at scale. Purpose: no cap on live callbacks (koffi stops at 8,192): one million
// live at once, each with its own pointer, a sample of them called from C and reaching the right
// JS function; their native cost per callback reported; all freed, the allocator's live count back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { callback, load, trampolines, type Callback } from '../dist/index.js';
import { callbackFixtures } from './support-callbacks.js';

const N = 1_000_000;
const SAMPLE = 1000;
/** calloc(sizeof(struct closure) = 40): glibc hands out a 48-byte chunk (native/env.h). */
const CLOSURE_BYTES = 48;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const callInt = load(callbackFixtures()).func('int call_int(int (*f)(int), int x)');

test(`${N.toLocaleString('en')} live callbacks: distinct pointers, a sample called from C, all freed`, (t) => {
  const before = trampolines.stats();
  gc();
  const mem0 = process.memoryUsage();
  const t0 = performance.now();
  const cbs: Callback[] = new Array(N);
  for (let i = 0; i < N; i++) cbs[i] = callback('int f(int)', (x: number) => x + i);
  const createMs = performance.now() - t0;
  gc();
  const mem1 = process.memoryUsage();
  const during = trampolines.stats();
  assert.equal(during.live, before.live + N);
  assert.ok(during.capacity >= during.live);

  const pointers = new Set<number>();
  for (const cb of cbs) pointers.add(cb.pointer);
  assert.equal(pointers.size, N, 'every live callback has its own pointer');

  let wrong = 0;
  for (let k = 0; k < SAMPLE; k++) {
    const i = Math.floor((k + 0.5) * (N / SAMPLE)) ^ (k & 7); // spread over every table
    if (callInt(cbs[i], 1000) !== 1000 + i) wrong++;
  }
  assert.equal(callInt(cbs[0], -1), -1);
  assert.equal(callInt(cbs[N - 1], 1), N);
  assert.equal(wrong, 0, `${wrong} of ${SAMPLE} sampled callbacks reached the wrong JS function`);

  const t1 = performance.now();
  for (const cb of cbs) cb.free();
  const freeMs = performance.now() - t1;
  const after = trampolines.stats();
  assert.equal(after.live, before.live, 'stats().live drops back once they are freed');
  assert.ok(cbs.every((cb) => cb.freed));

  const rss = (mem1.rss - mem0.rss) / N;
  const heap = (mem1.heapUsed - mem0.heapUsed) / N;
  const native = during.dataBytesPerSlot + CLOSURE_BYTES;
  t.diagnostic(`create ${(createMs * 1e3 / N).toFixed(2)} µs/callback, free ${(freeMs * 1e3 / N).toFixed(2)} µs; ` +
    `${during.tables} tables of ${during.capacity / during.tables} slots`);
  t.diagnostic(`native bytes per callback: ${during.dataBytesPerSlot} B trampoline data (private) + ${CLOSURE_BYTES} B closure` +
    ` = ${native} B, plus ${during.codeBytesPerSlot} B of code shared from the file`);
  t.diagnostic(`measured per callback: RSS +${rss.toFixed(0)} B, of which JS heap +${heap.toFixed(0)} B ` +
    `(Callback object, runner closure, the test's own closure); RSS − heap ≈ ${(rss - heap).toFixed(0)} B`);
  // Loose sanity bound: the native part stays small next to the JS objects. qemu-user's emulated
  // /proc/self/stat, where node reads its RSS, says 0: nothing to bound there.
  if (mem0.rss === 0 && mem1.rss === 0) t.diagnostic('no RSS bound checked: this system reports an RSS of 0 (qemu-user)');
  else assert.ok(rss - heap < 400, `native growth per callback ${(rss - heap).toFixed(0)} B`);
});
