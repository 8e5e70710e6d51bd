// ABI conformance generator: seeded random C signatures (every scalar, structs and unions by
// value, variadics; on i386 also stdcall, fastcall and regparm(N)). For calls, C callees check every argument they receive and return a known
// value; for callbacks, C drivers call a function pointer with known arguments and check what it
// returns. Independent of src/types on purpose: it spells C and computes layouts itself.
import { execFile } from 'node:child_process';
import { createHash, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cc } from './support-native.js';
import { cdef, load, memory, type Library } from '../dist/index.js';
import { HOST } from '../dist/targets/index.js';

// ---------------------------------------------------------------------------------------------
// Seeded PRNG (sfc32, state from splitmix32) so that a printed seed reproduces a whole suite.

export class Rng {
  #s: Uint32Array;
  constructor(seed: number) {
    let x = seed >>> 0;
    const mix = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#s = new Uint32Array([mix(), mix(), mix(), 1]);
    for (let i = 0; i < 12; i++) this.u32();
  }
  u32(): number {
    const s = this.#s;
    const t = (s[0]! + s[1]! + s[3]!) >>> 0;
    s[3] = s[3]! + 1;
    s[0] = s[1]! ^ (s[1]! >>> 9);
    s[1] = s[2]! + (s[2]! << 3);
    s[2] = ((s[2]! << 21) | (s[2]! >>> 11)) + t;
    return t;
  }
  /** Uniform in [0, n) for n <= 2^32. */
  below(n: number): number { return Math.floor((this.u32() / 4294967296) * n); }
  /** Uniform in [lo, hi], inclusive. */
  range(lo: number, hi: number): number { return lo + this.below(hi - lo + 1); }
  chance(p: number): boolean { return this.u32() / 4294967296 < p; }
  pick<T>(xs: readonly T[]): T { return xs[this.below(xs.length)]!; }
  /** `bits` uniformly random bits as a non-negative bigint. */
  bits(bits: number): bigint {
    let n = 0n;
    for (let b = 0; b < bits; b += 32) n = (n << 32n) | BigInt(this.u32());
    return n & ((1n << BigInt(bits)) - 1n);
  }
}

/** TRAMPFD_SEED (decimal or 0x hex) when set, otherwise a fresh random 32-bit seed. */
export function seedFromEnv(): number {
  const s = process.env.TRAMPFD_SEED;
  if (s !== undefined && s !== '') {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`TRAMPFD_SEED must be a 32-bit unsigned integer, got '${s}'`);
    return n;
  }
  return randomInt(0x100000000);
}

// ---------------------------------------------------------------------------------------------
// The generator's own C type model: the sizes and member alignments of the target's data model
// (LP64 on x86-64, AArch64 and RISC-V, which lay these out alike; ILP32 on i386, where double and
// long long are 4-aligned in records); plain char is signed on x86-64 and i386, unsigned on AArch64.

export interface IntType { kind: 'int'; c: string; size: number; align: number; signed: boolean; js: 'number' | 'bigint' | 'safe' }
export interface BoolType { kind: 'bool'; c: string; size: 1; align: 1 }
export interface FloatType { kind: 'float'; c: 'float' | 'double'; size: number; align: number }
export interface PtrType { kind: 'pointer'; c: string; size: number; align: number; cstring: boolean }
export interface EnumGType { kind: 'enum'; c: string; size: number; align: number; signed: boolean; members: readonly (readonly [string, bigint])[] }
export interface ArrType { kind: 'array'; elem: GType; n: number; size: number; align: number }
export interface Member { name: string; type: GType }
export interface RecType {
  kind: 'record'; union: boolean; packed: boolean; c: string; typedef: string;
  members: Member[]; size: number; align: number;
}
export type ScalarG = IntType | BoolType | FloatType | PtrType | EnumGType;
export type GType = ScalarG | ArrType | RecType;

const int = (c: string, size: number, signed: boolean, js: IntType['js'] = 'number', align = size): IntType =>
  ({ kind: 'int', c, size, align, signed, js });
const MODEL = HOST.model;
/** long and the pointer-sized types: size-like ('safe': a number, or a bigint) on every target. */
const sized = (c: string, key: 'long' | 'pointer', signed: boolean): IntType =>
  int(c, MODEL.sizes[key], signed, 'safe', MODEL.aligns[key]);
const PTR8 = MODEL.sizes.pointer === 8;
const int64 = (c: string, signed: boolean): IntType => int(c, 8, signed, 'bigint', MODEL.aligns['long long']);

/** Every integer type name the contract maps, in several spellings. */
export const INT_TYPES: readonly IntType[] = [
  int('char', 1, HOST.model.charSigned), int('signed char', 1, true), int('unsigned char', 1, false),
  int('short', 2, true), int('unsigned short', 2, false), int('short int', 2, true),
  int('int', 4, true), int('unsigned int', 4, false), int('unsigned', 4, false),
  sized('long', 'long', true), sized('unsigned long', 'long', false), sized('long int', 'long', true),
  int64('long long', true), int64('unsigned long long', false),
  int('int8_t', 1, true), int('uint8_t', 1, false), int('int16_t', 2, true), int('uint16_t', 2, false),
  int('int32_t', 4, true), int('uint32_t', 4, false),
  int64('int64_t', true), int64('uint64_t', false),
  sized('size_t', 'pointer', false), sized('ssize_t', 'pointer', true), sized('intptr_t', 'pointer', true),
  sized('uintptr_t', 'pointer', false), sized('ptrdiff_t', 'pointer', true),
];
export const BOOL: BoolType = { kind: 'bool', c: 'bool', size: 1, align: 1 };
export const FLOAT: FloatType = { kind: 'float', c: 'float', size: 4, align: 4 };
export const DOUBLE: FloatType = { kind: 'float', c: 'double', size: 8, align: MODEL.aligns.double };
export const intType = (c: string): IntType => INT_TYPES.find((t) => t.c === c)!;

const ptr = (c: string, cstring = false): PtrType =>
  ({ kind: 'pointer', c, size: MODEL.sizes.pointer, align: MODEL.aligns.pointer, cstring });

const roundUp = (n: number, a: number): number => Math.ceil(n / a) * a;

function recordLayout(members: readonly Member[], union: boolean, packed: boolean): { size: number; align: number } {
  let end = 0, align = 1;
  for (const m of members) {
    const a = packed ? 1 : m.type.align;
    end = union ? Math.max(end, m.type.size) : roundUp(end, a) + m.type.size;
    align = Math.max(align, a);
  }
  return { size: roundUp(end, align), align };
}

/** `T name` for a type spelled `spelled` ("int *p", not "int * p"). */
const cVar = (spelled: string, name: string): string => (spelled.endsWith('*') ? `${spelled}${name}` : `${spelled} ${name}`);

/** `T name` for a member, arrays included (`float m2[3]`, `int m0[2][3]`). */
function declare(t: GType, name: string): string {
  return t.kind === 'array' ? declare(t.elem, `${name}[${t.n}]`) : cVar(t.c, name);
}

// ---------------------------------------------------------------------------------------------
// Values: one tree per argument or return value, printed both as C and as JS.

/** An address inside the C fixture's `trampfd_gen_anchor` array, known only after loading. */
export class Anchor {
  constructor(readonly offset: number) {}
}

export type Val =
  | { k: 'int'; t: IntType | EnumGType; n: bigint; form: 'plain' | 'alt' | 'name'; name?: string }
  | { k: 'bool'; t: BoolType; v: boolean }
  | { k: 'float'; t: FloatType; v: number }
  | { k: 'ptr'; t: PtrType; v: number | Anchor; form: 'plain' | 'null' | 'bigint' | 'string'; str?: string }
  | { k: 'array'; t: ArrType; items: Val[]; form: 'plain' | 'typed' | 'string'; str?: string }
  | { k: 'record'; t: RecType; items: (readonly [Member, Val])[] };

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function intBounds(t: IntType | EnumGType): [bigint, bigint] {
  const bits = BigInt(t.size * 8);
  let lo = t.signed ? -(1n << (bits - 1n)) : 0n;
  let hi = t.signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  if (t.kind === 'enum' || t.js === 'safe') { lo = lo < -MAX_SAFE ? -MAX_SAFE : lo; hi = hi > MAX_SAFE ? MAX_SAFE : hi; }
  return [lo, hi];
}

/** A C integer literal of value `n` for a type of `size` bytes (INT64_MIN spelled as an expression). */
export function intLiteral(n: bigint, size: number, signed: boolean): string {
  if (size === 8) {
    if (!signed) return `${n}ULL`;
    return n === -(1n << 63n) ? '(-9223372036854775807LL - 1)' : `${n}LL`;
  }
  if (!signed && size === 4) return `${n}U`;
  if (n === -(1n << 31n)) return '(-2147483647 - 1)';
  return n < 0n ? `(${n})` : `${n}`;
}

/** A C expression of exactly `v` as a float or double (shortest round-trip text; C rounds correctly). */
export function floatLiteral(v: number, c: 'float' | 'double'): string {
  const f = c === 'float' ? 'f' : '';
  if (Number.isNaN(v)) return `__builtin_nan${f}("")`;
  if (v === Infinity) return `__builtin_inf${f}()`;
  if (v === -Infinity) return `(-__builtin_inf${f}())`;
  if (Object.is(v, -0)) return `(-0.0${f})`;
  let s = String(v);
  if (!/[.e]/.test(s)) s += '.0';
  return c === 'float' ? `((float)${s})` : `(${s})`;
}

const F32 = new Float32Array(1), U32 = new Uint32Array(F32.buffer);
const F64 = new Float64Array(1), U64 = new BigUint64Array(F64.buffer);

const FLOAT_EDGES = [0, -0, 1, -1, 0.5, Math.fround(0.1), 3.4028234663852886e38, -3.4028234663852886e38,
  2 ** -126, 2 ** -149, -(2 ** -149), 2 ** -126 - 2 ** -149, Infinity, -Infinity, NaN, 16777216, 16777217 - 2];
const DOUBLE_EDGES = [0, -0, 1, -1, 0.1, Number.MAX_VALUE, -Number.MAX_VALUE, 2 ** -1022, Number.MIN_VALUE,
  -Number.MIN_VALUE, 2 ** -1022 - Number.MIN_VALUE, Infinity, -Infinity, NaN, 2 ** 53 + 2, 1e300, Math.PI];

function floatValue(rng: Rng, c: 'float' | 'double'): number {
  const r = rng.below(10);
  if (r < 3) return rng.pick(c === 'float' ? FLOAT_EDGES : DOUBLE_EDGES);
  if (r < 6) { // any non-NaN bit pattern
    for (;;) {
      let v: number;
      if (c === 'float') { U32[0] = rng.u32(); v = F32[0]!; } else { U64[0] = rng.bits(64); v = F64[0]!; }
      if (!Number.isNaN(v)) return v;
    }
  }
  const v = (rng.u32() / 4294967296 - 0.5) * 10 ** rng.range(-3, 8);
  return c === 'float' ? Math.fround(v) : v;
}

function intValue(rng: Rng, t: IntType | EnumGType): bigint {
  const [lo, hi] = intBounds(t);
  if (t.kind === 'enum' && rng.chance(0.85)) return rng.pick(t.members)[1];
  const r = rng.below(10);
  if (r < 4) {
    const edges = [0n, 1n, lo, hi, lo + 1n, hi - 1n, ...(lo < 0n ? [-1n] : [])];
    return rng.pick(edges);
  }
  if (r < 6) { // small values
    const s = BigInt(rng.range(-100, 100));
    return s < lo ? -s : s > hi ? hi : s;
  }
  const span = hi - lo + 1n;
  const bits = span.toString(2).length;
  for (;;) {
    const n = rng.bits(bits);
    if (n < span) return lo + n;
  }
}

const isCharLike = (t: GType): boolean => t.kind === 'int' && t.size === 1;

/** Typed-array constructor name for arrays that may be passed as a typed array. */
function typedArrayFor(t: GType): string | undefined {
  if (t.kind === 'float') return t.c === 'float' ? 'Float32Array' : 'Float64Array';
  if (t.kind !== 'int') return undefined;
  if (t.js === 'bigint') return t.signed ? 'BigInt64Array' : 'BigUint64Array';
  if (t.js === 'safe') return undefined;
  return `${t.signed ? 'Int' : 'Uint'}${t.size * 8}Array`;
}

export function makeValue(rng: Rng, t: GType, topLevel = false): Val {
  switch (t.kind) {
    case 'int': case 'enum': {
      const n = intValue(rng, t);
      if (t.kind === 'enum') {
        const m = t.members.find(([, v]) => v === n);
        return m && rng.chance(0.3) ? { k: 'int', t, n, form: 'name', name: m[0] } : { k: 'int', t, n, form: 'plain' };
      }
      // 'alt': a bigint type given a safe number, a size-like type given a bigint (both accepted).
      const altOk = t.js === 'bigint' ? n >= -MAX_SAFE && n <= MAX_SAFE : t.js === 'safe';
      return { k: 'int', t, n, form: altOk && rng.chance(0.1) ? 'alt' : 'plain' };
    }
    case 'bool': return { k: 'bool', t, v: rng.chance(0.5) };
    case 'float': return { k: 'float', t, v: floatValue(rng, t.c) };
    case 'pointer': {
      if (topLevel && t.cstring && rng.chance(0.4)) {
        const str = Array.from({ length: rng.range(0, 12) }, () => String.fromCharCode(rng.range(32, 126))).join('') +
          (rng.chance(0.2) ? 'é€' : '');
        return { k: 'ptr', t, v: 0, form: 'string', str };
      }
      const r = rng.below(10);
      if (r < 1) return { k: 'ptr', t, v: 0, form: rng.chance(0.5) ? 'null' : 'plain' };
      if (r < 4) return { k: 'ptr', t, v: new Anchor(8 * rng.below(512)), form: 'plain' };
      // Addresses up to the pointer's width: 2^53 - 8 at most where pointers have 8 bytes, 2^32 - 8 where 4.
      const v = r < 7 ? 0x1000 * rng.range(1, 0xfffff) : r < 9 ? 8 * rng.range(1, PTR8 ? 2 ** 44 : 2 ** 29 - 1)
        : PTR8 ? Number.MAX_SAFE_INTEGER - 7 : 2 ** 32 - 8;
      return { k: 'ptr', t, v, form: rng.chance(0.1) ? 'bigint' : 'plain' };
    }
    case 'array': {
      if (isCharLike(t.elem) && rng.chance(0.25)) {
        const str = Array.from({ length: rng.range(0, t.n) }, () => String.fromCharCode(rng.range(33, 126))).join('');
        const items: Val[] = Array.from({ length: t.n }, (_, i) =>
          ({ k: 'int', t: t.elem as IntType, n: BigInt(str.charCodeAt(i) || 0), form: 'plain' }));
        return { k: 'array', t, items, form: 'string', str };
      }
      const items = Array.from({ length: t.n }, () => makeValue(rng, t.elem));
      const typedOk = typedArrayFor(t.elem) !== undefined && items.every((v) => v.k !== 'int' || v.form === 'plain');
      return { k: 'array', t, items, form: typedOk && rng.chance(0.2) ? 'typed' : 'plain' };
    }
    case 'record': {
      if (t.union) {
        const m = rng.pick(t.members);
        return { k: 'record', t, items: [[m, makeValue(rng, m.type)]] };
      }
      return { k: 'record', t, items: t.members.map((m) => [m, makeValue(rng, m.type)] as const) };
    }
  }
}

/** The JS argument for a value; `anchor` is the loaded address of `trampfd_gen_anchor`. */
export function jsArg(v: Val, anchor: number): unknown {
  switch (v.k) {
    case 'int':
      if (v.form === 'name') return v.name;
      if (v.t.kind === 'int' && v.t.js === 'bigint') return v.form === 'alt' ? Number(v.n) : v.n;
      return v.form === 'alt' ? v.n : Number(v.n);
    case 'bool': return v.v;
    case 'float': return v.v;
    case 'ptr': {
      if (v.form === 'string') return v.str;
      if (v.form === 'null') return null;
      const a = v.v instanceof Anchor ? anchor + v.v.offset : v.v;
      return v.form === 'bigint' ? BigInt(a) : a;
    }
    case 'array': {
      if (v.form === 'string') return v.str;
      const items = v.items.map((x) => jsArg(x, anchor));
      if (v.form === 'typed') {
        const ctor = (globalThis as unknown as Record<string, new (xs: unknown[]) => unknown>)[typedArrayFor(v.t.elem)!]!;
        return new ctor(items);
      }
      return items;
    }
    case 'record': return Object.fromEntries(v.items.map(([m, x]) => [m.name, jsArg(x, anchor)]));
  }
}

/** What reading the value back gives (the canonical JS form). */
export function jsExpected(v: Val, anchor: number): unknown {
  switch (v.k) {
    case 'int': return v.t.kind === 'int' && v.t.js === 'bigint' ? v.n : Number(v.n);
    case 'bool': return v.v;
    case 'float': return v.v;
    case 'ptr': return v.v instanceof Anchor ? anchor + v.v.offset : v.v;
    case 'array': return v.items.map((x) => jsExpected(x, anchor));
    case 'record': return Object.fromEntries(v.items.map(([m, x]) => [m.name, jsExpected(x, anchor)]));
  }
}

/**
 * The first difference between a value read back and the expected one (Object.is for scalars,
 * so -0 and NaN count), as a path, or undefined. Unions compare only the member that was set.
 */
export function difference(t: GType, got: unknown, want: unknown, path = 'value'): string | undefined {
  const show = (x: unknown): string => (typeof x === 'bigint' ? `${x}n` : Object.is(x, -0) ? '-0' : typeof x === 'object' ? JSON.stringify(x) : String(x));
  if (t.kind === 'array') {
    if (!Array.isArray(got) || got.length !== t.n) return `${path}: expected an array of ${t.n}, got ${show(got)}`;
    for (let i = 0; i < t.n; i++) {
      const d = difference(t.elem, got[i], (want as unknown[])[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (t.kind === 'record') {
    if (typeof got !== 'object' || got === null) return `${path}: expected an object, got ${show(got)}`;
    const w = want as Record<string, unknown>, g = got as Record<string, unknown>;
    if (!t.union) {
      const keys = Object.keys(g).sort().join(','), wkeys = t.members.map((m) => m.name).sort().join(',');
      if (keys !== wkeys) return `${path}: expected members {${wkeys}}, got {${keys}}`;
    }
    for (const m of t.members) {
      if (!(m.name in w)) continue;
      const d = difference(m.type, g[m.name], w[m.name], `${path}.${m.name}`);
      if (d) return d;
    }
    return undefined;
  }
  return Object.is(got, want) ? undefined : `${path}: expected ${show(want)}, got ${show(got)}`;
}

// ---------------------------------------------------------------------------------------------
// C text for values: checks of a received value, and assignments that build a returned one.

function cScalarExpected(v: Val): string {
  switch (v.k) {
    case 'int': return intLiteral(v.n, v.t.size, v.t.signed);
    case 'bool': return v.v ? '1' : '0';
    case 'float': return floatLiteral(v.v, v.t.c);
    case 'ptr': return v.v instanceof Anchor ? `(uintptr_t)(trampfd_gen_anchor + ${v.v.offset})` : `${v.v}ULL`;
    default: throw new Error('not a scalar');
  }
}

/** Appends C statements that check `expr` holds `v`; `what` names it in the error buffer. */
export function cChecks(v: Val, expr: string, what: string, out: string[]): void {
  switch (v.k) {
    case 'int': out.push(`${v.t.size === 8 && !v.t.signed ? 'CU' : 'CI'}("${what}", ${expr}, ${cScalarExpected(v)});`); return;
    case 'bool': out.push(`CI("${what}", ${expr}, ${cScalarExpected(v)});`); return;
    case 'float': out.push(`${v.t.c === 'float' ? 'CF' : 'CD'}("${what}", ${expr}, ${cScalarExpected(v)});`); return;
    case 'ptr':
      if (v.form === 'string') out.push(`CS("${what}", ${expr}, ${JSON.stringify(v.str)});`);
      else out.push(`CP("${what}", ${expr}, ${cScalarExpected(v)});`);
      return;
    case 'array': v.items.forEach((x, i) => cChecks(x, `${expr}[${i}]`, `${what}[${i}]`, out)); return;
    case 'record': for (const [m, x] of v.items) cChecks(x, `${expr}.${m.name}`, `${what}.${m.name}`, out);
  }
}

/** A C argument expression of exactly `v`, for a scalar parameter spelled `spelled`. */
function cScalarArg(v: Val, spelled: string): string {
  if (v.k !== 'ptr') return cScalarExpected(v);
  return v.form === 'string' ? JSON.stringify(v.str) : `(${spelled})(uintptr_t)${cScalarExpected(v)}`;
}

/** Appends C statements that store `v` into the lvalue `expr` (already zeroed). */
export function cAssigns(v: Val, expr: string, out: string[]): void {
  switch (v.k) {
    case 'int': case 'bool': case 'float': out.push(`${expr} = ${cScalarExpected(v)};`); return;
    case 'ptr': out.push(`${expr} = (${v.t.c})(uintptr_t)${cScalarExpected(v)};`); return;
    case 'array': v.items.forEach((x, i) => cAssigns(x, `${expr}[${i}]`, out)); return;
    case 'record': for (const [m, x] of v.items) cAssigns(x, `${expr}.${m.name}`, out);
  }
}

// ---------------------------------------------------------------------------------------------
// Signatures.

export interface Param { type: GType; spelled: string; val: Val }
/** An extra variadic argument: `[type, value]` (spelled) or a plain JS value (spelled undefined). */
export interface VarArg { spelled: string | undefined; vaType: string; val: Val }

export interface Signature {
  name: string;
  /** The prototype given to lib.func. */
  prototype: string;
  params: Param[];
  varargs: VarArg[];
  ret: { type: GType; spelled: string; val: Val } | undefined;
  /** The C definition, for failure messages. */
  c: string;
  /**
   * Fixed-parameter signatures only: the callback mode's driver `int <name>_drive(R (*fn)(...))`,
   * which calls `fn` with the parameters' values and checks that it returns `ret`'s value.
   */
  drive?: { name: string; prototype: string; c: string; fnType: string };
}

export function jsArgs(sig: Signature, anchor: number): unknown[] {
  return [
    ...sig.params.map((p) => jsArg(p.val, anchor)),
    ...sig.varargs.map((a) => (a.spelled === undefined ? jsArg(a.val, anchor) : [a.spelled, jsArg(a.val, anchor)])),
  ];
}

export interface Suite {
  seed: number;
  prefix: string;
  /** Definitions for cdef(): enums, typedefs, structs and unions. */
  cdef: string;
  /** The C fixture as translation units (compiled in parallel); unit 0 defines the globals. */
  units: string[];
  records: RecType[];
  signatures: Signature[];
}

/** Declarations every unit of the fixture shares; chk_* record the first mismatch and return 1. */
const C_HEADER = `#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

extern char trampfd_gen_error[256];
extern char trampfd_gen_anchor[4096];
#define HIDDEN __attribute__((visibility("hidden"), noinline))
HIDDEN int chk_i(const char *fn, const char *what, long long got, long long want);
HIDDEN int chk_u(const char *fn, const char *what, unsigned long long got, unsigned long long want);
HIDDEN int chk_f(const char *fn, const char *what, float got, float want);
HIDDEN int chk_d(const char *fn, const char *what, double got, double want);
HIDDEN int chk_s(const char *fn, const char *what, const char *got, const char *want);
#define CI(w, g, e) (bad |= chk_i(__func__, w, (long long)(g), e))
#define CU(w, g, e) (bad |= chk_u(__func__, w, (unsigned long long)(g), e))
#define CP(w, g, e) CU(w, (uintptr_t)(g), e)
#define CF(w, g, e) (bad |= chk_f(__func__, w, g, e))
#define CD(w, g, e) (bad |= chk_d(__func__, w, g, e))
#define CS(w, g, e) (bad |= chk_s(__func__, w, g, e))
`;

/** The checking helpers, in the first unit only. */
const C_CHECKERS = `
char trampfd_gen_error[256];
char trampfd_gen_anchor[4096];

__attribute__((cold, noinline)) static int fail(const char *fn, const char *what, const char *got, const char *want) {
  if (!trampfd_gen_error[0]) snprintf(trampfd_gen_error, sizeof trampfd_gen_error, "%s: %s = %s, expected %s", fn, what, got, want);
  return 1;
}
int chk_i(const char *fn, const char *what, long long got, long long want) {
  char g[32], w[32];
  if (got == want) return 0;
  snprintf(g, sizeof g, "%lld", got); snprintf(w, sizeof w, "%lld", want);
  return fail(fn, what, g, w);
}
int chk_u(const char *fn, const char *what, unsigned long long got, unsigned long long want) {
  char g[48], w[48];
  if (got == want) return 0;
  snprintf(g, sizeof g, "%llu (0x%llx)", got, got); snprintf(w, sizeof w, "%llu (0x%llx)", want, want);
  return fail(fn, what, g, w);
}
int chk_f(const char *fn, const char *what, float got, float want) {
  char g[48], w[48]; uint32_t gb, wb;
  if (!memcmp(&got, &want, sizeof got)) return 0;
  memcpy(&gb, &got, 4); memcpy(&wb, &want, 4);
  snprintf(g, sizeof g, "%a (0x%08x)", got, gb); snprintf(w, sizeof w, "%a (0x%08x)", want, wb);
  return fail(fn, what, g, w);
}
int chk_d(const char *fn, const char *what, double got, double want) {
  char g[56], w[56]; uint64_t gb, wb;
  if (!memcmp(&got, &want, sizeof got)) return 0;
  memcpy(&gb, &got, 8); memcpy(&wb, &want, 8);
  snprintf(g, sizeof g, "%a (0x%016llx)", got, (unsigned long long)gb); snprintf(w, sizeof w, "%a (0x%016llx)", want, (unsigned long long)wb);
  return fail(fn, what, g, w);
}
int chk_s(const char *fn, const char *what, const char *got, const char *want) {
  char g[40];
  if (got && !strcmp(got, want)) return 0;
  if (got) snprintf(g, sizeof g, "\\"%.30s\\"", got); else strcpy(g, "NULL");
  return fail(fn, what, g, want);
}
`;

export interface SuiteOptions {
  seed: number;
  /** 'calls' (default): the fixture defines the callees; 'callbacks': it defines their drivers. */
  mode?: 'calls' | 'callbacks';
  /** Signatures with fixed parameters only. */
  count: number;
  /** Variadic signatures. */
  variadic: number;
  /** Tag prefix; defaults to g<seed in base 36>. */
  prefix?: string;
}

/** An i386 convention as the prototype spells it (`before` the name or `after` the declarator) and as the C fixture does. */
interface Convention { before: string; after: string; c: string }
const I386 = HOST.arch.name === 'i386';
const CONVENTION_NAMES = ['stdcall', 'fastcall', 'regparm(1)', 'regparm(2)', 'regparm(3)', 'stdcall, regparm(2)', 'cdecl'] as const;
/** MinGW's keywords, which the fixture defines as the attributes on i386. */
const KEYWORDS: Partial<Record<(typeof CONVENTION_NAMES)[number], string>> = { stdcall: '__stdcall', fastcall: '__fastcall', cdecl: '__cdecl' };
const spaced = (s: string | undefined): string => (s ? `${s} ` : '');

class Generator {
  readonly records: RecType[] = [];
  readonly enums: EnumGType[] = [];
  readonly defs: string[] = [];
  readonly pointers: PtrType[];
  /** coverageRecords(), made when the signatures that use them are generated. */
  covering: RecType[] = [];
  constructor(readonly rng: Rng, readonly p: string) {
    const enumSpecs: [bigint[], boolean][] = [
      [[-(1n << 31n), -1n, 0n, 1n, (1n << 31n) - 1n], true], // int
      [[0n, 1n, 1n << 31n, (1n << 32n) - 1n], false], // unsigned int
      [[0n, 1n << 32n, MAX_SAFE], false], // unsigned long (GNU C)
      [[-MAX_SAFE, 0n, 77n], true], // long (GNU C)
    ];
    enumSpecs.forEach(([values, signed], i) => {
      const tag = `${p}_e${i}`;
      const size = values.some((v) => v > 0xffffffffn || v < -(1n << 31n)) ? 8 : 4;
      const members = values.map((v, j) => [`${tag}_m${j}`, v] as const);
      this.enums.push({ kind: 'enum', c: `enum ${tag}`, size, align: size === 8 ? MODEL.aligns['long long'] : size, signed, members });
      this.defs.push(`enum ${tag} { ${members.map(([n, v]) => `${n} = ${intLiteral(v, size, signed)}`).join(', ')} };`);
    });
    this.defs.push(`typedef void (*${p}_fn)(int);`, `struct ${p}_opaque;`);
    this.pointers = [ptr('void *'), ptr('int *'), ptr('const char *', true), ptr('double *'), ptr('unsigned char *'),
      ptr(`${p}_fn`), ptr(`struct ${p}_opaque *`), ptr('const void *')];
  }

  scalar(bias: 'any' | 'int' | 'float' = 'any'): ScalarG {
    const r = this.rng.below(100);
    if (bias === 'float' ? r < 75 : bias === 'int' ? r < 5 : r < 25) return this.rng.chance(0.5) ? FLOAT : DOUBLE;
    const q = this.rng.below(100);
    if (q < 8) return this.rng.pick(this.pointers);
    if (q < 14) return this.rng.pick(this.enums);
    if (q < 19) return BOOL;
    return this.rng.pick(INT_TYPES);
  }

  /** A struct or union of 1..`max` bytes (at most 64). */
  record(depth: number, max: number): RecType {
    const rng = this.rng;
    const union = rng.chance(0.12);
    const packed = rng.chance(0.1);
    const r = rng.below(10);
    const target = Math.min(max, r < 5 ? rng.range(1, 16) : r < 8 ? rng.range(17, 32) : rng.range(33, 64));
    const members: Member[] = [];
    const flavour = rng.pick(['any', 'any', 'int', 'float'] as const);
    for (let tries = 0; tries < 40 && members.length < (union ? 4 : 14); tries++) {
      const t = this.memberType(depth, target, flavour);
      const next = [...members, { name: `m${members.length}`, type: t }];
      if (recordLayout(next, union, packed).size > max) continue;
      members.push(next[next.length - 1]!);
      if (recordLayout(members, union, packed).size >= target && (!union || members.length >= 2 || rng.chance(0.3))) break;
    }
    if (members.length === 0) members.push({ name: 'm0', type: INT_TYPES[0]! });
    return this.define(members, union, packed);
  }

  /** Registers a record of these members: its layout, its C and cdef text, a typedef. */
  define(members: Member[], union: boolean, packed: boolean): RecType {
    const rng = this.rng;
    const { size, align } = recordLayout(members, union, packed);
    const n = this.records.length;
    const kw = union ? 'union' : 'struct';
    const tag = `${this.p}_${union ? 'u' : 's'}${n}`;
    const rec: RecType = { kind: 'record', union, packed, c: `${kw} ${tag}`, typedef: `${tag}_t`, members, size, align };
    this.records.push(rec);
    const body = members.map((m) => `${declare(m.type, m.name)};`).join(' ');
    const attr = '__attribute__((packed))';
    this.defs.push(packed && rng.chance(0.5)
      ? `${kw} ${attr} ${tag} { ${body} };`
      : `${kw} ${tag} { ${body} }${packed ? ` ${attr}` : ''};`);
    this.defs.push(`typedef ${kw} ${tag} ${rec.typedef};`);
    return rec;
  }

  memberType(depth: number, budget: number, flavour: 'any' | 'int' | 'float'): GType {
    const rng = this.rng;
    const r = rng.below(100);
    if (r < 16 && depth < 2 && budget >= 2) {
      const fits = this.records.filter((x) => x.size <= budget);
      return fits.length > 0 && rng.chance(0.4) ? rng.pick(fits) : this.record(depth + 1, Math.min(budget, 32));
    }
    if (r < 32) {
      const special = rng.below(4);
      const elem: GType = special === 0 ? FLOAT : special === 1 ? intType('char') : this.scalar(flavour);
      const n = special === 0 ? 3 : special === 1 ? 5 : rng.range(1, 6);
      const arr: ArrType = { kind: 'array', elem, n, size: elem.size * n, align: elem.align };
      if (arr.size <= budget) return arr;
    }
    return this.scalar(flavour);
  }

  /** A parameter or return type; records come from the pool or are new. */
  type(bias: 'any' | 'int' | 'float' | 'record'): GType {
    if (bias === 'record') {
      return this.records.length > 8 && this.rng.chance(0.6) ? this.rng.pick(this.records) : this.record(0, 64);
    }
    return this.scalar(bias);
  }

  spell(t: GType): string {
    return t.kind === 'record' && this.rng.chance(0.3) ? t.typedef : (t as Exclude<GType, ArrType>).c;
  }

  retOf(kind: 'fixed' | 'variadic'): Signature['ret'] {
    const r = this.rng.below(100);
    if (r < (kind === 'fixed' ? 10 : 15)) return undefined;
    const type = r < 55 ? this.type('any') : this.type('record');
    return { type, spelled: this.spell(type), val: makeValue(this.rng, type) };
  }

  /** `return <value>;` on success, or a different (poisoned) value when a check failed. */
  returnCode(ret: Signature['ret']): string[] {
    if (!ret) return ['(void)bad;', 'return;'];
    const t = ret.type;
    const spelled = ret.spelled;
    const body: string[] = [];
    if (t.kind === 'record') {
      body.push(`${spelled} r;`, 'memset(&r, bad ? 0xa5 : 0, sizeof r);', 'if (bad) return r;');
      cAssigns(ret.val, 'r', body);
      body.push('return r;');
      return body;
    }
    const lit = (v: Val): string => (v.k === 'ptr' ? `(${spelled})(uintptr_t)${cScalarExpected(v)}` : cScalarExpected(v));
    let poison: Val;
    switch (ret.val.k) {
      case 'int': poison = { ...ret.val, n: ret.val.n === 0n ? 1n : 0n }; break;
      case 'bool': poison = { ...ret.val, v: !ret.val.v }; break;
      case 'float': poison = { ...ret.val, v: Object.is(ret.val.v, 1.5) ? 2.5 : 1.5 }; break;
      case 'ptr': poison = { ...ret.val, v: ret.val.v === 16 ? 32 : 16 }; break;
      default: throw new Error('unreachable');
    }
    body.push(`if (bad) return ${lit(poison)};`, `return ${lit(ret.val)};`);
    return body;
  }

  /**
   * On i386, a calling convention for a third of the signatures: how the prototype given to trampfd
   * spells it (an attribute before the name or after the declarator, or a MinGW keyword) and how the
   * C fixture does (always before the name: gcc takes no attribute after a definition's declarator).
   * Elsewhere none, and no random number is drawn: other targets' suites stay what they were.
   */
  convention(): Convention | undefined {
    if (!I386 || !this.rng.chance(0.35)) return undefined;
    const name = this.rng.pick(CONVENTION_NAMES);
    const keyword = KEYWORDS[name];
    const place = this.rng.below(keyword ? 3 : 2);
    const attr = `__attribute__((${name}))`;
    return place === 2 ? { before: keyword!, after: '', c: attr } : place === 1 ? { before: '', after: ` ${attr}`, c: attr } : { before: attr, after: '', c: attr };
  }

  /** Every scalar, so the first signatures can take and return each one whatever the seed. */
  allScalars(): ScalarG[] {
    return [...INT_TYPES, FLOAT, DOUBLE, BOOL, ...this.pointers, ...this.enums];
  }

  /** Integer-class scalars: integers, bool, pointers, enums. */
  intLike(): ScalarG {
    return this.rng.pick([...INT_TYPES, BOOL, ...this.pointers, ...this.enums]);
  }

  /**
   * The records coverage asks for, whatever the seed: 1 byte, more than 48 bytes (returned in
   * memory), a union, a packed struct; the 1-byte one is returned in registers.
   */
  coverageRecords(): RecType[] {
    const m = (...types: GType[]): Member[] => types.map((type, j) => ({ name: `m${j}`, type }));
    return [
      this.define(m(intType('char')), false, false),
      this.define(m(DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE), false, false),
      this.define(m(intType('int'), FLOAT, intType('unsigned char')), true, false),
      this.define(m(intType('char'), intType('int'), intType('short')), false, true),
    ];
  }

  fixed(i: number): Signature {
    const rng = this.rng;
    const name = `${this.p}_f${i}`;
    const scalars = this.allScalars();
    // Coverage does not depend on luck: signature i < scalars.length takes and returns scalar i;
    // the next 80 spill integer (60, at least 7 integer-class arguments each) and float (20, at
    // least 9 floats each) registers; the next 4 take and return the coverage records.
    const forced = i < scalars.length ? scalars[i] : undefined;
    const k = i - scalars.length;
    if (k === 80) this.covering = this.coverageRecords();
    const forcedRecord = k >= 80 && k < 84 ? this.covering[k - 80] : undefined;
    const style = k >= 0 && k < 60 ? 'ints' : k >= 60 && k < 80 ? 'floats'
      : rng.pick(['mixed', 'mixed', 'ints', 'floats', 'structs', 'few'] as const);
    const n = k >= 0 && k < 80 ? 16 : style === 'few' ? rng.range(0, 4) : rng.range(5, 20);
    const params: Param[] = [];
    const first = forced ?? forcedRecord;
    if (first) params.push({ type: first, spelled: this.spell(first), val: makeValue(rng, first, true) });
    for (let j = 0; j < n; j++) {
      const r = rng.below(100);
      const bias = style === 'ints' ? (r < 80 ? 'int' : r < 90 ? 'record' : 'float')
        : style === 'floats' ? (r < 80 ? 'float' : r < 90 ? 'record' : 'int')
          : style === 'structs' ? (r < 60 ? 'record' : 'any')
            : (r < 25 ? 'record' : 'any');
      const type = k >= 0 && k < 60 && j < 7 ? this.intLike()
        : k >= 60 && k < 80 && j < 9 ? (rng.chance(0.5) ? FLOAT : DOUBLE)
          : k >= 0 && k < 80 && bias !== 'record' ? this.type(style === 'ints' ? 'int' : 'float') : this.type(bias);
      params.push({ type, spelled: this.spell(type), val: makeValue(rng, type, true) });
    }
    const ret = first ? { type: first, spelled: this.spell(first), val: makeValue(rng, first) } : this.retOf('fixed');
    const named = rng.chance(0.7);
    const conv = this.convention();
    const decl = (p: Param, j: number, withName: boolean): string => (withName ? cVar(p.spelled, `a${j}`) : p.spelled);
    const retSpell = ret?.spelled ?? 'void';
    const prototype = `${retSpell} ${spaced(conv?.before)}${name}(${params.length ? params.map((p, j) => decl(p, j, named)).join(', ') : 'void'})${conv?.after ?? ''}`;
    const body: string[] = ['int bad = 0;'];
    params.forEach((p, j) => cChecks(p.val, `a${j}`, `a${j}`, body));
    body.push(...this.returnCode(ret));
    const c = `${retSpell} ${spaced(conv?.c)}${name}(${params.length ? params.map((p, j) => decl(p, j, true)).join(', ') : 'void'}) {\n  ${body.join('\n  ')}\n}`;
    return { name, prototype, params, varargs: [], ret, c, drive: driver(name, params, ret, conv?.c) };
  }

  /** `R vN(int n, [more fixed,] ...)`: the callee walks va_arg with the known (promoted) types. */
  variadic(i: number): Signature {
    const rng = this.rng;
    const name = `${this.p}_v${i}`;
    const count = rng.range(1, 24);
    const params: Param[] = [{ type: intType('int'), spelled: 'int', val: { k: 'int', t: intType('int'), n: BigInt(count), form: 'plain' } }];
    for (let j = rng.range(0, 2); j > 0; j--) {
      const type = this.type(rng.chance(0.5) ? 'float' : 'int');
      params.push({ type, spelled: this.spell(type), val: makeValue(rng, type, true) });
    }
    const varargs: VarArg[] = [];
    for (let j = 0; j < count; j++) {
      const r = rng.below(100);
      if (r < 20) { // plain JS values: int32 number -> int, other number -> double, bigint -> long long, string
        const q = rng.below(4);
        if (q === 0) varargs.push({ spelled: undefined, vaType: 'int', val: { k: 'int', t: intType('int'), n: intValue(rng, intType('int')), form: 'plain' } });
        else if (q === 1) {
          let v: number;
          do v = floatValue(rng, 'double'); while (Number.isInteger(v) && (v | 0) === v);
          varargs.push({ spelled: undefined, vaType: 'double', val: { k: 'float', t: DOUBLE, v } });
        } else if (q === 2) {
          varargs.push({ spelled: undefined, vaType: 'long long', val: { k: 'int', t: intType('long long'), n: intValue(rng, intType('long long')), form: 'plain' } });
        } else {
          const str = Array.from({ length: rng.range(0, 10) }, () => String.fromCharCode(rng.range(97, 122))).join('');
          varargs.push({ spelled: undefined, vaType: 'const char *', val: { k: 'ptr', t: ptr('const char *', true), v: 0, form: 'string', str } });
        }
        continue;
      }
      const type = r < 35 ? this.type('record') : r < 65 ? this.type('float') : this.type('int');
      const spelled = type.kind === 'record' ? type.c : (type as ScalarG).c;
      // Default argument promotions: the callee reads float as double, narrow integers as int.
      const vaType = type.kind === 'float' ? 'double' : (type.kind === 'int' || type.kind === 'bool') && type.size < 4 ? 'int' : spelled;
      varargs.push({ spelled, vaType, val: makeValue(rng, type, true) });
    }
    const ret = this.retOf('variadic');
    // gcc passes a variadic function's arguments as cdecl whatever its convention (trampfd too).
    const conv = this.convention();
    const retSpell = ret?.spelled ?? 'void';
    const fixedDecl = params.map((p, j) => cVar(p.spelled, `a${j}`)).join(', ');
    const prototype = `${retSpell} ${spaced(conv?.before)}${name}(${fixedDecl}, ...)${conv?.after ?? ''}`;
    const body: string[] = ['int bad = 0;', 'va_list ap;', `va_start(ap, a${params.length - 1});`];
    params.forEach((p, j) => cChecks(p.val, `a${j}`, `a${j}`, body));
    varargs.forEach((a, j) => {
      const inner: string[] = [];
      // A promoted float arrives as the double of the same value: check it as a double.
      const val: Val = a.val.k === 'float' ? { ...a.val, t: DOUBLE } : a.val;
      cChecks(val, 'x', `vararg ${j + 1} (${a.spelled ?? 'plain ' + a.vaType})`, inner);
      body.push(`{ ${cVar(a.vaType, 'x')} = va_arg(ap, ${a.vaType}); ${inner.join(' ')} }`);
    });
    body.push('va_end(ap);', ...this.returnCode(ret));
    const c = `${retSpell} ${spaced(conv?.c)}${name}(${fixedDecl}, ...) {\n  ${body.join('\n  ')}\n}`;
    return { name, prototype, params, varargs, ret, c };
  }
}

/**
 * The callback mode's C side for one signature: builds each argument (records zeroed, then set
 * member by member, so a union carries exactly the member its value names), calls `fn` once and
 * checks the result member by member. Consumes no randomness, so calls and callbacks of one seed
 * share their signatures.
 */
function driver(name: string, params: readonly Param[], ret: Signature['ret'], conv?: string): NonNullable<Signature['drive']> {
  const retSpell = ret?.spelled ?? 'void';
  const types = params.length ? params.map((p) => p.spelled).join(', ') : 'void';
  const dname = `${name}_drive`;
  const star = conv ? `${conv} *` : '*';
  const prototype = `int ${dname}(${retSpell} (${star}fn)(${types}))`;
  const body: string[] = ['int bad = 0;'];
  const args = params.map((p, j) => {
    if (p.type.kind !== 'record') return cScalarArg(p.val, p.spelled);
    body.push(`${p.spelled} a${j};`, `memset(&a${j}, 0, sizeof a${j});`);
    cAssigns(p.val, `a${j}`, body);
    return `a${j}`;
  });
  const call = `fn(${args.join(', ')})`;
  if (ret) {
    body.push(`${cVar(ret.spelled, 'r')} = ${call};`);
    cChecks(ret.val, 'r', 'return value', body);
  } else {
    body.push(`${call};`);
  }
  body.push('return bad;');
  return { name: dname, prototype, c: `${prototype} {\n  ${body.join('\n  ')}\n}`, fnType: `${retSpell} (${star})(${types})` };
}

/** How many leading fixed signatures coverage is built into (every seed; Generator.fixed). */
export function coveringSignatures(): number {
  return new Generator(new Rng(0), 'cover').allScalars().length + 84;
}

/** Scalar types that must each appear as a parameter and as a return. */
export const COVERED_SCALARS = ['char', 'signed char', 'unsigned char', 'short', 'unsigned short', 'int', 'unsigned int', 'long',
  'unsigned long', 'long long', 'unsigned long long', 'int8_t', 'uint8_t', 'int16_t', 'uint16_t', 'int32_t', 'uint32_t',
  'int64_t', 'uint64_t', 'size_t', 'ssize_t', 'intptr_t', 'bool', 'float', 'double', 'void *', 'const char *'];

/**
 * What a suite lacks of the coverage the conformance issue asks for (none when it is complete):
 * every scalar passed and returned, 50 signatures with more than 6 integer-class arguments and 20
 * with more than 8 floats, records of 1 and more than 48 bytes, unions, packed structs, and
 * struct returns both in registers and in memory.
 */
export function coverageGaps(suite: Suite): string[] {
  const gaps: string[] = [];
  const fixed = suite.signatures.filter((s) => s.varargs.length === 0 && !s.prototype.endsWith('...)'));
  const intLike = (t: GType): boolean => t.kind === 'int' || t.kind === 'bool' || t.kind === 'pointer' || t.kind === 'enum';
  const scalarName = (t: GType): string[] => (t.kind !== 'record' && t.kind !== 'array' ? [t.c] : []);
  const params = new Set(fixed.flatMap((s) => s.params.flatMap((p) => scalarName(p.type))));
  const rets = new Set(fixed.flatMap((s) => (s.ret ? scalarName(s.ret.type) : [])));
  for (const name of COVERED_SCALARS) {
    if (!params.has(name)) gaps.push(`no parameter of type ${name}`);
    if (!rets.has(name)) gaps.push(`no return of type ${name}`);
  }
  const manyInts = fixed.filter((s) => s.params.filter((p) => intLike(p.type)).length > 6).length;
  const manyFloats = fixed.filter((s) => s.params.filter((p) => p.type.kind === 'float').length > 8).length;
  if (manyInts < 50) gaps.push(`only ${manyInts} signatures with more than 6 integer-class arguments`);
  if (manyFloats < 20) gaps.push(`only ${manyFloats} signatures with more than 8 float arguments`);
  const recs = suite.records;
  if (!recs.some((r) => r.size === 1)) gaps.push('no 1-byte record');
  if (!recs.some((r) => r.size > 48)) gaps.push('no record of more than 48 bytes');
  if (!recs.some((r) => r.union)) gaps.push('no union');
  if (!recs.some((r) => r.packed)) gaps.push('no packed struct');
  const recordRet = (small: boolean): boolean => fixed.some((s) => s.ret?.type.kind === 'record' && (s.ret.type.size <= 16) === small);
  if (!recordRet(true)) gaps.push('no struct returned in registers');
  if (!recordRet(false)) gaps.push('no struct returned in memory');
  return gaps;
}

/** Fixture translation units; a fixed number so that a seed always gives the same files. */
const UNITS = 4;

/** Generates a whole suite: type definitions, signatures, and the C fixture that checks them. */
export function generateSuite(opts: SuiteOptions): Suite {
  const callbacks = opts.mode === 'callbacks';
  if (callbacks && opts.variadic > 0) throw new Error('generateSuite: callbacks cannot be variadic (C cannot tell a callee the extra types)');
  const p = opts.prefix ?? `g${opts.seed.toString(36)}`;
  const gen = new Generator(new Rng(opts.seed), p);
  const signatures: Signature[] = [];
  for (let i = 0; i < opts.count; i++) signatures.push(gen.fixed(i));
  for (let i = 0; i < opts.variadic; i++) signatures.push(gen.variadic(i));
  const cdef = gen.defs.join('\n');
  const asserts = gen.records.map((r) =>
    `_Static_assert(sizeof(${r.c}) == ${r.size} && _Alignof(${r.c}) == ${r.align}, "generator layout of ${r.c}");`);
  const keywords = I386 ? ['#define __stdcall __attribute__((stdcall))', '#define __fastcall __attribute__((fastcall))', '#define __cdecl __attribute__((cdecl))'] : [];
  const head = [C_HEADER, ...keywords, cdef, ...asserts, ''].join('\n');
  const units = Array.from({ length: UNITS }, (_, u) =>
    [head, u === 0 ? C_CHECKERS : '',
      ...signatures.filter((_, i) => i % UNITS === u).map((s) => (callbacks ? s.drive!.c : s.c)), ''].join('\n'));
  return { seed: opts.seed, prefix: p, cdef, units, records: gen.records, signatures };
}

/** The target's C compiler (TRAMPFD_CC under qemu). */
function gcc(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cc, args, (err, _out, stderr) => (err ? reject(new Error(`${cc} ${args.join(' ')}: ${stderr}`)) : resolve()));
  });
}

/**
 * Compiles a suite's fixture into a shared object under the temp dir, once per distinct source
 * (child processes running the same seed reuse it); `kind` names the files.
 */
export async function compileSuite(suite: Suite, kind: string): Promise<{ so: string; c: string[] }> {
  const dir = join(tmpdir(), 'trampfd-abi-gen');
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) { // every run has its own seed: drop fixtures older than a day
    const path = join(dir, f);
    try {
      if (Date.now() - statSync(path).mtimeMs > 86_400_000) rmSync(path, { force: true });
    } catch {
      // another process removed it first
    }
  }
  const hash = createHash('sha256').update(suite.units.join('\0')).digest('hex').slice(0, 16);
  const base = join(dir, `${kind}-${suite.prefix}-${hash}`);
  const c = suite.units.map((_, i) => `${base}-${i}.c`);
  const so = `${base}.so`;
  if (!existsSync(so)) {
    const tmp = `${base}.${process.pid}`;
    suite.units.forEach((text, i) => writeFileSync(c[i]!, text));
    await Promise.all(c.map((file, i) => gcc(['-std=gnu11', '-O2', '-fPIC', '-w', '-c', '-o', `${tmp}-${i}.o`, file])));
    await gcc(['-shared', '-o', `${tmp}.so`, ...c.map((_, i) => `${tmp}-${i}.o`)]);
    c.forEach((_, i) => rmSync(`${tmp}-${i}.o`));
    renameSync(`${tmp}.so`, so);
  }
  return { so, c };
}

/** A generated suite compiled and loaded, with the fixture's error buffer and anchor symbol. */
export interface LoadedSuite {
  readonly suite: Suite;
  readonly fixture: { so: string; c: string[] };
  readonly lib: Library;
  /** `char trampfd_gen_error[]`: where C checks write the first mismatch. */
  readonly errorBuffer: number;
  /** Its first byte, to clear between calls. */
  readonly errorByte: Uint8Array;
  readonly anchor: number;
  /** Milliseconds spent generating and compiling. */
  readonly prepared: number;
}

/** Generates, compiles (cached) and loads a suite, registering its types with cdef(). */
export async function loadSuite(opts: SuiteOptions, kind: 'calls' | 'callbacks'): Promise<LoadedSuite> {
  const started = Date.now();
  const suite = generateSuite(opts);
  const fixture = await compileSuite(suite, kind);
  const prepared = Date.now() - started;
  cdef(suite.cdef);
  const lib = load(fixture.so);
  const errorBuffer = lib.symbol('trampfd_gen_error');
  return { suite, fixture, lib, errorBuffer, errorByte: memory.view(errorBuffer, 1), anchor: lib.symbol('trampfd_gen_anchor'), prepared };
}
