// RISC-V 64 Linux: LP64D registers (the hardware floating-point calling convention), LP64 with
// unsigned char and signed (int) wchar_t.
import type { Target } from './target.js';

export const RISCV64: Target = Object.freeze({
  arch: Object.freeze({
    name: 'riscv64',
    nodeArch: 'riscv64',
    wordSize: 8,
    gprs: Object.freeze(['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7']),
    argGprs: 8,
    fprs: Object.freeze(['fa0', 'fa1', 'fa2', 'fa3', 'fa4', 'fa5', 'fa6', 'fa7']),
    fprSlot: 8,
    retGprs: Object.freeze(['a0', 'a1']),
    retFprs: Object.freeze(['fa0', 'fa1']),
    stackAlign: 16,
    vectorCountRegister: null,
    resultPointerSlot: 0, // a0, taken before the first argument
    x87Results: false,
    widensRegisters: true,
    returnsResultPointer: false,
    contextRegister: 't2',
  }),
  model: Object.freeze({
    name: 'lp64d-riscv64',
    charSigned: false,
    wcharSigned: true,
    sizes: Object.freeze({ short: 2, int: 4, long: 8, 'long long': 8, pointer: 8, float: 4, double: 8, bool: 1 }),
    aligns: Object.freeze({ short: 2, int: 4, long: 8, 'long long': 8, pointer: 8, float: 4, double: 8, bool: 1 }),
    maxAlign: 16,
    // GCC on RISC-V follows the generic (PCC) bitfield rules: an unnamed bitfield's type does not
    // raise the record's alignment, as on x86-64.
    unnamedBitfieldAligns: false,
  }),
});
