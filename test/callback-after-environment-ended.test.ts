// Area: callback lifetime. Purpose: C calling a never-freed callback after its JS environment
// ended (an atexit handler after the main environment, a thread after its worker) gets zeros and
// one line on stderr naming the callback, and the program keeps its own exit status; a callback
// freed by JS still aborts. Each case runs in a child process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMULATION_SLOWDOWN, distUrl, runChild } from './support-callbacks.js';
import { lifecycleFixtures } from './support-lifecycle.js';

const LIB = JSON.stringify(lifecycleFixtures());
const ENDED = /^trampfd: callback (0x[0-9a-f]+) was called after its JavaScript environment ended \(process or worker exit\); returned 0$/m;

/** The line `pointer 0x…` a child printed. */
function printedPointer(stdout: string): string {
  const m = /^pointer (0x[0-9a-f]+)$/m.exec(stdout);
  assert.ok(m, `no pointer line in:\n${stdout}`);
  return m[1]!;
}

for (const how of ['process.exitCode = 3', 'process.exit(3)']) {
  test(`an atexit handler calling a live callback gets 0 and the program exits with its own status (${how})`, () => {
    const r = runChild(`
      import { callback, load } from ${JSON.stringify(distUrl)};
      const lib = load(${LIB});
      const callAtExit = lib.func('int call_at_exit(int (*f)(int), int x)');
      const cb = callback('int f(int)', (x) => x + 1);
      if (callAtExit(cb, 41) !== 0) throw new Error('atexit failed');
      console.log('pointer 0x' + cb.pointer.toString(16));
      ${how};
    `);
    assert.equal(r.signal, null, r.stderr);
    assert.equal(r.status, 3, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^atexit got 0$/m);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('trampfd:'));
    assert.equal(lines.length, 1, r.stderr);
    assert.equal(ENDED.exec(r.stderr)?.[1], printedPointer(r.stdout));
  });
}

/**
 * A worker that loads trampfd itself, hands `cb` to a C thread that calls it 300 ms later (4x that
 * under qemu-user, where the main thread may not print the pointer sooner), and exits.
 */
function lateCallAfterWorker(freeIt: boolean) {
  const ms = 300 * EMULATION_SLOWDOWN;
  return runChild(`
    import { Worker } from 'node:worker_threads';
    const w = new Worker(\`
      import { parentPort } from 'node:worker_threads';
      import { callback, load } from ${JSON.stringify(distUrl)};
      const callLater = load(${LIB}).func('int call_later(int (*f)(int), int x, int ms)');
      const cb = callback('int f(int)', (x) => x * 2);
      if (callLater(cb.pointer, 21, ${ms}) !== 0) throw new Error('thread not started');
      parentPort.postMessage('0x' + cb.pointer.toString(16));
      ${freeIt ? 'cb.free();' : ''}
    \`, { eval: true });
    w.on('message', (p) => console.log('pointer ' + p));
    await new Promise((res) => w.once('exit', res));
    await new Promise((res) => setTimeout(res, ${ms + 500}));
    console.log('main alive');
  `);
}

test('a C thread calling a worker\'s callback after the worker ended gets 0 and one line; the process lives on', () => {
  const r = lateCallAfterWorker(false);
  assert.equal(r.signal, null, r.stderr);
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^late call got 0$/m);
  assert.match(r.stdout, /^main alive$/m);
  assert.equal(ENDED.exec(r.stderr)?.[1], printedPointer(r.stdout));
});

test('a C thread calling a worker\'s callback freed by JS aborts with the freed-trampoline message', () => {
  const r = lateCallAfterWorker(true);
  assert.equal(r.signal, 'SIGABRT', `${r.status}\n${r.stdout}\n${r.stderr}`);
  assert.ok(r.stderr.includes(`trampfd: freed trampoline ${printedPointer(r.stdout)} was called`), r.stderr);
  assert.doesNotMatch(r.stdout, /late call got/);
});
