// The C scalar types of x86-64 Linux (LP64) and the keyword combinations that spell them.
import type { CType, JsRep, ScalarRep, ScalarType, VoidType } from './ctype.js';
import type { WideEncoding } from './strings.js';
import { CTypeError } from './errors.js';

function scalar(name: string, size: number, rep: ScalarRep, js: JsRep): ScalarType {
  return Object.freeze({ kind: 'scalar', name, size, align: size, rep, js });
}

/** `void`: size 0, only valid as a return type or behind a pointer. */
export const VOID: VoidType = Object.freeze({ kind: 'void', name: 'void', size: 0, align: 1 });

export const CHAR = scalar('char', 1, 'i8', 'number'); // plain char is signed on x86-64
export const SCHAR = scalar('signed char', 1, 'i8', 'number');
export const UCHAR = scalar('unsigned char', 1, 'u8', 'number');
export const SHORT = scalar('short', 2, 'i16', 'number');
export const USHORT = scalar('unsigned short', 2, 'u16', 'number');
export const INT = scalar('int', 4, 'i32', 'number');
export const UINT = scalar('unsigned int', 4, 'u32', 'number');
export const LONG = scalar('long', 8, 'i64', 'safe');
export const ULONG = scalar('unsigned long', 8, 'u64', 'safe');
export const LLONG = scalar('long long', 8, 'i64', 'bigint');
export const ULLONG = scalar('unsigned long long', 8, 'u64', 'bigint');
export const BOOL = scalar('bool', 1, 'bool', 'boolean');
export const FLOAT = scalar('float', 4, 'f32', 'number');
export const DOUBLE = scalar('double', 8, 'f64', 'number');

/** Library typedef names every scope knows, each its own descriptor so messages use the name. */
export const BUILTIN_TYPEDEFS: ReadonlyMap<string, ScalarType> = new Map(
  ([
    ['int8_t', 1, 'i8', 'number'], ['uint8_t', 1, 'u8', 'number'],
    ['int16_t', 2, 'i16', 'number'], ['uint16_t', 2, 'u16', 'number'],
    ['int32_t', 4, 'i32', 'number'], ['uint32_t', 4, 'u32', 'number'],
    ['int64_t', 8, 'i64', 'bigint'], ['uint64_t', 8, 'u64', 'bigint'],
    ['int_least8_t', 1, 'i8', 'number'], ['uint_least8_t', 1, 'u8', 'number'],
    ['int_least16_t', 2, 'i16', 'number'], ['uint_least16_t', 2, 'u16', 'number'],
    ['int_least32_t', 4, 'i32', 'number'], ['uint_least32_t', 4, 'u32', 'number'],
    ['int_least64_t', 8, 'i64', 'bigint'], ['uint_least64_t', 8, 'u64', 'bigint'],
    // glibc: the fast 16- and 32-bit types are `long`, hence size-like.
    ['int_fast8_t', 1, 'i8', 'number'], ['uint_fast8_t', 1, 'u8', 'number'],
    ['int_fast16_t', 8, 'i64', 'safe'], ['uint_fast16_t', 8, 'u64', 'safe'],
    ['int_fast32_t', 8, 'i64', 'safe'], ['uint_fast32_t', 8, 'u64', 'safe'],
    ['int_fast64_t', 8, 'i64', 'bigint'], ['uint_fast64_t', 8, 'u64', 'bigint'],
    ['intmax_t', 8, 'i64', 'bigint'], ['uintmax_t', 8, 'u64', 'bigint'],
    ['intptr_t', 8, 'i64', 'safe'], ['uintptr_t', 8, 'u64', 'safe'],
    ['size_t', 8, 'u64', 'safe'], ['ssize_t', 8, 'i64', 'safe'],
    ['ptrdiff_t', 8, 'i64', 'safe'], ['off_t', 8, 'i64', 'safe'],
    ['wchar_t', 4, 'i32', 'number'], ['char16_t', 2, 'u16', 'number'], ['char32_t', 4, 'u32', 'number'],
  ] as const).map(([name, size, rep, js]) => [name, scalar(name, size, rep, js)]),
);

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
