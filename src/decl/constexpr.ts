// Evaluates C integer constant expressions (array sizes, bitfield widths, enum values) with C's typing rules.
import type { CType } from '../types/ctype.js';
import type { DeclarationErrorCode } from './errors.js';
import type { Token } from './lexer.js';
import type { EnumConstant } from './registry.js';
import { HOST } from '../targets/index.js';

/** sizeof and alignof give a size_t: as wide as a pointer. */
const SIZE_BITS: 32 | 64 = HOST.model.sizes.pointer === 4 ? 32 : 64;

/** A constant with its C type: int (32, signed), unsigned int, long (64) or unsigned long. */
export interface IntValue {
  readonly value: bigint;
  readonly unsigned: boolean;
  readonly bits: 32 | 64;
}

/** What the expression parser needs from the declaration parser. */
export interface ExprHost {
  peek(ahead?: number): Token;
  next(): Token;
  expect(text: string): Token;
  fail(at: Token, reason: string, code?: DeclarationErrorCode): never;
  /** Whether `tok` can begin a type name (a specifier, qualifier or typedef name). */
  startsType(tok: Token): boolean;
  /** Parses a type name; the caller handles the surrounding parentheses. */
  typeName(): CType;
  constant(name: string): EnumConstant | undefined;
  /** Runs a nested parse, failing at `at` when nesting is deeper than any real declaration needs. */
  nest<T>(at: Token, fn: () => T): T;
}

const int = (value: bigint): IntValue => ({ value, unsigned: false, bits: 32 });

/** Converts `v` to the type (bits, unsigned): wraps unsigned values; signed overflow is an error. */
function fit(h: ExprHost, at: Token, v: bigint, bits: 32 | 64, unsigned: boolean): IntValue {
  if (unsigned) return { value: BigInt.asUintN(bits, v), unsigned, bits };
  if (v !== BigInt.asIntN(bits, v)) h.fail(at, `integer overflow in constant expression`, 'ERR_TRAMPFD_DECL_INVALID');
  return { value: v, unsigned, bits };
}

/** The usual arithmetic conversions (C11 6.3.1.8) for two promoted integer types. */
function common(a: IntValue, b: IntValue): { bits: 32 | 64; unsigned: boolean } {
  if (a.bits === b.bits) return { bits: a.bits, unsigned: a.unsigned || b.unsigned };
  return a.bits > b.bits ? { bits: a.bits, unsigned: a.unsigned } : { bits: b.bits, unsigned: b.unsigned };
}

/** Converts an integer to the C type `t` (a cast), then promotes it. */
function castTo(h: ExprHost, at: Token, t: CType, v: IntValue): IntValue {
  const s = t.kind === 'enum' ? t.base : t;
  if (s.kind !== 'scalar' || s.rep === 'f32' || s.rep === 'f64' || s.rep === 'pointer') {
    h.fail(at, `cast to '${t.name}' is not allowed in an integer constant expression`, 'ERR_TRAMPFD_DECL_INVALID');
  }
  if (s.rep === 'bool') return int(v.value !== 0n ? 1n : 0n);
  const bits = s.size * 8;
  const unsigned = s.rep.startsWith('u');
  const value = unsigned ? BigInt.asUintN(bits, v.value) : BigInt.asIntN(bits, v.value);
  return bits < 32 ? int(value) : { value, unsigned, bits: bits as 32 | 64 };
}

const BINARY: readonly (readonly string[])[] = [
  ['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%'],
];

function binary(h: ExprHost, at: Token, op: string, a: IntValue, b: IntValue): IntValue {
  if (op === '&&') return int(a.value !== 0n && b.value !== 0n ? 1n : 0n);
  if (op === '||') return int(a.value !== 0n || b.value !== 0n ? 1n : 0n);
  if (op === '<<' || op === '>>') {
    if (b.value < 0n || b.value >= BigInt(a.bits)) {
      h.fail(at, `shift count ${b.value} is out of range for a ${a.bits}-bit value`, 'ERR_TRAMPFD_DECL_INVALID');
    }
    // GCC defines signed `<<` as two's complement (so `1 << 31` is INT_MIN, common in flag enums).
    const shifted = op === '<<' ? a.value << b.value : a.value >> b.value;
    return fit(h, at, a.unsigned ? shifted : BigInt.asIntN(a.bits, shifted), a.bits, a.unsigned);
  }
  const { bits, unsigned } = common(a, b);
  const x = unsigned ? BigInt.asUintN(bits, a.value) : a.value;
  const y = unsigned ? BigInt.asUintN(bits, b.value) : b.value;
  switch (op) {
    case '==': return int(x === y ? 1n : 0n);
    case '!=': return int(x !== y ? 1n : 0n);
    case '<': return int(x < y ? 1n : 0n);
    case '>': return int(x > y ? 1n : 0n);
    case '<=': return int(x <= y ? 1n : 0n);
    case '>=': return int(x >= y ? 1n : 0n);
    case '+': return fit(h, at, x + y, bits, unsigned);
    case '-': return fit(h, at, x - y, bits, unsigned);
    case '*': return fit(h, at, x * y, bits, unsigned);
    case '&': return fit(h, at, x & y, bits, unsigned);
    case '|': return fit(h, at, x | y, bits, unsigned);
    case '^': return fit(h, at, x ^ y, bits, unsigned);
    default:
      if (y === 0n) h.fail(at, 'division by zero in constant expression', 'ERR_TRAMPFD_DECL_INVALID');
      return fit(h, at, op === '/' ? x / y : x % y, bits, unsigned);
  }
}

function binaryLevel(h: ExprHost, level: number): IntValue {
  if (level === BINARY.length) return unary(h);
  let left = binaryLevel(h, level + 1);
  while (h.peek().kind === 'punct' && BINARY[level]!.includes(h.peek().text)) {
    const op = h.next();
    left = binary(h, op, op.text, left, binaryLevel(h, level + 1));
  }
  return left;
}

function sizeOrAlign(h: ExprHost, kw: Token): IntValue {
  const isSize = kw.text === 'sizeof';
  let t: CType | undefined;
  if (h.peek().text === '(' && h.startsType(h.peek(1))) {
    h.next();
    t = h.typeName();
    h.expect(')');
  }
  const result = (n: number): IntValue => ({ value: BigInt(n), unsigned: true, bits: SIZE_BITS });
  if (!t) {
    if (!isSize) h.fail(h.peek(), `expected '(' and a type name after '${kw.text}'`);
    return result(unary(h).bits / 8);
  }
  if (t.kind === 'function' || t.kind === 'void' || ((t.kind === 'struct' || t.kind === 'union') && !t.complete)) {
    h.fail(kw, `invalid application of '${kw.text}' to type '${t.name}'`, 'ERR_TRAMPFD_DECL_INVALID');
  }
  return result(isSize ? t.size : kw.text.startsWith('__') ? preferredAlign(t) : t.align);
}

/**
 * gcc's `__alignof__`: the alignment it prefers for an object of the type, which differs from the
 * ABI's (`_Alignof`, the alignment as a record member) for i386's 8-byte scalars: a double or a
 * long long (or an enum or array of them) is 8 there, though records align it at 4.
 */
function preferredAlign(t: CType): number {
  if (t.kind === 'array') return Math.max(t.align, preferredAlign(t.element));
  if (t.kind === 'scalar' || t.kind === 'enum') return Math.max(t.align, Math.min(t.size, 8));
  return t.align;
}

function unary(h: ExprHost): IntValue {
  return h.nest(h.peek(), () => unaryExpression(h));
}

function unaryExpression(h: ExprHost): IntValue {
  const tok = h.peek();
  if (tok.kind === 'punct' && ['-', '+', '~', '!'].includes(tok.text)) {
    h.next();
    const v = unary(h);
    switch (tok.text) {
      case '-': return fit(h, tok, -v.value, v.bits, v.unsigned);
      case '+': return v;
      case '~': return fit(h, tok, v.unsigned ? BigInt.asUintN(v.bits, ~v.value) : ~v.value, v.bits, v.unsigned);
      default: return int(v.value === 0n ? 1n : 0n);
    }
  }
  if (tok.kind === 'ident' && ['sizeof', '_Alignof', 'alignof', '__alignof__', '__alignof'].includes(tok.text)) {
    h.next();
    return sizeOrAlign(h, tok);
  }
  if (tok.text === '(' && tok.kind === 'punct' && h.startsType(h.peek(1))) {
    h.next();
    const t = h.typeName();
    h.expect(')');
    return castTo(h, tok, t, unary(h));
  }
  return primary(h);
}

function primary(h: ExprHost): IntValue {
  const tok = h.next();
  switch (tok.kind) {
    case 'int': case 'char': return { value: tok.value!, unsigned: tok.unsigned!, bits: tok.bits! };
    case 'float': return h.fail(tok, 'floating constant in an integer constant expression', 'ERR_TRAMPFD_DECL_INVALID');
    case 'ident': {
      const c = h.constant(tok.text);
      if (!c) return h.fail(tok, `'${tok.text}' is not a known constant`, 'ERR_TRAMPFD_DECL_UNKNOWN');
      return { value: c.value, unsigned: c.type.rep.startsWith('u'), bits: c.type.size === 8 ? 64 : 32 };
    }
    case 'punct':
      if (tok.text === '(') {
        const v = constantExpression(h);
        h.expect(')');
        return v;
      }
  }
  return h.fail(tok, `expected a constant, got '${tok.text}'`);
}

/** Parses and evaluates a conditional-expression (no comma or assignment operators). */
export function constantExpression(h: ExprHost): IntValue {
  return h.nest(h.peek(), () => conditional(h));
}

function conditional(h: ExprHost): IntValue {
  const cond = binaryLevel(h, 0);
  if (h.peek().text !== '?' || h.peek().kind !== 'punct') return cond;
  const q = h.next();
  const a = constantExpression(h);
  h.expect(':');
  const b = constantExpression(h);
  const t = common(a, b);
  const pick = cond.value !== 0n ? a : b;
  return fit(h, q, t.unsigned ? BigInt.asUintN(t.bits, pick.value) : pick.value, t.bits, t.unsigned);
}
