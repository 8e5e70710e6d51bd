// npm prepack: copies the built addon, the MDWE exec wrapper and the libffi shim
// (libtrampfd-ffi.so, built when libffi-dev is there) into prebuilds/<platform>-<arch>/,
// so the package tarball installs without build tools. `--clean` (npm postpack) removes them
// again: in a working tree a left-over prebuild would shadow build/Release (it is loaded first).
import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const prebuilds = new URL('prebuilds/', root);

if (process.argv.includes('--clean')) {
  rmSync(prebuilds, { recursive: true, force: true });
  process.exit(0);
}

// The addon is N-API (ABI-stable across Node versions), so one unversioned file serves them all.
const files = ['trampfd.node', 'trampfd-mdwe-exec'];
if (existsSync(new URL('build/Release/libtrampfd-ffi.so', root))) files.push('libtrampfd-ffi.so');
else console.warn('prebuild: build/Release/libtrampfd-ffi.so is missing (no libffi-dev at build time): not shipped');
const target = new URL(`${process.platform}-${process.arch}/`, prebuilds);
for (const f of files) {
  if (!existsSync(new URL(`build/Release/${f}`, root))) {
    console.error(`prebuild: build/Release/${f} is missing; run \`npx node-gyp rebuild\` first`);
    process.exit(1);
  }
}
rmSync(prebuilds, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
for (const f of files) {
  // A real copy, not a link: the trampoline allocator maps its own file again.
  const from = new URL(`build/Release/${f}`, root);
  const to = new URL(f, target);
  copyFileSync(from, to);
  chmodSync(to, 0o755);
  console.log(`prebuild: prebuilds/${process.platform}-${process.arch}/${f} (${statSync(to).size} bytes)`);
}
