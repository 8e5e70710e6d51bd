// Builds the addon with -fsanitize=address,undefined in a scratch copy of the repository and
// runs tests there with libasan/libubsan preloaded into node (node itself is not instrumented).
// Usage: node scripts/sanitize-tests.mjs [test-file-substring...]   (no arguments: every test it can run)
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const lib = (name) => execFileSync('gcc', [`-print-file-name=${name}`], { encoding: 'utf8' }).trim();
const preload = [lib('libasan.so'), lib('libubsan.so')];
for (const p of preload) if (!existsSync(p)) throw new Error(`sanitizer runtime not found: ${p}`);

const copy = mkdtempSync(join(tmpdir(), 'trampfd-sanitize-'));
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: repo, encoding: 'utf8' }).split('\0').filter(Boolean);
for (const f of tracked) {
  if (!existsSync(join(repo, f))) continue;
  mkdirSync(dirname(join(copy, f)), { recursive: true });
  cpSync(join(repo, f), join(copy, f));
}
symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'));

const flags = '-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g';
const run = (cmd, args, env = {}) => {
  const r = spawnSync(cmd, args, { cwd: copy, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`sanitize-tests: ${cmd} ${args.join(' ')} failed (${r.signal ?? r.status}); the copy is ${copy}`);
    process.exit(1);
  }
};
run('npx', ['node-gyp', 'rebuild', '-j', '2', '--silent'], { CFLAGS: flags, LDFLAGS: '-fsanitize=address,undefined' });
const needed = execFileSync('readelf', ['-d', join(copy, 'build/Release/trampfd.node')], { encoding: 'utf8' });
if (!/libasan/.test(needed) || !/libubsan/.test(needed)) throw new Error('the sanitized addon does not link the sanitizer runtimes');
run('npm', ['run', '--silent', 'build:ts']);
run('npx', ['tsc', '-p', 'test/tsconfig.json']);

// Leak checking is off: node keeps much alive until exit by design. Any ASan or UBSan report
// ends the process with a non-zero status, which fails the test that ran it.
// Test files that cannot mean the same under the sanitizer runtime, each for a stated reason.
const incompatible = [
  // libasan refuses dlopen(RTLD_DEEPBIND) (google/sanitizers#611): everything that loads libz or
  // runs `trampfd call` deep-bound.
  'real-zlib', 'load-interposed-zlib', 'demo', 'cli', 'readme-samples', 'pack-install', 'call-hardened',
  // Deliberate faults, RSS and mapping counts: ASan's SEGV handler turns the expected signal into
  // its own report, and its shadow memory and mappings change what these measure.
  'trampolines-reclaim', 'trampolines-sealed', 'callback-scale',
  // Type-level tsc runs (nothing native); the libffi shim's suites preload the shim into python
  // and C programs of their own, where libasan cannot come first.
  'typed-declarations', 'ffi-shim',
];
const r = spawnSync(process.execPath, [join(copy, 'scripts', 'run-tests.mjs'), ...process.argv.slice(2),
  ...incompatible.map((name) => `!${name}`)], {
  cwd: copy, stdio: 'inherit',
  env: {
    ...process.env,
    // The host's own build only (x86-64): no cross compiler from an arm64 run's settings.
    TRAMPFD_CC: undefined,
    TRAMPFD_EMULATED: undefined,
    LD_PRELOAD: preload.join(' '),
    ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1:detect_odr_violation=0',
    UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
    TRAMPFD_SANITIZED: '1',
  },
});
if (r.status === 0) rmSync(copy, { recursive: true, force: true });
process.exit(r.status ?? 1);
