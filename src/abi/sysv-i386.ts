// System V i386 planner: the i386 psABI §2.2 "Function Calling Sequence" (cdecl, with Linux's
// 16-byte stack alignment at calls) and gcc's stdcall, fastcall and regparm(N), as gcc does them.
import type { CType, FunctionType, ScalarRep } from '../types/ctype.js';
import type { ArgPlan, CallPlan, Location, Piece, ReturnPlan } from './plan.js';
import type { AbiErrorReason } from './errors.js';
import {
  EXTENSION, checkPassable, deepFreeze, planFail, promote, roundUp, type ScalarRule, type Subject,
} from './common.js';

export const ABI = 'sysv-i386';

/** A stack slot, a register, and the unit register arguments are counted in. */
const WORD = 4;
/** esp is 16-byte aligned at the call (gcc on Linux; the psABI itself asks for 4). */
const STACK_ALIGN = 16;
/** Where gcc puts a value that contains a 16-aligned member type (see stackAlignment). */
const ALIGNED_SLOT = 16;
/** Integer registers as gpr slots: eax 0, edx 1, ecx 2 (Arch.gprs). */
const EAX = 0;
const EDX = 1;
const ECX = 2;
/** regparm(N) takes the first N of eax, edx, ecx; fastcall takes ecx, then edx. */
const REGPARM_ORDER: readonly number[] = [EAX, EDX, ECX];
const FASTCALL_ORDER: readonly number[] = [ECX, EDX];
/** A hidden result pointer passed on the stack is the first slot. */
const STACK_RESULT_POINTER: Location = Object.freeze({ kind: 'stack', offset: 0 });
/**
 * 1- and 2-byte integer arguments are widened to a word. gcc callers extend them (in registers
 * and on the stack) and clang-compiled callees rely on it; readers use only the low bytes.
 */
const EXTEND_TO = 4;

const SCALAR_KIND: Readonly<Record<ScalarRep, 'int' | 'float'>> = {
  i8: 'int', u8: 'int', i16: 'int', u16: 'int', i32: 'int', u32: 'int', i64: 'int', u64: 'int',
  bool: 'int', pointer: 'int', f32: 'float', f64: 'float',
};

/** The argument registers still free, in the order the convention takes them, and the stack used. */
interface Cursor {
  regs: number[];
  stack: number;
}

/**
 * Plans a call of `fn`. cdecl: every argument on the stack, in order, in whole 4-byte slots.
 * regparm(N) and fastcall: the first integer-like words in registers (see planArgument); stdcall
 * and fastcall callees pop their stack arguments. A variadic function takes no registers and
 * pops nothing, whatever its convention (gcc ignores the attributes there, silently); its extra
 * arguments (`variadicArgs`) are promoted here as a C caller would.
 */
export function plan(fn: FunctionType, variadicArgs: readonly CType[] = []): CallPlan {
  if (!fn.variadic && variadicArgs.length > 0) {
    fail('variadic-mismatch', { fn, index: fn.params.length, name: undefined },
      `${variadicArgs.length} extra argument(s) given to a function that is not variadic`);
  }
  const conv = fn.convention;
  const registers = fn.variadic || !conv ? []
    : conv.registers === 'fastcall' ? FASTCALL_ORDER : REGPARM_ORDER.slice(0, conv.registers);
  const fastcall = !fn.variadic && conv?.registers === 'fastcall';
  const c: Cursor = { regs: [...registers], stack: 0 };
  const ret = planReturn(fn, c);
  const values = [
    ...fn.params.map((p) => ({ name: p.name, type: p.type })),
    ...variadicArgs.map((type) => ({ name: undefined, type: promote(type) })),
  ];
  const args = values.map((v, index): ArgPlan => {
    const subject: Subject = { fn, index, name: v.name };
    checkPassable(ABI, v.type, subject, SCALARS);
    return { index, type: v.type, pieces: planArgument(v.type, fastcall, c, subject), byReference: false };
  });
  return deepFreeze({
    abi: ABI, fn, args, ret, stackSize: roundUp(c.stack, STACK_ALIGN),
    calleePops: calleePops(fn, ret, c.stack), vectorCount: 0, variadic: fn.variadic,
  });
}

/**
 * Bytes the callee pops: a stdcall or fastcall callee its stack arguments (a hidden result
 * pointer on the stack included), unless variadic. Any other callee pops a hidden result pointer
 * that came on the stack (`ret $4`, even cdecl), but only if its convention names no registers:
 * gcc's rule counts regparm(N) and fastcall registers even where a variadic function uses none,
 * so a variadic fastcall or regparm function leaves the pointer to the caller.
 */
function calleePops(fn: FunctionType, ret: ReturnPlan, stack: number): number {
  const conv = fn.convention;
  if (conv?.calleePops && !fn.variadic) return roundUp(stack, WORD);
  const pointerOnStack = ret.kind === 'memory' && ret.pointer.kind === 'stack';
  return pointerOnStack && (conv === undefined || conv.registers === 0) ? WORD : 0;
}

/**
 * Results: an integer or pointer up to 4 bytes in eax, 8 bytes in edx:eax, float and double in
 * st(0) (fpr 0 of a ReturnPlan). Every struct and union, even of 1 byte or empty, goes to memory
 * (Linux keeps the psABI's rule; -freg-struct-return is not the default): its address is the
 * first word of the stack, or under regparm/fastcall the first argument register (eax, ecx).
 */
function planReturn(fn: FunctionType, c: Cursor): ReturnPlan {
  const type = fn.ret;
  if (type.kind === 'void') return { kind: 'void' };
  checkPassable(ABI, type, { fn, index: 'return', name: undefined }, SCALARS);
  if (type.kind === 'struct' || type.kind === 'union') {
    const reg = c.regs.shift();
    if (reg !== undefined) return { kind: 'memory', type, pointer: { kind: 'gpr', index: reg } };
    c.stack = WORD;
    return { kind: 'memory', type, pointer: STACK_RESULT_POINTER };
  }
  if (isFloat(type)) return { kind: 'regs', type, pieces: [{ from: 0, size: type.size, to: { kind: 'fpr', index: 0 } }] };
  if (type.size > WORD) {
    return { kind: 'regs', type, pieces: [{ from: 0, size: WORD, to: { kind: 'gpr', index: EAX } }, { from: WORD, size: type.size - WORD, to: { kind: 'gpr', index: EDX } }] };
  }
  return { kind: 'regs', type, pieces: [{ from: 0, size: type.size, to: { kind: 'gpr', index: EAX } }] };
}

/**
 * One argument. An empty struct takes nothing. Under regparm/fastcall a value whose gcc machine
 * mode is not a float one (see floatMode) counts its words against the free registers: if they
 * suffice it takes them in order (regparm: any such value, a long long or an up-to-12-byte
 * struct across several; fastcall: only an integer, enum or pointer of up to 4 bytes), else it
 * goes on the stack. Either way its words are used up, so after a long long or a struct that
 * fastcall sends to the stack, or a value that did not fit, fewer registers (or none) are left.
 */
function planArgument(type: CType, fastcall: boolean, c: Cursor, subject: Subject): Piece[] {
  if (type.size === 0) return [];
  if (c.regs.length > 0 && !floatMode(type)) {
    const words = Math.ceil(type.size / WORD);
    const taken = c.regs.splice(0, words);
    if (taken.length === words && (!fastcall || (isScalarLike(type) && type.size <= WORD))) {
      return taken.map((index, k) => widen(type, { from: k * WORD, size: Math.min(WORD, type.size - k * WORD), to: { kind: 'gpr', index } }));
    }
  }
  const offset = roundUp(c.stack, stackAlignment(type, subject));
  c.stack = offset + roundUp(type.size, WORD);
  return [widen(type, { from: 0, size: type.size, to: { kind: 'stack', offset } })];
}

/**
 * Stack arguments are 4-byte aligned, double and long long too, and so is a struct declared
 * aligned(16) (gcc looks at the types inside, not the attribute). Since gcc 4.6 a struct, union
 * or array member of one that contains a member *type* aligned to 16 or more (a typedef with
 * aligned(16); an aligned member declaration does not count) starts at a multiple of its
 * alignment. We follow that up to 16, which the 16-aligned esp gives; beyond it we refuse.
 */
function stackAlignment(type: CType, subject: Subject): number {
  if (!containsAlignedType(type, true)) return WORD;
  if (type.align > ALIGNED_SLOT) {
    fail('unsupported-type', subject,
      `'${type.name}' contains a member type aligned to 16 and is itself aligned to ${type.align}: gcc would align it to ${type.align} on the stack, which trampfd does not support`);
  }
  return ALIGNED_SLOT;
}

/** gcc's test for a value it aligns to 16: at the top only a record has it (a scalar's typedef alignment is lost). */
function containsAlignedType(t: CType, top: boolean): boolean {
  if (t.align < ALIGNED_SLOT) return false;
  switch (t.kind) {
    case 'struct':
    case 'union':
      return t.fields.some((f) => containsAlignedType(f.type, false));
    case 'array':
      return containsAlignedType(t.element, false);
    default:
      return !top;
  }
}

/**
 * Whether gcc gives `t` the machine mode of a float or double: then regparm and fastcall pass
 * it on the stack and count no register for it. That is a float or double itself, a one-element
 * array of one, and a struct (not a union: a union gets an integer mode) with such a member
 * spanning all of it (other members empty), at any depth: `struct { double d; }`, `struct { float f[1]; }`.
 */
function floatMode(t: CType): boolean {
  switch (t.kind) {
    case 'scalar':
      return isFloat(t);
    case 'array':
      return t.length === 1 && floatMode(t.element);
    case 'struct':
      return t.fields.some((f) => f.bitWidth === undefined && f.type.size === t.size && floatMode(f.type))
        && t.fields.every((f) => f.type.size === t.size || f.type.size === 0);
    default:
      return false;
  }
}

/** Narrow integer arguments travel extended to a word (see EXTEND_TO). */
function widen(type: CType, piece: Piece): Piece {
  const s = type.kind === 'enum' ? type.base : type;
  const extend = s.kind === 'scalar' && s.size < EXTEND_TO ? EXTENSION[s.rep] : undefined;
  return extend === undefined ? piece : { ...piece, size: EXTEND_TO, extend };
}

function isFloat(t: CType): boolean {
  return t.kind === 'scalar' && SCALAR_KIND[t.rep] === 'float';
}

function isScalarLike(t: CType): boolean {
  return t.kind === 'scalar' || t.kind === 'enum' || t.kind === 'pointer';
}

// ---------------------------------------------------------------------------------------------
// Validation (abi/common.ts): the scalars this convention passes; long double (x87 extended) and
// 128-bit types it does not.

const SCALARS: ScalarRule = {
  passes: (s) => Object.hasOwn(SCALAR_KIND, s.rep),
  refuse: (s, type, subject) => {
    if (s.name.includes('long double') || s.name.includes('__float80')) {
      fail('x87-type', subject, `'${type.name}' is the 12-byte x87 extended type on i386, which trampfd does not support`);
    }
    if (s.name.includes('__int128') || s.name.includes('__float128') || s.name.includes('_Float128') || s.size === 16) {
      fail('unsupported-type', subject, `'${type.name}' is a 128-bit type, which trampfd does not support`);
    }
    return fail('unsupported-type', subject, `unknown scalar representation '${String(s.rep)}' of '${type.name}'`);
  },
};

function fail(reason: AbiErrorReason, subject: Subject, what: string): never {
  return planFail(ABI, reason, subject, what);
}
