// Converts JS values to and from C values in memory (a DataView, little-endian), checking every value.
import type { ArrayType, CType, EnumType, Field, RecordType, ScalarType } from './ctype.js';
import { intRange, wideEncodingOf } from './builtins.js';
import { decode, findNul, unitSize } from './strings.js';
import { isCharLike } from './layout.js';
import { TrampfdRangeError, TrampfdTypeError } from './errors.js';
import { pointerObject } from './pointer-object.js';
import { HOST } from '../targets/index.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** Bytes of a pointer on this target (4 on i386), and the largest address one holds. */
const POINTER_SIZE = HOST.model.sizes.pointer;
const POINTER_BITS = POINTER_SIZE * 8;
const MAX_ADDRESS = (1n << BigInt(POINTER_BITS)) - 1n;
const utf8 = new TextEncoder();

/** Short description of a JS value for error messages. */
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  switch (typeof v) {
    case 'bigint': return `${v}n`;
    case 'number': return Object.is(v, -0) ? '-0' : String(v);
    case 'string': return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
    case 'undefined': return 'undefined';
    case 'function': return 'a function';
    case 'object': return 'an object';
    default: return typeof v;
  }
}

/**
 * Where a member or element sits, as a C programmer names it: "f: argument 2 (v), member a.b",
 * "memory.read(int[4]), element 3", "..., member data[3]". A where names a member once it has
 * the ", member " part; before that an element is the value's own.
 */
function memberWhere(where: string, name: string): string {
  return where.includes(', member ') ? `${where}.${name}` : `${where}, member ${name}`;
}
function elementWhere(where: string, i: number): string {
  return where.includes(', member ') ? `${where}[${i}]` : `${where}, element ${i}`;
}

function rangeText(lo: bigint, hi: bigint): string {
  return `[${lo}, ${hi}]`;
}

/** The integer a JS value stands for under the rules of a scalar's JS mapping; throws otherwise. */
function toInteger(v: unknown, t: ScalarType | EnumType, lo: bigint, hi: bigint, where: string): bigint {
  const js = t.kind === 'enum' ? 'number' : t.js;
  if (js === 'boolean') {
    if (typeof v !== 'boolean') throw new TrampfdTypeError(`${where}: expected a boolean, got ${describe(v)}`);
    return v ? 1n : 0n;
  }
  if (js === 'pointer') {
    if (v === null) return 0n;
    const ok = typeof v === 'bigint' ? v >= 0n && v <= MAX_ADDRESS
      : typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && (POINTER_SIZE === 8 || v <= 0xffffffff);
    if (ok) return BigInt(v as number | bigint);
    const msg = `${where}: expected a pointer (${POINTER_SIZE === 8 ? 'a non-negative safe integer' : `an integer in [0, 2^${POINTER_BITS})`}, a bigint below 2^${POINTER_BITS}, or null), got ${describe(v)}`;
    throw typeof v === 'number' || typeof v === 'bigint' ? new TrampfdRangeError(msg) : new TrampfdTypeError(msg);
  }
  if (t.kind === 'enum' && typeof v === 'string') {
    const n = t.values.get(v);
    if (n === undefined) throw new TrampfdRangeError(`${where}: '${v}' is not an enumerator of ${t.name}`);
    return BigInt(n);
  }
  // 'number' ints take numbers; 'safe' takes numbers or bigints; 'bigint' takes bigints or safe-integer numbers.
  const expected = js === 'bigint'
    ? `a bigint (or a safe-integer number) in ${rangeText(lo, hi)}`
    : js === 'safe' ? `a safe integer in ${rangeText(lo < -MAX_SAFE ? -MAX_SAFE : lo, hi > MAX_SAFE ? MAX_SAFE : hi)}`
      : `an integer in ${rangeText(lo, hi)}`;
  let n: bigint;
  if (typeof v === 'number') {
    if (!(js === 'number' ? Number.isInteger(v) : Number.isSafeInteger(v))) {
      throw new TrampfdRangeError(`${where}: expected ${expected}, got ${describe(v)}`);
    }
    n = BigInt(v);
  } else if (typeof v === 'bigint' && js !== 'number') {
    n = v;
  } else {
    throw new TrampfdTypeError(`${where}: expected ${expected}, got ${describe(v)}`);
  }
  if (n < lo || n > hi) throw new TrampfdRangeError(`${where}: expected ${expected}, got ${describe(v)}`);
  return n;
}

/** The JS value of an integer read from memory, under the scalar's JS mapping. */
function fromInteger(n: bigint, t: ScalarType | EnumType, where: string): unknown {
  const js = t.kind === 'enum' ? 'number' : t.js;
  switch (js) {
    case 'boolean': return n !== 0n;
    case 'bigint': return n;
    case 'number': return Number(n);
    // Size-like types: any value C produced is valid, so one beyond 2^53 comes back as a bigint.
    case 'safe': return n > MAX_SAFE || n < -MAX_SAFE ? n : Number(n);
    default:
      // Pointers: Linux user-space addresses are below 2^47 (x86-64) or 2^52 (AArch64), so a number holds them.
      if (n > MAX_SAFE) {
        throw new TrampfdRangeError(`${where}: ${t.name} value ${n} is not a safe integer; a JS number cannot hold it exactly`);
      }
      return Number(n);
  }
}

function scalarOf(t: ScalarType | EnumType): ScalarType {
  return t.kind === 'enum' ? t.base : t;
}

function writeScalar(view: DataView, off: number, t: ScalarType | EnumType, v: unknown, where: string): void {
  const s = scalarOf(t);
  if (s.rep === 'f32' || s.rep === 'f64') {
    if (typeof v !== 'number') throw new TrampfdTypeError(`${where}: expected a number, got ${describe(v)}`);
    if (s.rep === 'f32') view.setFloat32(off, v, true); else view.setFloat64(off, v, true);
    return;
  }
  const [lo, hi] = s.rep === 'pointer' ? [0n, MAX_ADDRESS] : intRange(s.rep)!;
  if (s.size <= 4 && s.js === 'number' && typeof v === 'number' && Number.isInteger(v) && v >= Number(lo) && v <= Number(hi)) {
    // The common case without bigint arithmetic: a number that fits a 32-bit-or-smaller integer.
    if (s.size === 1) view.setUint8(off, v & 0xff);
    else if (s.size === 2) view.setUint16(off, v & 0xffff, true);
    else view.setUint32(off, v >>> 0, true);
    return;
  }
  const n = toInteger(v, t, lo, hi, where);
  switch (s.rep) {
    case 'i8': case 'u8': case 'bool': view.setUint8(off, Number(n) & 0xff); break;
    case 'i16': case 'u16': view.setUint16(off, Number(n) & 0xffff, true); break;
    case 'i32': case 'u32': view.setUint32(off, Number(n) >>> 0, true); break;
    case 'pointer':
      if (POINTER_SIZE === 4) view.setUint32(off, Number(n), true);
      else view.setBigUint64(off, n, true);
      break;
    default: view.setBigUint64(off, BigInt.asUintN(64, n), true);
  }
}

function readScalar(view: DataView, off: number, t: ScalarType | EnumType, where: string): unknown {
  const s = scalarOf(t);
  switch (s.rep) {
    case 'f32': return view.getFloat32(off, true);
    case 'f64': return view.getFloat64(off, true);
    case 'bool': return view.getUint8(off) !== 0;
    case 'i8': return view.getInt8(off);
    case 'u8': return view.getUint8(off);
    case 'i16': return view.getInt16(off, true);
    case 'u16': return view.getUint16(off, true);
    case 'i32': return view.getInt32(off, true);
    case 'u32': return view.getUint32(off, true);
    case 'i64': return fromInteger(view.getBigInt64(off, true), t, where);
    case 'pointer': return POINTER_SIZE === 4 ? view.getUint32(off, true) : fromInteger(view.getBigUint64(off, true), t, where);
    default: return fromInteger(view.getBigUint64(off, true), t, where);
  }
}

/** Bytes [first, last] of the record that hold a bitfield, as one little-endian integer. */
function bitSpan(base: number, f: Field): { first: number; count: number; shift: bigint } {
  const start = (base + f.offset) * 8 + f.bitOffset!;
  const first = Math.floor(start / 8);
  return { first, count: Math.floor((start + f.bitWidth! - 1) / 8) - first + 1, shift: BigInt(start - first * 8) };
}

function readBits(view: DataView, base: number, f: Field, where: string): unknown {
  const { first, count, shift } = bitSpan(base, f);
  let word = 0n;
  for (let i = count - 1; i >= 0; i--) word = (word << 8n) | BigInt(view.getUint8(first + i));
  const t = f.type as ScalarType | EnumType;
  const raw = (word >> shift) & ((1n << BigInt(f.bitWidth!)) - 1n);
  const signed = scalarOf(t).rep.startsWith('i');
  return fromInteger(signed ? BigInt.asIntN(f.bitWidth!, raw) : raw, t, where);
}

function writeBits(view: DataView, base: number, f: Field, v: unknown, where: string): void {
  const t = f.type as ScalarType | EnumType;
  const w = BigInt(f.bitWidth!);
  const signed = scalarOf(t).rep.startsWith('i');
  const [lo, hi] = signed ? [-(1n << (w - 1n)), (1n << (w - 1n)) - 1n] : [0n, (1n << w) - 1n];
  const n = BigInt.asUintN(f.bitWidth!, toInteger(v, t, lo, hi, where));
  const { first, count, shift } = bitSpan(base, f);
  let word = 0n;
  for (let i = count - 1; i >= 0; i--) word = (word << 8n) | BigInt(view.getUint8(first + i));
  const mask = ((1n << w) - 1n) << shift;
  word = (word & ~mask) | (n << shift);
  for (let i = 0; i < count; i++) view.setUint8(first + i, Number((word >> BigInt(8 * i)) & 0xffn));
}

/** Member names a JS object of each record may carry (anonymous members' fields promoted). */
const namesCache = new WeakMap<RecordType, ReadonlySet<string>>();
function memberNames(r: RecordType): ReadonlySet<string> {
  let s = namesCache.get(r);
  if (!s) {
    s = new Set(r.fields.flatMap((f) => (f.name === '' ? [...memberNames(f.type as RecordType)] : [f.name])));
    namesCache.set(r, s);
  }
  return s;
}

/** Raw bytes of unions read from memory, so that writing the read object back is exact. */
const unionBytes = new WeakMap<object, Map<RecordType, Uint8Array>>();

function writeRecord(view: DataView, off: number, r: RecordType, v: unknown, where: string, top: boolean): void {
  if (top) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw new TrampfdTypeError(`${where}: expected an object for ${r.name}, got ${describe(v)}`);
    }
    for (const k of Object.keys(v)) {
      if (!memberNames(r).has(k)) throw new TrampfdTypeError(`${where}: ${r.name} has no member '${k}'`);
    }
  }
  const obj = v as Record<string, unknown>;
  if (r.kind === 'union') {
    const saved = unionBytes.get(obj)?.get(r);
    if (saved) {
      new Uint8Array(view.buffer, view.byteOffset + off, r.size).set(saved);
      return;
    }
    const present = r.fields.filter((f) => (f.name === '' ? [...memberNames(f.type as RecordType)].some((n) => obj[n] !== undefined) : obj[f.name] !== undefined));
    if (present.length > 1) {
      throw new TrampfdTypeError(`${where}: a ${r.name} value sets at most one member, got ${present.length}`);
    }
    // As C's `union u x = {0}`: no member set means all bytes zero.
    new Uint8Array(view.buffer, view.byteOffset + off, r.size).fill(0);
    if (present.length === 1) writeField(view, off, present[0]!, obj, where);
    return;
  }
  for (const f of r.fields) writeField(view, off, f, obj, where);
}

function writeField(view: DataView, off: number, f: Field, obj: Record<string, unknown>, where: string): void {
  if (f.name === '') {
    writeRecord(view, off + f.offset, f.type as RecordType, obj, where, false);
    return;
  }
  const path = memberWhere(where, f.name);
  const v = obj[f.name];
  // A member left out is zero, as in a C initialiser (`{ .ai_family = AF_INET }`).
  if (f.bitWidth !== undefined) {
    const zero = scalarOf(f.type as ScalarType | EnumType).js === 'boolean' ? false : 0;
    writeBits(view, off, f, v === undefined ? zero : v, path);
  }
  else if (v === undefined) new Uint8Array(view.buffer, view.byteOffset + off + f.offset, f.type.size).fill(0);
  else writeValue(view, off + f.offset, f.type, v, path);
}

function readRecordInto(obj: Record<string, unknown>, view: DataView, off: number, r: RecordType, where: string, strings: boolean): void {
  if (r.kind === 'union') {
    // A union's members overlap: decode each only when asked, from a private copy of its bytes,
    // so a member that cannot be shown exactly (a pointer > 2^53) throws only if it is read.
    const copy = new Uint8Array(view.buffer.slice(view.byteOffset + off, view.byteOffset + off + r.size));
    const own = new DataView(copy.buffer);
    let saved = unionBytes.get(obj);
    if (!saved) unionBytes.set(obj, (saved = new Map()));
    saved.set(r, copy);
    for (const f of r.fields) {
      if (f.name === '') { readRecordInto(obj, own, f.offset, f.type as RecordType, where, strings); continue; }
      const path = memberWhere(where, f.name);
      Object.defineProperty(obj, f.name, {
        enumerable: true, configurable: true,
        get: () => (f.bitWidth !== undefined ? readBits(own, 0, f, path) : readValue(own, f.offset, f.type, path, strings)),
      });
    }
    return;
  }
  for (const f of r.fields) {
    if (f.name === '') { readRecordInto(obj, view, off + f.offset, f.type as RecordType, where, strings); continue; }
    const path = memberWhere(where, f.name);
    obj[f.name] = f.bitWidth !== undefined ? readBits(view, off, f, path) : readValue(view, off + f.offset, f.type, path, strings);
  }
}

function writeArray(view: DataView, off: number, t: ArrayType, v: unknown, where: string): void {
  if (typeof v === 'string' && isCharLike(t.element)) {
    const bytes = new Uint8Array(view.buffer, view.byteOffset + off, t.length);
    bytes.fill(0);
    const { read } = utf8.encodeInto(v, bytes);
    if (read !== v.length) {
      throw new TrampfdRangeError(`${where}: string of ${utf8.encode(v).length} UTF-8 bytes does not fit in ${t.name}`);
    }
    return;
  }
  const isList = Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
  if (!isList) {
    const also = isCharLike(t.element) ? ' or a string' : '';
    throw new TrampfdTypeError(`${where}: expected an array of ${t.length}${also} for ${t.name}, got ${describe(v)}`);
  }
  const list = v as ArrayLike<unknown>;
  if (list.length !== t.length) {
    throw new TrampfdRangeError(`${where}: expected ${t.length} elements for ${t.name}, got ${list.length}`);
  }
  for (let i = 0; i < t.length; i++) writeValue(view, off + i * t.element.size, t.element, list[i], elementWhere(where, i));
}

/**
 * Writes `value` as a C `type` at byte `offset` of `view`; `where` names the value in errors
 * ("add: argument 2 (b)"). Throws TrampfdTypeError for a value of the wrong kind and
 * TrampfdRangeError for one the type cannot hold exactly. See ./index.ts for what each type accepts.
 */
export function writeValue(view: DataView, offset: number, type: CType, value: unknown, where: string): void {
  switch (type.kind) {
    case 'scalar': case 'enum': writeScalar(view, offset, type, value, where); return;
    case 'pointer': {
      const p = typeof value === 'object' && value !== null ? pointerObject(value, type, where) : undefined;
      writeScalar(view, offset, POINTER_SCALAR, p ?? value, where);
      return;
    }
    case 'array': writeArray(view, offset, type, value, where); return;
    case 'struct': case 'union':
      if (!type.complete) throw new TrampfdTypeError(`${where}: cannot write a value of incomplete type '${type.name}'`);
      writeRecord(view, offset, type, value, where, true);
      return;
    default: throw new TrampfdTypeError(`${where}: cannot write a value of type '${type.name}'`);
  }
}

/**
 * Reads a C `type` at byte `offset` of `view` as a JS value; throws TrampfdRangeError if no JS
 * value is exact (a pointer beyond 2^53). With `strings`, arrays of char (UTF-8), char16_t
 * (UTF-16), char32_t and wchar_t (UTF-32) read as the string before their first NUL.
 */
export function readValue(view: DataView, offset: number, type: CType, where = 'value', strings = false): unknown {
  switch (type.kind) {
    case 'scalar': case 'enum': return readScalar(view, offset, type, where);
    case 'pointer': return readScalar(view, offset, POINTER_SCALAR, where);
    case 'array': {
      if (strings) {
        const e = isCharLike(type.element) ? 'utf8' : wideEncodingOf(type.element);
        if (e) {
          const bytes = new Uint8Array(view.buffer, view.byteOffset + offset, type.size);
          const nul = findNul(bytes, type.length, unitSize(e));
          return decode(bytes, nul < 0 ? type.length : nul, e);
        }
      }
      const out: unknown[] = [];
      for (let i = 0; i < type.length; i++) {
        out.push(readValue(view, offset + i * type.element.size, type.element, elementWhere(where, i), strings));
      }
      return out;
    }
    case 'struct': case 'union': {
      if (!type.complete) throw new TrampfdTypeError(`${where}: cannot read a value of incomplete type '${type.name}'`);
      const obj: Record<string, unknown> = {};
      readRecordInto(obj, view, offset, type, where, strings);
      return obj;
    }
    default: throw new TrampfdTypeError(`${where}: cannot read a value of type '${type.name}'`);
  }
}

/** How pointers convert: like an unsigned integer of the pointer's size with the 'pointer' rules. */
const POINTER_SCALAR: ScalarType = Object.freeze({
  kind: 'scalar', name: 'pointer', size: POINTER_SIZE, align: HOST.model.aligns.pointer, rep: 'pointer', js: 'pointer',
});
