// Turns a CallPlan into flat marshalling ops with frame-relative byte offsets: what both the
// generated and the interpreted marshallers execute.
import type { CallPlan, Location, Piece } from '../abi/plan.js';
import type { CType } from '../types/ctype.js';
import { FRAME } from '../native/frame-layout.js';
import { HOST } from '../targets/index.js';

/** How a scalar is stored into, or loaded from, an 8-byte slot. */
export type Store =
  | 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32'   // exact width (stack slots, returns)
  | 'sx32' | 'zx32'                               // narrow ints widened to 32 bits
  | 'bool' | 'f32' | 'f64'
  | 'i64' | 'u64'                                 // bigint types
  | 'safe-i64' | 'safe-u64'                       // size-like types as checked numbers
  | 'pointer';

export interface ScalarOp {
  readonly kind: 'scalar';
  readonly index: number;
  readonly type: CType;
  readonly where: string;
  readonly store: Store;
  /** Byte offset from the frame start. */
  readonly at: number;
  /** For pointer parameters: `const char *` accepts a string. */
  readonly cstring: boolean;
}

/** How a piece moves: one or two 32-bit words (4, 8), or exactly its bytes (0). */
export type Move = 0 | 4 | 8;

export interface CopyPiece {
  readonly from: number;
  readonly size: number;
  readonly at: number;
  /** How it moves from the value's image (scratch + from) to its slot, and back (pieceMove). */
  readonly toSlot: Move;
  readonly toImage: Move;
}

/**
 * How a piece moves between a value's image and its slot, decided once from frame-relative
 * offsets (frames and their scratch areas are 16-byte aligned). Register slots take whole words
 * (bytes past the value are padding); a 4-byte piece (a float member of an AArch64 HFA)
 * moves exactly, so neighbouring members in the image are never overwritten; into an image, and
 * on the stack, a piece moves its own size. A piece off 4-byte alignment (a member of a packed
 * struct flattened into a RISC-V register) moves by bytes: a word move would round its address down.
 */
function pieceMove(size: number, from: number, to: number, toSlot: boolean, at: number): Move {
  if (((from | to) & 3) !== 0) return 0;
  if (size === 4) return 4;
  if (size === 8) return 8;
  if (toSlot && at < FRAME.STACK) return WORD;
  return 0;
}

function copyPiece(p: Piece, scratch: number, at: number): CopyPiece {
  const image = scratch + p.from;
  return { from: p.from, size: p.size, at,
    toSlot: pieceMove(p.size, image, at, true, at), toImage: pieceMove(p.size, at, image, false, at) };
}

export interface AggregateOp {
  readonly kind: 'aggregate';
  readonly index: number;
  readonly type: CType;
  readonly where: string;
  /** The value's image is written here (frame-relative), then its pieces copied. */
  readonly scratch: number;
  readonly pieces: readonly CopyPiece[];
}

/**
 * A composite the convention passes by reference (AAPCS64: over 16 bytes): the caller writes a
 * copy of the value's image to `scratch` and passes its address at `pointerAt`; a callback reads
 * the value at the address it was given there.
 */
export interface ReferenceOp {
  readonly kind: 'reference';
  readonly index: number;
  readonly type: CType;
  readonly where: string;
  readonly scratch: number;
  readonly pointerAt: number;
}

export type ArgOp = ScalarOp | AggregateOp | ReferenceOp;

export type RetOp =
  | { readonly kind: 'void' }
  | { readonly kind: 'scalar'; readonly type: CType; readonly store: Store; readonly at: number; readonly where: string }
  | { readonly kind: 'aggregate'; readonly type: CType; readonly scratch: number; readonly pieces: readonly CopyPiece[]; readonly where: string }
  | { readonly kind: 'memory'; readonly type: CType; readonly scratch: number; readonly pointerAt: number; readonly where: string };

export interface CallOps {
  readonly name: string;
  readonly args: readonly ArgOp[];
  /** How many JS arguments the function takes (fixed parameters). */
  readonly arity: number;
  readonly ret: RetOp;
  readonly stackSize: number;
  /** The frame's AL word: x86-64's vector count, or the registers to widen (Arch.widensRegisters). */
  readonly vectorCount: number;
  /** Bytes of the frame before variable scratch (strings) begins. */
  readonly fixedSize: number;
}

const WORD = HOST.arch.wordSize;
const FPR_SLOT = HOST.arch.fprSlot;

function slot(loc: Location, ret = false): number {
  switch (loc.kind) {
    case 'gpr': return (ret ? FRAME.RET_GPR : FRAME.GPR) + WORD * loc.index;
    case 'fpr': return (ret ? FRAME.RET_FPR : FRAME.FPR) + FPR_SLOT * loc.index;
    case 'stack': return FRAME.STACK + loc.offset;
  }
}

/** The store for a scalar-like type, given the piece that carries it. */
export function storeOf(type: CType, piece?: Piece): Store {
  const t = type.kind === 'enum' ? type.base : type;
  if (t.kind === 'pointer') return 'pointer';
  if (t.kind !== 'scalar') throw new Error(`not a scalar: ${type.name}`);
  if (piece?.extend) return piece.extend === 'sign' ? 'sx32' : 'zx32'; // bool: zero-extended
  switch (t.rep) {
    case 'i64': return t.js === 'bigint' ? 'i64' : 'safe-i64';
    case 'u64': return t.js === 'bigint' ? 'u64' : 'safe-u64';
    case 'pointer': return 'pointer';
    default: return t.rep;
  }
}

function isScalarLike(t: CType): boolean {
  return t.kind === 'scalar' || t.kind === 'pointer' || t.kind === 'enum';
}

const align16 = (n: number): number => (n + 15) & ~15;

/**
 * Whether a value's pieces lie in the frame as its own bytes in order: one piece, or (i386) the
 * two halves of a 64-bit integer in consecutive registers (edx:eax, a regparm pair), which the
 * frame keeps side by side; such a scalar is stored and read in place like a one-piece one.
 */
function contiguous(pieces: readonly Piece[], ret: boolean): boolean {
  if (pieces.length === 0) return false;
  const at = slot(pieces[0]!.to, ret);
  return pieces.every((p) => p.extend === undefined || pieces.length === 1) &&
    pieces.every((p) => p.to.kind === pieces[0]!.to.kind && slot(p.to, ret) === at + p.from);
}

export function paramName(plan: CallPlan, i: number, fname: string): string {
  const p = plan.fn.params[i];
  const label = p?.name ? ` (${p.name})` : '';
  return `${fname}: argument ${i + 1}${label}`;
}

export function buildOps(plan: CallPlan, name: string): CallOps {
  let scratch = align16(FRAME.STACK + plan.stackSize);
  const take = (t: CType): number => {
    const at = scratch;
    scratch = align16(scratch + Math.max(t.size, 8));
    return at;
  };
  const args: ArgOp[] = plan.args.map((a, i) => {
    const where = paramName(plan, i, name);
    if (a.byReference) {
      if (a.pieces.length !== 1) throw new Error(`${where}: internal error: a by-reference argument needs one pointer piece`);
      return { kind: 'reference', index: i, type: a.type, where, scratch: take(a.type), pointerAt: slot(a.pieces[0]!.to) };
    }
    if (isScalarLike(a.type) && contiguous(a.pieces, false)) {
      const piece = a.pieces[0]!;
      return { kind: 'scalar', index: i, type: a.type, where, store: storeOf(a.type, a.pieces.length === 1 ? piece : undefined), at: slot(piece.to),
        cstring: a.type.kind === 'pointer' && a.type.cstring };
    }
    const image = take(a.type);
    return { kind: 'aggregate', index: i, type: a.type, where, scratch: image,
      pieces: a.pieces.map((p) => copyPiece(p, image, slot(p.to))) };
  });
  const rwhere = `${name}: return value`;
  let ret: RetOp;
  const r = plan.ret;
  if (r.kind === 'void') ret = { kind: 'void' };
  else if (r.kind === 'memory') ret = { kind: 'memory', type: r.type, scratch: take(r.type), pointerAt: slot(r.pointer), where: rwhere };
  else if (isScalarLike(r.type) && contiguous(r.pieces, true))
    ret = { kind: 'scalar', type: r.type, store: storeOf(r.type), at: slot(r.pieces[0]!.to, true), where: rwhere };
  else {
    const image = take(r.type);
    ret = { kind: 'aggregate', type: r.type, scratch: image, where: rwhere,
      pieces: r.pieces.map((p) => copyPiece(p, image, slot(p.to, true))) };
  }
  return Object.freeze({ name, args, arity: plan.fn.params.length, ret, stackSize: plan.stackSize,
    vectorCount: HOST.arch.widensRegisters ? widenMask(plan.args.flatMap((a) => a.pieces))
      : HOST.arch.x87Results ? x87Kind(plan) : plan.vectorCount,
    fixedSize: scratch });
}

/**
 * Where registers must hold more than the 4 bytes a marshaller stores (Arch.widensRegisters):
 * bit i for GPR i, whose low 32 bits are sign-extended (an extended integer, which the store
 * widened to 32 bits, or any other 4-byte piece, where it is harmless), and bit 8 + j for FPR j,
 * whose float is NaN-boxed. Argument and return registers alike.
 */
export function widenMask(pieces: readonly Piece[]): number {
  let mask = 0;
  for (const p of pieces) {
    if (p.to.kind === 'gpr' && (p.extend !== undefined || p.size === 4)) mask |= 1 << p.to.index;
    if (p.to.kind === 'fpr' && p.size === 4) mask |= 1 << (8 + p.to.index);
  }
  return mask;
}

/**
 * Which width of st(0) a result has (Arch.x87Results): 1 float, 2 double, 0 none (the x87 stack
 * stays empty). The call stub stores it after the call; a closure entry loads it for its caller.
 */
export function x87Kind(plan: CallPlan): 0 | 1 | 2 {
  if (plan.ret.kind !== 'regs') return 0;
  const p = plan.ret.pieces.find((q) => q.to.kind === 'fpr');
  return p === undefined ? 0 : p.size === 4 ? 1 : 2;
}

/**
 * A callback result's widening for cbCreate (Arch.widensRegisters): runners store a result's own
 * bytes, and C widens a0 after them by bits 0-2 (1: sign-extend from 32 bits; 2, 3: sign- or
 * zero-extend from 8 bits; 4, 5: from 16 bits), a1 from 32 bits by bit 3, and NaN-boxes fa0, fa1
 * by bits 4, 5. On i386 (Arch.x87Results) the bits are instead x87Kind in bits 0-1 and the bytes
 * the callee pops, over 4, from bit 2 (native/arch/i386/call.S returns with them).
 */
export function resultWidening(plan: CallPlan): number {
  if (HOST.arch.x87Results) return x87Kind(plan) | (plan.calleePops / 4) << 2;
  if (!HOST.arch.widensRegisters || plan.ret.kind !== 'regs') return 0;
  let bits = 0;
  for (const p of plan.ret.pieces) {
    if (p.to.kind === 'fpr' && p.size === 4) bits |= 16 << p.to.index;
    if (p.to.kind !== 'gpr' || (p.extend === undefined && p.size !== 4)) continue;
    const width = p.extend === undefined ? 4 : plan.ret.type.size;
    if (p.to.index === 1) bits |= 8;
    else bits |= width === 4 ? 1 : (width === 1 ? 2 : 4) + (p.extend === 'zero' ? 1 : 0);
  }
  return bits;
}
