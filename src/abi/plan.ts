// CallPlan: the flat, printable result of an ABI planner; codegen and native read only this.
import type { CType, FunctionType } from '../types/ctype.js';

/**
 * Where one piece of a value goes. A scalar is one piece; a struct passed in registers is
 * one piece per eightbyte; a struct passed on the stack is one piece covering it.
 */
export type Location =
  | { readonly kind: 'gpr'; readonly index: number }     // integer argument register #index
  | { readonly kind: 'fpr'; readonly index: number }     // vector argument register #index (low bytes)
  | { readonly kind: 'stack'; readonly offset: number };  // byte offset from the stack pointer at the call

export interface Piece {
  /** Byte offset inside the value's memory image. */
  readonly from: number;
  /** Bytes to move (1..8 for registers, any for stack). */
  readonly size: number;
  readonly to: Location;
  /**
   * Set on an argument piece of a 1- or 2-byte integer (or bool): the piece covers the whole
   * value and `size` is the width (4) to which it is sign- or zero-extended before the call.
   * Writers (calls) store the extended value; readers (callback arguments) should use only the
   * low `type.size` bytes, since not every caller extends. RISC-V extends to 8 bytes, and its
   * return pieces are extended too (a callback's result); other conventions never set it there.
   */
  readonly extend?: 'sign' | 'zero';
}

export interface ArgPlan {
  readonly index: number;
  readonly type: CType;
  /** Empty for a by-value argument of size 0 (an empty struct). */
  readonly pieces: readonly Piece[];
  /** Passed as a pointer to a caller-made copy (ABIs that pass big structs by reference). */
  readonly byReference: boolean;
}

export type ReturnPlan =
  | { readonly kind: 'void' }
  /** Pieces read from return registers, indices into the Arch's retGprs/retFprs (x86-64: rax, rdx /
      xmm0, xmm1; AArch64: x0, x1 / v0..v3; i386: eax, edx / fpr 0 is the x87 register st(0), which
      holds a float or double result as 80 bits: the piece's size says which one to store or load). */
  | { readonly kind: 'regs'; readonly type: CType; readonly pieces: readonly Piece[] }
  /** Caller passes a buffer address in `pointer` (a gpr slot: rdi on x86-64, x8 on AArch64; on i386
      the first stack slot, or eax/ecx under regparm/fastcall); an x86-64 or i386 callee returns it
      in rax/eax too (Arch.returnsResultPointer). */
  | { readonly kind: 'memory'; readonly type: CType; readonly pointer: Location };

export interface CallPlan {
  readonly abi: string;
  readonly fn: FunctionType;
  /** Fixed arguments followed by variadic ones (with their promoted types). */
  readonly args: readonly ArgPlan[];
  readonly ret: ReturnPlan;
  /** Bytes of outgoing stack arguments, rounded up to the ABI's stack alignment. */
  readonly stackSize: number;
  /**
   * Bytes the callee removes from the stack as it returns: i386 stdcall and fastcall stack
   * arguments, and an i386 hidden result pointer passed on the stack; 0 on every other target.
   */
  readonly calleePops: number;
  /** Variadic x86-64 calls: upper bound of vector registers used (%al); else 0. */
  readonly vectorCount: number;
  readonly variadic: boolean;
}
