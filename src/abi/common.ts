// What every planner shares: the subject of an error message, the by-value checks (with the
// target's own word on scalars it cannot pass), the default argument promotions, freezing.
import type { CType, FunctionType, ScalarRep, ScalarType } from '../types/ctype.js';
import { AbiError, type AbiErrorReason } from './errors.js';
import type { CallPlan, Piece } from './plan.js';

/** Which value is being planned, for error messages. */
export interface Subject {
  readonly fn: FunctionType;
  readonly index: number | 'return';
  readonly name: string | undefined;
}

/** Throws the AbiError of convention `abi` for `subject`: "abi: argument 2 'x' of 'f': what". */
export function planFail(abi: string, reason: AbiErrorReason, subject: Subject, what: string): never {
  const fnName = subject.fn.name === '' ? 'function' : `'${subject.fn.name}'`;
  const which = subject.index === 'return'
    ? 'return value'
    : `argument ${subject.index}${subject.name ? ` '${subject.name}'` : ''}`;
  throw new AbiError(reason, abi, subject.index, `${abi}: ${which} of ${fnName}: ${what}`);
}

/**
 * Throws unless `fn` has the target's default convention: stdcall, fastcall and regparm exist
 * only on i386. gcc elsewhere ignores them with a warning; we refuse, since a declaration that
 * says stdcall means something a plan for another convention would not do.
 */
export function refuseConvention(abi: string, fn: FunctionType): void {
  if (!fn.convention) return;
  const fnName = fn.name === '' ? 'function' : `'${fn.name}'`;
  throw new AbiError('calling-convention', abi, undefined,
    `${abi}: ${fnName}: the ${fn.convention.name} calling convention exists only on i386 (gcc ignores it on other targets; trampfd refuses it rather than silently change the declaration's meaning)`);
}

/** A convention's scalars: whether it passes one, and the error for one it does not (must throw). */
export interface ScalarRule {
  readonly passes: (s: ScalarType) => boolean;
  readonly refuse: (s: ScalarType, type: CType, subject: Subject) => never;
}

/** Throws an AbiError unless `type` can be passed (or returned) by value. */
export function checkPassable(abi: string, type: CType, subject: Subject, scalars: ScalarRule): void {
  const fail = (reason: AbiErrorReason, what: string): never => planFail(abi, reason, subject, what);
  switch (type.kind) {
    case 'void':
      return fail('void-value', 'void is not a value type');
    case 'array':
      return fail('array-value', `array type '${type.name}' by value (arrays must decay to pointers before planning)`);
    case 'function':
      return fail('function-value', `function type '${type.name}' by value (functions must decay to pointers before planning)`);
    default:
      checkMembers(type, new Set());
  }
  /** Records, arrays and scalars inside a by-value type: the convention's scalars, complete records. */
  function checkMembers(t: CType, seen: Set<CType>): void {
    switch (t.kind) {
      case 'pointer':
        return;
      case 'scalar':
      case 'enum': {
        const s = t.kind === 'enum' ? t.base : t;
        if (!scalars.passes(s)) scalars.refuse(s, t, subject);
        return;
      }
      case 'array':
        checkMembers(t.element, seen);
        return;
      case 'struct':
      case 'union':
        if (!t.complete) fail('incomplete-type', `incomplete type '${t.name}' cannot be passed by value`);
        if (seen.has(t)) return;
        seen.add(t);
        for (const f of t.fields) {
          if (f.type.kind === 'void' || f.type.kind === 'function') {
            fail(f.type.kind === 'void' ? 'void-value' : 'function-value', `member '${f.name}' of '${t.name}' has type '${f.type.name}'`);
          }
          checkMembers(f.type, seen);
        }
        return;
      default:
        fail('unsupported-type', `'${t.name}' (${t.kind}) cannot be a member of a value`);
    }
  }
}

/** Default argument promotions for variadic arguments (C11 6.5.2.2p6). */
const INT: ScalarType = Object.freeze({ kind: 'scalar', name: 'int', size: 4, align: 4, rep: 'i32', js: 'number' });
const DOUBLE: ScalarType = Object.freeze({ kind: 'scalar', name: 'double', size: 8, align: 8, rep: 'f64', js: 'number' });
const PROMOTED: Readonly<Partial<Record<ScalarRep, ScalarType>>> = {
  i8: INT, u8: INT, i16: INT, u16: INT, bool: INT, f32: DOUBLE,
};

/** The type a variadic argument of `type` is passed as: float → double, narrower integers → int. */
export function promote(type: CType): CType {
  const rep = type.kind === 'scalar' ? type.rep : type.kind === 'enum' ? type.base.rep : undefined;
  return (rep !== undefined && PROMOTED[rep]) || type;
}

/** How a narrow integer argument is widened when a convention widens it (absent: passed as is). */
export const EXTENSION: Readonly<Partial<Record<ScalarRep, 'sign' | 'zero'>>> = {
  i8: 'sign', i16: 'sign', u8: 'zero', u16: 'zero', bool: 'zero',
};

export function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** Freezes the plan's own objects; type descriptors are shared and already frozen. */
export function deepFreeze<T extends CallPlan>(p: T): T {
  const freezePieces = (pieces: readonly Piece[]) => {
    for (const piece of pieces) {
      Object.freeze(piece.to);
      Object.freeze(piece);
    }
    Object.freeze(pieces);
  };
  for (const a of p.args) {
    freezePieces(a.pieces);
    Object.freeze(a);
  }
  Object.freeze(p.args);
  if (p.ret.kind === 'regs') freezePieces(p.ret.pieces);
  Object.freeze(p.ret);
  return Object.freeze(p);
}
