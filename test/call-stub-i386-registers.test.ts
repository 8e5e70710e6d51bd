// i386 only: trampfd_call and trampfd_closure_entry (native/arch/i386/call.S) move eax, edx, ecx,
// the stack bytes and the return registers exactly, keep esp 16-byte aligned at each call, carry
// float and double results through st(0) as the frame's AL byte (calls) or the closure's result
// bits (callbacks) say and leave the x87 stack empty, and keep the caller's esp right for callee-pop
// conventions (stdcall, fastcall, a hidden result pointer), driven from C (test/c/i386/call-check.c
// with exact callers in raw-call.S) in a library linked like the addon.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { archCflags, archLdflags, gcc, repo, scratchDir } from './support-native.js';

const skip = process.arch !== 'ia32' && 'i386 only: drives the i386 call stub and closure entry';

function callCheck(): string {
  const dir = scratchDir();
  const lib = join(dir, 'libcall-check.so');
  const exe = join(dir, 'call-check');
  if (!existsSync(exe)) {
    const arch = join(repo, 'native/arch/i386');
    const c = join(repo, 'test/c/i386');
    gcc(['-std=c11', '-O2', '-g', '-Wall', '-Wextra', '-Werror', '-fPIC', '-shared', ...archCflags, ...archLdflags,
      '-Wl,-z,max-page-size=0x10000', '-Wl,-z,noexecstack', '-Wl,-z,text', '-o', lib, '-I', arch, '-I', c,
      join(repo, 'native/tramp.c'), join(arch, 'arch.c'), join(arch, 'tramp.S'), join(arch, 'call.S'),
      join(c, 'call-check.c'), join(c, 'raw-call.S'), '-lpthread']);
    gcc(['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror', '-o', exe, join(c, 'call-check-main.c'),
      '-L', dir, '-lcall-check', `-Wl,-rpath,${dir}`]);
  }
  return exe;
}

function ok(scenario: string): string {
  const r = spawnSync(callCheck(), [scenario], { encoding: 'utf8' });
  assert.equal(r.status, 0, `call-check ${scenario} failed (${r.signal ?? r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

function has(out: string, lines: string[]): void {
  for (const line of lines) assert.ok(out.includes(line), `${line}\n${out}`);
}

test('trampfd_call: eax edx ecx and exact stack bytes in, esp aligned; edx:eax and st(0) out as AL says; callee pops restored', { skip }, () => {
  has(ok('call'), [
    'ok call eax edx ecx and 8 stack bytes in, edx:eax out, esp aligned, ebx esi edi kept',
    'ok call a double and a float at 4-byte stack offsets, 32 and 36 stack bytes exact, a double out',
    'ok call float and double results popped from st(0) as the AL byte says, 10 in a row, x87 empty',
    'ok call stdcall, fastcall and a hidden result pointer pop their bytes: the caller\'s esp is restored',
  ]);
});

test('trampfd_closure_entry: saves eax edx ecx and the caller stack address, returns st(0) and pops what the bits say', { skip }, () => {
  has(ok('closure'), [
    'ok closure eax edx ecx and the caller\'s stack saved, the closure delivered, esp aligned, edx:eax out',
    'ok closure stdcall and fastcall callbacks pop their stack bytes (raw and GCC callers), ebx esi edi kept',
    'ok closure float and double results pushed on st(0) as the bits say, 10 in a row, x87 empty after',
    'ok closure a hidden result pointer: filled, popped, returned in eax',
    'ok nested trampfd_call -> trampoline -> closure entry (stdcall, a double through st(0))',
  ]);
});

test('the closure result bits: x87 kinds and callee-pop bytes are checked and land in AL and STACK_SIZE', { skip }, () => {
  has(ok('bits'), ['ok bits x87 kind and callee-pop bytes checked and written where the closure entry reads them']);
});
