// The call frame's layout: computed from a target's Arch record, the single source of truth for
// TS, C and asm (native/arch/<target>/frame-layout.h is generated from it).
//
// A frame is what one foreign call or callback exchanges with native code: argument
// registers, stack argument bytes, the target, and the return registers. Frames live in one
// shared ArrayBuffer, stacked so re-entry never overwrites a frame in use.
import { HOST, TARGETS, type Arch } from '../targets/index.js';

/** Byte offsets inside a frame; slots are the Arch's word size unless noted. */
export interface FrameLayout {
  /** Integer registers in Arch.gprs order (arguments, then extra inputs such as AArch64's x8). */
  readonly GPR: number;
  readonly GPR_COUNT: number;
  /** Floating-point argument registers, Arch.fprSlot bytes each (the low bytes). */
  readonly FPR: number;
  readonly FPR_COUNT: number;
  /** Address of the function to call. */
  readonly FN: number;
  /** Bytes of outgoing stack arguments (a multiple of the stack alignment; 4 bytes). */
  readonly STACK_SIZE: number;
  /** x86-64: upper bound of vector registers used by a variadic call (%al); RISC-V: the registers
      the call stub widens (Arch.widensRegisters); unused elsewhere (4 bytes). */
  readonly AL: number;
  /** FLAG_* bits (4 bytes). */
  readonly FLAGS: number;
  /** Return registers after the call, in Arch.retGprs then Arch.retFprs order. */
  readonly RET_GPR: number;
  readonly RET_GPR_COUNT: number;
  readonly RET_FPR: number;
  readonly RET_FPR_COUNT: number;
  /** Bytes from RET_GPR to the end of the return registers. */
  readonly RET_SIZE: number;
  /** errno to set before the call (from CONTROL.ERRNO) and errno right after it, when FLAG_ERRNO is set (4 bytes). */
  readonly ERRNO: number;
  /** Callbacks, native side only: the caller's stack arguments (address of the first one). */
  readonly CALLER_SP: number;
  /** Callbacks: the id of the callback being entered (4 bytes). */
  readonly CLOSURE: number;
  /** Outgoing stack arguments (calls) or a copy of the caller's (callbacks); scratch follows. */
  readonly STACK: number;
}

const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

/** The layout for `arch`: fields in a fixed order, each aligned to its size. */
export function frameLayout(arch: Arch): FrameLayout {
  const w = arch.wordSize;
  let at = 0;
  const take = (bytes: number, align = Math.min(bytes, w)): number => {
    at = roundUp(at, align);
    const o = at;
    at += bytes;
    return o;
  };
  const GPR = take(w * arch.gprs.length, w);
  const FPR = take(arch.fprSlot * arch.fprs.length, arch.fprSlot);
  const FN = take(w);
  const STACK_SIZE = take(w);
  const AL = take(4);
  const FLAGS = take(4);
  const RET_GPR = take(w * arch.retGprs.length, w);
  const RET_FPR = take(arch.fprSlot * arch.retFprs.length, arch.fprSlot);
  const RET_SIZE = at - RET_GPR;
  const ERRNO = take(8);
  const CALLER_SP = take(w);
  const CLOSURE = take(8);
  const STACK = roundUp(at, 16);
  return Object.freeze({
    GPR, GPR_COUNT: arch.gprs.length, FPR, FPR_COUNT: arch.fprs.length, FN, STACK_SIZE, AL, FLAGS,
    RET_GPR, RET_GPR_COUNT: arch.retGprs.length, RET_FPR, RET_FPR_COUNT: arch.retFprs.length, RET_SIZE,
    ERRNO, CALLER_SP, CLOSURE, STACK,
  });
}

/** This process's frame layout. */
export const FRAME: FrameLayout = frameLayout(HOST.arch);

export const FLAG_ERRNO = 1;

/** The control block at the start of the shared buffer (4-byte words); the same on every target. */
export const CONTROL = Object.freeze({
  /** Byte offset of the frame the next native call reads. */
  FRAME: 0,
  /** First free byte of the frame stack: a nested call or callback builds its frame here. */
  TOP: 4,
  /** errno for the next call declared `{ errno: true }`, set by errno(value); consumed (zeroed) by that call. */
  ERRNO: 8,
  /** How many callback exceptions wait to be rethrown (JS mirrors its list's length here), so a
      native marshaller sees whether its own call added one. */
  PENDING: 12,
  /** Bytes of the control block; the first frame starts here. */
  SIZE: 64,
});

/** Size of the shared frame buffer: reserved address space, committed only as deep as frames reach. */
export const FRAME_BUFFER_SIZE = 1 << 23;

/** Where the generated header of `arch` lives, relative to the repository. */
export function frameHeaderPath(arch: Arch): string {
  return `native/arch/${arch.name}/frame-layout.h`;
}

/**
 * The C header for `arch`: the offsets as macros, the register names in comments, and checks the
 * C compiler and the assembler both run (so a stale header or a hand edit fails the build).
 */
export function frameHeader(arch: Arch = HOST.arch): string {
  const f = frameLayout(arch);
  const guard = `TRAMPFD_FRAME_LAYOUT_${arch.name.toUpperCase()}_H`;
  const lines = [
    `/* Generated from src/native/frame-layout.ts and src/targets/${arch.name}.ts by \`npm run gen:frame\`; do not edit. */`,
    `/* GPR slots: ${arch.gprs.join(' ')}; FPR slots: ${arch.fprs.join(' ')} (low ${arch.fprSlot} bytes). */`,
    `/* Return slots: ${arch.retGprs.join(' ')} then ${arch.retFprs.join(' ')}. Trampoline context register: ${arch.contextRegister}. */`,
    `#ifndef ${guard}`,
    `#define ${guard}`,
    '',
    `#define FRAME_TARGET_${arch.name.toUpperCase()} 1`,
    `#define FRAME_WORD ${arch.wordSize}`,
    `#define FRAME_FPR_SLOT ${arch.fprSlot}`,
  ];
  for (const [k, v] of Object.entries(f)) lines.push(`#define FRAME_${k} ${v}`);
  lines.push(`#define FRAME_RESULT_POINTER ${f.GPR + arch.wordSize * arch.resultPointerSlot}`);
  lines.push(`#define FRAME_FLAG_ERRNO ${FLAG_ERRNO}`);
  for (const [k, v] of Object.entries(CONTROL)) lines.push(`#define CONTROL_${k} ${v}`);
  lines.push(`#define FRAME_BUFFER_SIZE ${FRAME_BUFFER_SIZE}`, '');
  const checks: [string, string][] = [
    [`FRAME_GPR + FRAME_WORD * FRAME_GPR_COUNT <= FRAME_FPR`, 'gpr slots overlap fprs'],
    [`FRAME_FPR + FRAME_FPR_SLOT * FRAME_FPR_COUNT <= FRAME_FN`, 'fpr slots overlap fn'],
    [`FRAME_RET_GPR + FRAME_RET_SIZE <= FRAME_ERRNO`, 'return slots overlap errno'],
    [`FRAME_RET_FPR == FRAME_RET_GPR + FRAME_WORD * FRAME_RET_GPR_COUNT`, 'return fprs follow return gprs'],
    [`FRAME_CALLER_SP + FRAME_WORD <= FRAME_STACK`, 'caller sp overlaps the stack bytes'],
    [`FRAME_STACK % 16 == 0`, 'stack bytes must start 16-aligned'],
  ];
  lines.push('#ifdef __ASSEMBLER__');
  for (const [c, m] of checks) lines.push(`.if !(${c})`, `.error "frame layout: ${m}"`, '.endif');
  lines.push('#else');
  for (const [c, m] of checks) lines.push(`_Static_assert(${c}, "frame layout: ${m}");`);
  lines.push('#endif', '', '#endif', '');
  return lines.join('\n');
}

/** Every target's header, for the generator and its test. */
export function frameHeaders(): { path: string; text: string }[] {
  return TARGETS.map((t) => ({ path: frameHeaderPath(t.arch), text: frameHeader(t.arch) }));
}
