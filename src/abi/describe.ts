// Prints a CallPlan on one line, e.g. `add(int a, int b) -> int: a=rdi[0..4) b=rsi[0..4) ret=rax[0..4)`.
import type { FunctionType } from '../types/ctype.js';
import type { ArgPlan, CallPlan, Location, Piece } from './plan.js';

/**
 * Register names per ABI: argument gprs/fprs (a memory return's pointer is an argument gpr),
 * return gprs/fprs, and whether calls pass a vector count (`al=`). Unknown ABIs print gpr0, fpr0.
 */
interface RegisterNames {
  readonly argGpr: readonly string[];
  readonly argFpr: readonly string[];
  readonly retGpr: readonly string[];
  readonly retFpr: readonly string[];
  readonly vectorCount: boolean;
}

const XMM = ['xmm0', 'xmm1', 'xmm2', 'xmm3', 'xmm4', 'xmm5', 'xmm6', 'xmm7'];

const REGISTER_NAMES: Readonly<Record<string, RegisterNames>> = {
  'sysv-x86_64': {
    argGpr: ['rdi', 'rsi', 'rdx', 'rcx', 'r8', 'r9'],
    argFpr: XMM,
    retGpr: ['rax', 'rdx'],
    retFpr: ['xmm0', 'xmm1'],
    vectorCount: true,
  },
  // x8 (gpr 8) only ever carries a memory return's address. v<n> holds a float in s<n>, a double in d<n>.
  aapcs64: {
    argGpr: ['x0', 'x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'x8'],
    argFpr: ['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7'],
    retGpr: ['x0', 'x1'],
    retFpr: ['v0', 'v1', 'v2', 'v3'],
    vectorCount: false,
  },
  // No argument FPRs; st(0) is the float result. gpr 0..2 are eax, edx, ecx in that order.
  'sysv-i386': {
    argGpr: ['eax', 'edx', 'ecx'],
    argFpr: [],
    retGpr: ['eax', 'edx'],
    retFpr: ['st0'],
    vectorCount: false,
  },
  'riscv-lp64d': {
    argGpr: ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'],
    argFpr: ['fa0', 'fa1', 'fa2', 'fa3', 'fa4', 'fa5', 'fa6', 'fa7'],
    retGpr: ['a0', 'a1'],
    retFpr: ['fa0', 'fa1'],
    vectorCount: false,
  },
};

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `name(params) -> ret: arg=where... ret=where [al=N] [stack=N] [pops=N]` (al= only where the ABI has
 * it; pops= the bytes an i386 stdcall/fastcall callee, or one given a result pointer on the stack, pops).
 * A piece prints as `reg[from..to)`, with `sx`/`zx` after an extended one; stack pieces as
 * `sp+offset[from..to)`; an argument with no pieces (empty struct) as `-`; one passed by
 * reference as `ref(where the pointer goes)`; a memory return as `mem(rdi)` (i386: `mem(sp+0)`).
 */
export function describe(plan: CallPlan): string {
  const names = REGISTER_NAMES[plan.abi];
  const parts = plan.args.map((a) => {
    const where = pieces(a.pieces, names, false);
    return `${argLabel(plan.fn, a)}=${a.byReference ? `ref(${where})` : where}`;
  });
  const ret = plan.ret;
  if (ret.kind === 'regs') parts.push(`ret=${pieces(ret.pieces, names, true)}`);
  if (ret.kind === 'memory') parts.push(`ret=mem(${location(ret.pointer, names, false)})`);
  if (plan.variadic && names?.vectorCount !== false) parts.push(`al=${plan.vectorCount}`);
  if (plan.stackSize > 0) parts.push(`stack=${plan.stackSize}`);
  if (plan.calleePops > 0) parts.push(`pops=${plan.calleePops}`);
  return `${signature(plan.fn)}:${parts.map((p) => ` ${p}`).join('')}`;
}

function signature(fn: FunctionType): string {
  const params = fn.params.map((p) => (p.name ? `${p.type.name} ${p.name}` : p.type.name));
  if (fn.variadic) params.push('...');
  const name = IDENTIFIER.test(fn.name) ? fn.name : '';
  return `${name}(${params.join(', ')}) -> ${fn.ret.name}`;
}

function argLabel(fn: FunctionType, a: ArgPlan): string {
  return fn.params[a.index]?.name || `#${a.index}`;
}

function pieces(list: readonly Piece[], names: RegisterNames | undefined, isReturn: boolean): string {
  if (list.length === 0) return '-';
  return list.map((p) => {
    const ext = p.extend === 'sign' ? 'sx' : p.extend === 'zero' ? 'zx' : '';
    return `${location(p.to, names, isReturn)}[${p.from}..${p.from + p.size})${ext}`;
  }).join('+');
}

function location(to: Location, names: RegisterNames | undefined, isReturn: boolean): string {
  switch (to.kind) {
    case 'gpr':
      return (isReturn ? names?.retGpr : names?.argGpr)?.[to.index] ?? `gpr${to.index}`;
    case 'fpr':
      return (isReturn ? names?.retFpr : names?.argFpr)?.[to.index] ?? `fpr${to.index}`;
    case 'stack':
      return `sp+${to.offset}`;
  }
}
