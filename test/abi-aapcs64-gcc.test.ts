// Area: abi/aapcs64. Purpose: ground truth from GCC for random signatures. A C caller
// (aarch64-linux-gnu-gcc -O1, static) passes distinct byte patterns to an assembly probe that
// records x0..x8, d0..d7, sp and the outgoing stack; every piece of our plan must find its bytes
// exactly there (and by-reference arguments a pointer to a copy). Returns likewise: an assembly
// caller sets x8 to a buffer, calls a C function returning a pattern and records x0, x1, d0..d3.
// Runs under qemu-aarch64 on other hosts, natively on AArch64 Linux; skipped without the compiler or qemu.
// TRAMPFD_SEED reproduces a run (the seed is printed); TRAMPFD_GEN_COUNT sets the signature count.
import { test } from 'node:test';
import { plan } from '../dist/abi/aapcs64.js';
import type { CallPlan, Piece } from '../dist/abi/index.js';
import type { CType, FunctionType, RecordType } from '../dist/types/ctype.js';
import { groundTruth, significant, STACK_BYTES, toolsMissing, type GccTarget } from './support-abi-gcc.js';
import { SEED, draws, rng } from './support-rng.js';
import {
  array, BOOL, DOUBLE, enumType, FLOAT, fn, INT, LLONG, LONG, pointer, PTR, SCHAR,
  SHORT, struct, UCHAR, UINT, ULONG, union, USHORT, VOID,
} from './support-ctypes.js';

const COUNT = Number(process.env.TRAMPFD_GEN_COUNT ?? 600);
if (!Number.isSafeInteger(COUNT) || COUNT < 1) throw new Error(`TRAMPFD_GEN_COUNT must be a positive integer, got '${process.env.TRAMPFD_GEN_COUNT}'`);
// ---- random signatures ---------------------------------------------------------------------------
const r = rng(SEED);
const { below, range, chance, pick } = draws(r);
let tags = 0;
const tag = (p: string) => `${p}${tags++}`;

// Plain char is unsigned on AArch64: signatures spell signed/unsigned char explicitly.
const color = enumType('color');
const small = enumType('small', UCHAR);
const INTS = [SCHAR, UCHAR, SHORT, USHORT, INT, UINT, LONG, ULONG, LLONG, color, small];
const SCALARS = [...INTS, BOOL, FLOAT, DOUBLE, PTR, pointer(INT)];
const MEMBER_SCALARS = [...INTS, FLOAT, DOUBLE, PTR]; // no bool inside records: their bytes are random
const EMPTY = struct('empty', []);

/** A homogeneous aggregate of `n` members of `base`, nested at random. */
function hfaOf(base: CType, n: number, depth = 0): RecordType {
  const specs: [string, CType][] = [];
  let left = n;
  while (left > 0) {
    const k = range(1, left);
    const roll = below(depth > 1 ? 2 : 4);
    specs.push([`m${specs.length}`, k === 1 && roll === 0 ? base
      : roll <= 1 ? array(base, k)
      : roll === 2 ? hfaOf(base, k, depth + 1)
      : array(hfaOf(base, 1, depth + 1), k)]);
    if (chance(0.1)) specs.push([`e${specs.length}`, EMPTY]);
    left -= k;
  }
  if (chance(0.12)) {
    // A union of homogeneous members counts its biggest one.
    return union(tag('hu'), [['a', struct(tag('h'), specs)], ['b', array(base, range(1, n))]]);
  }
  return struct(tag('h'), specs, chance(0.1) ? { packed: true } : {});
}

function smallScalars(maxSize: number): [string, CType][] {
  const specs: [string, CType][] = [];
  for (let i = range(1, 4); i > 0; i--) specs.push([`m${specs.length}`, pick(MEMBER_SCALARS)]);
  return struct('probe', specs).size <= maxSize ? specs : smallScalars(maxSize);
}

function composite(): CType {
  switch (below(14)) {
    case 0: case 1: case 2: case 3:
      return hfaOf(pick([FLOAT, DOUBLE]), range(1, 4));
    case 4: // too many members, or mixed float and double: not an HFA
      return chance(0.5) ? hfaOf(FLOAT, range(5, 9)) : struct(tag('fd'), [['f', hfaOf(FLOAT, range(1, 2))], ['d', DOUBLE]]);
    case 5: case 6:
      return struct(tag('s'), smallScalars(16));
    case 7:
      return struct(tag('l'), [...smallScalars(16), ['big', array(pick(MEMBER_SCALARS), range(2, 4))]]);
    case 8: { // aligned(16) on the struct (ignored when passing) and on a member's type (not ignored)
      const a16 = struct(tag('a'), smallScalars(pick([8, 16])), { aligned: 16 });
      return pick([a16, struct(tag('w'), [['x', a16]]), struct(tag('w'), [['x', a16], ['y', INT]])]);
    }
    case 9:
      return struct(tag('p'), [['c', pick([SCHAR, UCHAR])], ...smallScalars(pick([8, 15, 24]))], { packed: true });
    case 10: { // named bitfields only: unnamed ones align records differently on AArch64 and x86-64
      const bits: [string, CType, number][] = [];
      for (let i = range(1, 4); i > 0; i--) {
        const t = pick([INT, UINT, UCHAR, USHORT, LONG]);
        bits.push([`b${i}`, t, range(1, t.size * 8)]);
      }
      return struct(tag('b'), [...(chance(0.5) ? [['f', FLOAT] as [string, CType]] : []), ...bits]);
    }
    case 11:
      return union(tag('u'), smallScalars(chance(0.7) ? 16 : 32));
    case 12:
      return chance(0.5) ? EMPTY : struct(tag('fe'), [['a', FLOAT], ['e', EMPTY], ['b', FLOAT]]);
    default:
      return struct(tag('c'), [['c', array(pick([SCHAR, UCHAR]), range(1, 40))]]);
  }
}

const valueType = () => (chance(0.55) ? pick(SCALARS) : composite());

interface Case { f: FunctionType; extra: CType[] | undefined }

function signature(i: number): Case {
  const params: CType[] = [];
  const lead = below(4); // sometimes use up the registers first so that the rest spills
  if (lead === 1) params.push(...Array.from({ length: range(6, 8) }, () => pick(INTS)));
  if (lead === 2) params.push(...Array.from({ length: range(6, 8) }, () => pick([FLOAT, DOUBLE])));
  for (let n = range(0, 10); n > 0; n--) params.push(valueType());
  const variadic = params.length > 0 && chance(0.15);
  const extra = variadic ? Array.from({ length: range(0, 6) }, valueType) : undefined;
  const c = { f: fn(`f${i}`, chance(0.2) ? VOID : valueType(), params, variadic), extra };
  return plan(c.f, c.extra).stackSize <= STACK_BYTES ? c : signature(i);
}

// ---- C generation ------------------------------------------------------------------------------
/** The probe: aarch64-linux-gnu assembly recording the argument registers, sp and the outgoing stack, and a callee's result registers. */
const TARGET: GccTarget = {
  nodeArch: 'arm64', cross: 'aarch64-linux-gnu-gcc', qemu: 'qemu-aarch64',
  packages: 'gcc-aarch64-linux-gnu, libc6-dev-arm64-cross, qemu-user',
  stubs: String.raw`
unsigned char g_gpr[80], g_fpr[64], g_stack[${STACK_BYTES}], g_rgpr[16], g_rfpr[32];
__asm__(
  ".text\n.globl dump_args\n.type dump_args,%function\ndump_args:\n"
  "adrp x16, g_gpr\nadd x16, x16, :lo12:g_gpr\n"
  "stp x0, x1, [x16]\nstp x2, x3, [x16, 16]\nstp x4, x5, [x16, 32]\nstp x6, x7, [x16, 48]\nstr x8, [x16, 64]\n"
  "adrp x16, g_fpr\nadd x16, x16, :lo12:g_fpr\n"
  "stp d0, d1, [x16]\nstp d2, d3, [x16, 16]\nstp d4, d5, [x16, 32]\nstp d6, d7, [x16, 48]\n"
  "adrp x16, g_stack\nadd x16, x16, :lo12:g_stack\nmov x17, sp\nadrp x9, g_gpr\nadd x9, x9, :lo12:g_gpr\nstr x17, [x9, 72]\nmov x9, 0\n"
  "1: ldr x10, [x17, x9]\nstr x10, [x16, x9]\nadd x9, x9, 8\ncmp x9, ${STACK_BYTES}\nb.lt 1b\nret\n"
  ".globl grab_ret\n.type grab_ret,%function\ngrab_ret:\n"
  "stp x29, x30, [sp, -16]!\nmov x29, sp\nmov x9, x0\nmov x8, x1\nmov x0, 0\nmov x1, 0\nblr x9\n"
  "adrp x16, g_rgpr\nadd x16, x16, :lo12:g_rgpr\nstp x0, x1, [x16]\n"
  "adrp x16, g_rfpr\nadd x16, x16, :lo12:g_rfpr\nstp d0, d1, [x16]\nstp d2, d3, [x16, 16]\n"
  "ldp x29, x30, [sp], 16\nret\n");
`,
  spAt: 72, resultRegister: 'x8',
  retFprBytes: 32,
};

// ---- checking ------------------------------------------------------------------------------------
/**
 * The bytes a piece must carry: the value's significant bytes. An extended piece is checked on
 * the value's own bytes only: AAPCS64 leaves the rest unspecified and GCC does not extend.
 */
function expected(t: CType, img: Uint8Array, piece: Piece): { want: number[]; mask: number[] } {
  const m = new Uint8Array(t.size);
  significant(t, 0, m);
  const size = piece.extend ? t.size : piece.size;
  const mask = Array.from({ length: size }, (_, k) => m[piece.from + k]!);
  return { want: mask.map((mk, k) => img[piece.from + k]! & mk), mask };
}

/** How often each rule the generator aims at fired: a generator that stops reaching one must fail. */
function coverage(plans: readonly CallPlan[]): Record<string, number> {
  const isRecord = (t: CType) => t.kind === 'struct' || t.kind === 'union';
  const tally: Record<string, number> = {
    'HFA in v registers': 0, 'HFA over 16 bytes on the stack': 0, 'by reference in a register': 0,
    'by reference on the stack': 0, '16-aligned composite in registers': 0, 'composite on the stack': 0,
    'empty struct': 0, 'float on the stack': 0, 'narrow integer on the stack': 0, 'variadic arguments': 0,
    'result in memory': 0, 'HFA result': 0, 'composite result in x0/x1': 0,
  };
  const count = (k: string, yes: boolean) => { if (yes) tally[k]!++; };
  for (const p of plans) {
    for (const a of p.args) {
      const first = a.pieces[0]?.to;
      const rec = isRecord(a.type);
      count('HFA in v registers', rec && first?.kind === 'fpr');
      count('HFA over 16 bytes on the stack', rec && !a.byReference && a.type.size > 16 && first?.kind === 'stack');
      count('by reference in a register', a.byReference && first?.kind === 'gpr');
      count('by reference on the stack', a.byReference && first?.kind === 'stack');
      count('16-aligned composite in registers', rec && a.type.align === 16 && first?.kind === 'gpr' && !a.byReference);
      count('composite on the stack', rec && !a.byReference && a.type.size <= 16 && first?.kind === 'stack');
      count('empty struct', a.type.size === 0);
      count('float on the stack', a.type.kind === 'scalar' && a.type.rep === 'f32' && first?.kind === 'stack');
      count('narrow integer on the stack', a.type.size < 4 && !rec && first?.kind === 'stack');
    }
    count('variadic arguments', p.args.length > p.fn.params.length);
    count('result in memory', p.ret.kind === 'memory');
    count('HFA result', p.ret.kind === 'regs' && isRecord(p.ret.type) && p.ret.pieces[0]?.to.kind === 'fpr');
    count('composite result in x0/x1', p.ret.kind === 'regs' && isRecord(p.ret.type) && p.ret.pieces[0]?.to.kind === 'gpr');
  }
  return tally;
}

test(`plans match where aarch64 GCC -O1 puts arguments and results, ${COUNT} random signatures (seed ${SEED})`, { skip: toolsMissing(TARGET) }, async (t) => {
  const plans = Array.from({ length: COUNT }, (_, i) => {
    const c = signature(i);
    return plan(c.f, c.extra);
  });
  await groundTruth(t, TARGET, plans, SEED, expected, coverage);
});
