// Test support: one batch of the seeded API fuzzer, run in its own child process by
// test/api-fuzz.test.ts (a crash shows there as a signal). Every operation is checked against
// an oracle of the value contract: an accepted value must reach C exactly as the README says,
// a refused one must throw one of trampfd's errors (code ERR_TRAMPFD_*); anything else is an
// internal error. Prints one JSON line: counts and the findings.
import { callback, cdef, load, memory, trampolines, type Callback } from '../dist/index.js';
import { rng } from './support-rng.js';
import { HOST } from '../dist/targets/index.js';

/** Plain char's range on this target: signed on x86-64, unsigned on AArch64. */
const [CHAR_MIN, CHAR_MAX] = HOST.model.charSigned ? [-128, 127] : [0, 255];

const [seedArg, fixture, countArg] = process.argv.slice(2);
const seed = Number(seedArg);
const random = rng(seed);
const count = Number(countArg ?? 2000);

/** Thrown by the fuzzer's own getters and callbacks: expected to come back as it was. */
class FuzzUserError extends Error {}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** Bits of a pointer (and of size_t, ssize_t) and of long: 64 on LP64, 32 on ILP32 (i386). */
const PTR_BITS = HOST.model.sizes.pointer * 8, LONG_BITS = HOST.model.sizes.long * 8;
/** The largest address a pointer parameter takes as a number or a bigint: 2^53 - 1, or 2^32 - 1 on ILP32. */
const MAX_ADDRESS = PTR_BITS === 64 ? MAX_SAFE : 2 ** 32 - 1;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const chance = (p: number): boolean => random() < p;
const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));

const findings: string[] = [];
const tally = { ops: 0, accepted: 0, refused: 0, user: 0 };
let op = '';

function finding(what: string): void {
  if (findings.length < 50) findings.push(`seed ${seed}, ${op}: ${what}`);
}

function show(v: unknown): string {
  try {
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
    if (typeof v === 'function') return 'a function';
    if (typeof v === 'symbol') return 'a symbol';
    if (Array.isArray(v) || (v && Object.getPrototypeOf(v) === Object.prototype)) {
      return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : typeof x === 'number' && !Number.isFinite(x) ? String(x) : x));
    }
    if (v && typeof v === 'object') return Object.prototype.toString.call(v);
    return String(v);
  } catch {
    return '(unprintable)';
  }
}

/** A refusal is one of trampfd's errors; a FuzzUserError is ours coming back. */
function classify(e: unknown): 'refused' | 'user' | 'internal' {
  if (e instanceof FuzzUserError) return 'user';
  if (e instanceof AggregateError) {
    const kinds = new Set(e.errors.map(classify));
    return kinds.has('internal') ? 'internal' : kinds.has('user') ? 'user' : 'refused';
  }
  const code = (e as { code?: unknown })?.code;
  if (e instanceof Error && typeof code === 'string' && code.startsWith('ERR_TRAMPFD_')) return 'refused';
  return 'internal';
}

/** Runs one operation: `accept` says whether the contract accepts it (undefined: either is right). */
function attempt(accept: boolean | undefined, run: () => void, userErrors = false): void {
  tally.ops++;
  try {
    run();
    tally.accepted++;
    if (accept === false) finding('accepted, but the contract refuses it');
  } catch (e) {
    const c = classify(e);
    if (c === 'internal') finding(`internal error: ${(e as Error)?.constructor?.name}: ${(e as Error)?.message ?? show(e)}`);
    else if (c === 'user') {
      tally.user++;
      if (!userErrors) finding(`a user error escaped where none was thrown: ${(e as Error).message}`);
    } else {
      tally.refused++;
      if (accept === true) finding(`refused, but the contract accepts it: ${(e as Error).message}`);
    }
  }
}

function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) || (a === b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => same((a as any)[k], (b as any)[k]));
  }
  return a === b;
}

function check(got: unknown, want: unknown, what: string): void {
  if (!same(got, want)) finding(`${what}: got ${show(got)}, want ${show(want)}`);
}

// ---- values -------------------------------------------------------------------------------

/** Views whose buffer the fuzzer detached (Node 20 has no ArrayBuffer.prototype.detached). */
const detachedViews = new WeakSet<object>();
const detached = (): Uint8Array => {
  const ab = new ArrayBuffer(16);
  const view = new Uint8Array(ab);
  structuredClone(ab, { transfer: [ab] });
  detachedViews.add(view);
  return view;
};

const NUMBERS = [0, -0, 1, -1, 2, 127, 128, -128, -129, 255, 256, 32767, 32768, -32768, -32769, 65535, 65536,
  2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 32 - 1, 2 ** 32, MAX_SAFE, MAX_SAFE + 1, -MAX_SAFE,
  -MAX_SAFE - 1, 2 ** 63, 2 ** 64, 1.5, -1.5, 0.1, NaN, Infinity, -Infinity, 5e-324, 1e-310, 3.4028235e38, 1e39];
const BIGINTS = [0n, 1n, -1n, 127n, 255n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 63n,
  -(2n ** 63n), -(2n ** 63n) - 1n, 2n ** 64n - 1n, 2n ** 64n, -(2n ** 64n)];
const STRINGS = ['', 'abc', 'héllo wörld', 'a\0b', '\ud800', 'x'.repeat(300), '€'.repeat(50), '1', 'FZ_RED', 'FZ_PURPLE'];

function anyValue(): unknown {
  switch (int(0, 9)) {
    case 0: case 1: return pick(NUMBERS);
    case 2: return chance(0.5) ? int(-1000, 1000) : (random() - 0.5) * 2 ** int(0, 70);
    case 3: return pick(BIGINTS);
    case 4: return pick(STRINGS);
    case 5: return pick([true, false, null, undefined]);
    case 6: return pick<unknown>([{}, [], [1, 2], () => 1, Symbol('s'), { valueOf: () => 1 }, { toString: () => '1' }, new Date(0),
      new Proxy({}, { get: () => 1 })]);
    case 7: return pick([new Uint8Array(8), new Uint8Array(0), detached(), new Int32Array(new SharedArrayBuffer(16)),
      new SharedArrayBuffer(8), new ArrayBuffer(8), new DataView(new ArrayBuffer(8)), Buffer.from('xy'), new Float64Array(2)]);
    case 8: return { pointer: pick([4096, 0, NaN, -1, 1.5, 2 ** 64, 2 ** 53, 8192n, '4096', null, undefined]) };
    default: return { get pointer(): number { throw new FuzzUserError('pointer getter'); } };
  }
}

interface Scalar {
  name: string;
  /** The value C receives and echoes back, per the README's value table; undefined: refused. */
  oracle(v: unknown): { value: unknown } | undefined;
  valid(): unknown;
}

const inRange = (n: bigint, lo: bigint, hi: bigint): boolean => n >= lo && n <= hi;
function intScalar(name: string, bits: number, signed: boolean): Scalar {
  const lo = signed ? -(2n ** BigInt(bits - 1)) : 0n;
  const hi = signed ? 2n ** BigInt(bits - 1) - 1n : 2n ** BigInt(bits) - 1n;
  return {
    name,
    oracle: (v) => (typeof v === 'number' && Number.isInteger(v) && inRange(BigInt(v), lo, hi) ? { value: v === 0 ? 0 : v } : undefined),
    valid: () => Number(lo + BigInt(Math.floor(random() * Number(hi - lo + 1n)))),
  };
}
function bigScalar(name: string, signed: boolean, bits = 64): Scalar {
  const lo = signed ? -(2n ** BigInt(bits - 1)) : 0n;
  const hi = signed ? 2n ** BigInt(bits - 1) - 1n : 2n ** BigInt(bits) - 1n;
  return {
    name,
    oracle: (v) => {
      if (typeof v === 'bigint') return inRange(v, lo, hi) ? { value: v } : undefined;
      if (typeof v === 'number' && Number.isSafeInteger(v) && inRange(BigInt(v), lo, hi)) return { value: BigInt(v) };
      return undefined;
    },
    valid: () => (chance(0.5) ? pick(BIGINTS.filter((b) => inRange(b, lo, hi))) : BigInt(int(0, 1e6))),
  };
}
/**
 * Size-like types: safe-integer numbers or bigints in their C range (64 or 32 bits: the type's
 * own size); a number back when it is safe, else a bigint.
 */
function sizeScalar(name: string, signed: boolean, bits: number): Scalar {
  const big = bigScalar(name, signed, bits);
  return {
    name,
    oracle: (v) => {
      const r = big.oracle(v);
      if (!r) return undefined;
      const n = r.value as bigint;
      return { value: n >= -BigInt(MAX_SAFE) && n <= BigInt(MAX_SAFE) ? Number(n) : n };
    },
    valid: () => (chance(0.3) ? big.valid() : int(signed ? -1e6 : 0, 1e6)),
  };
}

const SCALARS: Scalar[] = [
  intScalar('i8', 8, true), intScalar('u8', 8, false), intScalar('i16', 16, true), intScalar('u16', 16, false),
  intScalar('i32', 32, true), intScalar('u32', 32, false), bigScalar('i64', true), bigScalar('u64', false),
  sizeScalar('size', false, PTR_BITS), sizeScalar('ssize', true, PTR_BITS), sizeScalar('long', true, LONG_BITS),
  { name: 'bool', oracle: (v) => (typeof v === 'boolean' ? { value: v } : undefined), valid: () => chance(0.5) },
  { name: 'f32', oracle: (v) => (typeof v === 'number' ? { value: Math.fround(v) } : undefined), valid: () => pick(NUMBERS) },
  { name: 'f64', oracle: (v) => (typeof v === 'number' ? { value: v } : undefined), valid: () => pick(NUMBERS) },
  {
    name: 'enum',
    oracle: (v) => {
      if (v === 'FZ_RED') return { value: 1 };
      if (v === 'FZ_GREEN') return { value: 2 };
      if (v === 'FZ_BLUE') return { value: -7 };
      return intScalar('enum', 32, true).oracle(v);
    },
    valid: () => pick(['FZ_RED', 'FZ_BLUE', 1, -7, 99]),
  },
];
const C_TYPE: Record<string, string> = {
  i8: 'int8_t', u8: 'uint8_t', i16: 'int16_t', u16: 'uint16_t', i32: 'int32_t', u32: 'uint32_t', i64: 'int64_t',
  u64: 'uint64_t', size: 'size_t', ssize: 'ssize_t', long: 'long', bool: 'bool', f32: 'float', f64: 'double',
  enum: 'enum fz_color',
};

// ---- the library --------------------------------------------------------------------------

cdef(`
  enum fz_color { FZ_RED = 1, FZ_GREEN = 2, FZ_BLUE = -7 };
  struct fz_rec { int8_t a; uint16_t b; int32_t c; double d; float e; int64_t f; char s[6]; void *p;
                  struct { int16_t x, y; } in; int32_t arr[3]; };
  struct fz_small { float x; int32_t y; };
`);
const lib = load(fixture!);
const echo = new Map(SCALARS.map((s) => [s.name, lib.func(`${C_TYPE[s.name]} fz_echo_${s.name}(${C_TYPE[s.name]} x)` as string)]));
const echoPtr = lib.func('void *fz_echo_ptr(void *x)' as string);
const echoStr = lib.func('const char *fz_echo_str(const char *x)' as string);
const stackI64 = lib.func('int64_t fz_stack_i64(long a, long b, long c, long d, long e, long f, int64_t x)' as string);
const echoRec = lib.func('struct fz_rec fz_echo_rec(struct fz_rec r)' as string);
const copyRec = lib.func('void fz_copy_rec(const struct fz_rec *from, struct fz_rec *to)' as string);
const echoSmall = lib.func('struct fz_small fz_echo_small(struct fz_small s)' as string);
const apply = lib.func('int fz_apply(int (*f)(int), int x)' as string);
const applyTwice = lib.func('int fz_apply_twice(int (*f)(int), int x)' as string);
const applyD = lib.func('double fz_apply_d(double (*f)(double, double), double x)' as string);

function fuzzScalar(): void {
  const s = pick(SCALARS);
  const v = chance(0.5) ? s.valid() : anyValue();
  op = `fz_echo_${s.name}(${show(v)})`;
  const want = s.oracle(v);
  const userGetter = v !== null && typeof v === 'object' && 'pointer' in v;
  attempt(userGetter ? undefined : want !== undefined, () => {
    const got = echo.get(s.name)!(v);
    if (want) check(got, want.value, 'echoed');
  }, userGetter);
  if (s.name === 'i64' && chance(0.3)) {
    op = `fz_stack_i64(0 x6, ${show(v)})`;
    attempt(want !== undefined, () => {
      const got = stackI64(0, 0, 0, 0, 0, 0, v);
      if (want) check(got, want.value, 'echoed from the stack');
    });
  }
}

/** What a pointer parameter passes for v: a number, or 'view' for bytes whose address we check. */
function pointerOracle(v: unknown, cstring: boolean): { value: unknown } | 'view' | undefined {
  if (v === null) return { value: 0 };
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 && v <= MAX_ADDRESS ? { value: v === 0 ? 0 : v } : undefined;
  if (typeof v === 'bigint') return v >= 0n && v <= BigInt(MAX_ADDRESS) ? { value: Number(v) } : undefined;
  if (typeof v === 'string') return cstring && !v.includes('\0') ? 'view' : undefined;
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof SharedArrayBuffer) return detachedViews.has(v) ? undefined : 'view';
  return undefined;
}

function fuzzPointer(): void {
  const v = anyValue();
  const cstring = chance(0.4);
  op = `${cstring ? 'fz_echo_str' : 'fz_echo_ptr'}(${show(v)})`;
  const want = pointerOracle(v, cstring);
  const isObject = v !== null && typeof v === 'object' && !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer) && !(v instanceof SharedArrayBuffer);
  // Objects with a `pointer`: accepted exactly when it is a valid address (checked below).
  const accept = isObject ? undefined : want !== undefined;
  attempt(accept, () => {
    const got = (cstring ? echoStr : echoPtr)(v);
    if (isObject) {
      const p = (v as { pointer?: unknown }).pointer;
      if (p !== null && !(typeof p === 'number' && Number.isSafeInteger(p) && p >= 0 && p <= MAX_ADDRESS) && !(typeof p === 'bigint' && p >= 0n && p <= BigInt(MAX_ADDRESS))) {
        finding(`accepted an object whose pointer is ${show(p)}`);
      } else check(got, Number(p), 'pointer object');
    } else if (want === 'view') {
      if (typeof v === 'string') {
        check(typeof got === 'number' ? memory.string(got) : got, Buffer.from(v, 'utf8').toString('utf8'), 'string copy');
      } else if ((v as ArrayBufferView | ArrayBuffer).byteLength > 0) {
        check(got, memory.address(v as ArrayBufferView), 'buffer address');
      }
    } else if (want) check(got, want.value, 'pointer');
  }, isObject);
}

// ---- structs ------------------------------------------------------------------------------

interface Member { name: string; scalar?: Scalar; build(): Built }

/** A member value; `member`: undefined means left out, which is zero (array elements have no such rule). */
type Built = { value: unknown; getter?: () => unknown; want: unknown; ok: boolean | undefined };
const nested = (getterCalls: boolean, member = true) => (s: Scalar): Built => {
  const v = chance(0.85) ? s.valid() : anyValue();
  const w = v === undefined && member ? s.oracle(s.name === 'bool' ? false : 0) : s.oracle(v);
  if (getterCalls && w && chance(0.15)) {
    // A getter that calls a foreign function while the argument is being converted.
    return { value: v, getter: () => { echo.get('i32')!(12345); return v; }, want: w.value, ok: true };
  }
  return { value: v, want: w?.value, ok: w !== undefined };
};

function recordMembers(): Member[] {
  const sc = (name: string): Scalar => SCALARS.find((s) => s.name === name)!;
  const plain = (name: string, s: Scalar): Member => ({ name, scalar: s, build: () => nested(true)(s) });
  return [
    plain('a', sc('i8')), plain('b', sc('u16')), plain('c', sc('i32')), plain('d', sc('f64')), plain('e', sc('f32')),
    plain('f', sc('i64')),
    {
      name: 's',
      build: () => {
        if (chance(0.5)) {
          const text = pick(['', 'abc', 'hello', 'héllo', 'toolong!']);
          const bytes = [...Buffer.from(text, 'utf8')];
          if (bytes.length > 6) return { value: text, want: undefined, ok: false };
          return { value: text, want: [...bytes, 0, 0, 0, 0, 0, 0].slice(0, 6).map((b) => (b > CHAR_MAX ? b - 256 : b)), ok: true };
        }
        const xs = Array.from({ length: chance(0.9) ? 6 : int(0, 8) }, () => (chance(0.9) ? int(CHAR_MIN, CHAR_MAX) : anyValue()));
        const ok = xs.length === 6 && xs.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= CHAR_MIN && x <= CHAR_MAX);
        return { value: xs, want: ok ? xs.map((x) => (x === 0 ? 0 : x)) : undefined, ok: xs.length === 6 ? ok : undefined };
      },
    },
    {
      name: 'p',
      build: () => {
        const v = pick([null, 0, 4096, 123456789, MAX_SAFE, -1, 1.5, NaN, 8192n, 'x']);
        const w = pointerOracle(v, false);
        return { value: v, want: w && w !== 'view' ? w.value : undefined, ok: w !== undefined && w !== 'view' };
      },
    },
    {
      name: 'in',
      build: () => {
        const obj: Record<string, unknown> = {};
        const want: Record<string, unknown> = { x: 0, y: 0 };
        let ok: boolean | undefined = true;
        for (const k of ['x', 'y']) {
          if (chance(0.2)) continue; // missing: zero, as in a C initialiser
          const r = nested(false)(sc('i16'));
          obj[k] = r.value;
          want[k] = r.want;
          if (!r.ok) ok = false;
        }
        return { value: obj, want, ok };
      },
    },
    {
      name: 'arr',
      build: () => {
        const xs = Array.from({ length: 3 }, () => nested(false, false)(sc('i32')));
        return { value: xs.map((x) => x.value), want: xs.map((x) => x.want), ok: xs.every((x) => x.ok) };
      },
    },
  ];
}
const MEMBERS = recordMembers();
const ZERO: Record<string, unknown> = { a: 0, b: 0, c: 0, d: 0, e: 0, f: 0n, s: [0, 0, 0, 0, 0, 0], p: 0, in: { x: 0, y: 0 }, arr: [0, 0, 0] };

function fuzzRecord(): void {
  const value: Record<string, unknown> = {};
  const want: Record<string, unknown> = {};
  let ok: boolean | undefined = true;
  const refusedBy: string[] = [];
  for (const m of MEMBERS) {
    if (chance(0.15)) { want[m.name] = ZERO[m.name]; continue; }
    const r = m.build();
    if (r.getter) Object.defineProperty(value, m.name, { get: r.getter, enumerable: true });
    else value[m.name] = r.value;
    want[m.name] = r.want;
    if (r.ok === false) { ok = false; refusedBy.push(m.name); }
    else if (r.ok === undefined && ok) ok = undefined;
  }
  if (chance(0.05)) { value.typo = 1; ok = false; refusedBy.push('typo'); }
  const how = int(0, 2);
  op = `${['fz_echo_rec', 'memory.write/read', 'fz_copy_rec'][how]}(${show(value)}; refused by ${refusedBy.join(', ') || 'none'})`;
  attempt(ok, () => {
    let got: unknown;
    if (how === 0) got = echoRec(value);
    else {
      const p = memory.alloc(memory.sizeof('struct fz_rec'));
      const q = memory.alloc(memory.sizeof('struct fz_rec'));
      try {
        memory.write(p, 'struct fz_rec', value);
        if (how === 2) copyRec(p, q);
        got = memory.read(how === 2 ? q : p, 'struct fz_rec');
      } finally {
        memory.free(p);
        memory.free(q);
      }
    }
    if (ok) check(got, want, 'struct round trip');
  });
  op = 'fz_echo_small';
  const x = chance(0.8) ? pick(NUMBERS) : anyValue();
  const y = chance(0.8) ? int(-5, 5) : anyValue();
  const wx = SCALARS.find((s) => s.name === 'f32')!.oracle(x === undefined ? 0 : x);
  const wy = SCALARS.find((s) => s.name === 'i32')!.oracle(y === undefined ? 0 : y);
  attempt(wx !== undefined && wy !== undefined, () => {
    const got = echoSmall({ x, y });
    check(got, { x: wx?.value, y: wy?.value }, 'small struct');
  });
}

// ---- memory -------------------------------------------------------------------------------

function fuzzMemory(): void {
  const bad = pick([0, 1, 4095, -4096, 1.5, NaN, '4096', null, undefined, {}, 2 ** 60, 2n ** 12n]);
  const which = int(0, 5);
  op = `memory op ${which} on ${show(bad)}`;
  // 2**60 and 4096n are refused only by type/range rules; a real address would be C's risk.
  attempt(false, () => {
    switch (which) {
      case 0: memory.read(bad as number, 'int'); break;
      case 1: memory.write(bad as number, 'int', 1); break;
      case 2: memory.string(bad as number); break;
      case 3: memory.view(bad as number, 4); break;
      case 4: memory.free(bad === 0 ? 1 : bad as number); break;
      default: memory.alloc(pick([-1, 1.5, NaN, '8', 2 ** 60, undefined]) as number);
    }
  });
  const p = memory.alloc(32);
  try {
    const s = pick(SCALARS);
    const v = chance(0.6) ? s.valid() : anyValue();
    const want = s.oracle(v);
    op = `memory.write(p, ${C_TYPE[s.name]}, ${show(v)})`;
    const userGetter = v !== null && typeof v === 'object' && 'pointer' in v;
    attempt(userGetter ? undefined : want !== undefined, () => {
      memory.write(p, C_TYPE[s.name]!, v);
      check(memory.read(p, C_TYPE[s.name]!), want?.value, 'memory round trip');
    }, userGetter);
    op = 'memory.view/type misuse';
    attempt(false, () => memory.read(p, pick(['struct nope', 'void', 'int[', '', 'int (*)(', 'long double'])));
  } finally {
    memory.free(p);
  }
}

// ---- callbacks ----------------------------------------------------------------------------

const live: Callback[] = [];
const freed: Callback[] = [];

function fuzzCallback(): void {
  const x = int(-1000, 1000);
  const r = chance(0.7) ? int(-(2 ** 31), 2 ** 31 - 1) : anyValue();
  const wantR = SCALARS.find((s) => s.name === 'i32')!.oracle(r);
  const throws = chance(0.1);
  const fn = (a: number): any => {
    if (a !== x && a !== x + 1) finding(`callback got ${show(a)}, want ${x}`);
    if (throws) throw new FuzzUserError('from the callback');
    return r;
  };
  const kind = int(0, 6);
  op = `callback kind ${kind} returning ${show(r)}${throws ? ' (throws)' : ''}`;
  switch (kind) {
    case 0: case 1: { // a callback object, called from C
      attempt(throws ? undefined : wantR !== undefined, () => {
        const cb = callback('int f(int)', fn);
        live.push(cb);
        const got = apply(cb, x);
        check(got, wantR?.value, 'callback result');
      }, throws);
      break;
    }
    case 2: // a transient callback
      attempt(throws ? undefined : wantR !== undefined, () => check(apply(fn, x), wantR?.value, 'transient result'), throws);
      break;
    case 3: // twice in one call: every exception is kept
      attempt(throws ? undefined : wantR !== undefined, () => {
        const got = applyTwice(fn, x);
        if (wantR) check(got, ((wantR.value as number) * 2) | 0, 'two results');
      }, throws);
      break;
    case 4: { // freed: refused before C runs
      const cb = live.pop();
      if (!cb) break;
      cb.free();
      freed.push(cb);
      attempt(false, () => apply(cb, x));
      attempt(false, () => cb.free());
      break;
    }
    case 5: { // the wrong prototype
      attempt(false, () => {
        using cb = callback('double g(double a, double b)', (a: number, b: number) => a + b);
        apply(cb, x);
      });
      attempt(true, () => {
        using cb = callback('double g(double, double)', (a: number, b: number) => a * b);
        check(applyD(cb, 3), 9, 'double callback');
      });
      break;
    }
    default: // bad declarations and functions
      attempt(false, () => callback(pick(['int f(int', 'int', '', 'int f(...)', 'struct nope f(void)', 'int f(int, ...)']), fn));
      attempt(false, () => callback('int f(int)', pick([1, null, 'f', {}]) as never));
  }
  if (live.length > 200) live.splice(0, 100).forEach((c) => c.free());
}

// ---- trampolines --------------------------------------------------------------------------

const strcmp = load(null).symbol('strcmp');

function fuzzTrampoline(): void {
  op = 'trampolines';
  const t = trampolines.alloc();
  const target = chance(0.8) ? strcmp : pick([0, -1, 1.5, NaN, '1', null, 2n ** 64n, {}]);
  const context = chance(0.8) ? int(0, 1e6) : pick([-1, 1.5, NaN, 2n ** 64n, 'x']);
  const okTarget = target === strcmp;
  const okContext = typeof context === 'number' && Number.isSafeInteger(context) && context >= 0;
  attempt(okTarget && okContext ? true : undefined, () => t.set(target as number, context as number));
  t.free();
  attempt(false, () => t.free());
  attempt(false, () => t.set(strcmp, 0));
  attempt(false, () => trampolines.free(pick([{}, null, 1, t]) as never));
}

// ---- declarations -------------------------------------------------------------------------

const TOKENS = ['int', 'char', 'unsigned', 'long', 'double', 'void', 'const', 'struct', 'union', 'enum', 'typedef',
  '*', '*', '(', ')', '[', ']', '{', '}', ';', ',', '...', ':', '=', '3', '0', '-1', 'x', 'y', 'fz_rec', 'fz_color',
  '__attribute__((packed))', '__attribute__((aligned(8)))', 'int8_t', 'size_t', '_Bool', 'long double', '__int128'];

function fuzzDeclaration(): void {
  const text = Array.from({ length: int(1, 24) }, () => pick(TOKENS)).join(' ');
  op = `declaration ${JSON.stringify(text)}`;
  attempt(undefined, () => memory.sizeof(text));
  attempt(undefined, () => lib.func(text));
  if (chance(0.2)) attempt(undefined, () => cdef(text.replace(/\bx\b/g, `fz_x${int(0, 1e9)}`)));
}

const ALL = [fuzzScalar, fuzzScalar, fuzzPointer, fuzzRecord, fuzzMemory, fuzzCallback, fuzzTrampoline, fuzzDeclaration];
/** TRAMPFD_FUZZ_ONLY=fuzzRecord,fuzzMemory narrows a reproduction to some areas. */
const only = process.env.TRAMPFD_FUZZ_ONLY?.split(',');
const FUZZERS = only ? ALL.filter((f) => only.includes(f.name)) : ALL;
const started = Date.now();
for (let i = 0; i < count; i++) pick(FUZZERS)();
for (const c of live) c.free();
console.log(JSON.stringify({ seed, ms: Date.now() - started, ...tally, findings }));
