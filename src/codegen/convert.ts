// The slow paths shared by generated and interpreted marshallers: every accepted value form,
// and every error, goes through the type model's writeValue/readValue.
import { addon } from '../native/addon.js';
import type { CType } from '../types/ctype.js';
import { readValue, writeValue } from '../types/values.js';
import { encodeUtf16, encodeUtf32, type WideEncoding } from '../types/strings.js';
import { TrampfdRangeError, TrampfdTypeError } from '../types/errors.js';
import { pointerObject } from '../types/pointer-object.js';
import { FRAME_LIMIT, TOP_WORD, frameBase, views } from './frame.js';
import { asyncMode, pins } from './call-state.js';
import type { Store } from './ops.js';
import { nativeOpsSettings } from './native-ops.js';
import { ALIGNED8, POINTER4 } from './slots.js';

const { u8, u32, i32, dv } = views;
const TWO32 = 4294967296;

/** Stores a 64-bit integer given as a number that is a safe integer (sign handled by floor). */
export function store64(o: number, v: number): void {
  u32[o >> 2] = v >>> 0;
  i32[(o >> 2) + 1] = Math.floor(v / TWO32);
}

/** Stores an address (a valid pointer value as a number) into a pointer-sized slot at `o`. */
export function storeAddress(o: number, v: number): void {
  if (POINTER4) u32[o >> 2] = v;
  else store64(o, v);
}

/** Moves a pointer-sized slot (a hidden result pointer echoed back in the first return register). */
export function moveAddress(from: number, to: number): void {
  u32[to >> 2] = u32[from >> 2]!;
  if (!POINTER4) u32[(to >> 2) + 1] = u32[(from >> 2) + 1]!;
}

/** Any scalar value form the contract accepts, into an 8-byte slot at absolute offset `o`. */
export function writeScalar(o: number, store: Store, type: CType, v: unknown, where: string): void {
  switch (store) {
    case 'sx32': case 'zx32':
      writeValue(dv, o, type, v, where);
      i32[o >> 2] = Number(readValue(dv, o, type, where) as number | boolean);
      return;
    default:
      writeValue(dv, o, type, v, where);
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'object') return `an object (${Object.prototype.toString.call(v).slice(8, -1)})`;
  switch (typeof v) {
    case 'string': return 'a string';
    case 'undefined': return 'undefined';
    case 'symbol': return 'a symbol';
    case 'bigint': return `${v}n`;
    default: return String(v);
  }
}

/** Encodes a JS string as a NUL-terminated UTF-8 copy valid for the call; returns its address. */
export function cstringArg(s: string, where: string): number {
  if (!asyncMode.on) {
    const addr = addon.stringToFrame(s, FRAME_LIMIT);
    if (addr >= 0) return addr;
  }
  if (s.includes('\0')) throw new TrampfdTypeError(`${where}: string contains a NUL character; C would see it cut short`);
  const b = Buffer.from(s + '\0', 'utf8');
  pins.push(b);
  return addon.bufferAddress(b);
}

/**
 * Encodes a JS string as NUL-terminated UTF-16 (char16_t) or UTF-32 (wchar_t, char32_t) units
 * valid for the call; a lone surrogate becomes U+FFFD. Returns the copy's address.
 */
export function wideStringArg(s: string, encoding: WideEncoding, where: string): number {
  if (s.includes('\0')) throw new TrampfdTypeError(`${where}: string contains a NUL character; C would see it cut short`);
  const unit = encoding === 'utf16' ? 2 : 4;
  const bytes = (s.length + 1) * unit;
  const top = u32[TOP_WORD]!; // 16-aligned
  if (!asyncMode.on && top + bytes <= FRAME_LIMIT) {
    if (encoding === 'utf16') encodeUtf16(s, views.u16, top >> 1);
    else encodeUtf32(s, u32, top >> 2);
    u32[TOP_WORD] = (top + bytes + 15) & ~15;
    return frameBase + top;
  }
  const b = new ArrayBuffer(bytes);
  if (encoding === 'utf16') encodeUtf16(s, new Uint16Array(b), 0);
  else encodeUtf32(s, new Uint32Array(b), 0);
  pins.push(b);
  return addon.bufferAddress(b);
}

/**
 * The address of a by-reference argument's copy, whose image is at frame offset `o`: the frame
 * itself, valid for the call; an async call's copy is pinned instead, since the frame buffer is
 * reused while it runs.
 */
export function referenceCopy(o: number, size: number): number {
  if (!asyncMode.on) return frameBase + o;
  const b = new Uint8Array(Math.max(size, 1));
  b.set(u8.subarray(o, o + size));
  pins.push(b);
  return addon.bufferAddress(b);
}

/**
 * Strings up to this many characters are copied by JIT'd JS, four characters a word, when ASCII:
 * cheaper than the extra Node-API call to C's encoder up to about here (measured, strlen through
 * the JS marshaller: 70 vs 187 ns at 4 characters, 134 vs 185 at 16). Without a JIT the loop is
 * interpreted bytecode, so C copies every string.
 */
const INLINE_ASCII = 16;

/** A `const char *` copy valid for the call, made without the general path; -1 sends the string there. */
export function asciiArg(s: string): number {
  if (asyncMode.on) return -1;
  const n = s.length;
  const top = u32[TOP_WORD]!;
  if (n > INLINE_ASCII || nativeOpsSettings.jitless || top + n >= FRAME_LIMIT) return addon.stringToFrame(s, FRAME_LIMIT);
  // `bits` collects every unit (ASCII: below 0x80); `nul` the zero-byte test of each packed word,
  // exact once every byte is ASCII. The last word, partial or not, carries the terminating NUL.
  let bits = 0, i = 0, w = top >> 2, nul = 0;
  for (; i + 4 <= n; i += 4, w++) {
    const a = s.charCodeAt(i), b = s.charCodeAt(i + 1), c = s.charCodeAt(i + 2), d = s.charCodeAt(i + 3);
    bits |= a | b | c | d;
    const x = a | (b << 8) | (c << 16) | (d << 24);
    nul |= (x - 0x01010101) & ~x & 0x80808080;
    u32[w] = x;
  }
  let x = 0;
  for (let sh = 0; i < n; i++, sh += 8) { const c = s.charCodeAt(i); bits |= c; nul |= +(c === 0); x |= c << sh; }
  u32[w] = x;
  if (bits >= 0x80 || nul !== 0) return addon.stringToFrame(s, FRAME_LIMIT);
  u32[TOP_WORD] = (top + n + 16) & ~15;
  return frameBase + top;
}

/**
 * Base addresses of ArrayBuffers and SharedArrayBuffers already asked for. A buffer's memory does
 * not move while it is alive and attached (asking materialises an on-heap buffer once); a
 * detached one has length 0, so only empty views need the detachment check.
 */
const bases = new WeakMap<ArrayBufferLike, number>();

/** A view's length; 0 for a DataView of a detached buffer (whose getter throws). */
export function byteLength(v: ArrayBufferView): number {
  try {
    return v.byteLength;
  } catch {
    return 0;
  }
}

/** Address of a view's first byte; 0 for an empty view; throws for a detached buffer. */
export function viewAddress(v: ArrayBufferView, where = 'pointer argument'): number {
  if (byteLength(v) === 0) {
    if (addon.bufferDetached(v)) throw new TrampfdTypeError(`${where}: the view's ArrayBuffer is detached (transferred or freed)`);
    return 0;
  }
  const ab = v.buffer;
  let base = bases.get(ab);
  if (base === undefined) {
    // Node-API reads shared memory through a view only; a view of offset 0 gives the base.
    base = addon.bufferAddress(ab instanceof ArrayBuffer ? ab : new Uint8Array(ab));
    bases.set(ab, base);
  }
  return base + v.byteOffset;
}

/** A pointer argument (or callback result) in any accepted form, stored at `o`. */
/** Makes a JS function passed for a function-pointer parameter a callback that lives for the call
    (callback.ts supplies it to every marshaller; see library.ts). */
export type TransientFactory = (fn: Function, type: CType, where: string) => number;

export function pointerArg(
  o: number, type: CType, cstring: boolean, v: unknown, where: string, transient?: TransientFactory,
): void {
  if (typeof v === 'number' || typeof v === 'bigint' || v === null) {
    writeValue(dv, o, type, v, where);
    return;
  }
  let addr: number | bigint | undefined;
  if (typeof v === 'string' && type.kind === 'pointer' && type.wide) {
    addr = wideStringArg(v, type.wide, where);
  } else if (typeof v === 'string') {
    if (!cstring) throw new TrampfdTypeError(`${where}: a string is accepted only for 'const char *' parameters, this is '${type.name}'`);
    addr = cstringArg(v, where);
  } else if (ArrayBuffer.isView(v)) {
    addr = viewAddress(v, where);
    if (asyncMode.on) pins.push(v); // an async call outlives this JS frame: keep the bytes alive
  } else if (v instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && v instanceof SharedArrayBuffer)) {
    if (v.byteLength === 0 && addon.bufferDetached(v)) throw new TrampfdTypeError(`${where}: the ArrayBuffer is detached (transferred or freed)`);
    addr = viewAddress(new Uint8Array(v), where);
    if (asyncMode.on) pins.push(v);
  } else if (typeof v === 'function') {
    if (!transient || type.kind !== 'pointer' || type.to.kind !== 'function') {
      throw new TrampfdTypeError(`${where}: a JS function is accepted only for function-pointer parameters, this is '${type.name}'`);
    }
    addr = transient(v, type, where);
  } else if (typeof v === 'object' && (addr = pointerObject(v!, type, where)) !== undefined) {
    if (typeof addr === 'bigint') { // only where pointers have 64 bits (pointerObject)
      dv.setBigUint64(o, addr, true);
      return;
    }
  } else {
    throw new TrampfdTypeError(`${where}: expected a pointer (number, null, Uint8Array/Buffer/ArrayBuffer` +
      `${cstring ? ', string' : ''}), got ${describe(v)}`);
  }
  storeAddress(o, addr);
}

/** The JS value of a scalar stored exactly (store `store`) at absolute offset `o`. */
export function readSlot(store: Store, o: number, type: CType, where: string): unknown {
  switch (store) {
    case 'i8': return views.i8[o];
    case 'u8': return u8[o];
    case 'i16': return views.i16[o >> 1];
    case 'u16': return views.u16[o >> 1];
    case 'i32': return i32[o >> 2];
    case 'u32': return u32[o >> 2];
    case 'bool': return u8[o] !== 0;
    case 'f32': return views.f32[o >> 2];
    case 'f64': return ALIGNED8 ? views.f64[o >> 3] : dv.getFloat64(o, true);
    case 'i64': return ALIGNED8 ? views.i64[o >> 3] : dv.getBigInt64(o, true);
    case 'u64': return ALIGNED8 ? views.u64[o >> 3] : dv.getBigUint64(o, true);
    default: return readWide(o, store, type, where);
  }
}

/**
 * Reads a size-like or pointer slot exactly: a number when it is a safe integer, else a bigint
 * for size-like types (readValue) or an error for pointers (never above 2^52 on Linux).
 */
export function readWide(o: number, store: Store, type: CType, where: string): number | bigint {
  const lo = u32[o >> 2]!;
  if (POINTER4 && store === 'pointer') return lo;
  const hi = store === 'safe-i64' ? i32[(o >> 2) + 1]! : u32[(o >> 2) + 1]!;
  if (hi > -0x200000 && hi < 0x200000) return hi * TWO32 + lo;
  return readValue(dv, o, type, where) as number | bigint;
}

export function arityError(name: string, want: number, got: number, variadic: boolean): TypeError {
  return new TrampfdTypeError(`${name} expects ${variadic ? 'at least ' : ''}${want} argument${want === 1 ? '' : 's'}, got ${got}`);
}

export function frameOverflow(name: string): RangeError {
  return new TrampfdRangeError(`${name}: the frame stack is exhausted (callbacks nested too deeply, or arguments too large)`);
}
