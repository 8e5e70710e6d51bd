// node-gyp helper: prints 1 when the C compiler finds <ffi.h> and -lffi links, else 0, so a
// source build without libffi-dev still builds the addon (only libtrampfd-ffi.so is skipped).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'trampfd-has-libffi-'));
writeFileSync(join(dir, 'probe.c'), '#include <ffi.h>\nint main(void) { return ffi_prep_cif == 0; }\n');
const r = spawnSync(process.env.CC || 'cc', [join(dir, 'probe.c'), '-o', join(dir, 'probe'), '-lffi'], { stdio: 'ignore' });
rmSync(dir, { recursive: true, force: true });
process.stdout.write(r.status === 0 ? '1' : '0');
