// npm prepack: copies the built addon, the MDWE exec wrapper and the libffi shim
// (libtrampfd-ffi.so, built when libffi-dev is there) into prebuilds/linux-<arch>/, named after
// the CPU the files are built for (their ELF header), so the package tarball installs without
// build tools. Where a cross compiler is installed (scripts/cross-setup.sh), the addon is also
// cross-compiled for that CPU (cached in .cache/cross/<arch>/prebuild-<hash>/, or under
// TRAMPFD_CROSS_CACHE). `--clean` (npm postpack) removes prebuilds/ again: in a working tree a
// left-over prebuild would shadow build/Release (it is loaded first).
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const prebuilds = join(root, 'prebuilds');

if (process.argv.includes('--clean')) {
  rmSync(prebuilds, { recursive: true, force: true });
  process.exit(0);
}

/** The targets a pack may cross-compile for: node's arch name, gcc triple, native/arch folder. */
const CROSS = [
  { arch: 'arm64', triple: 'aarch64-linux-gnu', folder: 'aarch64' },
  { arch: 'riscv64', triple: 'riscv64-linux-gnu', folder: 'riscv64' },
  // scripts/cross-setup.sh names the i386 sysroot by its Debian architecture, as Debian's multiarch folders do.
  { arch: 'ia32', triple: 'i686-linux-gnu', folder: 'i386', debian: 'i386', multiarch: 'i386-linux-gnu' },
];
const MACHINES = { 3: 'ia32', 62: 'x64', 183: 'arm64', 243: 'riscv64' }; // ELF e_machine: EM_386, EM_X86_64, EM_AARCH64, EM_RISCV

/** The CPU an ELF file is built for, as a process.arch name. */
function elfArch(file) {
  const head = Buffer.alloc(20);
  const fd = openSync(file, 'r');
  readSync(fd, head, 0, 20, 0);
  const machine = head.readUInt16LE(18);
  if (head.readUInt32BE(0) !== 0x7f454c46 || !MACHINES[machine]) throw new Error(`prebuild: ${file} is not an ELF file of a known CPU`);
  return MACHINES[machine];
}

function install(from, arch, files) {
  const target = join(prebuilds, `${process.platform}-${arch}`);
  mkdirSync(target, { recursive: true });
  for (const f of files) {
    // A real copy, not a link: the trampoline allocator maps its own file again.
    const to = join(target, f);
    copyFileSync(join(from, f), to);
    chmodSync(to, 0o755);
    console.log(`prebuild: prebuilds/${process.platform}-${arch}/${f} (${statSync(to).size} bytes)`);
  }
}

// The addon is N-API (ABI-stable across Node versions), so one unversioned file serves them all.
const release = join(root, 'build', 'Release');
const files = ['trampfd.node', 'trampfd-mdwe-exec'];
if (existsSync(join(release, 'libtrampfd-ffi.so'))) files.push('libtrampfd-ffi.so');
else console.warn('prebuild: build/Release/libtrampfd-ffi.so is missing (no libffi-dev at build time): not shipped');
for (const f of files) {
  if (!existsSync(join(release, f))) {
    console.error(`prebuild: build/Release/${f} is missing; run \`npx node-gyp rebuild\` first`);
    process.exit(1);
  }
}
rmSync(prebuilds, { recursive: true, force: true });
const built = elfArch(join(release, 'trampfd.node'));
install(release, built, files);

/** The sources a cross build reads, hashed: a cached build is reused only for the same sources
    (and the same answer to whether the target's libffi-dev is there, which decides the shim). */
function sourceHash(ffiHeader) {
  const h = createHash('sha256').update(existsSync(ffiHeader) ? 'libffi\0' : '\0');
  const walk = (dir) => readdirSync(join(root, dir), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  for (const f of ['binding.gyp', 'scripts/has-libffi.mjs', ...walk('native')]) h.update(f).update('\0').update(readFileSync(join(root, f)));
  return h.digest('hex').slice(0, 16);
}

for (const t of CROSS) {
  if (t.arch === built) continue;
  const cc = `${t.triple}-gcc`;
  if (spawnSync(cc, ['--version'], { stdio: 'ignore' }).status !== 0) continue; // no cross compiler: not shipped
  if (!existsSync(join(root, 'native', 'arch', t.folder, 'tramp.S'))) {
    console.warn(`prebuild: native/arch/${t.folder}/ has no trampoline table yet: no ${t.arch} prebuild`);
    continue;
  }
  // The libffi shim is built against the target's libffi-dev in scripts/cross-setup.sh's sysroot.
  const crossCache = process.env.TRAMPFD_CROSS_CACHE ?? join(root, '.cache', 'cross');
  const sysroot = join(crossCache, t.debian ?? t.arch, 'sysroot');
  const cache = join(crossCache, t.debian ?? t.arch, `prebuild-${sourceHash(join(sysroot, 'usr', 'include', t.multiarch ?? t.triple, 'ffi.h'))}`);
  if (!existsSync(join(cache, 'trampfd.node'))) {
    console.log(`prebuild: cross-compiling the addon for ${t.arch} with ${cc}`);
    const dir = mkdtempSync(join(tmpdir(), `trampfd-prebuild-${t.arch}-`));
    for (const f of ['binding.gyp', 'native', 'scripts/has-libffi.mjs']) cpSync(join(root, f), join(dir, f), { recursive: true });
    const gyp = createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
    // The system's node headers when there are some (N-API's are the same for every CPU).
    const nodedir = existsSync('/usr/include/node/node_api.h') ? ['--nodedir=/usr'] : [];
    const r = spawnSync(process.execPath, [gyp, 'rebuild', `--arch=${t.arch}`, ...nodedir, '-j', '2', '--silent'], {
      cwd: dir, stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, CC: cc, CXX: `${t.triple}-g++`, LINK: cc, AR: `${t.triple}-ar`, TRAMPFD_FFI_SYSROOT: sysroot },
    });
    if (r.status !== 0) {
      console.error(`prebuild: the ${t.arch} cross build failed (${r.signal ?? r.status}); its tree is ${dir}`);
      process.exit(1);
    }
    const out = join(dir, 'build', 'Release');
    if (elfArch(join(out, 'trampfd.node')) !== t.arch) throw new Error(`prebuild: the ${t.arch} build made another CPU's code`);
    rmSync(`${cache}.partial`, { recursive: true, force: true });
    mkdirSync(`${cache}.partial`, { recursive: true });
    for (const f of ['trampfd.node', 'trampfd-mdwe-exec', 'libtrampfd-ffi.so']) {
      if (existsSync(join(out, f))) copyFileSync(join(out, f), join(`${cache}.partial`, f));
    }
    renameSync(`${cache}.partial`, cache);
    // Builds of older sources are never used again.
    for (const old of readdirSync(dirname(cache)).filter((d) => d.startsWith('prebuild-') && d !== basename(cache))) {
      rmSync(join(dirname(cache), old), { recursive: true, force: true });
    }
    rmSync(dir, { recursive: true, force: true });
  }
  if (!existsSync(join(cache, 'libtrampfd-ffi.so'))) console.warn(`prebuild: no ${t.arch} libffi-dev in ${sysroot} (scripts/cross-setup.sh adds it): no ${t.arch} libtrampfd-ffi.so`);
  install(cache, t.arch, ['trampfd.node', 'trampfd-mdwe-exec', 'libtrampfd-ffi.so'].filter((f) => existsSync(join(cache, f))));
}
