// Area: abi/lp64d. Purpose: ground truth from GCC for random signatures. A C caller
// (riscv64-linux-gnu-gcc -O1, static) passes distinct byte patterns to an assembly probe that
// records a0..a7, fa0..fa7, sp and the outgoing stack; every piece of our plan must find its bytes
// exactly there (and by-reference arguments a pointer to a copy), register pieces of narrow
// integers extended to 64 bits as planned and floats in FPRs NaN-boxed. Returns likewise: an
// assembly caller passes a buffer in a0, calls a C function returning a pattern and records a0,
// a1, fa0, fa1. Runs under qemu-riscv64 on other hosts, natively on RISC-V 64 Linux; skipped
// without the compiler or qemu.
// TRAMPFD_SEED reproduces a run (the seed is printed); TRAMPFD_GEN_COUNT sets the signature count.
import { test } from 'node:test';
import { plan } from '../dist/abi/lp64d.js';
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

// Plain char is unsigned on RISC-V: signatures spell signed/unsigned char explicitly.
const color = enumType('color');
const small = enumType('small', UCHAR);
const INTS = [SCHAR, UCHAR, SHORT, USHORT, INT, UINT, LONG, ULONG, LLONG, color, small];
const SCALARS = [...INTS, BOOL, FLOAT, DOUBLE, PTR, pointer(INT)];
const MEMBER_SCALARS = [...INTS, FLOAT, DOUBLE, PTR]; // no bool inside records: their bytes are random
const EMPTY = struct('empty', []);

/** `n` (1 or 2) members of `base`, nested in structs and arrays at random: what flattening sees through. */
function nested(members: readonly CType[], depth = 0): RecordType {
  const specs: [string, CType][] = [];
  for (const m of members) {
    const roll = below(depth > 1 ? 2 : 5);
    specs.push([`m${specs.length}`, roll <= 1 ? m : roll === 2 ? array(m, 1) : nested([m], depth + 1)]);
    if (chance(0.1)) specs.push([`e${specs.length}`, EMPTY]);
  }
  if (members.length === 2 && members[0] === members[1] && chance(0.2)) specs.splice(0, specs.length, ['a', array(members[0]!, 2)]);
  return struct(tag('n'), specs, chance(0.1) ? { packed: true } : {});
}

function smallScalars(maxSize: number): [string, CType][] {
  const specs: [string, CType][] = [];
  for (let i = range(1, 4); i > 0; i--) specs.push([`m${specs.length}`, pick(MEMBER_SCALARS)]);
  return struct('probe', specs).size <= maxSize ? specs : smallScalars(maxSize);
}

const FP = [FLOAT, DOUBLE];
const FP_INTS = [SCHAR, UCHAR, SHORT, USHORT, INT, UINT, LONG, ULONG, LLONG, color, small];

function composite(): CType {
  switch (below(16)) {
    case 0: case 1: // one or two floating-point members: FPRs
      return nested(Array.from({ length: range(1, 2) }, () => pick(FP)));
    case 2: case 3: { // one floating-point and one integer member, either order: an FPR and a GPR
      const pair = [pick(FP), pick(FP_INTS)];
      return nested(chance(0.5) ? pair : pair.reverse());
    }
    case 4: // not flattenable: three members, a pointer member, a union of floats, a float array of 3
      return pick([
        () => nested([pick(FP), pick(FP), pick(FP)]),
        () => struct(tag('fp'), [['f', pick(FP)], ['p', PTR]]),
        () => struct(tag('fu'), [['u', union(tag('u'), [['f', FLOAT], ['d', DOUBLE]])]]),
        () => union(tag('uf'), [['a', FLOAT], ['b', FLOAT]]),
        () => struct(tag('f3'), [['f', array(FLOAT, 3)]]),
      ])();
    case 5: case 6:
      return struct(tag('s'), smallScalars(16));
    case 7:
      return struct(tag('l'), [...smallScalars(16), ['big', array(pick(MEMBER_SCALARS), range(2, 4))]]);
    case 8: { // aligned(16): even register pairs when variadic, 16-aligned stack slots
      const a16 = struct(tag('a'), smallScalars(pick([8, 16])), { aligned: 16 });
      return pick([a16, struct(tag('w'), [['x', a16]]), struct(tag('w'), [['x', a16], ['y', INT]])]);
    }
    case 9:
      return struct(tag('p'), [['c', pick([SCHAR, UCHAR])], ...smallScalars(pick([8, 15, 24]))], { packed: true });
    case 10: { // named bitfields: an integer member of their declared type (with a float: FPR + GPR)
      const bits: [string, CType, number][] = [];
      for (let i = range(1, chance(0.5) ? 1 : 3); i > 0; i--) {
        const t = pick([INT, UINT, UCHAR, USHORT, LONG]);
        bits.push([`b${i}`, t, range(1, t.size * 8)]);
      }
      return struct(tag('b'), [...(chance(0.6) ? [['f', pick(FP)] as [string, CType]] : []), ...bits]);
    }
    case 11:
      return union(tag('u'), smallScalars(chance(0.7) ? 16 : 32));
    case 12:
      return chance(0.5) ? EMPTY : struct(tag('fe'), [['a', FLOAT], ['e', EMPTY], ['b', FLOAT]]);
    case 13: // a single float aligned beyond 2×XLEN: still an FPR argument (by reference only without one)
      return struct(tag('fa'), [['f', pick(FP)]], { aligned: pick([16, 32]) });
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
  if (lead === 2) params.push(...Array.from({ length: range(6, 9) }, () => pick([FLOAT, DOUBLE])));
  if (lead === 3 && chance(0.5)) params.push(...Array.from({ length: range(6, 8) }, () => pick([...INTS, FLOAT, DOUBLE])));
  for (let n = range(0, 10); n > 0; n--) params.push(valueType());
  const variadic = params.length > 0 && chance(0.2);
  if (variadic && chance(0.5)) params.splice(range(1, 3)); // leave registers for the variadic arguments
  const extra = variadic ? Array.from({ length: range(0, 6) }, valueType) : undefined;
  const c = { f: fn(`f${i}`, chance(0.2) ? VOID : valueType(), params, variadic), extra };
  return plan(c.f, c.extra).stackSize <= STACK_BYTES ? c : signature(i);
}

// ---- C generation ------------------------------------------------------------------------------
/** The probe: riscv64-linux-gnu assembly recording the argument registers, sp and the outgoing stack, and a callee's result registers. */
const TARGET: GccTarget = {
  nodeArch: 'riscv64', cross: 'riscv64-linux-gnu-gcc', qemu: 'qemu-riscv64',
  packages: 'gcc-riscv64-linux-gnu, libc6-dev-riscv64-cross, qemu-user',
  stubs: String.raw`
unsigned char g_gpr[72], g_fpr[64], g_stack[${STACK_BYTES}], g_rgpr[16], g_rfpr[16];
__asm__(
  ".text\n.option norvc\n.globl dump_args\n.type dump_args,%function\ndump_args:\n"
  "lla t0, g_gpr\nsd a0, 0(t0)\nsd a1, 8(t0)\nsd a2, 16(t0)\nsd a3, 24(t0)\nsd a4, 32(t0)\nsd a5, 40(t0)\nsd a6, 48(t0)\nsd a7, 56(t0)\nsd sp, 64(t0)\n"
  "lla t0, g_fpr\nfsd fa0, 0(t0)\nfsd fa1, 8(t0)\nfsd fa2, 16(t0)\nfsd fa3, 24(t0)\nfsd fa4, 32(t0)\nfsd fa5, 40(t0)\nfsd fa6, 48(t0)\nfsd fa7, 56(t0)\n"
  "lla t0, g_stack\nmv t1, sp\nli t2, ${STACK_BYTES}\n"
  "1: ld t3, 0(t1)\nsd t3, 0(t0)\naddi t0, t0, 8\naddi t1, t1, 8\naddi t2, t2, -8\nbnez t2, 1b\nret\n"
  ".globl grab_ret\n.type grab_ret,%function\ngrab_ret:\n"
  "addi sp, sp, -16\nsd ra, 8(sp)\nmv t0, a0\nmv a0, a1\nli a1, 0\njalr t0\n"
  "lla t0, g_rgpr\nsd a0, 0(t0)\nsd a1, 8(t0)\n"
  "lla t0, g_rfpr\nfsd fa0, 0(t0)\nfsd fa1, 8(t0)\n"
  "ld ra, 8(sp)\naddi sp, sp, 16\nret\n");
`,
  spAt: 64, resultRegister: 'a0',
  retFprBytes: 16,
};

// ---- checking ------------------------------------------------------------------------------------
/**
 * The bytes a piece must carry: the value's significant bytes. A register piece of an extended
 * integer must hold all 8 bytes of the value extended as planned (psABI: narrower integers by
 * their type to 32 bits, then sign-extended to XLEN; callees rely on it); on the stack only the
 * value's own bytes are checked (GCC stores just those). A float in an FPR must be NaN-boxed.
 */
function expected(t: CType, img: Uint8Array, piece: Piece): { want: number[]; mask: number[] } {
  const m = new Uint8Array(t.size);
  significant(t, 0, m);
  if (piece.extend && piece.to.kind !== 'stack') {
    const top = img[t.size - 1]! & 0x80;
    const fill = piece.extend === 'sign' && (top !== 0) ? 0xff : 0;
    const want = Array.from({ length: 8 }, (_, k) => (k < t.size ? img[k]! : fill));
    return { want, mask: Array(8).fill(0xff) };
  }
  const size = piece.extend ? t.size : piece.size;
  const mask = Array.from({ length: size }, (_, k) => m[piece.from + k]!);
  const want = mask.map((mk, k) => img[piece.from + k]! & mk);
  if (piece.to.kind === 'fpr' && piece.size === 4) return { want: [...want, 0xff, 0xff, 0xff, 0xff], mask: [...mask, 0xff, 0xff, 0xff, 0xff] };
  return { want, mask };
}

/** How often each rule the generator aims at fired: a generator that stops reaching one must fail. */
function coverage(plans: readonly CallPlan[]): Record<string, number> {
  const isRecord = (t: CType) => t.kind === 'struct' || t.kind === 'union';
  const tally: Record<string, number> = {
    'float in an FPR': 0, 'float in a GPR (FPRs used up)': 0, 'two-FP struct in FPRs': 0, 'FP+integer struct in an FPR and a GPR': 0,
    'FP struct by the integer convention': 0, 'split between a7 and the stack': 0, 'by reference in a register': 0,
    'by reference on the stack': 0, 'composite on the stack': 0, 'empty struct': 0, 'narrow integer on the stack': 0,
    'variadic double in a GPR': 0, 'variadic aligned register pair': 0, 'result in memory': 0,
    'FP struct result': 0, 'composite result in a0/a1': 0,
  };
  const count = (k: string, yes: boolean) => { if (yes) tally[k]!++; };
  const flat = (t: CType): boolean => (t.kind === 'struct' || t.kind === 'union') && t.fields.some((f) => f.type.kind === 'scalar' && (f.type.rep === 'f32' || f.type.rep === 'f64'));
  for (const p of plans) {
    p.args.forEach((a, k) => {
      const first = a.pieces[0]?.to;
      const rec = isRecord(a.type);
      const fp = a.type.kind === 'scalar' && (a.type.rep === 'f32' || a.type.rep === 'f64');
      const named = k < p.fn.params.length;
      count('float in an FPR', fp && first?.kind === 'fpr');
      count('float in a GPR (FPRs used up)', fp && named && first?.kind === 'gpr');
      count('two-FP struct in FPRs', rec && a.pieces.length === 2 && a.pieces.every((x) => x.to.kind === 'fpr'));
      count('FP+integer struct in an FPR and a GPR', rec && a.pieces.some((x) => x.to.kind === 'fpr') && a.pieces.some((x) => x.to.kind === 'gpr'));
      count('FP struct by the integer convention', named && flat(a.type) && a.type.size <= 16 && a.pieces.every((x) => x.to.kind !== 'fpr'));
      count('split between a7 and the stack', a.pieces.some((x) => x.to.kind === 'gpr' && x.to.index === 7) && a.pieces.some((x) => x.to.kind === 'stack'));
      count('by reference in a register', a.byReference && first?.kind === 'gpr');
      count('by reference on the stack', a.byReference && first?.kind === 'stack');
      count('composite on the stack', rec && !a.byReference && first?.kind === 'stack');
      count('empty struct', a.type.size === 0);
      count('narrow integer on the stack', a.type.size < 4 && !rec && first?.kind === 'stack');
      count('variadic double in a GPR', !named && fp && first?.kind === 'gpr');
      count('variadic aligned register pair', !named && a.type.align === 16 && first?.kind === 'gpr');
    });
    count('result in memory', p.ret.kind === 'memory');
    count('FP struct result', p.ret.kind === 'regs' && isRecord(p.ret.type) && p.ret.pieces.some((x) => x.to.kind === 'fpr'));
    count('composite result in a0/a1', p.ret.kind === 'regs' && isRecord(p.ret.type) && p.ret.pieces[0]?.to.kind === 'gpr');
  }
  return tally;
}

test(`plans match where riscv64 GCC -O1 puts arguments and results, ${COUNT} random signatures (seed ${SEED})`, { skip: toolsMissing(TARGET) }, async (t) => {
  const plans = Array.from({ length: COUNT }, (_, i) => {
    const c = signature(i);
    return plan(c.f, c.extra);
  });
  await groundTruth(t, TARGET, plans, SEED, expected, coverage);
});
