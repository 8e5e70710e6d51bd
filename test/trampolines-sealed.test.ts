// Area: trampoline data pages, sealed (TRAMPFD_SEAL=1, tramp_set_sealed, trampolines.seal()).
// Purpose: sealed data pages are read-only in /proc/self/maps and a stray write to a live entry
// faults (child process), while alloc/set/free from 8 threads still work; JS callbacks and
// trampolines run sealed; sealing is chosen before the first allocation only.
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { scratchDir, testSupport, trampCheck } from './support-native.js';
import { callbackFixtures, distUrl, runChild } from './support-callbacks.js';

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(trampCheck().exe, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

test('sealed: data pages are r--p, and 8 threads allocate, set, call and free', () => {
  const r = run(['sealed']);
  assert.equal(r.status, 0, `${r.signal ?? r.status}\n${r.out}${r.err}`);
  assert.match(r.out, /^data r--p$/m);
  assert.match(r.out, /ok threads mode=file .* live=0 /);
  assert.match(r.out, /ok sealed mode=file/);
});

test('sealed: a direct write to a live entry faults (SIGSEGV)', () => {
  const r = run(['sealed', 'write']);
  assert.match(r.out, /^writing$/m);
  assert.equal(r.signal, 'SIGSEGV', `${r.status}\n${r.out}${r.err}`);
  assert.doesNotMatch(r.out, /still alive/);
});

test('TRAMPFD_SEAL=1 seals too', () => {
  assert.match(run(['sealed'], { TRAMPFD_SEAL: '1' }).out, /^data r--p$/m);
});

/**
 * The trampoline's target, as [library, symbol, context, expected result of f(-5)]: libc's abs,
 * where a plain C function can be one (x86-64, AArch64, RISC-V: the context is in a spare
 * register); on i386 the trampoline enters its target with the caller's eax and the context on
 * the stack (native/tramp.h), which only a target written for it takes: the test addon's
 * target_mix (context * 3 + x).
 */
const target = process.arch === 'ia32'
  ? (testSupport(), [join(scratchDir(), 'test-support.node'), 'target_mix', 10, 25] as const)
  : ['libc.so.6', 'abs', 0, 5] as const;

for (const how of ['env', 'seal()']) {
  test(`JS, sealed by ${how}: trampolines and callbacks work, stats say sealed, seal() later throws`, () => {
    if (how === 'env') process.env.TRAMPFD_SEAL = '1';
    const r = runChild(`
      import { callback, load, trampolines } from ${JSON.stringify(distUrl)};
      ${how === 'seal()' ? 'trampolines.seal();' : ''}
      const callInt = load(${JSON.stringify(callbackFixtures())}).func('int call_int(int (*f)(int), int x)');
      const fn = load(${JSON.stringify(target[0])}).symbol(${JSON.stringify(target[1])});
      const t = trampolines.alloc().set(fn, ${target[2]});
      const viaTramp = callInt(t.address, -5);
      const cbs = Array.from({ length: 3000 }, (_, i) => callback('int f(int)', (x) => x + i));
      const sum = cbs.reduce((s, cb) => s + callInt(cb, 1), 0);
      for (const cb of cbs) cb.free();
      t.free();
      let late;
      try { trampolines.seal(); } catch (e) { late = e.code; }
      console.log(JSON.stringify({ viaTramp, sum, sealed: trampolines.stats().sealed, late }));
    `, [], 60_000);
    delete process.env.TRAMPFD_SEAL;
    assert.equal(r.status, 0, `${r.signal ?? r.status}\n${r.stdout}\n${r.stderr}`);
    const got = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    assert.deepEqual(got, { viaTramp: target[3], sum: 3000 + 2999 * 3000 / 2, sealed: true, late: 'ERR_TRAMPFD_TRAMPOLINE' });
  });
}
