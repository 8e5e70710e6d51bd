// Trampolines in child processes: the freed-slot trap, the in-image pool, a replaced addon.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addonPath, repo, scratchDir, testSupport } from './support-native.js';

function node(script: string, env: NodeJS.ProcessEnv = {}) {
  testSupport();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8', cwd: repo, env: { ...process.env, ...env },
  });
  return { status: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

const prelude = `
import { trampolines } from './dist/index.js';
import { testSupport } from './build-test/support-native.js';
const native = testSupport(); const targets = native.targets();
`;

test('calling a freed trampoline from C aborts with a message naming it', () => {
  const r = node(prelude + `
    const t = trampolines.alloc(); t.set(targets.context, 5);
    const a = t.address; console.log('addr ' + a.toString(16));
    if (native.call(a, 0, 0n) !== 5n) process.exit(3);
    t.free(); native.call(a, 0, 0n); console.log('survived');`);
  assert.equal(r.signal, 'SIGABRT', r.out + r.err);
  const addr = /addr ([0-9a-f]+)/.exec(r.out)?.[1];
  assert.ok(addr);
  assert.match(r.err, new RegExp(`trampfd: freed trampoline 0x${addr} was called`));
  assert.doesNotMatch(r.out, /survived/);
});

test('in-image mode: 4096 working slots, then a clear exhaustion error', () => {
  const r = node(prelude + `
    const all = [];
    try { for (;;) { const t = trampolines.alloc(); t.set(targets.context, all.length); all.push(t); } }
    catch (e) { console.log(e.code + ': ' + e.message); }
    for (let i = 0; i < all.length; i++) if (native.call(all[i].address, 0, 0n) !== BigInt(i)) process.exit(4);
    const s = trampolines.stats(); console.log(s.mode, all.length, s.fallbackReason);`,
  { TRAMPFD_TRAMPOLINES: 'image' });
  assert.equal(r.status, 0, r.err);
  assert.match(r.out, /ERR_TRAMPFD_EXHAUSTED: cannot allocate a trampoline: the in-image trampoline pool is exhausted/);
  assert.match(r.out, /image 4096 in-image mode requested/);
});

test('forceImageMode() selects the pool, and only before the first allocation', () => {
  const r = node(prelude + `
    trampolines.forceImageMode(); const t = trampolines.alloc(); t.set(targets.context, 9);
    console.log(trampolines.stats().mode, native.call(t.address, 0, 0n));`);
  assert.equal(r.status, 0, r.err);
  assert.match(r.out, /image 9/);
  const late = node(prelude + `trampolines.alloc();
    try { trampolines.forceImageMode(); } catch (e) { console.log(e.message); }`);
  assert.match(late.out, /must be chosen before the first trampoline is allocated/);
});

test('an addon file replaced on disk after load is detected and never mapped', () => {
  const dir = join(scratchDir(), 'replaced-addon');
  mkdirSync(dir, { recursive: true });
  const copy = join(dir, 'trampfd.node');
  copyFileSync(addonPath, copy);
  const r = node(`
    import { renameSync, writeFileSync } from 'node:fs';
    const m = { exports: {} }; process.dlopen(m, ${JSON.stringify(copy)});
    writeFileSync(${JSON.stringify(copy + '.new')}, 'a different build');
    renameSync(${JSON.stringify(copy + '.new')}, ${JSON.stringify(copy)});
    const h = m.exports.trampAlloc(); const s = m.exports.trampStats();
    console.log(s.mode + ' | ' + s.fallbackReason);`);
  assert.equal(r.status, 0, r.err);
  assert.match(r.out, /image \| the file on disk is not the one that was loaded \(replaced since load\)/);
});
