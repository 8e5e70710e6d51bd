// RISC-V 64 only: trampfd_call and trampfd_closure_entry (native/arch/riscv64/call.S) move a0..a7,
// fa0..fa7, the stack bytes and the return registers exactly, and the call stub sign-extends and
// NaN-boxes the registers the frame's AL word names (and only those), driven from C
// (test/c/riscv64/call-check.c, whose GCC callees rely on both) in a library linked like the addon.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { archCflags, archLdflags, gcc, repo, scratchDir } from './support-native.js';

const skip = process.arch !== 'riscv64' && 'RISC-V 64 only: drives the RISC-V call stub and closure entry';

function callCheck(): string {
  const dir = scratchDir();
  const lib = join(dir, 'libcall-check.so');
  const exe = join(dir, 'call-check');
  if (!existsSync(exe)) {
    const arch = join(repo, 'native/arch/riscv64');
    gcc(['-std=c11', '-O2', '-g', '-Wall', '-Wextra', '-Werror', '-fPIC', '-shared', ...archCflags, ...archLdflags,
      '-Wl,-z,max-page-size=0x10000', '-Wl,-z,noexecstack', '-o', lib, '-I', arch, join(repo, 'native/tramp.c'),
      join(arch, 'arch.c'), join(arch, 'tramp.S'), join(arch, 'call.S'), join(repo, 'test/c/riscv64/call-check.c'), '-lpthread', '-lm']);
    gcc(['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror', '-o', exe, join(repo, 'test/c/riscv64/call-check-main.c'),
      '-L', dir, '-lcall-check', `-Wl,-rpath,${dir}`]);
  }
  return exe;
}

function ok(scenario: string): string {
  const r = spawnSync(callCheck(), [scenario], { encoding: 'utf8' });
  assert.equal(r.status, 0, `call-check ${scenario} failed (${r.signal ?? r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

test('trampfd_call: a0..a7 sign-extended and fa0..fa7 NaN-boxed as the AL word says, 24 stack bytes in; fa0 fa1, a0 a1 and an a0 result out', { skip }, () => {
  const out = ok('call');
  for (const line of ['ok call a0..a7 sign-extended, fa0..fa7 NaN-boxed and 24 stack bytes in, fa0 fa1 out',
    'ok call the AL bits alone decide the widening', 'ok call no stack bytes, a0 a1 out', 'ok call a0 result pointer']) {
    assert.ok(out.includes(line), `${line}\n${out}`);
  }
});

test('trampfd_closure_entry: saves a0..a7, fa0..fa7 and the caller stack address, passes t2, returns a0 a1 fa0 fa1', { skip }, () => {
  const out = ok('closure');
  for (const line of ['ok closure a0..a7 fa0..fa7 and the caller\'s stack saved, t2 is the closure, fa0 fa1 out',
    'ok closure a0 a1 out', 'ok closure a0 result pointer saved', 'ok nested trampfd_call -> trampoline -> closure entry']) {
    assert.ok(out.includes(line), `${line}\n${out}`);
  }
});
