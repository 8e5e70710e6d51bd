// Area: calls, native marshallers (src/codegen/native-ops.ts, native/js-ops.c). Purpose: the
// native path is taken where it should be (under --jitless by default, or TRAMPFD_NATIVE_OPS=1),
// and it is indistinguishable from the JS path: for seeded random signatures and argument values,
// good and bad, both give the same result or throw the same (class, code, message); strings,
// buffers, errno, frame-stack nesting and callback exceptions behave as on the JS path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { callback, cdef, errno, load, memory } from '../dist/index.js';
import { nativeOpsSettings } from '../dist/codegen/native-ops.js';
import { SEED, rng } from './support-rng.js';

const libc = load(null);
const saved = nativeOpsSettings.mode;
const jitless = nativeOpsSettings.jitless;

/** `decl` declared with the native path on, and with it off (the JS marshaller). */
function both(decl: string, options = {}): { native: (...a: unknown[]) => unknown; js: (...a: unknown[]) => unknown } {
  try {
    nativeOpsSettings.mode = 'on';
    const native = libc.func(decl as string, options) as (...a: unknown[]) => unknown;
    nativeOpsSettings.mode = 'off';
    const js = libc.func(decl as string, options) as (...a: unknown[]) => unknown;
    return { native, js };
  } finally {
    nativeOpsSettings.mode = saved;
  }
}

const isNative = (f: Function): boolean => /\{ \[native code\] \}$/.test(Function.prototype.toString.call(f));

type Outcome = { ok: true; value: unknown } | { ok: false; cls: string; code: unknown; message: string };
function outcome(f: (...a: unknown[]) => unknown, args: unknown[]): Outcome {
  try {
    return { ok: true, value: f(...args) };
  } catch (e) {
    const err = e as Error & { code?: unknown };
    return { ok: false, cls: err?.constructor?.name, code: err?.code, message: String(err?.message) };
  }
}

function show(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'function') return 'function';
  if (typeof v === 'symbol') return String(v);
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${v.byteLength})`;
  if (v instanceof ArrayBuffer) return `ArrayBuffer(${v.byteLength})`;
  try { return JSON.stringify(v) ?? String(v); } catch { return String(v); }
}

test('the native path is the one taken when on, and only for the forms it handles', () => {
  const abs = both('int abs(int n)');
  assert.ok(isNative(abs.native), 'TRAMPFD_NATIVE_OPS on: a native function');
  assert.ok(!isNative(abs.js), 'off: a JS marshaller');
  assert.equal(abs.native(-7), 7);
  // Structs by value and blocking calls stay on the JS path.
  cdef('typedef struct { int quot; int rem; } div_t;');
  assert.ok(!isNative(both('div_t div(int a, int b)').native));
  assert.ok(!isNative(both('int abs(int n)', { blocking: true }).native));
});

test('under --jitless the native path is the default, with NODE_OPTIONS too; TRAMPFD_NATIVE_OPS=0 turns it off', () => {
  const probe = `import('./dist/index.js').then(({ load }) => { const f = load(null).func('int abs(int)');
    console.log(/native code/.test(Function.prototype.toString.call(f)) ? 'native' : 'js', f(-3)); });`;
  const run = (flags: string[], env: Record<string, string> = {}): string => {
    const r = spawnSync(process.execPath, [...flags, '-e', probe], { env: { ...process.env, TRAMPFD_NATIVE_OPS: '', ...env }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  assert.equal(run(['--jitless']), 'native 3');
  assert.equal(run([], { NODE_OPTIONS: '--jitless' }), 'native 3');
  assert.equal(run([]), 'js 3');
  // V8 flag of older majors only (Node 24 refuses it): where it exists, WebAssembly is missing
  // without --jitless, and the detection must not take that for a JIT-less process.
  if (spawnSync(process.execPath, ['--no-expose-wasm', '-e', '0']).status === 0) assert.equal(run(['--no-expose-wasm']), 'js 3');
  assert.equal(run(['--jitless'], { TRAMPFD_NATIVE_OPS: '0' }), 'js 3');
  assert.equal(run([], { TRAMPFD_NATIVE_OPS: '1' }), 'native 3');
});

test('with the JIT, by default only declarations taking a const char * are native', () => {
  nativeOpsSettings.mode = 'auto';
  nativeOpsSettings.jitless = false;
  try {
    assert.ok(isNative(libc.func('size_t strlen(const char *s)')));
    assert.ok(!isNative(libc.func('int abs(int n)')));
    assert.ok(!isNative(libc.func('void *memset(void *s, int c, size_t n)')));
  } finally {
    nativeOpsSettings.mode = saved;
    nativeOpsSettings.jitless = jitless;
  }
});

// Parameter types and the values tried for them: every fast form, its edges, and what is not one.
const TYPES = ['int8_t', 'uint8_t', 'short', 'unsigned short', 'int', 'unsigned', 'bool', 'char', 'float', 'double',
  'int64_t', 'uint64_t', 'long', 'size_t', 'ssize_t', 'intptr_t', 'void *', 'const char *', 'int *', 'void (*)(int)'];
const VALUES: unknown[] = [0, -0, 1, -1, 127, 128, -129, 255, 256, 32767, 32768, 65535, 65536, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1,
  2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53, -(2 ** 53 - 1), -(2 ** 53), 1.5, -0.5, NaN, Infinity, -Infinity, 1e300,
  0n, 1n, -1n, 2n ** 63n, 2n ** 64n - 1n, 2n ** 64n, -(2n ** 63n) - 1n, true, false, null, undefined, '', 'abc', 'a\0b', 'é✓',
  '\uD800', {}, [], [1], { pointer: 4096 }, { valueOf: () => 1 }, Symbol('s'), () => 0,
  new Uint8Array(0), new Uint8Array(4), new Int32Array(3), new Float64Array(new ArrayBuffer(64), 8, 2),
  new DataView(new ArrayBuffer(8)), new ArrayBuffer(4), new ArrayBuffer(0), Buffer.from('xy'), new Date(0)];

test(`random signatures and values: the native and the JS path agree on every result and error (seed ${SEED})`, () => {
  const r = rng(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  let compared = 0, threw = 0;
  for (let s = 0; s < 150; s++) {
    const n = Math.floor(r() * 9); // up to 8: some on the stack
    const params = Array.from({ length: n }, () => pick(TYPES));
    // getpid reads no argument: any parameter list is safe to pass, and its result is fixed.
    const decl = `int getpid(${params.join(', ')})`;
    const { native, js } = both(decl);
    assert.ok(isNative(native), decl);
    for (let k = 0; k < 30; k++) {
      const arity = r() < 0.05 ? Math.floor(r() * (n + 2)) : n;
      // Mostly values of the parameter's own kind, so calls get past the first argument.
      const args = Array.from({ length: arity }, () => pick(VALUES));
      const a = outcome(native, args), b = outcome(js, args);
      assert.deepEqual(a, b, `${decl} with (${args.map(show).join(', ')}); reproduce with TRAMPFD_SEED=${SEED}`);
      compared++;
      if (!a.ok) threw++;
    }
  }
  assert.ok(threw > 100 && compared - threw > 100, `both outcomes occur (${threw} of ${compared} threw)`);
});

test(`results of every scalar kind cross unchanged (seed ${SEED})`, () => {
  // Identity functions from libc for each return kind: what goes in comes back through C.
  const r = rng(SEED + 1);
  const cases: [string, () => unknown][] = [
    ['int abs(int)', () => Math.floor(r() * 2 ** 32) - 2 ** 31 + 1],
    ['long labs(long)', () => Math.floor((r() - 0.5) * 2 ** 53)],
    ['long long llabs(long long)', () => BigInt(Math.floor((r() - 0.5) * 2 ** 53)) * 1024n],
    ['double fabs(double)', () => (r() - 0.5) * 1e10],
    ['float fabsf(float)', () => (r() - 0.5) * 1e6],
    ['int toupper(int)', () => Math.floor(r() * 256)],
    ['int isalpha(int)', () => Math.floor(r() * 256)],
  ];
  for (const [decl, gen] of cases) {
    const { native, js } = both(decl);
    for (let i = 0; i < 200; i++) {
      const v = gen();
      assert.deepEqual(outcome(native, [v]), outcome(js, [v]), `${decl}(${show(v)})`);
    }
  }
  const ptr = both('void *memchr(const void *s, int c, size_t n)');
  const buf = Buffer.from('hello world');
  assert.equal(ptr.native(buf, 0x77, buf.length), ptr.js(buf, 0x77, buf.length));
  assert.equal(ptr.native(buf, 0x71, buf.length), ptr.js(buf, 0x71, buf.length));
});

test(`strings are encoded as the JS path encodes them, long ones included (seed ${SEED})`, () => {
  const r = rng(SEED + 2);
  const strlen = both('size_t strlen(const char *s)');
  const alphabet = ['a', 'Z', ' ', 'é', '✓', '😀', '\uD800', '\uDFFF', '\u0080', '\uFFFF'];
  for (let i = 0; i < 300; i++) {
    const s = Array.from({ length: Math.floor(r() * 300) }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
    assert.equal(strlen.native(s), strlen.js(s), show(s));
    assert.equal(strlen.native(s), Buffer.byteLength(s));
  }
  const big = 'x'.repeat(3 << 20); // larger than the frame buffer: the JS path's heap copy
  assert.equal(strlen.native(big), big.length);
  const cmp = both('int strcmp(const char *a, const char *b)');
  assert.equal(cmp.native('same é', 'same é'), 0);
  assert.ok((cmp.native('abc', 'abd') as number) < 0);
});

test('buffers and views pass their own bytes; errno is captured', () => {
  const memset = both('void *memset(void *s, int c, size_t n)');
  const u8 = new Uint8Array(16);
  const view = new Uint8Array(u8.buffer, 4, 8);
  assert.equal(memset.native(view, 9, 8), memset.js(view, 9, 8));
  assert.deepEqual([...u8], [0, 0, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9, 0, 0, 0, 0]);
  const dv = new DataView(u8.buffer, 12, 4);
  memset.native(dv, 1, 4);
  assert.deepEqual([...u8.subarray(12)], [1, 1, 1, 1]);
  assert.equal(memset.native(new Uint8Array(0), 1, 0), memset.js(new Uint8Array(0), 1, 0));
  const close = both('int close(int fd)', { errno: true });
  assert.equal(close.native(-1), -1);
  assert.equal(errno(), 9); // EBADF
});

test('a callback exception during a native call is rethrown by it; calls nest on the frame stack', () => {
  nativeOpsSettings.mode = 'on';
  try {
    const qsort = libc.func('void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))');
    const abs = libc.func('int abs(int)');
    assert.ok(isNative(qsort) && isNative(abs));
    const a = new Int32Array([5, -3, 9, 1]);
    using ok = callback('int cmp(const void *a, const void *b)', (x, y) =>
      abs(memory.read(x as number, 'int') as number) - abs(memory.read(y as number, 'int') as number));
    qsort(a, 4, 4, ok.pointer);
    assert.deepEqual([...a], [1, -3, 5, 9]);
    let calls = 0;
    using once = callback('int cmp(const void *a, const void *b)', () => { if (calls++ === 0) throw new RangeError('from the callback'); return 0; });
    assert.throws(() => qsort(a, 4, 4, once.pointer), /from the callback/);
    using always = callback('int cmp(const void *a, const void *b)', () => { throw new RangeError('every time'); });
    assert.throws(() => qsort(a, 4, 4, always.pointer), (e: unknown) => e instanceof AggregateError && e.errors.length >= 2 &&
      e.errors.every((x) => x instanceof RangeError)); // several: one AggregateError, in order
    assert.equal(abs(-2), 2); // the frame stack is intact
    qsort(a, 4, 4, ok.pointer);
  } finally {
    nativeOpsSettings.mode = saved;
  }
});
