// Area: callback lifetime. Purpose: a stale C pointer to a callback fails loudly — a freed
// callback, a transient one kept by C past its call — each aborting with "trampfd: freed
// trampoline 0x… was called" naming that pointer (child processes); a worker's callback runs in
// the worker, whichever thread calls it, and returns 0 with one line on stderr once it ended.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callback, CallbackError, load, trampolines } from '../dist/index.js';
import { callbackFixtures, childReport, distUrl, runChild } from './support-callbacks.js';

const PRELUDE = `
  import { callback, load } from ${JSON.stringify(distUrl)};
  const lib = load(FIXTURES);
  const callInt = lib.func('int call_int(int (*f)(int), int x)');
  const hex = (p) => '0x' + p.toString(16);
`;

/** The child died of SIGABRT after printing the freed-trampoline message for `pointer`. */
function assertTrapped(r: ReturnType<typeof runChild>, pointer: string): void {
  assert.equal(r.signal, 'SIGABRT', `expected an abort; status ${r.status}\n${r.stdout}\n${r.stderr}`);
  assert.match(pointer, /^0x[0-9a-f]+$/);
  assert.ok(r.stderr.includes(`trampfd: freed trampoline ${pointer} was called`), r.stderr);
}

/** The pointer a child printed on its line `pointer 0x…` before it was stopped. */
function printedPointer(stdout: string): string {
  const m = /^pointer (0x[0-9a-f]+)$/m.exec(stdout);
  assert.ok(m, `no pointer line in:\n${stdout}`);
  return m[1]!;
}

test('free(), freed, double free, using: the object side of a callback\'s life', () => {
  const live = trampolines.stats().live;
  const cb = callback('int f(int)', (x: number) => x);
  assert.equal(cb.freed, false);
  cb.free();
  assert.equal(cb.freed, true);
  assert.throws(() => cb.free(), CallbackError);
  {
    using scoped = callback('int f(int)', (x: number) => x);
    assert.equal(trampolines.stats().live, live + 1);
    assert.equal(load(callbackFixtures()).func('int call_int(int (*f)(int), int x)')(scoped, 9), 9);
  }
  assert.equal(trampolines.stats().live, live, 'disposed at the end of the block');
});

test('a freed callback called from C aborts, naming its pointer', () => {
  const r = runChild(`${PRELUDE}
    const cb = callback('int f(int)', (x) => x + 1);
    if (callInt(cb, 1) !== 2) throw new Error('live callback broken');
    console.log('pointer ' + hex(cb.pointer));
    cb.free();
    callInt(cb.pointer, 1);
    console.log('survived');
  `);
  assertTrapped(r, printedPointer(r.stdout));
  assert.doesNotMatch(r.stdout, /survived/);
});

test('a callback that frees itself while running returns its value; the next call aborts', () => {
  const r = runChild(`${PRELUDE}
    const cb = callback('int f(int)', (x) => { cb.free(); return x * 5; });
    console.log('first ' + callInt(cb, 3));
    console.log('pointer ' + hex(cb.pointer));
    callInt(cb.pointer, 3);
    console.log('survived');
  `);
  assert.match(r.stdout, /^first 15$/m);
  assertTrapped(r, printedPointer(r.stdout));
});

test('a transient callback that C kept and calls after the call returned aborts, naming its pointer', () => {
  const r = runChild(`${PRELUDE}
    const storeFn = lib.func('void *store_fn(int (*f)(int))');
    const callStored = lib.func('int call_stored(int x)');
    const p = storeFn((x) => x * 2);  // a plain JS function: a callback for this call only
    console.log('pointer ' + hex(p));
    callStored(4);
    console.log('survived');
  `);
  assertTrapped(r, printedPointer(r.stdout));
});

test('worker_threads: a worker\'s callback runs in the worker, from either thread; after the worker exits it returns 0', () => {
  const r = runChild(`${PRELUDE}
    import { Worker, threadId } from 'node:worker_threads';
    const w = new Worker(\`
      import { parentPort, threadId } from 'node:worker_threads';
      import { callback, load } from ${JSON.stringify(distUrl)};
      const callInt = load(${JSON.stringify(callbackFixtures())}).func('int call_int(int (*f)(int), int x)');
      const ran = [];
      const cb = callback('int f(int)', (x) => { ran.push(threadId); return x * 2; });
      const own = callInt(cb, 21);
      parentPort.on('message', (m) => {
        if (m === 'report') parentPort.postMessage({ ran });
        else process.exit(0);
      });
      parentPort.postMessage({ pointer: cb.pointer, own, threadId });
    \`, { eval: true }); // an ES module: the child runs with --input-type=module
    const first = await new Promise((res) => w.once('message', res));
    // The main thread calls the worker's callback: it blocks until the worker's loop runs it.
    const fromMain = callInt(first.pointer, 50);
    w.postMessage('report');
    const { ran } = await new Promise((res) => w.once('message', res));
    console.log(JSON.stringify({ main: threadId, worker: first.threadId, own: first.own, fromMain, ran }));
    w.postMessage('exit');
    await new Promise((res) => w.once('exit', res));
    console.log('pointer ' + hex(first.pointer));
    console.log('late ' + callInt(first.pointer, 1));
  `);
  const lines = r.stdout.split('\n');
  const report = childReport({ ...r, stdout: lines.find((l) => l.startsWith('{')) ?? '' });
  assert.notEqual(report.worker, report.main);
  assert.equal(report.own, 42, 'called from the worker itself');
  assert.equal(report.fromMain, 100, 'called from the main thread');
  assert.deepEqual(report.ran, [report.worker, report.worker], 'both ran on the worker thread');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^late 0$/m);
  assert.ok(r.stderr.includes(`trampfd: callback ${printedPointer(r.stdout)} was called after its JavaScript environment ended`), r.stderr);
});
