// What a target is, as data: its registers (Arch) and its C types (DataModel). A target adds one
// record file here, one planner in abi/, and one native/arch/<name>/ folder; nothing else knows it.

/** The registers a call stub loads and a closure entry saves, and the rules that are not types. */
export interface Arch {
  /** Folder name under native/arch/ and the key of the planner in abi/index.ts. */
  readonly name: 'x86_64' | 'aarch64' | 'riscv64' | 'i386';
  /** `process.arch` of a Node running on it. */
  readonly nodeArch: string;
  /** Bytes in a general-purpose register and in a stack slot (and in a pointer). */
  readonly wordSize: 4 | 8;
  /**
   * Integer registers the call stub loads from the frame and the closure entry saves, in slot order.
   * The first `argGprs` carry arguments; any after them carry other inputs (AArch64's x8).
   */
  readonly gprs: readonly string[];
  readonly argGprs: number;
  /** Floating-point argument registers, one FPR_SLOT-byte slot each (the low bytes of the vector register). */
  readonly fprs: readonly string[];
  readonly fprSlot: 8;
  /** Registers a result comes back in, in the order a ReturnPlan's indices count them. */
  readonly retGprs: readonly string[];
  readonly retFprs: readonly string[];
  /** The stack pointer's alignment at a call. */
  readonly stackAlign: number;
  /** x86-64: variadic calls pass an upper bound of the vector registers used in %al. */
  readonly vectorCountRegister: string | null;
  /** The register a callee gets the address of a result in memory in, as a frame GPR slot index. */
  readonly resultPointerSlot: number;
  /** Whether a callee returns that address again in the first return register (x86-64: rax). */
  readonly returnsResultPointer: boolean;
  /**
   * RISC-V: registers must hold 32-bit integers sign-extended to 64 bits and floats NaN-boxed
   * (upper 32 bits all ones). Marshallers store 4 bytes, so the frame's AL word names the
   * registers the call stub widens (codegen/ops.ts widenMask), and callbacks' results are widened
   * after their runner (js-callback.c). False elsewhere: the upper bits are the callee's to ignore.
   */
  readonly widensRegisters: boolean;
  /**
   * i386: float and double results come back in the x87 register st(0), which has no width of its
   * own: the frame's AL word says which the call stub stores and the closure entry loads (1 float,
   * 2 double; codegen/ops.ts x87Kind), and a callback's callee-pop byte count rides with it.
   */
  readonly x87Results: boolean;
  /** The register a trampoline leaves its context in (the C API contract, native/tramp.h). */
  readonly contextRegister: string;
}

/** Sizes and alignments (bytes) of C types on a target, and the choices C leaves to it. */
export interface DataModel {
  readonly name: string;
  readonly charSigned: boolean;
  readonly wcharSigned: boolean;
  readonly sizes: Readonly<Record<CTypeKey, number>>;
  /** Alignment of each type as a struct member (also at top level on the targets we have). */
  readonly aligns: Readonly<Record<CTypeKey, number>>;
  /** `__attribute__((aligned))` without a number: the biggest alignment any type needs. */
  readonly maxAlign: number;
  /**
   * Whether the declared type of an unnamed (or zero-width) bitfield raises the record's alignment:
   * not on x86-64 (psABI); yes on AAPCS targets, where a zero-width bitfield's container counts.
   */
  readonly unnamedBitfieldAligns: boolean;
}

export type CTypeKey = 'short' | 'int' | 'long' | 'long long' | 'pointer' | 'float' | 'double' | 'bool';

export interface Target {
  readonly arch: Arch;
  readonly model: DataModel;
}
