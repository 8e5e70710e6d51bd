// node-gyp helper for libtrampfd-ffi.so. With no argument: prints 1 when the C compiler finds <ffi.h>
// and -lffi links, else 0, so a source build without libffi-dev still builds the addon (only the
// shim is skipped). `--cflags` / `--libs`: the flags that find libffi, for binding.gyp. A cross build
// takes the target's libffi-dev from the root TRAMPFD_FFI_SYSROOT names (scripts/cross-setup.sh's
// sysroot: usr/include/<multiarch>/ffi.h, usr/lib/<multiarch>/libffi.so); natively none are needed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cc = process.env.CC || 'cc';
const root = process.env.TRAMPFD_FFI_SYSROOT;

/** -I and -L flags (and where the linker finds libffi's own dependencies) for a sysroot's libffi. */
function flags() {
  if (!root) return { cflags: [], libs: [] };
  const multiarch = spawnSync(cc, ['-print-multiarch'], { encoding: 'utf8' }).stdout?.trim();
  if (!multiarch) return { cflags: [], libs: [] };
  const lib = join(root, 'usr', 'lib', multiarch);
  return { cflags: ['-I', join(root, 'usr', 'include', multiarch)], libs: ['-L', lib, `-Wl,-rpath-link,${lib}`] };
}

const f = flags();
const arg = process.argv[2];
if (arg === '--cflags') process.stdout.write(f.cflags.join(' '));
else if (arg === '--libs') process.stdout.write(f.libs.join(' '));
else {
  const dir = mkdtempSync(join(tmpdir(), 'trampfd-has-libffi-'));
  writeFileSync(join(dir, 'probe.c'), '#include <ffi.h>\nint main(void) { return ffi_prep_cif == 0; }\n');
  const r = spawnSync(cc, [...f.cflags, join(dir, 'probe.c'), '-o', join(dir, 'probe'), ...f.libs, '-lffi'], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(r.status === 0 ? '1' : '0');
}
