// System V x86-64 planner: AMD64 psABI §3.2.3 "Parameter Passing" (classification, registers, stack).
import type { CType, Field, FunctionType, ScalarRep } from '../types/ctype.js';
import type { ArgPlan, CallPlan, Location, Piece, ReturnPlan } from './plan.js';
import type { AbiErrorReason } from './errors.js';
import {
  EXTENSION, checkPassable, deepFreeze, planFail, promote, refuseConvention, roundUp, type ScalarRule, type Subject,
} from './common.js';

export const ABI = 'sysv-x86_64';

/** Integer argument registers rdi, rsi, rdx, rcx, r8, r9 (gpr 0..5). */
export const ARG_GPRS = 6;
/** Vector argument registers xmm0..xmm7 (fpr 0..7). */
export const ARG_FPRS = 8;
/** Integer return registers rax, rdx (gpr 0, 1 in a ReturnPlan). */
export const RET_GPRS = 2;
/** Vector return registers xmm0, xmm1 (fpr 0, 1 in a ReturnPlan). */
export const RET_FPRS = 2;
/** The unit of classification. */
const EIGHTBYTE = 8;
/**
 * Aggregates above two eightbytes are MEMORY: only an SSE + SSEUP... run (__m256, __m512)
 * could be register-passed, and we have no such types.
 */
const MAX_REGISTER_AGGREGATE = 2 * EIGHTBYTE;
/** Every stack argument takes whole 8-byte slots. */
const STACK_SLOT = 8;
/** %rsp is 16-byte aligned at the call. */
const STACK_ALIGN = 16;
/**
 * 1- and 2-byte integer arguments are widened to this many bytes. The psABI only asks the
 * caller to extend _Bool to 8 bits, but GCC and clang extend bool/char/short to 32 bits and
 * clang-compiled callees rely on it (GCC PR 46942), so we always extend.
 */
const EXTEND_TO = 4;
/** Where the caller passes the address of a MEMORY-class return value: rdi, taken first. */
const HIDDEN_RETURN_POINTER: Location = Object.freeze({ kind: 'gpr', index: 0 });

/** Eightbyte classes we produce. SSEUP needs __m128+ and X87 (long double) is refused early. */
type Class = 'NO_CLASS' | 'INTEGER' | 'SSE' | 'MEMORY';

const SCALAR_CLASS: Readonly<Record<ScalarRep, Class>> = {
  i8: 'INTEGER', u8: 'INTEGER', i16: 'INTEGER', u16: 'INTEGER',
  i32: 'INTEGER', u32: 'INTEGER', i64: 'INTEGER', u64: 'INTEGER',
  bool: 'INTEGER', pointer: 'INTEGER',
  f32: 'SSE', f64: 'SSE',
};

/** Registers and stack bytes taken so far by the arguments of one call. */
interface Cursor {
  gpr: number;
  fpr: number;
  stack: number;
}

/**
 * Plans a call of `fn`. For a variadic function, `variadicArgs` are the types of the extra
 * arguments; they are promoted here (float → double, narrower integers → int) as a C caller
 * would, and the plan records the promoted types.
 */
export function plan(fn: FunctionType, variadicArgs: readonly CType[] = []): CallPlan {
  if (!fn.variadic && variadicArgs.length > 0) {
    fail('variadic-mismatch', { fn, index: fn.params.length, name: undefined },
      `${variadicArgs.length} extra argument(s) given to a function that is not variadic`);
  }
  refuseConvention(ABI, fn);
  const cursor: Cursor = { gpr: 0, fpr: 0, stack: 0 };
  const ret = planReturn(fn, cursor);

  const values = [
    ...fn.params.map((p) => ({ name: p.name, type: p.type })),
    ...variadicArgs.map((type) => ({ name: undefined, type: promote(type) })),
  ];
  const args = values.map((v, index): ArgPlan => {
    const subject: Subject = { fn, index, name: v.name };
    checkPassable(ABI, v.type, subject, SCALARS);
    return {
      index,
      type: v.type,
      pieces: planArgument(v.type, cursor),
      byReference: false,
    };
  });

  return deepFreeze({
    abi: ABI,
    fn,
    args,
    ret,
    stackSize: roundUp(cursor.stack, STACK_ALIGN), calleePops: 0,
    // %al is an upper bound of the vector registers used; the exact count is the tightest.
    vectorCount: fn.variadic ? cursor.fpr : 0,
    variadic: fn.variadic,
  });
}

function planReturn(fn: FunctionType, cursor: Cursor): ReturnPlan {
  const type = fn.ret;
  if (type.kind === 'void') return { kind: 'void' };
  checkPassable(ABI, type, { fn, index: 'return', name: undefined }, SCALARS);
  const classes = classify(type);
  if (classes === 'MEMORY') {
    cursor.gpr = 1; // the hidden pointer is the first integer argument
    return { kind: 'memory', type, pointer: HIDDEN_RETURN_POINTER };
  }
  // Registers are counted apart from the arguments': rax, rdx and xmm0, xmm1.
  const used = { gpr: 0, fpr: 0 };
  const pieces = registerPieces(type, classes, used);
  if (used.gpr > RET_GPRS || used.fpr > RET_FPRS) {
    throw new Error('sysv-x86_64: internal error: a register-class return needs more than 2 registers');
  }
  return { kind: 'regs', type, pieces };
}

function planArgument(type: CType, cursor: Cursor): Piece[] {
  // An empty struct (a GNU C extension, size 0) takes neither registers nor stack.
  if (type.size === 0) return [];
  const classes = classify(type);
  if (classes !== 'MEMORY') {
    const needGpr = classes.filter((c) => c === 'INTEGER').length;
    const needFpr = classes.filter((c) => c === 'SSE').length;
    // All or nothing: a value that does not fit goes wholly to the stack, and the
    // registers it could not use stay free for later arguments.
    if (cursor.gpr + needGpr <= ARG_GPRS && cursor.fpr + needFpr <= ARG_FPRS) {
      return registerPieces(type, classes, cursor).map((p) => widen(type, p));
    }
  }
  // Stack slots are 8 bytes; a type aligned beyond that (16) gets an aligned slot.
  const offset = roundUp(cursor.stack, Math.max(STACK_SLOT, type.align));
  cursor.stack = offset + roundUp(type.size, STACK_SLOT);
  return [widen(type, { from: 0, size: type.size, to: { kind: 'stack', offset } })];
}

/**
 * One piece per eightbyte, up to the value's last byte, in the next free register of its
 * class. A NO_CLASS eightbyte (only padding, as in an over-aligned struct) takes no register,
 * as GCC does.
 */
function registerPieces(
  type: CType, classes: readonly Class[], next: { gpr: number; fpr: number },
): Piece[] {
  const pieces: Piece[] = [];
  classes.forEach((cls, i) => {
    if (cls === 'NO_CLASS') return;
    const to: Location = cls === 'INTEGER'
      ? { kind: 'gpr', index: next.gpr++ }
      : { kind: 'fpr', index: next.fpr++ };
    const from = i * EIGHTBYTE;
    pieces.push({ from, size: Math.min(EIGHTBYTE, type.size - from), to });
  });
  return pieces;
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
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Classification (§3.2.3): each eightbyte of the value starts as NO_CLASS and merges the class
// of every scalar (or bitfield) that occupies its bytes, recursing through records and arrays.

/** Per-eightbyte classes of a value, or MEMORY for the whole of it. */
function classify(type: CType): readonly Class[] | 'MEMORY' {
  if (type.size > MAX_REGISTER_AGGREGATE) return 'MEMORY';
  const classes: Class[] = new Array<Class>(Math.ceil(type.size / EIGHTBYTE)).fill('NO_CLASS');
  if (!mark(type, 0, classes)) return 'MEMORY';
  // Post-merger cleanup: one MEMORY eightbyte sends the whole value to memory. The X87,
  // SSEUP and >2-eightbyte rules cannot fire for the classes we produce.
  return classes.includes('MEMORY') ? 'MEMORY' : classes;
}

/**
 * Merges the classes of `type`, placed at byte `offset` of the outermost value, into
 * `classes`. Returns false when a scalar sits off its natural alignment (a packed
 * record), which makes the whole value MEMORY.
 */
function mark(type: CType, offset: number, classes: Class[]): boolean {
  switch (type.kind) {
    case 'scalar':
    case 'enum':
    case 'pointer': {
      if (offset % type.align !== 0) return false;
      const rep = type.kind === 'pointer' ? 'pointer' : scalarRep(type)!;
      merge(classes, offset / EIGHTBYTE | 0, SCALAR_CLASS[rep]);
      return true;
    }
    case 'array':
      for (let i = 0; i < type.length; i++) {
        if (!mark(type.element, offset + i * type.element.size, classes)) return false;
      }
      return true;
    case 'struct':
    case 'union':
      return type.fields.every((f) => isBitfield(f)
        ? markBitfield(f, offset, classes)
        : mark(f.type, offset + f.offset, classes));
    default:
      // checkPassable has already refused void and function members.
      throw new Error(`sysv-x86_64: internal error: cannot classify ${type.kind}`);
  }
}

function isBitfield(f: Field): boolean {
  return f.bitWidth !== undefined;
}

/**
 * Bitfields are INTEGER in every eightbyte their bits touch, whatever their alignment. As in
 * GCC, unnamed ones count too (clang skips them: `struct { float f; int : 8; }` is rdi for
 * GCC, xmm0 for clang); zero-width ones occupy no bits and only affect layout.
 */
function markBitfield(f: Field, offset: number, classes: Class[]): boolean {
  const width = f.bitWidth ?? 0;
  if (width === 0) return true;
  const first = (offset + f.offset) * 8 + (f.bitOffset ?? 0);
  const last = first + width - 1;
  for (let i = Math.floor(first / 64); i <= Math.floor(last / 64); i++) merge(classes, i, 'INTEGER');
  return true;
}

/** The psABI merge rules, applied to eightbyte `i`. */
function merge(classes: Class[], i: number, cls: Class): void {
  const old = classes[i];
  if (old === undefined) throw new Error('sysv-x86_64: internal error: field beyond its record');
  classes[i] = mergeClasses(old, cls);
}

function mergeClasses(a: Class, b: Class): Class {
  if (a === b) return a;                               // (a) equal classes
  if (a === 'NO_CLASS') return b;                      // (b) NO_CLASS yields to the other
  if (b === 'NO_CLASS') return a;
  if (a === 'MEMORY' || b === 'MEMORY') return 'MEMORY'; // (c)
  if (a === 'INTEGER' || b === 'INTEGER') return 'INTEGER'; // (d)
  return 'SSE';                                        // (f); (e) X87 never gets this far
}

// ---------------------------------------------------------------------------------------------
// Validation (abi/common.ts): the scalars this convention has a class for; long double is X87.

const SCALARS: ScalarRule = {
  passes: (s) => Object.hasOwn(SCALAR_CLASS, s.rep),
  refuse: (s, type, subject) => {
    if (s.name.includes('long double') || s.name.includes('__float80')) {
      fail('x87-type', subject, `'${type.name}' has the X87 class (long double), which trampfd does not support`);
    }
    return fail('unsupported-type', subject, `unknown scalar representation '${String(s.rep)}' of '${type.name}'`);
  },
};

function fail(reason: AbiErrorReason, subject: Subject, what: string): never {
  return planFail(ABI, reason, subject, what);
}
