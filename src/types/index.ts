// The C type model: descriptors, builtin scalars, layout and value conversion.
//
// What writeValue accepts (readValue returns the first form listed):
// - ints up to 32 bits, enums: a number that is an integer in range; enums also take an enumerator name.
// - float/double: any number (float rounds like Math.fround).
// - 'bigint' types (int64_t, long long, intmax_t...): a bigint in range, or a safe-integer number.
// - 'safe' types (size_t, long, intptr_t...): a safe-integer number in range, or a bigint in the C range;
//   reading gives a number, or a bigint for a value beyond ±(2^53-1) (C's (size_t)-1 is valid).
// - bool: a boolean. Pointers: a non-negative safe-integer number, null (NULL), or a bigint in [0, 2^64);
//   reading returns a number (0 for NULL) and throws past 2^53-1.
// - structs: a plain object (anonymous members' fields inline), no unknown keys; a member left out
//   (or undefined) is zero, as in a C initialiser.
// - unions: an object with at most one member set (none: all zero); an object read from a union
//   writes back its exact bytes.
//   Reading a union gives an object whose members are getters decoding a private copy of its bytes.
// - arrays: an array or typed array of exactly `length` elements; char-like arrays also take a
//   string (UTF-8, NUL-padded, at most `length` bytes).
export type * from './ctype.js';
export * from './builtins.js';
export * from './errors.js';
export {
  DEFAULT_ALIGNED, isCharLike, isIntegral, makeArray, makeEnum, makeFunction, makeIncompleteRecord,
  makePointer, makeRecord, sameType, withAlign,
} from './layout.js';
export type { MemberSpec, RecordAttrs } from './layout.js';
export { combineConventions } from './convention.js';
export type { ConventionAttribute } from './convention.js';
export { readValue, writeValue } from './values.js';
