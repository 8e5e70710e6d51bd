// Test support for libtrampfd-ffi.so: its path, C programs built against the system libffi, and
// how to run one with the shim (preloaded or linked before -lffi), plain or under PR_SET_MDWE.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { archName, cc, gcc, mdweExec, mdweUnavailable, repo, scratchDir } from './support-native.js';

export const shimPath = join(repo, 'build', 'Release', 'libtrampfd-ffi.so');
/** The shim has a part for each target whose libffi closure entry it knows (native/ffi/ffi-shim-<target>.c). */
export const shimSkip = archName === 'x86_64' || archName === 'aarch64' ? false : `the libffi shim has no ${archName} part`;
/** Why PR_SET_MDWE runs cannot happen here (qemu-user refuses it), or false. */
export const mdweSkip: string | false = mdweUnavailable() ?? false;
/** The runs to make: plain, and under PR_SET_MDWE where it can be set. */
export const mdweModes: boolean[] = mdweSkip ? [false] : [false, true];

/** The probes the self-test runs on this target, in order (native/ffi/ffi-shim-<target>.c): their entries. */
export const selftestProbes = archName === 'aarch64' ? ['sysv', 'sysv with FP arguments']
  : ['unix64', 'unix64 with SSE arguments', 'win64'];

// The target's libffi: the system's natively; under qemu the sysroot's (TRAMPFD_FFI_SYSROOT, set by
// scripts/cross-tests.mjs), found with the flags scripts/has-libffi.mjs gives binding.gyp.
const ffiRoot = process.env.TRAMPFD_FFI_SYSROOT ?? '';
const multiarch = spawnSync(cc, ['-print-multiarch'], { encoding: 'utf8' }).stdout?.trim() || `${archName}-linux-gnu`;
const ffiLib = join(ffiRoot || '/', 'usr', 'lib', multiarch);
/** Compiler flags that find the target's <ffi.h> and libffi.so (before the sources' -lffi). */
export const libffiFlags: string[] = ffiRoot
  ? ['-I', join(ffiRoot, 'usr', 'include', multiarch), '-L', ffiLib, `-Wl,-rpath-link,${ffiLib}`] : [];
/** The target's libffi.so.8. */
export const systemLibffi = join(ffiLib, 'libffi.so.8');
/** objdump for the target's ELF files (the cross binutils beside a cross gcc). */
export const objdump = /-gcc$/.test(cc) ? cc.replace(/gcc$/, 'objdump') : 'objdump';
/** readelf for the target's ELF files. */
export const readelf = /-gcc$/.test(cc) ? cc.replace(/gcc$/, 'readelf') : 'readelf';

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
    gcc(['-std=gnu11', '-O2', '-Wall', ...libffiFlags, '-o', exe, join(repo, 'test', 'c', source), ...shim, '-lffi', '-lpthread', '-ldl']);
  }
  return exe;
}

/**
 * APT sources as deb-src entries (one-line and deb822 files): the machine's own; under qemu those
 * scripts/cross-setup.sh made the sysroot with (deb822 files in apt/etc/src beside it).
 */
function sourceEntries(): { list: string; parts: Record<string, string> } {
  const read = (p: string): string => (existsSync(p) ? readFileSync(p, 'utf8') : '');
  const made = ffiRoot ? join(dirname(ffiRoot), 'apt', 'etc', 'src') : '';
  if (made && existsSync(made)) {
    const parts = Object.fromEntries(readdirSync(made).filter((f) => f.endsWith('.sources'))
      .map((f) => [f, read(join(made, f)).replace(/^Types:.*$/gm, 'Types: deb-src')]));
    return { list: '\n', parts };
  }
  const list = read('/etc/apt/sources.list').split('\n').filter((l) => /^deb\s/.test(l)).map((l) => l.replace(/^deb/, 'deb-src')).join('\n');
  const parts: Record<string, string> = {};
  const dir = '/etc/apt/sources.list.d';
  for (const f of existsSync(dir) ? readdirSync(dir) : []) {
    if (f.endsWith('.list')) parts[f] = read(join(dir, f)).split('\n').filter((l) => /^deb\s/.test(l)).map((l) => l.replace(/^deb/, 'deb-src')).join('\n') + '\n';
    else if (f.endsWith('.sources')) parts[f] = read(join(dir, f)).replace(/^Types:.*$/gm, 'Types: deb-src');
  }
  return { list: list + '\n', parts };
}

/** The source package and version of the target's `binaryPackage`: natively the installed one
    (dpkg); under qemu the sysroot's, from the first line of its Debian changelog. */
function installedSource(binaryPackage: string): [string, string] {
  if (ffiRoot) {
    const log = join(ffiRoot, 'usr', 'share', 'doc', binaryPackage, 'changelog.Debian.gz');
    const m = /^(\S+) \(([^)\s]+)\)/.exec(gunzipSync(readFileSync(log)).toString('utf8'));
    if (!m) throw new Error(`${log} does not start with "package (version)"`);
    return [m[1]!, m[2]!];
  }
  const q = spawnSync('dpkg-query', ['-W', '-f=${source:Package} ${source:Version}', binaryPackage], { encoding: 'utf8' });
  if (q.status !== 0) throw new Error(`dpkg-query ${binaryPackage}: ${q.stderr}`);
  const [pkg = '', version = ''] = q.stdout.trim().split(' ');
  return [pkg, version];
}

/**
 * The Debian source of the package that installed the target's `binaryPackage`, at its version,
 * unpacked by `apt-get source` in a temporary directory: the deb-src entries and apt's lists
 * live there (apt's -o Dir::... options), so no system configuration changes. Throws, with
 * apt's own words, when it cannot be had.
 */
export function debianSource(binaryPackage: string): string {
  const [pkg, version] = installedSource(binaryPackage);
  const dir = join(scratchDir(), `apt-source-${pkg}`);
  const unpacked = join(dir, `${pkg}-${version.replace(/^\d+:/, '').replace(/-[^-]*$/, '')}`);
  if (existsSync(unpacked)) return unpacked;
  const apt = join(dir, 'apt');
  for (const d of ['lists/partial', 'cache/archives/partial', 'sources.list.d']) mkdirSync(join(apt, d), { recursive: true });
  const { list, parts } = sourceEntries();
  writeFileSync(join(apt, 'sources.list'), list);
  for (const [f, text] of Object.entries(parts)) writeFileSync(join(apt, 'sources.list.d', f), text);
  const opts = [`-o`, `Dir::Etc::SourceList=${join(apt, 'sources.list')}`, '-o', `Dir::Etc::SourceParts=${join(apt, 'sources.list.d')}`,
    '-o', `Dir::State::Lists=${join(apt, 'lists')}`, '-o', `Dir::Cache=${join(apt, 'cache')}`, '-o', 'APT::Sandbox::User=root'];
  for (const args of [['update'], ['source', `${pkg}=${version}`]]) {
    const r = spawnSync('apt-get', [...opts, '-q', ...args], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  }
  if (!existsSync(unpacked)) throw new Error(`apt-get source ${pkg}=${version} did not unpack ${unpacked}`);
  return unpacked;
}
