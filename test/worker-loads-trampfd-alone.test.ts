// Area: addon lifetime. Purpose: workers that load trampfd on their own (the main thread never
// does) allocate trampolines and callbacks, call them, and exit; Node unloads the addon with its
// last worker, yet threads still run its thread-exit and fork hooks: the process must live on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callbackFixtures, distUrl, runChild } from './support-callbacks.js';

test('workers that import trampfd themselves and exit leave the process running; it exits 0', () => {
  const r = runChild(`
    import { Worker } from 'node:worker_threads';
    const code = \`
      import { workerData, parentPort } from 'node:worker_threads';
      import { callback, load, trampolines } from ${JSON.stringify(distUrl)};
      const lib = load(${JSON.stringify(callbackFixtures())});
      const callInt = lib.func('int call_int(int (*f)(int), int x)');
      const runThreads = lib.func('long run_threads(int (*f)(int, int), int n, int iters)', { blocking: true });
      const ts = Array.from({ length: 100 }, () => trampolines.alloc());
      const cbs = Array.from({ length: 100 }, (_, i) => callback('int f(int)', (x) => x + i));
      let sum = 0;
      for (let i = 0; i < cbs.length; i++) sum += callInt(cbs[i], 1);
      const pair = callback('int f(int, int)', (t, i) => t * 1000003 + i);
      const bad = runThreads(pair, 4, 50);
      for (const t of ts.slice(50)) t.free();
      for (const c of cbs.slice(50)) c.free();
      parentPort.postMessage({ id: workerData, sum, bad });
    \`;
    const results = [];
    for (let round = 0; round < 2; round++) { // one at a time, then several at once
      const n = round === 0 ? 1 : 4;
      const ws = Array.from({ length: n }, (_, i) => new Worker(code, { eval: true, workerData: round * 10 + i }));
      await Promise.all(ws.map((w) => new Promise((res, rej) => {
        w.on('message', (m) => results.push(m));
        w.on('error', rej);
        w.on('exit', res);
      })));
      await new Promise((res) => setTimeout(res, 100));
    }
    console.log(JSON.stringify(results.sort((a, b) => a.id - b.id)));
  `);
  assert.equal(r.signal, null, `killed by ${r.signal}\n${r.stdout}\n${r.stderr}`);
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const results = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  assert.deepEqual(results, [0, 10, 11, 12, 13].map((id) => ({ id, sum: 100 + 4950, bad: 0 })));
});
