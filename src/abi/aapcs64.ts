// AAPCS64 planner: Procedure Call Standard for the Arm 64-bit Architecture §6.8 "Parameter
// passing" (stages A–C, no SVE), as GCC on Linux implements it (variadic arguments like named ones).
import type { CType, Field, FunctionType, RecordType, ScalarRep } from '../types/ctype.js';
import type { ArgPlan, CallPlan, Location, Piece, ReturnPlan } from './plan.js';
import type { AbiErrorReason } from './errors.js';
import {
  EXTENSION, checkPassable, deepFreeze, planFail, promote, refuseConvention, roundUp, type ScalarRule, type Subject,
} from './common.js';

export const ABI = 'aapcs64';

/** Integer argument registers x0..x7 (gpr 0..7). */
export const ARG_GPRS = 8;
/** SIMD/FP argument registers v0..v7 (fpr 0..7): s<n> for a float, d<n> for a double. */
export const ARG_FPRS = 8;
/** Integer return registers x0, x1 (gpr 0, 1 in a ReturnPlan). */
export const RET_GPRS = 2;
/** FP return registers v0..v3 (an HFA of four members). */
export const RET_FPRS = 4;
/** The indirect result location register x8: gpr slot 8, which carries no argument. */
const RESULT_POINTER: Location = Object.freeze({ kind: 'gpr', index: 8 });
/** B.4: non-HFA composites above this size are passed as a pointer to a caller-made copy. */
const MAX_REGISTER_COMPOSITE = 16;
/** An HFA has 1 to 4 members. */
const MAX_HFA_MEMBERS = 4;
/** A general-purpose register, and the unit composites are rounded up to (B.5). */
const DOUBLEWORD = 8;
/** C.14/C.16: stack arguments take whole 8-byte slots, 16-aligned ones start 16-aligned. */
const STACK_SLOT = 8;
/** sp is 16-byte aligned at the call. */
const STACK_ALIGN = 16;
/**
 * 1- and 2-byte integer arguments are widened to this many bytes. AAPCS64 leaves the upper
 * bits unspecified (callees must not rely on them, GCC callees do not), so this is defensive
 * and matches what the x86-64 planner does; readers use only the low bytes.
 */
const EXTEND_TO = 4;

/** How a value travels, before registers are counted. */
type Class =
  | { readonly kind: 'integral' }                          // integers, bool, enums, pointers
  | { readonly kind: 'fp' }                                // float, double
  | { readonly kind: 'hfa'; readonly base: 4 | 8; readonly count: number }
  | { readonly kind: 'composite' };                        // any other struct or union

/** Scalar representations we pass; long double (quad) and __int128 have none. */
const SCALAR_KIND: Readonly<Record<ScalarRep, 'integral' | 'fp'>> = {
  i8: 'integral', u8: 'integral', i16: 'integral', u16: 'integral',
  i32: 'integral', u32: 'integral', i64: 'integral', u64: 'integral',
  bool: 'integral', pointer: 'integral',
  f32: 'fp', f64: 'fp',
};

/** Stage A: the next general-purpose and SIMD register numbers and the next stacked argument address. */
interface Cursor {
  ngrn: number;
  nsrn: number;
  nsaa: number;
}

/**
 * Plans a call of `fn`. For a variadic function, `variadicArgs` are the types of the extra
 * arguments; they are promoted here (float → double, narrower integers → int) as a C caller
 * would, and then passed exactly like named arguments (Linux, unlike Apple's arm64 ABI).
 */
export function plan(fn: FunctionType, variadicArgs: readonly CType[] = []): CallPlan {
  if (!fn.variadic && variadicArgs.length > 0) {
    fail('variadic-mismatch', { fn, index: fn.params.length, name: undefined },
      `${variadicArgs.length} extra argument(s) given to a function that is not variadic`);
  }
  refuseConvention(ABI, fn);
  const ret = planReturn(fn);
  const cursor: Cursor = { ngrn: 0, nsrn: 0, nsaa: 0 };
  const values = [
    ...fn.params.map((p) => ({ name: p.name, type: p.type })),
    ...variadicArgs.map((type) => ({ name: undefined, type: promote(type) })),
  ];
  const args = values.map((v, index): ArgPlan => {
    checkPassable(ABI, v.type, { fn, index, name: v.name }, SCALARS);
    return { index, type: v.type, ...planArgument(v.type, cursor) };
  });
  return deepFreeze({
    abi: ABI,
    fn,
    args,
    ret,
    stackSize: roundUp(cursor.nsaa, STACK_ALIGN), calleePops: 0,
    vectorCount: 0,
    variadic: fn.variadic,
  });
}

/**
 * Results: an HFA in v0..v3, a scalar in x0 or v0, a composite of up to 16 bytes in x0/x1;
 * anything bigger in memory at the address the caller passes in x8 (not an argument register,
 * so the arguments still start at x0).
 */
function planReturn(fn: FunctionType): ReturnPlan {
  const type = fn.ret;
  if (type.kind === 'void') return { kind: 'void' };
  checkPassable(ABI, type, { fn, index: 'return', name: undefined }, SCALARS);
  const cls = classify(type);
  if (cls.kind === 'composite' && type.size > MAX_REGISTER_COMPOSITE) {
    return { kind: 'memory', type, pointer: RESULT_POINTER };
  }
  const next = { ngrn: 0, nsrn: 0 };
  const pieces = cls.kind === 'hfa' ? hfaPieces(cls, next)
    : cls.kind === 'fp' ? [{ from: 0, size: type.size, to: { kind: 'fpr', index: 0 } } as const]
    : gprPieces(type.size, next);
  if (next.ngrn > RET_GPRS || next.nsrn > RET_FPRS) {
    throw new Error('aapcs64: internal error: a register return needs more registers than it has');
  }
  return { kind: 'regs', type, pieces };
}

/** Stages B and C for one argument: its pieces, and whether it travels by reference. */
function planArgument(type: CType, c: Cursor): { pieces: Piece[]; byReference: boolean } {
  const cls = classify(type);
  const byValue = (pieces: Piece[]) => ({ pieces, byReference: false });
  switch (cls.kind) {
    case 'fp': // C.1, else C.5–C.6: an 8-byte slot
      if (c.nsrn < ARG_FPRS) return byValue([{ from: 0, size: type.size, to: { kind: 'fpr', index: c.nsrn++ } }]);
      return byValue([onStack(type, DOUBLEWORD, c)]);
    case 'hfa': // C.2, else C.3 (no later FP argument takes a register), C.4, C.6
      if (c.nsrn + cls.count <= ARG_FPRS) return byValue(hfaPieces(cls, c));
      c.nsrn = ARG_FPRS;
      return byValue([onStack(type, argumentAlign(type), c)]);
    case 'integral': // C.9, else C.16–C.17
      if (c.ngrn < ARG_GPRS) return byValue([widen(type, { from: 0, size: type.size, to: { kind: 'gpr', index: c.ngrn++ } })]);
      return byValue([widen(type, onStack(type, DOUBLEWORD, c))]);
    case 'composite': {
      if (type.size > MAX_REGISTER_COMPOSITE) {
        // B.4: the caller copies it and passes the copy's address like a pointer argument (C.9, C.16).
        const to: Location = c.ngrn < ARG_GPRS ? { kind: 'gpr', index: c.ngrn++ } : stackSlot(DOUBLEWORD, DOUBLEWORD, c);
        return { pieces: [{ from: 0, size: DOUBLEWORD, to }], byReference: true };
      }
      const align = argumentAlign(type);
      // B.5. An empty struct (GNU C, size 0; C++ gives it size 1) is 0 doublewords: no register, no stack.
      const words = Math.ceil(type.size / DOUBLEWORD);
      if (c.ngrn + words <= ARG_GPRS) {
        // C.10 as GCC does it: only a 16-aligned composite that fits is moved to an even register.
        if (align === 16 && words === 2 && c.ngrn % 2 === 1) c.ngrn++;
        return byValue(gprPieces(type.size, c));
      }
      c.ngrn = ARG_GPRS; // C.13: a composite never straddles registers and stack
      return byValue([onStack(type, align, c)]);
    }
  }
}

/** One 8-byte piece per register (the last one sized to what is left), from x[NGRN] on (C.12). */
function gprPieces(size: number, next: { ngrn: number }): Piece[] {
  const pieces: Piece[] = [];
  for (let from = 0; from < size; from += DOUBLEWORD) {
    pieces.push({ from, size: Math.min(DOUBLEWORD, size - from), to: { kind: 'gpr', index: next.ngrn++ } });
  }
  return pieces;
}

/** One piece per HFA member, in consecutive v registers (the members sit back to back). */
function hfaPieces(cls: { base: 4 | 8; count: number }, next: { nsrn: number }): Piece[] {
  return Array.from({ length: cls.count }, (_, k) => ({
    from: k * cls.base, size: cls.base, to: { kind: 'fpr', index: next.nsrn++ } as const,
  }));
}

/** The whole value at the next stack address aligned to 8, or to 16 for a 16-aligned one (C.14). */
function onStack(type: CType, align: number, c: Cursor): Piece {
  return { from: 0, size: type.size, to: stackSlot(type.size, align, c) };
}

function stackSlot(size: number, align: number, c: Cursor): Location {
  const offset = roundUp(c.nsaa, align === 16 ? 16 : STACK_SLOT);
  c.nsaa = offset + roundUp(size, STACK_SLOT);
  return { kind: 'stack', offset };
}

/** Narrow integer arguments travel extended to 32 bits (see EXTEND_TO). */
function widen(type: CType, piece: Piece): Piece {
  const rep = scalarRep(type);
  const extend = rep === undefined ? undefined : EXTENSION[rep];
  return extend === undefined ? piece : { ...piece, size: EXTEND_TO, extend };
}

function scalarRep(type: CType): ScalarRep | undefined {
  if (type.kind === 'scalar') return type.rep;
  if (type.kind === 'enum') return type.base.rep;
  if (type.kind === 'pointer') return 'pointer';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Classification.

function classify(type: CType): Class {
  const rep = scalarRep(type);
  if (rep !== undefined) return { kind: SCALAR_KIND[rep] };
  const hfa = homogeneous(type);
  if (hfa !== undefined && hfa.count >= 1 && hfa.count <= MAX_HFA_MEMBERS) return { kind: 'hfa', ...hfa };
  return { kind: 'composite' };
}

/**
 * The base type (by size) and member count of a value made only of floats or only of doubles,
 * with no padding anywhere (through nested records and arrays; a union counts its biggest
 * member), or undefined. Empty records count 0 members. Bitfields are integers, so a record with
 * one is not homogeneous; zero-width and unnamed ones are not fields of ours (GCC 12 ignores
 * zero-width ones too; an unnamed one leaves padding, which the size check catches).
 */
function homogeneous(type: CType): { base: 4 | 8; count: number } | undefined {
  let base: 4 | 8 | undefined;
  const count = (t: CType): number | undefined => {
    switch (t.kind) {
      case 'scalar': {
        if (t.rep !== 'f32' && t.rep !== 'f64') return undefined;
        const size = t.rep === 'f32' ? 4 : 8;
        if (base !== undefined && base !== size) return undefined;
        base = size;
        return 1;
      }
      case 'array': {
        const n = count(t.element);
        return n === undefined ? undefined : n * t.length;
      }
      case 'struct':
      case 'union': {
        let total = 0;
        for (const f of t.fields) {
          const n = f.bitWidth === undefined ? count(f.type) : undefined;
          if (n === undefined) return undefined;
          total = t.kind === 'struct' ? total + n : Math.max(total, n);
        }
        // There must be no padding: the members fill the record exactly.
        return total * (base ?? 0) === t.size ? total : undefined;
      }
      default:
        return undefined;
    }
  };
  const n = count(type);
  return n === undefined || base === undefined ? undefined : { base, count: n };
}

/**
 * A composite's natural alignment for passing: the largest alignment of its members, not of the
 * record itself, so `struct s { long a, b; } __attribute__((aligned(16)))` is not 16-aligned
 * while a struct with such a member is (AAPCS64 §5.9: alignment adjustments of the whole
 * composite are ignored; GCC's aarch64_function_arg_alignment). A packed record's members have
 * alignment 1. Limitation: our Field has no alignment of its own, so `aligned` on a member
 * (rather than on its type) is not seen.
 */
function argumentAlign(type: CType): number {
  if (type.kind !== 'struct' && type.kind !== 'union') return type.align;
  const packed = isPacked(type);
  return type.fields.reduce((a, f) => Math.max(a, packed ? 1 : f.type.align), 0);
}

/** Packing is what lets a record be less aligned than a member, or put one off its alignment. */
function isPacked(r: RecordType): boolean {
  return r.fields.some((f: Field) => f.bitWidth === undefined && (f.type.align > r.align || f.offset % f.type.align !== 0));
}

// ---------------------------------------------------------------------------------------------
// Validation (abi/common.ts): the scalars this convention passes; quad floats and __int128 it does not.

const SCALARS: ScalarRule = {
  passes: (s) => Object.hasOwn(SCALAR_KIND, s.rep),
  refuse: (s, type, subject) => {
    if (s.name.includes('long double') || s.name.includes('__float128') || s.name.includes('_Float128')) {
      fail('unsupported-type', subject,
        `'${type.name}' is a 128-bit quad-precision float on AArch64 (passed in a q register), which trampfd does not support`);
    }
    if (s.name.includes('__int128') || s.size === 16) {
      fail('unsupported-type', subject,
        `'${type.name}' is a 128-bit integer (passed in an even/odd register pair), which trampfd does not support`);
    }
    return fail('unsupported-type', subject, `unknown scalar representation '${String(s.rep)}' of '${type.name}'`);
  },
};

function fail(reason: AbiErrorReason, subject: Subject, what: string): never {
  return planFail(ABI, reason, subject, what);
}
