// AArch64 only: trampfd_call and trampfd_closure_entry (native/arch/aarch64/call.S) move x0..x8,
// d0..d7, the stack bytes and the return registers exactly, driven from C (test/c/aarch64/call-check.c)
// in a library linked like the addon, so BTI and pac-ret are in force under qemu and on hardware.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { archCflags, archLdflags, gcc, repo, scratchDir } from './support-native.js';

const skip = process.arch !== 'arm64' && 'AArch64 only: drives the AArch64 call stub and closure entry';

function callCheck(): string {
  const dir = scratchDir();
  const lib = join(dir, 'libcall-check.so');
  const exe = join(dir, 'call-check');
  if (!existsSync(exe)) {
    const arch = join(repo, 'native/arch/aarch64');
    gcc(['-std=c11', '-O2', '-g', '-Wall', '-Wextra', '-Werror', '-fPIC', '-shared', ...archCflags, ...archLdflags,
      '-Wl,-z,max-page-size=0x10000', '-Wl,-z,noexecstack', '-o', lib, '-I', arch, join(repo, 'native/tramp.c'),
      join(arch, 'arch.c'), join(arch, 'tramp.S'), join(arch, 'call.S'), join(repo, 'test/c/aarch64/call-check.c'), '-lpthread']);
    gcc(['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror', '-o', exe, join(repo, 'test/c/aarch64/call-check-main.c'),
      '-L', dir, '-lcall-check', `-Wl,-rpath,${dir}`]);
  }
  return exe;
}

function ok(scenario: string): string {
  const r = spawnSync(callCheck(), [scenario], { encoding: 'utf8' });
  assert.equal(r.status, 0, `call-check ${scenario} failed (${r.signal ?? r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

test('trampfd_call: x0..x7, d0..d7 and a 20-byte stack area in; x0 x1, d0..d3 (an HFA) and an x8 result out', { skip }, () => {
  const out = ok('call');
  for (const line of ['ok call x0..x7 d0..d7 and 20 stack bytes in, d0..d3 out', 'ok call no stack bytes, x0 x1 out',
    'ok call x8 result pointer']) assert.ok(out.includes(line), `${line}\n${out}`);
});

test('trampfd_closure_entry: saves x0..x8, d0..d7 and the caller stack address, passes x17, returns x0 x1 d0..d3', { skip }, () => {
  const out = ok('closure');
  for (const line of ['ok closure x0..x7 d0..d7 and the caller\'s stack saved, x17 is the closure, d0..d3 out',
    'ok closure x0 x1 out', 'ok closure x8 result pointer saved', 'ok nested trampfd_call -> trampoline -> closure entry'])
    assert.ok(out.includes(line), `${line}\n${out}`);
});
