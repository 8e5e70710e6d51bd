// The C scalar types of this process's target (its DataModel: LP64 on x86-64, AArch64 and RISC-V 64 Linux)
// and the keyword combinations that spell them.
import type { CType, JsRep, ScalarRep, ScalarType, VoidType } from './ctype.js';
import type { WideEncoding } from './strings.js';
import { CTypeError } from './errors.js';
import { HOST } from '../targets/index.js';

const MODEL = HOST.model;

function scalar(name: string, size: number, rep: ScalarRep, js: JsRep, align = size): ScalarType {
  return Object.freeze({ kind: 'scalar', name, size, align, rep, js });
}

/** The integer rep of `size` bytes. */
function intRep(size: number, signed: boolean): ScalarRep {
  const bits = size * 8;
  if (bits !== 8 && bits !== 16 && bits !== 32 && bits !== 64) throw new Error(`data model: no ${size}-byte integers`);
  return `${signed ? 'i' : 'u'}${bits}` as ScalarRep;
}

/**
 * An integer of the model's size for `key`. Size-like types (long, size_t, intptr_t, ...) are
 * number-or-bigint ('safe') on every target, so code that passes a bigint to size_t works the same
 * where it has 4 bytes (i386) as where it has 8.
 */
function integer(name: string, key: 'short' | 'int' | 'long' | 'long long' | 'pointer', signed: boolean, js?: JsRep): ScalarType {
  const size = MODEL.sizes[key];
  return scalar(name, size, intRep(size, signed), js ?? 'safe', MODEL.aligns[key]);
}

/** `void`: size 0, only valid as a return type or behind a pointer. */
export const VOID: VoidType = Object.freeze({ kind: 'void', name: 'void', size: 0, align: 1 });

export const CHAR = scalar('char', 1, MODEL.charSigned ? 'i8' : 'u8', 'number'); // signed on x86-64, unsigned on AArch64
export const SCHAR = scalar('signed char', 1, 'i8', 'number');
export const UCHAR = scalar('unsigned char', 1, 'u8', 'number');
export const SHORT = integer('short', 'short', true, 'number');
export const USHORT = integer('unsigned short', 'short', false, 'number');
export const INT = integer('int', 'int', true, 'number');
export const UINT = integer('unsigned int', 'int', false, 'number');
export const LONG = integer('long', 'long', true);
export const ULONG = integer('unsigned long', 'long', false);
export const LLONG = integer('long long', 'long long', true, 'bigint');
export const ULLONG = integer('unsigned long long', 'long long', false, 'bigint');
/**
 * The storage of an enum whose values need 8 bytes, as gcc picks it: long where that has 8 bytes
 * (LP64), else long long; its values are numbers either way (read and written like size_t).
 */
export const ENUM_WIDE: readonly [signed: ScalarType, unsigned: ScalarType] = Object.freeze(MODEL.sizes.long === 8
  ? [LONG, ULONG] : [integer('long long', 'long long', true, 'safe'), integer('unsigned long long', 'long long', false, 'safe')]);
export const BOOL = scalar('bool', MODEL.sizes.bool, 'bool', 'boolean', MODEL.aligns.bool);
export const FLOAT = scalar('float', MODEL.sizes.float, 'f32', 'number', MODEL.aligns.float);
export const DOUBLE = scalar('double', MODEL.sizes.double, 'f64', 'number', MODEL.aligns.double);

/** Library typedef names every scope knows, each its own descriptor so messages use the name. */
const like = (name: string, t: ScalarType): ScalarType => scalar(name, t.size, t.rep, t.js, t.align);
const fixed = (name: string, size: number, signed: boolean): ScalarType =>
  size === 8 ? scalar(name, 8, intRep(8, signed), 'bigint', MODEL.aligns['long long']) : scalar(name, size, intRep(size, signed), 'number');
export const BUILTIN_TYPEDEFS: ReadonlyMap<string, ScalarType> = new Map([
  ...([8, 16, 32, 64] as const).flatMap((b) => [
    fixed(`int${b}_t`, b / 8, true), fixed(`uint${b}_t`, b / 8, false),
    fixed(`int_least${b}_t`, b / 8, true), fixed(`uint_least${b}_t`, b / 8, false),
  ]),
  // glibc: the fast 8-bit types are char, the fast 16- and 32-bit ones `long` (hence size-like on LP64).
  fixed('int_fast8_t', 1, true), fixed('uint_fast8_t', 1, false),
  like('int_fast16_t', LONG), like('uint_fast16_t', ULONG), like('int_fast32_t', LONG), like('uint_fast32_t', ULONG),
  fixed('int_fast64_t', 8, true), fixed('uint_fast64_t', 8, false),
  fixed('intmax_t', 8, true), fixed('uintmax_t', 8, false),
  integer('intptr_t', 'pointer', true), integer('uintptr_t', 'pointer', false),
  integer('size_t', 'pointer', false), integer('ssize_t', 'pointer', true),
  integer('ptrdiff_t', 'pointer', true), like('off_t', LONG),
  // wchar_t is int on x86-64 and unsigned int on AArch64 Linux.
  scalar('wchar_t', 4, MODEL.wcharSigned ? 'i32' : 'u32', 'number'), fixed('char16_t', 2, false), fixed('char32_t', 4, false),
].map((t) => [t.name, t]));

/** The encoding of C strings of a wide character type: wchar_t and char32_t are UTF-32 on Linux, char16_t UTF-16. */
export function wideEncodingOf(t: CType): WideEncoding | undefined {
  if (t === BUILTIN_TYPEDEFS.get('char16_t')) return 'utf16';
  return t === BUILTIN_TYPEDEFS.get('wchar_t') || t === BUILTIN_TYPEDEFS.get('char32_t') ? 'utf32' : undefined;
}

/** Keywords that make up a scalar type specifier (besides typedef names). */
export const SCALAR_KEYWORDS: ReadonlySet<string> = new Set([
  'void', 'char', 'short', 'int', 'long', 'signed', 'unsigned', 'float', 'double', '_Bool', 'bool',
  '__signed', '__signed__',
  // Recognised so that they are refused clearly rather than reported as unknown names.
  '_Complex', '__complex__', '_Imaginary', '__int128', '__int128_t', '__uint128_t',
  '__float128', '_Float128', '__float80', '_Decimal32', '_Decimal64', '_Decimal128',
]);

const UNSUPPORTED = new Set([
  '_Complex', '__complex__', '_Imaginary', '__int128', '__int128_t', '__uint128_t',
  '__float128', '_Float128', '__float80', '_Decimal32', '_Decimal64', '_Decimal128',
]);

/**
 * The type named by a list of scalar keywords in any order ("long unsigned int", "signed").
 * Throws CTypeError for an invalid combination or a type trampfd cannot pass (long double).
 */
export function scalarFromKeywords(words: readonly string[]): ScalarType | VoidType {
  const spelled = words.join(' ');
  const n = new Map<string, number>();
  for (const w of words) {
    const k = w === '__signed' || w === '__signed__' ? 'signed' : w === 'bool' ? '_Bool' : w;
    n.set(k, (n.get(k) ?? 0) + 1);
  }
  const count = (k: string): number => n.get(k) ?? 0;
  const only = (...allowed: string[]): boolean => [...n.keys()].every((k) => allowed.includes(k));
  const invalid = (): CTypeError => new CTypeError(`invalid type specifier '${spelled}'`);
  if (words.some((w) => UNSUPPORTED.has(w))) {
    throw new CTypeError(`unsupported type '${spelled}': trampfd cannot pass it`, true);
  }
  if (count('double') === 1 && count('long') === 1 && only('double', 'long')) {
    throw new CTypeError(`unsupported type '${spelled}': trampfd cannot pass long double`, true);
  }
  for (const [k, c] of n) if (c > (k === 'long' ? 2 : 1)) throw new CTypeError(`duplicate '${k}' in '${spelled}'`);
  if (count('signed') && count('unsigned')) throw invalid();
  const sign = count('unsigned') ? 'u' : count('signed') ? 's' : '';
  if (count('void')) { if (n.size !== 1) throw invalid(); return VOID; }
  if (count('_Bool')) { if (n.size !== 1) throw invalid(); return BOOL; }
  if (count('float')) { if (n.size !== 1) throw invalid(); return FLOAT; }
  if (count('double')) { if (n.size !== 1) throw invalid(); return DOUBLE; }
  if (count('char')) {
    if (!only('char', 'signed', 'unsigned')) throw invalid();
    return sign === 'u' ? UCHAR : sign === 's' ? SCHAR : CHAR;
  }
  if (!only('short', 'long', 'int', 'signed', 'unsigned') || (count('short') && count('long'))) throw invalid();
  if (count('short')) return sign === 'u' ? USHORT : SHORT;
  if (count('long') === 2) return sign === 'u' ? ULLONG : LLONG;
  if (count('long') === 1) return sign === 'u' ? ULONG : LONG;
  return sign === 'u' ? UINT : INT;
}

/** Integer range of a scalar rep, as bigints; undefined for floats and pointers. */
export function intRange(rep: ScalarRep): readonly [bigint, bigint] | undefined {
  switch (rep) {
    case 'bool': return [0n, 1n];
    case 'i8': return [-0x80n, 0x7fn];
    case 'u8': return [0n, 0xffn];
    case 'i16': return [-0x8000n, 0x7fffn];
    case 'u16': return [0n, 0xffffn];
    case 'i32': return [-0x80000000n, 0x7fffffffn];
    case 'u32': return [0n, 0xffffffffn];
    case 'i64': return [-0x8000000000000000n, 0x7fffffffffffffffn];
    case 'u64': return [0n, 0xffffffffffffffffn];
    default: return undefined;
  }
}
