// Area: the `trampfd` command (src/cli.ts via bin/trampfd.mjs). Purpose: `call` parses each
// argument by its declared C type and prints the result; `doctor` reports platform, trampoline
// mode and W^X enforcement (checked inside PR_SET_MDWE too); every mistake is one line on stderr
// with a non-zero status (2 for command-line usage, 1 when the call itself fails).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mdweExec, mdweUnavailable, repo } from './support-native.js';

const bin = join(repo, 'bin', 'trampfd.mjs');

function run(args: string[], opts: { env?: Record<string, string>; wrap?: string[] } = {}) {
  const argv = [...(opts.wrap ?? []), process.execPath, bin, ...args];
  const env = { ...process.env, TRAMPFD_TRAMPOLINES: '', ...opts.env }; // file mode unless a test asks
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `trampfd call ...` and returns stdout, asserting success. */
function call(...args: string[]): string {
  const r = run(['call', ...args]);
  assert.equal(r.status, 0, `trampfd call ${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stderr, '');
  return r.stdout;
}

/** Asserts a failure: status, nothing on stdout, exactly one line on stderr matching `pattern`. */
function fails(args: string[], status: 1 | 2, pattern: RegExp): void {
  const r = run(args);
  assert.equal(r.status, status, `trampfd ${args.join(' ')} -> ${r.status}: ${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^trampfd: [^\n]+\n$/, 'one line');
  assert.match(r.stderr, pattern);
}

test('help: trampfd --help, call --help and doctor --help exit 0; no command prints usage and exits 2', () => {
  for (const [args, first] of [[['--help'], 'Usage: trampfd <command>'], [['call', '--help'], 'Usage: trampfd call'],
    [['doctor', '--help'], 'Usage: trampfd doctor'], [['help'], 'Usage: trampfd <command>']] as const) {
    const r = run([...args]);
    assert.equal(r.status, 0);
    assert.ok(r.stdout.startsWith(first), r.stdout);
  }
  const none = run([]);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /^Usage: trampfd/);
  const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version;
  assert.equal(run(['--version']).stdout, `${version}\n`);
});

test('call: numbers by declared type — int, double, float, 64-bit bigints, hex, negatives, inf', () => {
  assert.equal(call('libm.so.6', 'double cos(double)', '0'), '1\n');
  assert.equal(call('libm.so.6', 'double pow(double x, double y)', '2', '0.5'), `${Math.SQRT2}\n`);
  assert.equal(call('libm.so.6', 'float fabsf(float)', '-1.5'), '1.5\n');
  assert.equal(call('libm.so.6', 'double sqrt(double)', 'inf'), 'Infinity\n');
  assert.equal(call('libm.so.6', 'double fabs(double)', '-2e3'), '2000\n');
  assert.equal(call('libc.so.6', 'int abs(int)', '-5'), '5\n');
  assert.equal(call('libc.so.6', 'int abs(int)', '0x10'), '16\n');
  assert.equal(call('libc.so.6', 'long long llabs(long long)', '-9007199254740993'), '9007199254740993\n');
  assert.equal(call('libc.so.6', 'unsigned long long strtoull(const char *s, char **end, int base)', '18446744073709551615', 'null', '10'),
    '18446744073709551615\n');
  assert.equal(call('libc.so.6', 'long labs(long)', '-4096'), '4096\n');
});

test('call: strings, NULL, pointers, structs (--cdef), void, the running process', () => {
  assert.equal(call('libc.so.6', 'size_t strlen(const char *s)', 'héllo'), '6\n');
  assert.match(call('libz.so.1', 'const char *zlibVersion(void)'), /^1\.\d+\.\d+/);
  assert.equal(call('libc.so.6', 'int setenv(const char *name, const char *value, int overwrite)', 'null', 'x', '1'), '-1\n');
  assert.equal(call('libc.so.6', 'void *memchr(const void *s, int c, size_t n)', 'null', '0', '0'), 'NULL\n');
  assert.match(call('libc.so.6', 'void *malloc(size_t size)', '16'), /^0x[0-9a-f]+\n$/);
  const r = run(['call', 'libc.so.6', 'char *getenv(const char *name)', 'TRAMPFD_CLI_TEST'], { env: { TRAMPFD_CLI_TEST: 'a b c' } });
  assert.equal(r.stdout, 'a b c\n');
  assert.equal(call('libc.so.6', 'char *getenv(const char *name)', 'TRAMPFD_CLI_UNSET_VARIABLE'), 'NULL\n');
  assert.equal(call('--cdef', 'typedef struct { int quot, rem; } div_t;', 'libc.so.6', 'div_t div(int n, int d)', '7', '2'),
    '{"quot":3,"rem":1}\n');
  assert.equal(call('libc.so.6', 'void srand(unsigned int seed)', '1'), '');
  assert.equal(call('-', 'int abs(int)', '-3'), '3\n');
});

test('call: variadic extras by their look; C stdio output comes before the result', () => {
  assert.equal(call('libc.so.6', 'int printf(const char *fmt, ...)', '%s=%d %lld %lld %.2f %p\n', 'x', '42', '5000000000', '7n', '2.5', 'null'),
    'x=42 5000000000 7 2.50 (nil)\n29\n');
});

test('call: negative numbers after the prototype, with or without --; -- ends the options', () => {
  assert.equal(call('libc.so.6', 'int abs(int)', '--', '-5'), '5\n');
  assert.equal(call('libc.so.6', 'int abs(int)', '-5'), '5\n', 'after the prototype nothing is an option');
  assert.equal(call('--', 'libc.so.6', 'long long llabs(long long)', '--', '-9007199254740993'), '9007199254740993\n');
  assert.equal(call('--cdef', 'typedef int fp_int;', '--', 'libc.so.6', 'fp_int abs(fp_int)', '-7'), '7\n');
  assert.equal(call('libc.so.6', 'int printf(const char *, ...)', '--', '%d|%s\n', '-5', '--'), '-5|--\n6\n');
  assert.equal(call('libc.so.6', 'size_t strlen(const char *)', '--', '--'), '2\n', '-- -- passes "--"');
  // A word that looks like an option where a number belongs is a usage error naming it.
  fails(['call', 'libc.so.6', 'int abs(int)', '--help'], 2, /argument 1: '--help' is not an integer/);
  fails(['call', 'libc.so.6', 'int abs(int)', '--', '-5', '-6'], 2, /expected 1 argument, got 2/);
  const help = run(['call', '--help']);
  assert.match(help.stdout, /\[--\] <library> '<prototype>' \[--\] \[args\.\.\.\]/);
  assert.match(help.stdout, /'int abs\(int\)' -- -5/);
});

test('call: bad input is one line on stderr and a non-zero status', () => {
  fails(['call', 'libnope-trampfd.so', 'int f(void)'], 1, /cannot load libnope-trampfd\.so/);
  fails(['call', 'libc.so.6', 'int trampfd_no_such_function(void)'], 1, /symbol 'trampfd_no_such_function' not found/);
  fails(['call', 'libm.so.6', 'double cos(double', '0'], 1, /bad prototype: expected '\)' .* at column \d+/);
  fails(['call', 'libm.so.6', 'double cos(double)'], 2, /expected 1 argument, got 0/);
  fails(['call', 'libm.so.6', 'double cos(double)', '1', '2'], 2, /expected 1 argument, got 2/);
  fails(['call', 'libc.so.6', 'int printf(const char *, ...)'], 2, /expected at least 1 argument, got 0/);
  fails(['call', 'libm.so.6', 'double cos(double x)', 'abc'], 2, /argument 1 \(x\): 'abc' is not a number/);
  fails(['call', 'libc.so.6', 'int abs(int)', '1.5'], 2, /argument 1: '1\.5' is not an integer/);
  fails(['call', 'libc.so.6', 'int abs(int)', '5000000000'], 1, /expected an integer in \[-2147483648, 2147483647\]/);
  fails(['call', 'libc.so.6', 'void free(void *p)', 'text'], 2, /'text' is not an address or null/);
  fails(['call', 'libc.so.6', 'void qsort(void *, size_t, size_t, int (*)(const void *, const void *))', 'null', '0', '4', '0'], 2,
    /function pointer cannot be given on the command line/);
  fails(['call', 'libc.so.6'], 2, /call needs a library and a prototype/);
  fails(['call', '--cdef'], 2, /--cdef needs C declarations/);
  fails(['call', '--bogus', 'libc.so.6'], 2, /unknown option '--bogus'/);
  fails(['frobnicate'], 2, /unknown command 'frobnicate'/);
  fails(['doctor', '--bogus'], 2, /unknown option '--bogus'/);
});

interface Doctor {
  platform: string; arch: string; node: string; pageSize: number; addon: string; jitless: boolean;
  trampolines: { mode: string; tables: number; slots: number; selfTest: boolean; fallbackReason: string | null };
  wx: { mdwe: string; selinux: string; seccomp: string };
}

test('doctor: platform, page size, addon, trampoline mode and W^X status', () => {
  const r = run(['doctor']);
  assert.equal(r.status, 0, r.stderr);
  for (const key of ['platform', 'node', 'page size', 'addon', 'trampolines', 'self-test', 'W^X', 'JIT']) {
    assert.match(r.stdout, new RegExp(`^${key.replace('^', '\\^')} +\\S`, 'm'), key);
  }
  assert.match(r.stdout, /^JIT +on/m);
  const j = JSON.parse(run(['doctor', '--json']).stdout) as Doctor;
  assert.equal(j.platform, 'linux');
  assert.equal(j.arch, process.arch);
  assert.equal(j.node, process.version);
  assert.equal(j.pageSize, Number(spawnSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).stdout.trim()));
  assert.match(j.addon, /trampfd\.node$/);
  assert.equal(j.trampolines.mode, 'file');
  assert.ok(j.trampolines.tables >= 1 && j.trampolines.slots >= 2048);
  assert.equal(j.trampolines.selfTest, true);
  assert.equal(j.jitless, false);
  assert.ok(['off', 'unsupported'].includes(j.wx.mdwe), j.wx.mdwe);

  const image = JSON.parse(run(['doctor', '--json'], { env: { TRAMPFD_TRAMPOLINES: 'image' } }).stdout) as Doctor;
  assert.equal(image.trampolines.mode, 'image');
  assert.match(run(['doctor'], { env: { TRAMPFD_TRAMPOLINES: 'image' } }).stdout, /^trampolines +in-image: 4096 slots/m);
});

test('doctor inside PR_SET_MDWE under node --jitless: W^X enforced, JIT off, trampolines still file-mapped', { skip: mdweUnavailable() ?? false }, () => {
  const env = { ...process.env, TRAMPFD_TRAMPOLINES: '' };
  const r = spawnSync(mdweExec, [process.execPath, '--jitless', bin, 'doctor', '--json'], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as Doctor;
  assert.equal(j.wx.mdwe, 'enforced');
  assert.equal(j.jitless, true);
  assert.equal(j.trampolines.mode, 'file');
  assert.equal(j.trampolines.selfTest, true);
  const text = spawnSync(mdweExec, [process.execPath, '--jitless', bin, 'doctor'], { encoding: 'utf8', env }).stdout;
  assert.match(text, /PR_SET_MDWE enforced .*W\^X is enforced here/);
  assert.match(text, /^JIT +off \(node --jitless\)/m);
});
