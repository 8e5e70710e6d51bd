// The call frame's layout: the single source of truth for TS, C (generated header) and asm.
//
// A frame is what one foreign call or callback exchanges with native code: argument
// registers, stack argument bytes, the target, and the return registers. Frames live in one
// shared ArrayBuffer, stacked so re-entry never overwrites a frame in use.

/** Byte offsets inside a frame; every slot is 8 bytes unless noted. */
export const FRAME = Object.freeze({
  /** Integer argument registers rdi, rsi, rdx, rcx, r8, r9. */
  GPR: 0,
  GPR_COUNT: 6,
  /** Low 8 bytes of xmm0..xmm7. */
  FPR: 48,
  FPR_COUNT: 8,
  /** Address of the function to call. */
  FN: 112,
  /** Bytes of outgoing stack arguments (a multiple of 16). */
  STACK_SIZE: 120,
  /** Upper bound of vector registers used by a variadic call (%al). */
  AL: 128,
  /** FLAG_* bits (4 bytes). */
  FLAGS: 132,
  /** Return registers after the call: rax, rdx, xmm0, xmm1 (low 8 bytes each). */
  RET_GPR: 136,
  RET_FPR: 152,
  /** errno to set before the call (from CONTROL.ERRNO) and errno right after it, when FLAG_ERRNO is set (4 bytes). */
  ERRNO: 168,
  /** Callbacks, native side only: the caller's stack arguments (address of the first one). */
  CALLER_SP: 176,
  /** Callbacks: the id of the callback being entered (4 bytes). */
  CLOSURE: 184,
  /** Outgoing stack arguments (calls) or a copy of the caller's (callbacks); scratch follows. */
  STACK: 192,
});

export const FLAG_ERRNO = 1;

/** The control block at the start of the shared buffer (4-byte words). */
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

/** The C header native/frame-layout.h, generated from the constants above. */
export function frameHeader(): string {
  const lines = [
    '/* Generated from src/native/frame-layout.ts by `npm run gen:frame`; do not edit. */',
    '#ifndef TRAMPFD_FRAME_LAYOUT_H',
    '#define TRAMPFD_FRAME_LAYOUT_H',
    '',
  ];
  for (const [k, v] of Object.entries(FRAME)) lines.push(`#define FRAME_${k} ${v}`);
  lines.push(`#define FRAME_FLAG_ERRNO ${FLAG_ERRNO}`);
  for (const [k, v] of Object.entries(CONTROL)) lines.push(`#define CONTROL_${k} ${v}`);
  lines.push(`#define FRAME_BUFFER_SIZE ${FRAME_BUFFER_SIZE}`, '', '#endif', '');
  return lines.join('\n');
}
