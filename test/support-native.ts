// Test support: builds the C fixtures with the system compiler into a temporary folder.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOST } from '../dist/targets/index.js';

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const mdweExec = join(repo, 'build', 'Release', 'trampfd-mdwe-exec');
export const addonPath = join(repo, 'build', 'Release', 'trampfd.node');

let scratch: string | undefined;
/** A fresh temporary folder for this test process. */
export function scratchDir(): string {
  scratch ??= mkdtempSync(join(tmpdir(), 'trampfd-test-'));
  return scratch;
}

/** The folder of node_api.h: TRAMPFD_NODE_INCLUDE, the running node's headers, node-gyp's cache. */
export function nodeInclude(): string {
  const candidates = [
    ...(process.env.TRAMPFD_NODE_INCLUDE ? [process.env.TRAMPFD_NODE_INCLUDE] : []),
    resolve(dirname(process.execPath), '..', 'include', 'node'),
    join(process.env.HOME ?? '', '.cache', 'node-gyp', process.versions.node, 'include', 'node'),
  ];
  const found = candidates.find((d) => existsSync(join(d, 'node_api.h')));
  if (!found) throw new Error('node_api.h not found in ' + candidates.join(', '));
  return found;
}

/** The C compiler for this process's target: TRAMPFD_CC (a cross compiler under qemu), else gcc. */
export const cc = process.env.TRAMPFD_CC ?? 'gcc';
/** This process's target folder name (native/arch/<name>, test/c/<name>). */
export const archName = HOST.arch.name;
/** Branch-protection flags the addon is built with on this target (binding.gyp). */
export const archCflags: readonly string[] = archName === 'x86_64' || archName === 'i386' ? ['-fcf-protection']
  : archName === 'aarch64' ? ['-mbranch-protection=standard', '-mno-outline-atomics'] : [];
/** Link flags that keep a shared library's BTI/PAC note on AArch64 (binding.gyp, native/arch/aarch64/arch.c). */
export const archLdflags: readonly string[] = archName === 'aarch64' ? ['-nostartfiles', '-Wl,-z,force-bti'] : [];

let mdweWhy: string | null | undefined;
/**
 * Why PR_SET_MDWE cannot be tested here, or null when it can. qemu-user answers EINVAL to it in
 * the guest (it neither passes it on nor emulates it), as kernels before 6.3 do: tests of W^X
 * under MDWE skip themselves there with this reason rather than pass without it.
 */
export function mdweUnavailable(): string | null {
  if (mdweWhy === undefined) {
    const r = spawnSync(mdweExec, ['true'], { encoding: 'utf8' });
    mdweWhy = r.status === 125 && /prctl\(PR_SET_MDWE\) failed: Invalid argument/.test(r.stderr)
      ? `PR_SET_MDWE is refused with EINVAL here (${process.env.TRAMPFD_EMULATED ? 'qemu-user does not emulate it' : 'a kernel before 6.3'})`
      : null;
  }
  return mdweWhy;
}

export function gcc(args: string[]): void {
  execFileSync(cc, args, { stdio: ['ignore', 'inherit', 'inherit'] });
}

/**
 * This target's call-stub driver (test/c/<arch>/call-check.c with call-check-main.c): the
 * allocator, call stub and closure entry in a library linked like the addon, and a program that
 * runs one scenario per start. `extra` names more files of test/c/<arch>/ and flags it needs.
 */
export function callCheck(extra: { sources?: readonly string[]; flags?: readonly string[] } = {}): string {
  const dir = scratchDir();
  const lib = join(dir, 'libcall-check.so');
  const exe = join(dir, 'call-check');
  if (!existsSync(exe)) {
    const arch = join(repo, 'native/arch', archName);
    const c = join(repo, 'test/c', archName);
    gcc(['-std=c11', '-O2', '-g', '-Wall', '-Wextra', '-Werror', '-fPIC', '-shared', ...archCflags, ...archLdflags,
      '-Wl,-z,max-page-size=0x10000', '-Wl,-z,noexecstack', ...(extra.flags ?? []), '-o', lib, '-I', arch, '-I', c,
      join(repo, 'native/tramp.c'), join(arch, 'arch.c'), join(arch, 'tramp.S'), join(arch, 'call.S'),
      join(c, 'call-check.c'), ...(extra.sources ?? []).map((f) => join(c, f)), '-lpthread', '-lm']);
    gcc(['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror', '-o', exe, join(c, 'call-check-main.c'),
      '-L', dir, '-lcall-check', `-Wl,-rpath,${dir}`]);
  }
  return exe;
}

/** Runs one scenario of the call-stub driver (callCheck); its output, or a failed assertion. */
export function callCheckScenario(exe: string, scenario: string): string {
  const r = spawnSync(exe, [scenario], { encoding: 'utf8' });
  assert.equal(r.status, 0, `call-check ${scenario} failed (${r.signal ?? r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

export interface TestSupport {
  targets(): { context: number; mix: number; stack: number };
  /** kind 0: f(); 1: f(x); 10: f(1, 2, 3, 4, 5, 6, 7, 8, x, x + 1) (x and x + 1 on the stack). */
  call(address: number, kind: 0 | 1 | 10, x: bigint): bigint;
}

/** The test-only addon that calls native addresses (test/c/test-support.c). */
export function testSupport(): TestSupport {
  const out = join(scratchDir(), 'test-support.node');
  if (!existsSync(out)) {
    gcc(['-std=c11', '-O2', '-shared', '-fPIC', '-I', nodeInclude(), '-o', out,
      join(repo, 'test/c/test-support.c'), join(repo, 'test/c', archName, 'tramp-targets.S')]);
  }
  return createRequire(import.meta.url)(out) as TestSupport;
}

/** The allocator as a plain shared library plus the C driver test/c/tramp-check.c. */
export function trampCheck(): { exe: string; lib: string } {
  const dir = scratchDir();
  const lib = join(dir, 'libtrampfd-check.so');
  const exe = join(dir, 'tramp-check');
  if (!existsSync(exe)) {
    gcc(['-std=c11', '-O2', '-g', '-Wall', '-Wextra', '-Werror', '-fPIC', '-shared', ...archCflags, ...archLdflags,
      '-Wl,-z,max-page-size=0x10000', '-Wl,-z,noexecstack', '-o', lib, '-I', join(repo, 'native/arch', archName),
      join(repo, 'native/tramp.c'), join(repo, 'native/arch', archName, 'arch.c'),
      join(repo, 'native/arch', archName, 'tramp.S'), '-lpthread']);
    gcc(['-std=c11', '-O2', '-g', '-Wall', '-Wextra', '-Werror', '-o', exe,
      join(repo, 'test/c/tramp-check.c'), join(repo, 'test/c', archName, 'tramp-targets.S'),
      '-L', dir, '-ltrampfd-check', `-Wl,-rpath,${dir}`, '-lpthread', '-ldl']);
  }
  return { exe, lib };
}

/** Lines of /proc/self/maps that are both writable and executable. */
export function writableExecutableMappings(maps: string): string[] {
  return maps.split('\n').filter((l) => {
    const perms = l.split(/\s+/)[1] ?? '';
    return perms[1] === 'w' && perms[2] === 'x';
  });
}

export interface Mapping { start: number; end: number; perms: string; path: string }

export function parseMaps(maps: string): Mapping[] {
  return maps.split('\n').filter(Boolean).map((l) => {
    const [range = '', perms = '', , , , ...rest] = l.split(/\s+/);
    const [a = '0', b = '0'] = range.split('-');
    return { start: parseInt(a, 16), end: parseInt(b, 16), perms, path: rest.join(' ') };
  });
}

/** The mapping that holds `addr`, if any. */
export function mappingOf(maps: Mapping[], addr: number): Mapping | undefined {
  return maps.find((m) => addr >= m.start && addr < m.end);
}
