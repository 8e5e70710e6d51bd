// RISC-V LP64D planner: the RISC-V ELF psABI "Integer Calling Convention" and "Hardware
// Floating-point Calling Convention" (XLEN = FLEN = 64), as GCC implements it (riscv_get_arg_info).
import type { CType, FunctionType, ScalarRep } from '../types/ctype.js';
import type { ArgPlan, CallPlan, Location, Piece, ReturnPlan } from './plan.js';
import type { AbiErrorReason } from './errors.js';
import {
  EXTENSION, checkPassable, deepFreeze, planFail, promote, refuseConvention, roundUp, type ScalarRule, type Subject,
} from './common.js';

export const ABI = 'riscv-lp64d';

/** Integer argument registers a0..a7 (gpr 0..7). */
export const ARG_GPRS = 8;
/** Floating-point argument registers fa0..fa7 (fpr 0..7). */
export const ARG_FPRS = 8;
/** XLEN in bytes: a register, a stack slot, and the unit composites are split into. */
const XLEN = 8;
/** Composites above 2×XLEN go by reference (a caller-made copy), results above it in memory. */
const MAX_REGISTER_COMPOSITE = 2 * XLEN;
/** sp is 16-byte aligned at the call, and no stack argument is aligned beyond it. */
const STACK_ALIGN = 16;
/** A result in memory: its address goes in a0, before the first argument. */
const RESULT_POINTER: Location = Object.freeze({ kind: 'gpr', index: 0 });

/** Scalar representations we pass; long double (binary128) and __int128 have none. */
const SCALAR_KIND: Readonly<Record<ScalarRep, 'int' | 'float'>> = {
  i8: 'int', u8: 'int', i16: 'int', u16: 'int', i32: 'int', u32: 'int', i64: 'int', u64: 'int',
  bool: 'int', pointer: 'int', f32: 'float', f64: 'float',
};

/** A member of a flattened struct (psABI: "the struct is flattened" through nested structs and arrays). */
interface Field { readonly kind: 'int' | 'float'; readonly offset: number; readonly size: number }

interface Cursor { gpr: number; fpr: number; stack: number }

/**
 * Plans a call of `fn`. Variadic arguments (`variadicArgs`, promoted here as a C caller would)
 * always take the integer convention, and a 16-aligned one starts at an even register.
 */
export function plan(fn: FunctionType, variadicArgs: readonly CType[] = []): CallPlan {
  if (!fn.variadic && variadicArgs.length > 0) {
    fail('variadic-mismatch', { fn, index: fn.params.length, name: undefined },
      `${variadicArgs.length} extra argument(s) given to a function that is not variadic`);
  }
  refuseConvention(ABI, fn);
  const ret = planReturn(fn);
  const c: Cursor = { gpr: ret.kind === 'memory' ? 1 : 0, fpr: 0, stack: 0 };
  const values = [
    ...fn.params.map((p) => ({ name: p.name, type: p.type, named: true })),
    ...variadicArgs.map((type) => ({ name: undefined, type: promote(type), named: false })),
  ];
  const args = values.map((v, index): ArgPlan => {
    checkPassable(ABI, v.type, { fn, index, name: v.name }, SCALARS);
    return { index, type: v.type, ...planArgument(v.type, v.named, c) };
  });
  return deepFreeze({
    abi: ABI, fn, args, ret, stackSize: roundUp(c.stack, STACK_ALIGN), calleePops: 0, vectorCount: 0, variadic: fn.variadic,
  });
}

/** Results: as a first named argument would be passed (a0/a1, fa0/fa1); above 2×XLEN in memory at a0. */
function planReturn(fn: FunctionType): ReturnPlan {
  const type = fn.ret;
  if (type.kind === 'void') return { kind: 'void' };
  checkPassable(ABI, type, { fn, index: 'return', name: undefined }, SCALARS);
  const c: Cursor = { gpr: 0, fpr: 0, stack: 0 };
  const fp = fpPieces(type, c);
  if (fp) return { kind: 'regs', type, pieces: fp };
  if (type.size > MAX_REGISTER_COMPOSITE) return { kind: 'memory', type, pointer: RESULT_POINTER };
  const pieces = integerPieces(type, XLEN, c);
  if (c.stack !== 0) throw new Error('riscv-lp64d: internal error: a register return spilled');
  return { kind: 'regs', type, pieces };
}

function planArgument(type: CType, named: boolean, c: Cursor): { pieces: Piece[]; byReference: boolean } {
  const fp = named ? fpPieces(type, c) : undefined;
  if (fp) return { pieces: fp, byReference: false };
  if (type.size > MAX_REGISTER_COMPOSITE) {
    // The caller copies it and passes the copy's address like a pointer argument.
    const to: Location = c.gpr < ARG_GPRS ? { kind: 'gpr', index: c.gpr++ } : stackSlot(XLEN, XLEN, c);
    return { pieces: [{ from: 0, size: XLEN, to }], byReference: true };
  }
  const align = Math.min(Math.max(type.align, XLEN), STACK_ALIGN);
  // Variadic arguments aligned to 2×XLEN take an aligned register pair (and skip a7 for the stack).
  if (!named && type.size > 0 && type.align > XLEN) c.gpr += c.gpr & 1;
  return { pieces: integerPieces(type, align, c), byReference: false };
}

/**
 * The hardware floating-point convention: a float or double, or a struct that flattens to one
 * or two floating-point members, or to one floating-point and one integer member (either
 * order), each no wider than 8 bytes, goes in FPRs (and a GPR) if enough are left. Otherwise
 * (undefined) the value takes the integer convention.
 */
function fpPieces(type: CType, c: Cursor): Piece[] | undefined {
  const fields = flatten(type);
  if (!fields || fields.length === 0) return undefined;
  const floats = fields.filter((f) => f.kind === 'float').length;
  if (floats === 0) return undefined;
  if (floats === fields.length) {
    if (c.fpr + floats > ARG_FPRS) return undefined;
  } else if (c.fpr >= ARG_FPRS || c.gpr >= ARG_GPRS) {
    return undefined;
  }
  if (fields.length === 1 && isScalarLike(type)) {
    return [{ from: 0, size: type.size, to: { kind: 'fpr', index: c.fpr++ } }];
  }
  // A struct's members are moved as they lie in its image (the bytes a member's own load reads).
  return fields.map((f) => {
    const to: Location = f.kind === 'float' ? { kind: 'fpr', index: c.fpr++ } : { kind: 'gpr', index: c.gpr++ };
    return { from: f.offset, size: Math.min(f.size, type.size - f.offset), to };
  });
}

/**
 * GCC's riscv_flatten_aggregate_field: a scalar is itself; a struct is its members in order
 * (nested structs and arrays flattened, empty ones contributing nothing); more than two
 * members, a union, a pointer member or a too-wide member make it ineligible (undefined).
 * A bitfield counts as an integer member of its declared type, read at its byte offset.
 */
function flatten(type: CType): Field[] | undefined {
  const out: Field[] = [];
  const walk = (t: CType, offset: number, top: boolean): boolean => {
    switch (t.kind) {
      case 'scalar':
      case 'enum': {
        const s = t.kind === 'enum' ? t.base : t;
        const kind = SCALAR_KIND[s.rep];
        if (out.length >= 2 || kind === undefined || s.size > XLEN) return false;
        out.push({ kind, offset, size: s.size });
        return true;
      }
      case 'pointer':
        // Not an integer type to GCC: a struct with a pointer member takes the integer convention;
        // a pointer itself is an integer scalar.
        if (!top) return false;
        out.push({ kind: 'int', offset, size: XLEN });
        return true;
      case 'array': {
        for (let k = 0; k < t.length; k++) if (!walk(t.element, offset + k * t.element.size, false)) return false;
        return true;
      }
      case 'struct':
        for (const f of t.fields) {
          // A bitfield is read as its declared type at the byte that holds its first bit.
          const at = offset + f.offset + (f.bitWidth === undefined ? 0 : Math.floor((f.bitOffset ?? 0) / 8));
          if (f.bitWidth === 0) continue;
          if (!walk(f.type, at, false)) return false;
        }
        return true;
      default:
        return false; // unions are never flattened
    }
  };
  return walk(type, 0, true) ? out : undefined;
}

/**
 * The integer convention: an XLEN-sized piece per register from the next free one; what does
 * not fit goes on the stack (a value may start in a7 and continue on the stack). An empty struct
 * takes nothing.
 */
function integerPieces(type: CType, align: number, c: Cursor): Piece[] {
  if (type.size === 0) return [];
  const pieces: Piece[] = [];
  let from = 0;
  while (from < type.size && c.gpr < ARG_GPRS) {
    pieces.push({ from, size: Math.min(XLEN, type.size - from), to: { kind: 'gpr', index: c.gpr++ } });
    from += XLEN;
  }
  if (from < type.size) {
    const size = type.size - from;
    pieces.push({ from, size, to: from === 0 ? stackSlot(size, align, c) : stackSlot(size, XLEN, c) });
  }
  if (pieces.length === 1 && isScalarLike(type)) return [widen(type, pieces[0]!)];
  return pieces;
}

function stackSlot(size: number, align: number, c: Cursor): Location {
  const offset = roundUp(c.stack, align);
  c.stack = offset + roundUp(size, XLEN);
  return { kind: 'stack', offset };
}

/**
 * Integers narrower than XLEN travel extended to 64 bits: by their type to 32 bits, then
 * sign-extended (so `unsigned int` too), in registers and on the stack. Callees rely on it.
 */
function widen(type: CType, piece: Piece): Piece {
  const s = type.kind === 'enum' ? type.base : type;
  if (s.kind !== 'scalar' || SCALAR_KIND[s.rep] !== 'int' || s.size >= XLEN) return piece;
  return { ...piece, size: XLEN, extend: EXTENSION[s.rep] ?? 'sign' };
}

function isScalarLike(t: CType): boolean {
  return t.kind === 'scalar' || t.kind === 'enum' || t.kind === 'pointer';
}

// ---------------------------------------------------------------------------------------------
// Validation (abi/common.ts): the scalars this convention passes; quad floats and __int128 it does not.

const SCALARS: ScalarRule = {
  passes: (s) => Object.hasOwn(SCALAR_KIND, s.rep),
  refuse: (s, type, subject) => {
    if (s.name.includes('long double') || s.name.includes('__float128') || s.name.includes('_Float128')) {
      fail('unsupported-type', subject,
        `'${type.name}' is a 128-bit quad-precision float on RISC-V (passed in an integer register pair), which trampfd does not support`);
    }
    if (s.name.includes('__int128') || s.size === 16) {
      fail('unsupported-type', subject,
        `'${type.name}' is a 128-bit integer (passed in a register pair), which trampfd does not support`);
    }
    return fail('unsupported-type', subject, `unknown scalar representation '${String(s.rep)}' of '${type.name}'`);
  },
};

function fail(reason: AbiErrorReason, subject: Subject, what: string): never {
  return planFail(ABI, reason, subject, what);
}
