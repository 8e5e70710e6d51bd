// Area: callbacks and fork. Purpose: C that forks and calls a JS callback in the child cannot run
// JS there (only the forking thread survives, the JS engine is not usable): the child aborts
// with a message that says why, and the parent (the Node process) carries on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callbackFixtures, distUrl, runChild } from './support-callbacks.js';
import { lifecycleFixtures } from './support-lifecycle.js';

test('a JS callback called in a child forked from C aborts the child with a message; the parent carries on', () => {
  const r = runChild(`
    import { callback, load } from ${JSON.stringify(distUrl)};
    const forkCall = load(${JSON.stringify(lifecycleFixtures())}).func('int fork_call(int (*f)(int), int x)');
    const callInt = load(${JSON.stringify(callbackFixtures())}).func('int call_int(int (*f)(int), int x)');
    const cb = callback('int f(int)', (x) => x + 1);
    const plain = forkCall(load('libc.so.6').symbol('abs'), -7); // C in the child: runs, exits 7
    const status = forkCall(cb, 4);
    console.log(JSON.stringify({ plain, status, parent: callInt(cb, 4) }));
  `);
  assert.equal(r.status, 0, `${r.signal ?? r.status}\n${r.stdout}\n${r.stderr}`);
  const report = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  assert.deepEqual(report, { plain: 7, status: -6, parent: 5 }, 'the child died of SIGABRT; the parent still calls back');
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('trampfd:'));
  assert.deepEqual(lines, ['trampfd: a JS callback was called in a child process forked from C; JavaScript cannot run there; aborting']);
});
