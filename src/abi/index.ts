// The ABI planners, the plan format and its printer; `plan` is this process's target's convention.
import type { CType, FunctionType } from '../types/ctype.js';
import { HOST } from '../targets/index.js';
import { AbiError } from './errors.js';
import type { CallPlan } from './plan.js';
import * as aapcs64 from './aapcs64.js';
import * as lp64d from './lp64d.js';
import * as sysvI386 from './sysv-i386.js';
import * as sysvX86_64 from './sysv-x86_64.js';

export { describe } from './describe.js';
export { AbiError } from './errors.js';
export type { AbiErrorReason } from './errors.js';
export type { ArgPlan, CallPlan, Location, Piece, ReturnPlan } from './plan.js';

/** A calling convention: a signature (and the types of variadic arguments) to a CallPlan. */
export interface Convention {
  readonly abi: string;
  plan(fn: FunctionType, variadicArgs?: readonly CType[]): CallPlan;
}

/** The convention of each target, by Arch name. */
export const CONVENTIONS: Readonly<Record<string, Convention>> = Object.freeze({
  x86_64: { abi: sysvX86_64.ABI, plan: sysvX86_64.plan },
  aarch64: { abi: aapcs64.ABI, plan: aapcs64.plan },
  riscv64: { abi: lp64d.ABI, plan: lp64d.plan },
  // cdecl by default; stdcall, fastcall and regparm(N) per function, from FunctionType.convention.
  i386: { abi: sysvI386.ABI, plan: sysvI386.plan },
});

const host: Convention | undefined = CONVENTIONS[HOST.arch.name];

/** Plans a call of `fn` on this process's target. */
export function plan(fn: FunctionType, variadicArgs: readonly CType[] = []): CallPlan {
  if (!host) {
    throw new AbiError('unsupported-type', HOST.arch.name, 'return',
      `no calling convention for ${process.arch}: trampfd runs on x86-64, AArch64 and RISC-V 64 Linux`);
  }
  return host.plan(fn, variadicArgs);
}
