// The allocator's C API, driven by test/c/tramp-check.c: scale, threads, fork, traps, modes.
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mdweExec, mdweUnavailable, scratchDir, trampCheck } from './support-native.js';

function run(args: string[], opts: { wrap?: string[]; env?: NodeJS.ProcessEnv } = {}) {
  const { exe } = trampCheck();
  const argv = [...(opts.wrap ?? []), exe, ...args];
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env: { ...process.env, ...opts.env } });
  return { status: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

function ok(args: string[], opts?: Parameters<typeof run>[1]): string {
  const r = run(args, opts);
  assert.equal(r.status, 0, `tramp-check ${args.join(' ')} failed (${r.signal ?? r.status}):\n${r.out}${r.err}`);
  return r.out;
}

test('1,000,000 live trampolines: distinct addresses, every one called, no W+X mapping', () => {
  const out = ok(['million', '1000000']);
  assert.match(out, /ok million mode=file tables=489 live=1000000/);
});

test('8 threads allocating, setting, calling and freeing: no crossed or lost context', () => {
  assert.match(ok(['threads']), /ok threads mode=file .* live=0 /);
});

test('a forked child calls inherited trampolines and allocates new ones', () => {
  assert.match(ok(['fork']), /ok fork mode=file/);
});

test('calling a freed trampoline aborts with a message naming it', () => {
  const r = run(['trap']);
  assert.equal(r.signal, 'SIGABRT');
  const freed = /freed (0x[0-9a-f]+)/.exec(r.out)?.[1];
  assert.ok(freed, r.out);
  assert.match(r.err, new RegExp(`trampfd: freed trampoline ${freed} was called`));
  assert.doesNotMatch(r.out, /still alive/);
});

test('in-image pool: every slot works and exhaustion is a clear error, then reuse', () => {
  const out = ok(['image']);
  assert.match(out, /exhausted after 4096: the in-image trampoline pool is exhausted \(4096 slots/);
  assert.match(out, /ok image mode=image/);
});

test('the in-image pool is also chosen by TRAMPFD_TRAMPOLINES=image', () => {
  const out = ok(['million', '3000'], { env: { TRAMPFD_TRAMPOLINES: 'image' } });
  assert.match(out, /ok million mode=image tables=0 live=3000 .*reason=in-image mode requested/);
});

test('a library file replaced on disk after load is detected and never mapped', () => {
  const { lib } = trampCheck();
  const copy = join(scratchDir(), 'replaced.so');
  copyFileSync(lib, copy);
  assert.match(ok(['replaced', copy, 'rename']),
    /ok replaced mode=image reason=the file on disk is not the one that was loaded/);
  const same = join(scratchDir(), 'kept.so');
  copyFileSync(lib, same);
  assert.match(ok(['replaced', same, 'none']), /ok replaced mode=file reason=-/);
});

test('a 32-bit process out of address space: allocation fails with the clean error, then works once space is back',
  { skip: process.arch !== 'ia32' && 'a 64-bit address space cannot be filled' }, () => {
    const out = ok(['addrspace']);
    assert.match(out, /^error after \d+: cannot reserve trampoline tables: out of memory, or the process reached its limit of memory mappings/m);
    assert.match(out, /ok addrspace mode=file/);
  });

test('under PR_SET_MDWE the file-mapped tables still work', { skip: mdweUnavailable() ?? false }, () => {
  const out = ok(['million', '100000'], { wrap: [mdweExec] });
  assert.match(out, /ok million mode=file .* live=100000/);
});
