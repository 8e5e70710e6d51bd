// Test support for libtrampfd-ffi.so: its path, C programs built against the system libffi, and
// how to run one with the shim (preloaded or linked before -lffi), plain or under PR_SET_MDWE.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gcc, mdweExec, repo, scratchDir } from './support-native.js';

export const shimPath = join(repo, 'build', 'Release', 'libtrampfd-ffi.so');

export interface RunOptions { shim?: boolean; mdwe?: boolean; env?: Record<string, string>; timeout?: number; cwd?: string }

/** Runs `argv` with the shim preloaded or not, under PR_SET_MDWE or not. */
export function run(argv: string[], o: RunOptions = {}): SpawnSyncReturns<string> {
  const env: Record<string, string | undefined> = { ...process.env, ...o.env };
  delete env.LD_PRELOAD;
  if (o.shim) env.LD_PRELOAD = [shimPath, o.env?.LD_PRELOAD].filter(Boolean).join(' ');
  const cmd = o.mdwe ? [mdweExec, ...argv] : argv;
  return spawnSync(cmd[0]!, cmd.slice(1), { env, encoding: 'utf8', timeout: o.timeout ?? 120_000, cwd: o.cwd });
}

/** A C file of test/c built against the system libffi; `linked` puts the shim before -lffi. */
export function buildAgainstLibffi(source: string, linked = false): string {
  const dir = join(scratchDir(), 'ffi-shim');
  mkdirSync(dir, { recursive: true });
  const exe = join(dir, source.replace(/\.c$/, linked ? '-linked' : ''));
  if (!existsSync(exe)) {
    const shim = linked ? ['-L', join(repo, 'build', 'Release'), '-ltrampfd-ffi', `-Wl,-rpath,${join(repo, 'build', 'Release')}`] : [];
    gcc(['-std=gnu11', '-O2', '-Wall', '-o', exe, join(repo, 'test', 'c', source), ...shim, '-lffi', '-lpthread', '-ldl']);
  }
  return exe;
}
