// Area: callbacks, native runners (src/codegen/native-callbacks.ts, native/js-cb-ops.c). Purpose:
// the native runner is taken where it should be (under --jitless by default, or
// TRAMPFD_NATIVE_OPS=1), C calls the user's function itself (no JS runner on the stack), and it is
// indistinguishable from the JS runner: for seeded random scalar signatures, arguments C passes
// and values the function returns (every accepted form and every fallback form), both give C the
// same result and the foreign call the same error (class, code, message); exceptions, nesting,
// a callback freeing itself while it runs, and returned strings behave as on the JS path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { callback, cdef, fnptr, load, memory, type Callback } from '../dist/index.js';
import { nativeOpsSettings } from '../dist/codegen/native-ops.js';
import { SEED, rng } from './support-rng.js';

const saved = nativeOpsSettings.mode;

cdef('enum cbn_colour { CBN_RED, CBN_GREEN = 5, CBN_BLUE = -3 }; typedef int (*cbn_fp)(int);');

/** Runs `make` with the native path forced on or off (callbacks and calls made in it). */
function withMode<T>(mode: 'on' | 'off', make: () => T): T {
  nativeOpsSettings.mode = mode;
  try {
    return make();
  } finally {
    nativeOpsSettings.mode = saved;
  }
}

/** Whether the JS runner (dispatch → run) was on the stack when a callback ran. */
const jsRunnerOnStack = (stack: string): boolean => /\bat (dispatch|run) /.test(stack);

type Outcome = { ok: true; value: unknown } | { ok: false; cls: string; code: unknown; message: string; errors?: Outcome[] };
function caught(e: unknown): Outcome {
  const err = e as Error & { code?: unknown; errors?: unknown[] };
  const o: Outcome = { ok: false, cls: err?.constructor?.name, code: err?.code, message: String(err?.message) };
  if (e instanceof AggregateError) o.errors = e.errors.map(caught);
  return o;
}
function outcome(f: () => unknown): Outcome {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    return caught(e);
  }
}

function show(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'function') return 'function';
  if (typeof v === 'symbol') return String(v);
  if (Object.is(v, -0)) return '-0';
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${v.byteLength})`;
  try { return JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? `${x}n` : x)) ?? String(v); } catch { return String(v); }
}

test('the native runner is the one taken when on, and only for the forms it handles', () => {
  const f = (x: number) => { stacks.push(new Error().stack!); return x + 1; };
  const stacks: string[] = [];
  using native = withMode('on', () => callback('int f(int)', f));
  using js = withMode('off', () => callback('int f(int)', f));
  assert.equal(native.native, true);
  assert.equal(js.native, false);
  const call = withMode('off', () => fnptr(native.pointer, 'int f(int)'));
  assert.equal(call(41), 42);
  assert.equal(fnptr(js.pointer, 'int f(int)')(41), 42);
  assert.equal(stacks.length, 2);
  assert.ok(!jsRunnerOnStack(stacks[0]!), `C called the function itself:\n${stacks[0]}`);
  assert.ok(jsRunnerOnStack(stacks[1]!), `the JS runner ran it:\n${stacks[1]}`);
  // Structs by value stay on the JS runner.
  cdef('typedef struct { int a, b; } cbn_pair;');
  using pair = withMode('on', () => callback('int f(cbn_pair)', () => 0));
  assert.equal(pair.native, false);
});

test('under --jitless the native runner is the default, with NODE_OPTIONS too; TRAMPFD_NATIVE_OPS=0 turns it off', () => {
  const probe = `import('./dist/index.js').then(({ callback, fnptr }) => { const cb = callback('int f(int)', (x) => x * 2);
    console.log(cb.native ? 'native' : 'js', fnptr(cb.pointer, 'int f(int)')(21)); });`;
  const run = (flags: string[], env: Record<string, string> = {}): string => {
    const r = spawnSync(process.execPath, [...flags, '-e', probe], { env: { ...process.env, TRAMPFD_NATIVE_OPS: '', TRAMPFD_INTERPRET: '', ...env }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  assert.equal(run(['--jitless']), 'native 42');
  assert.equal(run([], { NODE_OPTIONS: '--jitless' }), 'native 42');
  assert.equal(run([]), 'js 42');
  assert.equal(run(['--jitless'], { TRAMPFD_NATIVE_OPS: '0' }), 'js 42');
  assert.equal(run(['--jitless'], { TRAMPFD_INTERPRET: '1' }), 'js 42');
  assert.equal(run([], { TRAMPFD_NATIVE_OPS: '1' }), 'native 42');
});

// Types for parameters and results, each with the values C may pass for it (through the JS call).
const MAX = 2 ** 53 - 1;
type Gen = (r: () => number) => unknown;
const int = (lo: number, hi: number): Gen => (r) => (r() < 0.2 ? (r() < 0.5 ? lo : hi) : lo + Math.floor(r() * (hi - lo + 1)));
const big = (lo: bigint, hi: bigint): Gen => (r) => (r() < 0.3 ? (r() < 0.5 ? lo : hi) : lo + BigInt(Math.floor(r() * 2 ** 53)) * ((hi - lo) / 2n ** 53n));
const oneOf = (xs: unknown[]): Gen => (r) => xs[Math.floor(r() * xs.length)];
const ARG_TYPES: Record<string, Gen> = {
  int8_t: int(-128, 127), uint8_t: int(0, 255), short: int(-32768, 32767), 'unsigned short': int(0, 65535),
  int: int(-(2 ** 31), 2 ** 31 - 1), unsigned: int(0, 2 ** 32 - 1), bool: oneOf([true, false]), char: int(0, 127),
  float: (r) => oneOf([0, -0, NaN, Infinity, -Infinity, Math.fround((r() - 0.5) * 1e6)])(r),
  double: (r) => oneOf([0, -0, NaN, -Infinity, 1e300, (r() - 0.5) * 1e12])(r),
  int64_t: big(-(2n ** 63n), 2n ** 63n - 1n), uint64_t: big(0n, 2n ** 64n - 1n),
  long: (r) => oneOf([int(-MAX, MAX)(r), -(2n ** 60n), 2n ** 62n])(r),
  size_t: (r) => oneOf([int(0, MAX)(r), MAX, 2n ** 53n, 2n ** 64n - 1n])(r),
  ssize_t: int(-MAX, MAX), intptr_t: int(-MAX, MAX),
  'void *': (r) => oneOf([0, null, 4096, int(0, MAX)(r), 2n ** 60n])(r),
  'const char *': oneOf([0, 8192]), 'int *': oneOf([null, 4096]),
  'enum cbn_colour': oneOf([0, 5, -3, 'CBN_BLUE']), cbn_fp: oneOf([0, 4096]),
};
const TYPE_NAMES = Object.keys(ARG_TYPES);

// What the JS function returns: every fast form, its edges, and what is not one.
const buffer = Buffer.from('fixed');
const fixedCallback = callback('int f(int)', (x) => x);
const RESULTS: unknown[] = [0, -0, 1, -1, 127, 128, -129, 255, 256, 32767, 32768, 65535, 65536, 2 ** 31 - 1, 2 ** 31,
  -(2 ** 31) - 1, 2 ** 32 - 1, 2 ** 32, MAX, 2 ** 53, -MAX, -(2 ** 53), 1.5, -0.5, NaN, Infinity, -Infinity, 1e300, 3.4e38,
  0n, 1n, -1n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n, 2n ** 64n, -(2n ** 63n), -(2n ** 63n) - 1n, true, false, null,
  undefined, '', 'abc', 'a\0b', 'é✓', 'CBN_GREEN', 'CBN_NONE', {}, [], [1], { pointer: 4096 }, { pointer: -1 },
  { valueOf: () => 1 }, Symbol('s'), buffer, new Uint8Array(0), fixedCallback, new Date(0)];

test(`random signatures, arguments and results: the native and the JS runner agree (seed ${SEED})`, () => {
  const r = rng(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  let compared = 0, failed = 0, fellBack = 0;
  for (let s = 0; s < 120; s++) {
    const n = Math.floor(r() * 12); // up to 11: some on the stack
    const params = Array.from({ length: n }, () => pick(TYPE_NAMES));
    const ret = r() < 0.1 ? 'void' : pick(TYPE_NAMES);
    const decl = `${ret} cbn_f(${params.join(', ')})`;
    let result: unknown, received: unknown[] = [];
    const fn = (...args: unknown[]): unknown => {
      received = args;
      if (result === 'throw') throw new RangeError(`thrown with ${args.length} arguments`);
      return result;
    };
    const native = withMode('on', () => callback(decl, fn as never));
    const js = withMode('off', () => callback(decl, fn as never));
    try {
      assert.equal(native.native, true, decl);
      const callNative = withMode('off', () => fnptr(native.pointer, decl)) as (...a: unknown[]) => unknown;
      const callJs = withMode('off', () => fnptr(js.pointer, decl)) as (...a: unknown[]) => unknown;
      for (let k = 0; k < 25; k++) {
        const args = params.map((p) => ARG_TYPES[p]!(r));
        result = r() < 0.05 ? 'throw' : r() < 0.5 && ret !== 'void' ? ARG_TYPES[ret]!(r) : pick(RESULTS);
        received = [];
        // A returned string's copy is the callback's own: compare what it holds.
        const text = (o: Outcome): Outcome => (o.ok && typeof result === 'string' && ret === 'const char *' && o.value
          ? { ok: true, value: memory.string(o.value as number) } : o);
        const a = text(outcome(() => callNative(...args)));
        const gotNative = received;
        received = [];
        const b = text(outcome(() => callJs(...args)));
        const what = `${decl} given (${args.map(show).join(', ')}) returning ${show(result)}; reproduce with TRAMPFD_SEED=${SEED}`;
        assert.deepEqual(a, b, what);
        assert.deepEqual(gotNative, received, `arguments: ${what}`);
        compared++;
        if (!a.ok) failed++;
        if (args.some((v) => typeof v === 'bigint' && (v > BigInt(MAX) || v < -BigInt(MAX)))) fellBack++;
      }
    } finally {
      native.free();
      js.free();
    }
  }
  assert.ok(failed > 100 && compared - failed > 100, `both outcomes occur (${failed} of ${compared} failed)`);
  assert.ok(fellBack > 10, `arguments C leaves to the JS runner occur (${fellBack})`);
});

test('a returned string stays valid until the callback returns again; other fallback forms convert', () => {
  const strings = ['first é', 'second ✓'];
  let i = 0;
  using cb = withMode('on', () => callback('const char *f(void)', () => strings[i++ % 2]));
  assert.ok(cb.native);
  const get = fnptr(cb.pointer, 'const char *f(void)') as () => number;
  const p1 = get();
  assert.equal(memory.string(p1), 'first é');
  const p2 = get();
  assert.equal(memory.string(p2), 'second ✓');
  using colour = withMode('on', () => callback('enum cbn_colour f(void)', () => 'CBN_BLUE' as never));
  assert.equal(fnptr(colour.pointer, 'int f(void)')(), -3);
  using ptr = withMode('on', () => callback('void *f(void)', () => fixedCallback as never));
  assert.equal(fnptr(ptr.pointer, 'void *f(void)')(), fixedCallback.pointer);
  using fp = withMode('on', () => callback('cbn_fp f(void)', () => ((x: number) => x * 3) as never));
  assert.equal(fnptr(fp.pointer, 'int f(void)')() !== 0, true); // a transient callback for the call
});

test('exceptions: rethrown by the call in progress, C gets zeros, several become one AggregateError', () => {
  const libc = load(null);
  const qsort = libc.func('void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))');
  const a = new Int32Array([5, -3, 9, 1]);
  const throws = (make: () => (x: number, y: number) => number): Outcome[] => (['on', 'off'] as const).map((mode) => {
    const cb = withMode(mode, () => callback('int cmp(const void *a, const void *b)', make() as never));
    try {
      return outcome(() => qsort(a, 4, 4, cb.pointer));
    } finally {
      cb.free();
    }
  });
  const [once, onceJs] = throws(() => { let n = 0; return () => { if (n++ === 0) throw new RangeError('first'); return 0; }; });
  assert.deepEqual(once, { ok: false, cls: 'RangeError', code: undefined, message: 'first' });
  assert.deepEqual(once, onceJs);
  const [all, allJs] = throws(() => () => { throw new TypeError('every time'); });
  assert.equal(all!.ok === false && all!.cls, 'AggregateError');
  assert.deepEqual(all, allJs);
  // A result C got after a throw is zero: a callback that throws on odd arguments.
  using half = withMode('on', () => callback('double f(int)', (x) => { if (x % 2) throw new Error(`odd ${x}`); return x + 0.5; }));
  const call = fnptr(half.pointer, 'double f(int)');
  assert.equal(call(4), 4.5);
  assert.throws(() => call(3), /odd 3/);
  assert.equal(call(6), 6.5);
});

test('nesting: a native callback calls a foreign function that calls back, 50 levels deep', () => {
  let depth = 0;
  let maxDepth = 0;
  const decl = 'long long f(int n, double x)';
  let call: (n: number, x: number) => bigint;
  using cb = withMode('on', () => callback(decl, (n, x) => {
    depth++;
    maxDepth = Math.max(maxDepth, depth);
    try {
      if (n === 0) return BigInt(x);
      if (n === 17) assert.throws(() => call(0, NaN), /RangeError|cannot|integer/i); // a nested failure stays nested
      return call(n - 1, x + 1) + 1n;
    } finally {
      depth--;
    }
  }));
  assert.ok(cb.native);
  call = withMode('on', () => fnptr(cb.pointer, decl)) as never;
  assert.equal(call(50, 0.25 + 0.75), 101n);
  assert.equal(maxDepth, 51);
  assert.equal(depth, 0);
});

test('a callback that frees itself while it runs still returns its result', () => {
  const made: Callback[] = [];
  const cb = withMode('on', () => callback('int f(int)', (x) => {
    cb.free();
    made.push(withMode('on', () => callback('double g(double)', (y) => y))); // may reuse its id
    return x * 2;
  }));
  assert.equal(fnptr(cb.pointer, 'int f(int)')(21), 42);
  assert.equal(cb.freed, true);
  assert.equal(fnptr(made[0]!.pointer, 'double g(double)')(1.25), 1.25);
  // A result C does not accept goes to the freed callback's result writer, which stays until the run ends.
  const late = withMode('on', () => callback('int f(void)', () => { late.free(); return 'CBN_GREEN' as never; }));
  assert.throws(() => fnptr(late.pointer, 'int f(void)')(), /return value: expected an integer/);
  made[0]!.free();
});
