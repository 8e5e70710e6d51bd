// The targets trampfd knows, and the one this process runs on.
import { AARCH64 } from './aarch64.js';
import { I386 } from './i386.js';
import { RISCV64 } from './riscv64.js';
import type { Target } from './target.js';
import { X86_64 } from './x86_64.js';

export type { Arch, CTypeKey, DataModel, Target } from './target.js';

export const TARGETS: readonly Target[] = Object.freeze([X86_64, AARCH64, RISCV64, I386]);

/** The target a Node of `process.arch` value `nodeArch` runs on, if trampfd has one. */
export function targetFor(nodeArch: string): Target | undefined {
  return TARGETS.find((t) => t.arch.nodeArch === nodeArch);
}

/**
 * This process's target. An unsupported one falls back to x86-64's records so that the pure-JS
 * layers (the parser, type layout, plans) still load, e.g. for `trampfd doctor`; the addon
 * itself refuses to build there.
 */
export const HOST: Target = targetFor(process.arch) ?? X86_64;
export const HOST_SUPPORTED = targetFor(process.arch) !== undefined;
