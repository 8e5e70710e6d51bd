// npm run bench:ffi-shim: libtrampfd-ffi.so's closures against the system libffi's, in one process.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const shim = join(repo, 'build', 'Release', 'libtrampfd-ffi.so');
if (!existsSync(shim)) {
  console.error(`bench: ${shim} is missing; run \`npx node-gyp rebuild\` first`);
  process.exit(1);
}
const exe = join(mkdtempSync(join(tmpdir(), 'trampfd-bench-')), 'ffi-shim-closures');
execFileSync('gcc', ['-O2', '-o', exe, join(repo, 'bench', 'ffi-shim-closures.c'), '-lffi', '-ldl'], { stdio: 'inherit' });
process.stdout.write(execFileSync(exe, [shim, process.argv[2] ?? '15'], { encoding: 'utf8' }));
