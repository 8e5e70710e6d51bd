// Area: packaging. Purpose: the npm tarball installs without build tools — `npm pack` (prepack
// copies the built addon into prebuilds/, postpack removes it), then an offline install into an
// empty project whose install hook keeps the prebuilt; the package then works from ESM, CJS and
// its `trampfd` bin. The install hook falls back to node-gyp when the prebuilt does not load.
// With cross compilers installed (scripts/cross-setup.sh) the x86-64 tarball carries arm64 and
// riscv64 addons too; under qemu (scripts/cross-tests.mjs) npm runs on the host's node
// (TRAMPFD_HOST_NODE) and the tarball installs offline with --ignore-scripts, then the package runs
// on that CPU's node.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repo } from './support-native.js';

const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  name: string; version: string; dependencies?: object; files: string[]; bin: Record<string, string>;
  scripts: Record<string, string>;
};
const work = mkdtempSync(join(tmpdir(), 'trampfd-pack-'));
after(() => rmSync(work, { recursive: true, force: true }));
/** The environment for nested npm runs: none of the npm_* settings of an outer `npm test`. */
const npmEnv: Record<string, string | undefined> = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') || k === 'npm_config_cache' || k === 'npm_config_userconfig'));
Object.assign(npmEnv, { npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' });
// Cross builds at pack time are cached in the working tree's .cache, not the copy's.
npmEnv.TRAMPFD_CROSS_CACHE ??= join(repo, '.cache', 'cross');
// Under emulation npm (a big JS program) would take minutes: it runs on the host's node.
const hostNode = process.env.TRAMPFD_HOST_NODE;
if (hostNode) npmEnv.PATH = `${dirname(hostNode)}:${process.env.PATH}`;
const pre = `prebuilds/linux-${process.arch}`;
/** The CPU of an ELF file (e_machine): 3 is i386, 62 x86-64, 183 AArch64, 243 RISC-V. */
const elfMachine = (file: string) => readFileSync(file).readUInt16LE(18);
/** The targets `npm pack` here also cross-compiles the addon for (scripts/prebuild.mjs); `shim`: the
    prebuild carries the libffi shim too, as it does when scripts/cross-setup.sh's sysroot has the
    target's libffi-dev. */
const crossTargets = process.arch !== 'x64' ? [] : [
  { arch: 'arm64', triple: 'aarch64-linux-gnu', folder: 'aarch64', machine: 183 },
  { arch: 'riscv64', triple: 'riscv64-linux-gnu', folder: 'riscv64', machine: 243 },
  { arch: 'ia32', triple: 'i686-linux-gnu', folder: 'i386', machine: 3 },
].filter((t) => spawnSync(`${t.triple}-gcc`, ['--version']).status === 0 && existsSync(join(repo, 'native', 'arch', t.folder, 'tramp.S')))
  // The shim is built for x86-64 and AArch64 only (binding.gyp), where the target's libffi-dev is in its sysroot.
  .map((t) => ({ ...t, shim: t.arch === 'arm64' && existsSync(join(npmEnv.TRAMPFD_CROSS_CACHE!, t.arch, 'sysroot', 'usr', 'include', t.triple, 'ffi.h')) }));
/** Whether the packed prebuilds carry the libffi shim for this machine: built here (libffi-dev found). */
const shimHere = existsSync(join(repo, 'build', 'Release', 'libtrampfd-ffi.so'));

/**
 * A copy of the package sources in `work/pkg`: `npm pack` in the working tree would create and
 * delete prebuilds/ under the feet of other test processes that load the addon from there.
 * dist/ is already built (pretest), so the copy's `prepare` is a no-op instead of a 20 s tsc run.
 */
function packageCopy(): string {
  const dir = join(work, 'pkg');
  for (const f of ['package.json', 'README.md', 'binding.gyp', 'native', 'scripts', 'bin', 'examples', 'dist']) {
    cpSync(join(repo, f), join(dir, f), { recursive: true });
  }
  mkdirSync(join(dir, 'build', 'Release'), { recursive: true });
  for (const f of ['trampfd.node', 'trampfd-mdwe-exec', 'libtrampfd-ffi.so']) {
    if (existsSync(join(repo, 'build', 'Release', f))) copyFileSync(join(repo, 'build', 'Release', f), join(dir, 'build', 'Release', f));
  }
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  const copy = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  copy.scripts.prepare = 'node -e 0';
  writeFileSync(join(dir, 'package.json'), JSON.stringify(copy, null, 2));
  return dir;
}

const SCENARIO = `
const libc = load('libc.so.6');
const strlen = libc.func('size_t strlen(const char *s)');
const qsort = libc.func('void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))');
const a = new Int32Array([30, -1, 7, 2]);
const cmp = callback('int cmp(const void *a, const void *b)', (x, y) => memory.read(x, 'int') - memory.read(y, 'int'));
qsort(a, a.length, 4, cmp);
cmp.free();
console.log(JSON.stringify({ len: strlen('héllo'), sorted: [...a], selfTest: trampolines.selfTest().ok, mode: trampolines.stats().mode }));
`;
const EXPECTED = { len: 6, sorted: [-1, 2, 7, 30], selfTest: true, mode: 'file' };

test('trampfd has no runtime dependencies, and declares its bin, files and install hooks', () => {
  assert.equal(pkg.dependencies, undefined, 'an offline install of the tarball needs no registry');
  assert.deepEqual(pkg.bin, { trampfd: 'bin/trampfd.mjs' });
  for (const f of ['dist', 'bin', 'examples', 'prebuilds', 'native', 'binding.gyp', 'scripts/install.mjs']) assert.ok(pkg.files.includes(f), f);
  assert.equal(pkg.scripts.install, 'node scripts/install.mjs');
  assert.match(pkg.scripts.prepack!, /scripts\/prebuild\.mjs/);
});

test(`npm pack, an offline install into an empty project${hostNode ? ' with --ignore-scripts' : ''}, then ESM, CJS and the bin on ${process.arch}`, { timeout: 300_000 }, () => {
  const dir = packageCopy();
  execFileSync('npm', ['pack', '--pack-destination', work], { cwd: dir, env: npmEnv, stdio: 'pipe' });
  const tgz = join(work, `${pkg.name}-${pkg.version}.tgz`);
  assert.ok(existsSync(tgz));
  assert.ok(!existsSync(join(dir, 'prebuilds')), 'postpack removes prebuilds/ from the tree it packed');

  const listing = execFileSync('tar', ['-tvzf', tgz], { encoding: 'utf8' });
  const names = listing.split('\n').map((l) => l.split(/\s+/).at(-1)!).filter(Boolean);
  const shipped = [`${pre}/trampfd.node`, `${pre}/trampfd-mdwe-exec`, ...(shimHere ? [`${pre}/libtrampfd-ffi.so`] : []),
    ...crossTargets.flatMap((t) => [`prebuilds/linux-${t.arch}/trampfd.node`, `prebuilds/linux-${t.arch}/trampfd-mdwe-exec`,
      ...(t.shim ? [`prebuilds/linux-${t.arch}/libtrampfd-ffi.so`] : [])])];
  for (const f of [...shipped, 'bin/trampfd.mjs', 'dist/index.js', 'dist/cjs/index.js', 'dist/cli.js', 'examples/demo.mjs', 'scripts/install.mjs', 'binding.gyp', 'native/tramp.c']) {
    assert.ok(names.includes(`package/${f}`), `${f} is in the tarball`);
  }
  assert.ok(!names.some((n) => /^package\/(test|src|build|bench)\//.test(n)), 'no tests, sources or build tree');
  assert.match(listing, new RegExp(`^-rwx.*package/${pre}/trampfd-mdwe-exec$`, 'm'), 'the wrapper stays executable');

  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
  // Under emulation the install hook would run on the host's node: the prebuilt is used as it is.
  const inst = spawnSync('npm', ['install', '--offline', hostNode ? '--ignore-scripts' : '--foreground-scripts', tgz], { cwd: app, env: npmEnv, encoding: 'utf8' });
  assert.equal(inst.status, 0, inst.stdout + inst.stderr);
  if (!hostNode) assert.match(inst.stdout, new RegExp(`trampfd: using the prebuilt addon ${pre}/trampfd\\.node`));
  const installed = join(app, 'node_modules', 'trampfd');
  assert.ok(!existsSync(join(installed, 'build')), 'nothing was compiled');
  for (const t of crossTargets) {
    assert.equal(elfMachine(join(installed, 'prebuilds', `linux-${t.arch}`, 'trampfd.node')), t.machine, `the ${t.arch} prebuild is ${t.arch} code`);
    if (t.shim) assert.equal(elfMachine(join(installed, 'prebuilds', `linux-${t.arch}`, 'libtrampfd-ffi.so')), t.machine, `the ${t.arch} shim is ${t.arch} code`);
  }
  assert.equal(elfMachine(join(installed, pre, 'trampfd.node')), { ia32: 3, x64: 62, arm64: 183, riscv64: 243 }[process.arch as string]);

  const imports = 'load, callback, memory, trampolines';
  writeFileSync(join(app, 'esm.mjs'), `import { ${imports} } from 'trampfd';\n${SCENARIO}`);
  writeFileSync(join(app, 'cjs.cjs'), `const { ${imports} } = require('trampfd');\n${SCENARIO}`);
  for (const file of ['esm.mjs', 'cjs.cjs']) {
    const out = execFileSync(process.execPath, [file], { cwd: app, encoding: 'utf8', env: { ...process.env, TRAMPFD_TRAMPOLINES: '' } });
    assert.deepEqual(JSON.parse(out), EXPECTED, file);
  }

  const bin = join(app, 'node_modules', '.bin', 'trampfd');
  assert.equal(execFileSync(bin, ['call', 'libm.so.6', 'double cos(double)', '0'], { encoding: 'utf8' }), '1\n');
  const doctor = execFileSync(bin, ['doctor', '--json'], { encoding: 'utf8' });
  const report = JSON.parse(doctor);
  assert.equal(report.prebuilt, true);
  assert.equal(report.addon, join(installed, pre, 'trampfd.node'));
  assert.equal(report.wx.mdweExec, join(installed, pre, 'trampfd-mdwe-exec'));
  if (shimHere) assert.equal(report.ffiShim, join(installed, pre, 'libtrampfd-ffi.so'));
});

/** A package folder with the install hook, an optional prebuilt, and a fake node-gyp on PATH. */
function installHook(name: string, prebuilt: 'good' | 'broken' | 'none', env: Record<string, string> = {}) {
  const dir = join(work, name);
  mkdirSync(join(dir, 'scripts'), { recursive: true });
  copyFileSync(join(repo, 'scripts', 'install.mjs'), join(dir, 'scripts', 'install.mjs'));
  const pre = join(dir, 'prebuilds', `${process.platform}-${process.arch}`);
  mkdirSync(pre, { recursive: true });
  if (prebuilt === 'good') copyFileSync(join(repo, 'build', 'Release', 'trampfd.node'), join(pre, 'trampfd.node'));
  if (prebuilt === 'broken') writeFileSync(join(pre, 'trampfd.node'), 'not an ELF file');
  const fakeBin = join(dir, 'fake-bin');
  mkdirSync(fakeBin);
  const log = join(dir, 'node-gyp.log');
  writeFileSync(join(fakeBin, 'node-gyp'), `#!/bin/sh\necho "$PWD $*" > '${log}'\n`);
  chmodSync(join(fakeBin, 'node-gyp'), 0o755);
  const r = spawnSync(process.execPath, [join(dir, 'scripts', 'install.mjs')], {
    cwd: tmpdir(), encoding: 'utf8',
    env: { ...process.env, PATH: `${fakeBin}:${process.env.PATH}`, npm_config_build_from_source: '', TRAMPFD_BUILD_FROM_SOURCE: '', ...env },
  });
  return { status: r.status, out: r.stdout + r.stderr, gyp: existsSync(log) ? readFileSync(log, 'utf8').trim() : undefined, dir };
}

test('the install hook keeps a prebuilt that loads, and builds from source otherwise', () => {
  const good = installHook('hook-good', 'good');
  assert.equal(good.status, 0, good.out);
  assert.match(good.out, /using the prebuilt addon/);
  assert.equal(good.gyp, undefined, 'node-gyp not run');

  const broken = installHook('hook-broken', 'broken');
  assert.equal(broken.status, 0, broken.out);
  assert.match(broken.out, new RegExp(`${pre}/trampfd\\.node does not load here .*building from source`));
  assert.equal(broken.gyp, `${broken.dir} rebuild`);

  const none = installHook('hook-none', 'none');
  assert.match(none.out, new RegExp(`no prebuilt addon for linux-${process.arch}; building from source`));
  assert.equal(none.gyp, `${none.dir} rebuild`);

  const forced = installHook('hook-forced', 'good', { TRAMPFD_BUILD_FROM_SOURCE: '1' });
  assert.match(forced.out, /a source build was asked for/);
  assert.equal(forced.gyp, `${forced.dir} rebuild`);
});
