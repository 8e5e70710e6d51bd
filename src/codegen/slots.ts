// How each store kind moves between a JS value and frame bytes, as source snippets: the one table
// behind the generated marshallers, callback runners and struct fast paths. (readSlot and
// writeScalar in convert.ts are the interpreter's runtime counterparts.)
import type { CType } from '../types/ctype.js';
import { HOST } from '../targets/index.js';
import type { Store } from './ops.js';

/**
 * Whether every frame offset of an 8-byte value is 8-aligned. Not on i386, where stack arguments
 * and record members of double and long long are 4-aligned: there such values move through the
 * DataView, since an element index `o >> 3` would round the offset down.
 */
export const ALIGNED8 = HOST.model.aligns.double === 8 && HOST.model.aligns['long long'] === 8;
/** 32-bit targets: a pointer slot is one 32-bit word. */
export const POINTER4 = HOST.model.sizes.pointer === 4;
/** DataView accessors of the 8-byte stores where ALIGNED8 is false. */
const DV8: Partial<Record<Store, string>> = { f64: 'Float64', i64: 'BigInt64', u64: 'BigUint64' };

/** Typed-array view and index shift of every store that is a single view element. */
const VIEW: Partial<Record<Store, readonly [view: string, shift: number]>> = {
  i8: ['i8', 0], u8: ['u8', 0], bool: ['u8', 0], i16: ['i16', 1], u16: ['u16', 1], i32: ['i32', 2], u32: ['u32', 2],
  f32: ['f32', 2], f64: ['f64', 3], i64: ['i64', 3], u64: ['u64', 3],
};

/** The exact-width store of a value that an argument slot holds widened (sx32/zx32). */
export function exactStore(store: Store, type: CType): Store {
  if (store !== 'sx32' && store !== 'zx32') return store;
  const t = type.kind === 'enum' ? type.base : type;
  return t.kind === 'scalar' ? (t.rep as Store) : 'i32';
}

/**
 * The globals generated code uses, handed to every factory as parameters of these names: no
 * declaration can shadow them, and the code names no global at all.
 */
export const GLOBALS = Object.freeze({
  isSafeInteger: Number.isSafeInteger,
  asIntN: BigInt.asIntN,
  asUintN: BigInt.asUintN,
  isArray: Array.isArray,
  isView: ArrayBuffer.isView,
  keys: Object.keys,
});
export const GLOBAL_NAMES: readonly string[] = Object.keys(GLOBALS);
export const GLOBAL_VALUES: readonly unknown[] = Object.values(GLOBALS);

function element(store: Store, o: string): string {
  const [view, shift] = VIEW[store]!;
  return `${view}[${shift ? `(${o}) >> ${shift}` : o}]`;
}

/**
 * An expression reading an exactly stored value at offset expression `o`. Size-like slots read
 * as a number or, beyond 2^53, a bigint, and pointer slots are range-checked, both with their
 * type: `wide(store)` supplies that call (readWide).
 */
export function readExpr(store: Store, o: string, wide: (store: Store) => string): string {
  if (!ALIGNED8 && DV8[store]) return `dv.get${DV8[store]}(${o}, true)`;
  if (POINTER4 && store === 'pointer') return `u32[(${o}) >> 2]`;
  if (!VIEW[store]) return wide(store);
  return store === 'bool' ? `(${element(store, o)} !== 0)` : element(store, o);
}

/** A test that JS value `v` has exactly the form `store` takes (others go the generic way). */
export function acceptExpr(store: Store, type: CType, v: string): string {
  switch (exactStore(store, type)) {
    case 'i8': return `typeof ${v} === 'number' && (${v} << 24 >> 24) === ${v}`;
    case 'u8': return `typeof ${v} === 'number' && (${v} & 0xff) === ${v}`;
    case 'i16': return `typeof ${v} === 'number' && (${v} << 16 >> 16) === ${v}`;
    case 'u16': return `typeof ${v} === 'number' && (${v} & 0xffff) === ${v}`;
    case 'i32': return `typeof ${v} === 'number' && (${v} | 0) === ${v}`;
    case 'u32': return `typeof ${v} === 'number' && (${v} >>> 0) === ${v}`;
    case 'f32': case 'f64': return `typeof ${v} === 'number'`;
    case 'bool': return `typeof ${v} === 'boolean'`;
    case 'i64': return `typeof ${v} === 'bigint' && asIntN(64, ${v}) === ${v}`;
    case 'u64': return `typeof ${v} === 'bigint' && asUintN(64, ${v}) === ${v}`;
    case 'safe-i64': return `isSafeInteger(${v})`;
    case 'pointer': return POINTER4 ? `typeof ${v} === 'number' && (${v} >>> 0) === ${v}` : `isSafeInteger(${v}) && ${v} >= 0`;
    default: return `isSafeInteger(${v}) && ${v} >= 0`; // safe-u64
  }
}

/** Two words of a safe integer: the high one exactly, since v minus its low word is a multiple of 2^32. */
function wideStore(v: string, o: string): string {
  return `u32[(${o}) >> 2] = ${v} >>> 0; i32[((${o}) >> 2) + 1] = (${v} - (${v} >>> 0)) / 4294967296;`;
}

/** A statement storing an accepted `v` at `o`; sx32/zx32 widen to 32 bits (+true is 1). */
export function storeStmt(store: Store, v: string, o: string): string {
  switch (store) {
    case 'sx32': case 'zx32': return `i32[(${o}) >> 2] = +${v};`;
    case 'bool': return `u8[${o}] = ${v} ? 1 : 0;`;
    case 'pointer': if (POINTER4) return `u32[(${o}) >> 2] = ${v};`;
      return wideStore(v, o);
    case 'safe-i64': case 'safe-u64':
      return wideStore(v, o);
    default: return !ALIGNED8 && DV8[store] ? `dv.set${DV8[store]}(${o}, ${v}, true);` : `${element(store, o)} = ${v};`;
  }
}
