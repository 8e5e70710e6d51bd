// Area: abi/sysv-i386. Purpose: ground truth from GCC for random signatures in every i386
// convention (cdecl, stdcall, fastcall, regparm(1..3), stdcall with regparm, and variadic ones
// with each). A C caller (gcc -O1, static) passes distinct byte patterns to an assembly probe that
// records eax, edx, ecx, esp and the outgoing stack; every piece of our plan must find its bytes
// exactly there, narrow integers extended to 32 bits as planned, and a result pointer must be a
// stack address where the plan puts it. Returns likewise: an assembly caller calls a C function
// of the case's own signature and convention that returns a pattern, and records eax, edx, st(0)
// (stored as the result's type), the buffer a struct result went to, and how far esp moved across
// the call, which must be the plan's calleePops. Runs natively where process.arch is ia32 (gcc,
// or TRAMPFD_CC), e.g. in scripts/i386-chroot.sh; skipped elsewhere: the i386 types in the plans
// are test-made (support-ctypes ILP32), but the binaries must run as i386 and the check is of gcc.
// TRAMPFD_SEED reproduces a run (the seed is printed); TRAMPFD_GEN_COUNT sets the signature count.
import { test } from 'node:test';
import { plan } from '../dist/abi/sysv-i386.js';
import type { CallPlan, Piece } from '../dist/abi/index.js';
import type { CallingConvention, CType, FunctionType, RecordType } from '../dist/types/ctype.js';
import { groundTruth, significant, STACK_BYTES, toolsMissing, type GccTarget } from './support-abi-gcc.js';
import { SEED, draws, rng } from './support-rng.js';
import {
  array, BOOL, CHAR, CONVENTIONS, enumType, FLOAT, fn, ILP32, INT, SCHAR, SHORT, struct, UCHAR, UINT, union, USHORT, VOID,
} from './support-ctypes.js';

const COUNT = Number(process.env.TRAMPFD_GEN_COUNT ?? 600);
if (!Number.isSafeInteger(COUNT) || COUNT < 1) throw new Error(`TRAMPFD_GEN_COUNT must be a positive integer, got '${process.env.TRAMPFD_GEN_COUNT}'`);
// ---- random signatures ---------------------------------------------------------------------------
const r = rng(SEED);
const { below, range, chance, pick } = draws(r);
let tags = 0;
const tag = (p: string) => `${p}${tags++}`;

const { LONG, ULONG, LLONG, ULLONG, DOUBLE, PTR } = ILP32;
const color = enumType('color');
const small = enumType('small', UCHAR);
/** `typedef int i16_t __attribute__((aligned(16)))` (in the probe's C): a member type gcc aligns the stack for. */
const I16 = ILP32.aligned(INT, 'i16_t', 16);
const INTS = [CHAR, SCHAR, UCHAR, SHORT, USHORT, INT, UINT, LONG, ULONG, LLONG, ULLONG, color, small];
const SCALARS = [...INTS, BOOL, FLOAT, DOUBLE, PTR, ILP32.pointer(INT)];
const MEMBER_SCALARS = [...INTS, FLOAT, DOUBLE, PTR]; // no bool inside records: their bytes are random
const EMPTY = struct('empty', []);

function members(maxSize: number): [string, CType][] {
  const specs: [string, CType][] = [];
  for (let i = range(1, 4); i > 0; i--) specs.push([`m${specs.length}`, pick(MEMBER_SCALARS)]);
  return struct('probe', specs).size <= maxSize ? specs : members(maxSize);
}

function composite(): CType {
  switch (below(14)) {
    case 0: case 1: // up to 12 bytes: fits regparm's registers
      return struct(tag('s'), members(12));
    case 2: // bigger: never in registers, and uses them up
      return struct(tag('l'), [...members(12), ['big', array(pick(MEMBER_SCALARS), range(2, 4))]]);
    case 3: // gcc's float-mode structs: on the stack under regparm/fastcall, counting no register
      return pick([
        () => struct(tag('f'), [['f', pick([FLOAT, DOUBLE])]]),
        () => struct(tag('f'), [['f', array(pick([FLOAT, DOUBLE]), 1)]]),
        () => struct(tag('f'), [['e', EMPTY], ['s', struct(tag('i'), [['d', pick([FLOAT, DOUBLE])]])]]),
        () => struct(tag('f'), [['f', FLOAT]], { packed: true }),
      ])();
    case 4: // and their integer-mode neighbours
      return pick([
        () => struct(tag('g'), [['f', FLOAT], ['g', FLOAT]]),
        () => struct(tag('g'), [['f', array(FLOAT, 2)]]),
        () => union(tag('u'), [['f', FLOAT]]),
        () => union(tag('u'), [['f', FLOAT], ['i', INT]]),
        () => union(tag('u'), [['d', DOUBLE]]),
        () => struct(tag('g'), [['f', FLOAT]], { aligned: 8 }),
      ])();
    case 5: // 1-3 bytes: one register word
      return struct(tag('c'), [['c', array(pick([SCHAR, UCHAR]), range(1, 3))]]);
    case 6:
      return struct(tag('p'), [['c', pick([SCHAR, UCHAR])], ...members(pick([8, 12, 20]))], { packed: true });
    case 7: // aligned(16) alone does not align a stack slot; a member type aligned to 16 does
      return chance(0.5)
        ? struct(tag('a'), members(pick([4, 8, 16])), { aligned: 16 })
        : struct(tag('w'), [['x', I16], ...members(12)]);
    case 8: {
      const bits: [string, CType, number][] = [];
      for (let i = range(1, 3); i > 0; i--) {
        const t = pick([INT, UINT, UCHAR, USHORT, LLONG, ULLONG]);
        bits.push([`b${i}`, t, range(1, t.size * 8)]);
      }
      return struct(tag('b'), bits);
    }
    case 9:
      return union(tag('u'), members(chance(0.7) ? 8 : 16));
    case 10:
      return chance(0.5) ? EMPTY : struct(tag('fe'), [['a', FLOAT], ['e', EMPTY], ['b', INT]]);
    default:
      return struct(tag('c'), [['c', array(pick([SCHAR, UCHAR]), range(1, 24))]]);
  }
}

const valueType = () => (chance(0.6) ? pick(SCALARS) : composite());

const CONVENTION_CHOICES: readonly (CallingConvention | undefined)[] = [
  undefined, undefined, CONVENTIONS.stdcall, CONVENTIONS.fastcall, CONVENTIONS.fastcall,
  CONVENTIONS.regparm(1), CONVENTIONS.regparm(2), CONVENTIONS.regparm(3), CONVENTIONS.regparm(3),
  CONVENTIONS.stdcallRegparm(1), CONVENTIONS.stdcallRegparm(2), CONVENTIONS.stdcallRegparm(3),
];

interface Case { f: FunctionType; extra: CType[] | undefined }

function signature(i: number): Case {
  const params: CType[] = [];
  // Sometimes a run of small integers and long longs first, so that the registers run out.
  if (chance(0.3)) params.push(...Array.from({ length: range(1, 3) }, () => pick([INT, LLONG, SHORT, PTR, DOUBLE])));
  for (let n = range(0, 7); n > 0; n--) params.push(valueType());
  const variadic = params.length > 0 && chance(0.2);
  const extra = variadic ? Array.from({ length: range(0, 5) }, valueType) : undefined;
  const c = { f: fn(`f${i}`, chance(0.2) ? VOID : valueType(), params, variadic, pick(CONVENTION_CHOICES)), extra };
  return plan(c.f, c.extra).stackSize <= STACK_BYTES ? c : signature(i);
}

// ---- the probe -----------------------------------------------------------------------------------
/**
 * i386 assembly. dump_args records eax, edx, ecx, the esp of the call and the outgoing stack, then
 * pops g_pop bytes as the plan says the callee must (and, for a float result, pushes 0 on the x87
 * stack, which the C caller pops). grab_ret(fn, buf, kind) passes buf as a result pointer in the
 * first stack slot, eax and ecx at once, calls fn and records eax, edx, st(0) (kind 1: a float,
 * 2: a double) and in g_pops how far esp moved.
 */
const TARGET: GccTarget = {
  nodeArch: 'ia32', cross: 'i686-linux-gnu-gcc', qemu: 'qemu-i386',
  packages: 'gcc (i386 Linux, e.g. scripts/cross-setup.sh and scripts/i386-chroot.sh)',
  stubs: String.raw`
typedef int i16_t __attribute__((aligned(16)));
unsigned char g_gpr[16], g_fpr[8], g_stack[${STACK_BYTES}], g_rgpr[8], g_rfpr[8];
unsigned g_pop, g_fld;
int g_pops;
void grab_ret(void *fn, void *buf, int kind);
__asm__(
  ".text\n.globl dump_args\n.type dump_args,@function\ndump_args:\n"
  "movl %eax, g_gpr\nmovl %edx, g_gpr+4\nmovl %ecx, g_gpr+8\nleal 4(%esp), %eax\nmovl %eax, g_gpr+12\n"
  "pushl %esi\npushl %edi\nleal 12(%esp), %esi\nleal g_stack, %edi\nmovl $${STACK_BYTES / 4}, %ecx\ncld\nrep movsl\npopl %edi\npopl %esi\n"
  "cmpl $0, g_fld\nje 1f\nfldz\n1:\n"
  "popl %ecx\naddl g_pop, %esp\njmp *%ecx\n"
  ".globl grab_ret\n.type grab_ret,@function\ngrab_ret:\n"
  "pushl %ebp\nmovl %esp, %ebp\npushl %ebx\npushl %esi\npushl %edi\n"
  "movl 8(%ebp), %esi\nmovl 12(%ebp), %edi\nsubl $${STACK_BYTES + 16}, %esp\nandl $-16, %esp\n"
  "movl %edi, (%esp)\nmovl %edi, %eax\nmovl %edi, %ecx\nmovl %esp, %ebx\n"
  "call *%esi\n"
  "movl %eax, g_rgpr\nmovl %edx, g_rgpr+4\nmovl %esp, %eax\nsubl %ebx, %eax\nmovl %eax, g_pops\n"
  "cmpl $1, 16(%ebp)\njne 2f\nfstps g_rfpr\n2:\ncmpl $2, 16(%ebp)\njne 3f\nfstpl g_rfpr\n3:\n"
  "leal -12(%ebp), %esp\npopl %edi\npopl %esi\npopl %ebx\npopl %ebp\nret\n");
`,
  spAt: 12, resultRegister: 'the first stack slot, eax or ecx',
  retFprBytes: 8, wordSize: 4, calleePops: true,
  cflags: ['-fno-omit-frame-pointer', '-fno-pic', '-no-pie'],
};

// ---- checking ------------------------------------------------------------------------------------
/**
 * The bytes a piece must carry: the value's significant bytes. An extended narrow integer must
 * fill its whole word, extended as planned, in a register and on the stack alike. A float or
 * double that went through the x87 unit (st(0), or a stack copy gcc made with fld/fstp) has a
 * signalling NaN pattern quieted, as the hardware does.
 */
function expected(t: CType, img: Uint8Array, piece: Piece): { want: number[]; mask: number[] } {
  if (piece.extend) {
    const negative = piece.extend === 'sign' && (img[t.size - 1]! & 0x80) !== 0;
    return { want: Array.from({ length: 4 }, (_, k) => (k < t.size ? img[k]! : negative ? 0xff : 0)), mask: Array(4).fill(0xff) };
  }
  const m = new Uint8Array(t.size);
  significant(t, 0, m);
  const mask = Array.from({ length: piece.size }, (_, k) => m[piece.from + k]!);
  const want = mask.map((mk, k) => img[piece.from + k]! & mk);
  if (t.kind === 'scalar' && (t.rep === 'f32' || t.rep === 'f64')) quietNaN(want, t.size);
  return { want, mask };
}

/** Sets the quiet bit of a signalling NaN (little-endian float or double bytes). */
function quietNaN(b: number[], size: number): void {
  const bits = size === 4 ? BigInt(new DataView(Uint8Array.from(b).buffer).getUint32(0, true))
    : new DataView(Uint8Array.from(b).buffer).getBigUint64(0, true);
  const [expBits, fracBits] = size === 4 ? [8n, 23n] : [11n, 52n];
  const exp = (bits >> fracBits) & ((1n << expBits) - 1n);
  const frac = bits & ((1n << fracBits) - 1n);
  const quiet = 1n << (fracBits - 1n);
  if (exp !== (1n << expBits) - 1n || frac === 0n || (frac & quiet) !== 0n) return;
  const q = bits | quiet;
  for (let k = 0; k < size; k++) b[k] = Number((q >> BigInt(8 * k)) & 0xffn);
}

/** How often each rule the generator aims at fired: a generator that stops reaching one must fail. */
function coverage(plans: readonly CallPlan[]): Record<string, number> {
  const isRecord = (t: CType): t is RecordType => t.kind === 'struct' || t.kind === 'union';
  const tally: Record<string, number> = {
    'regparm: an integer in a register': 0, 'regparm: a long long in two registers': 0, 'regparm: a struct in registers': 0,
    'regparm: a value wider than the registers left, on the stack': 0, 'fastcall: an integer in ecx or edx': 0,
    'fastcall: a struct or long long on the stack, its words counted': 0, 'float-mode struct on the stack with registers free': 0,
    'result pointer in eax': 0, 'result pointer in ecx': 0, 'result pointer on the stack': 0,
    'callee pops its stack arguments': 0, 'callee pops only the result pointer': 0, 'variadic with a convention': 0,
    'empty struct': 0, '16-aligned stack slot': 0, 'narrow integer extended': 0, 'float result in st(0)': 0,
    'double result in st(0)': 0, 'long long result in edx:eax': 0,
  };
  const count = (k: string, yes: boolean) => { if (yes) tally[k]!++; };
  for (const p of plans) {
    const conv = p.fn.convention;
    const regparm = !p.variadic && conv !== undefined && conv.registers !== 'fastcall' && conv.registers > 0;
    const fastcall = !p.variadic && conv?.registers === 'fastcall';
    let registersLeft = true;
    p.args.forEach((a) => {
      const first = a.pieces[0]?.to;
      const rec = isRecord(a.type);
      count('regparm: an integer in a register', regparm && !rec && a.type.size <= 4 && first?.kind === 'gpr');
      count('regparm: a long long in two registers', regparm && !rec && a.pieces.length === 2);
      count('regparm: a struct in registers', regparm && rec && first?.kind === 'gpr');
      count('regparm: a value wider than the registers left, on the stack', regparm && registersLeft && first?.kind === 'stack' && a.type.size > 4);
      count('fastcall: an integer in ecx or edx', fastcall && first?.kind === 'gpr');
      count('fastcall: a struct or long long on the stack, its words counted', fastcall && registersLeft && first?.kind === 'stack' && (rec || a.type.size === 8) && a.type.size <= 8);
      count('float-mode struct on the stack with registers free', (regparm || fastcall) && registersLeft && rec && first?.kind === 'stack' && a.type.size <= 8);
      count('empty struct', a.type.size === 0);
      count('16-aligned stack slot', first?.kind === 'stack' && first.offset % 16 === 0 && a.type.align >= 16 && rec && a.type.fields.some((f) => f.type === I16));
      count('narrow integer extended', a.pieces.some((x) => x.extend !== undefined));
      if (first?.kind === 'stack' && a.type.kind === 'scalar' && a.type.size <= 4) registersLeft = false;
    });
    const ret = p.ret;
    count('result pointer in eax', ret.kind === 'memory' && ret.pointer.kind === 'gpr' && ret.pointer.index === 0);
    count('result pointer in ecx', ret.kind === 'memory' && ret.pointer.kind === 'gpr' && ret.pointer.index === 2);
    count('result pointer on the stack', ret.kind === 'memory' && ret.pointer.kind === 'stack');
    count('callee pops its stack arguments', p.calleePops > 4);
    count('callee pops only the result pointer', p.calleePops === 4 && !conv?.calleePops);
    count('variadic with a convention', p.variadic && conv !== undefined);
    count('float result in st(0)', ret.kind === 'regs' && ret.pieces[0]?.to.kind === 'fpr' && ret.type.size === 4);
    count('double result in st(0)', ret.kind === 'regs' && ret.pieces[0]?.to.kind === 'fpr' && ret.type.size === 8);
    count('long long result in edx:eax', ret.kind === 'regs' && ret.pieces.length === 2);
  }
  return tally;
}

const notHere = process.arch !== 'ia32' ? `needs i386 (process.arch ia32, here ${process.arch}): run it in scripts/i386-chroot.sh` : toolsMissing(TARGET);

test(`plans match where i386 GCC -O1 puts arguments and results in every convention, ${COUNT} random signatures (seed ${SEED})`, { skip: notHere }, async (t) => {
  const plans = Array.from({ length: COUNT }, (_, i) => {
    const c = signature(i);
    return plan(c.f, c.extra);
  });
  await groundTruth(t, TARGET, plans, SEED, expected, coverage);
});
