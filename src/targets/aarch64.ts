// AArch64 Linux: AAPCS64 registers, LP64 with unsigned char and wchar_t.
import type { Target } from './target.js';

export const AARCH64: Target = Object.freeze({
  arch: Object.freeze({
    name: 'aarch64',
    nodeArch: 'arm64',
    wordSize: 8,
    // x8 is not an argument register: it carries the address of a result in memory.
    gprs: Object.freeze(['x0', 'x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'x8']),
    argGprs: 8,
    fprs: Object.freeze(['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7']),
    fprSlot: 8,
    retGprs: Object.freeze(['x0', 'x1']),
    // A homogeneous floating-point aggregate comes back in up to four registers.
    retFprs: Object.freeze(['d0', 'd1', 'd2', 'd3']),
    stackAlign: 16,
    vectorCountRegister: null,
    resultPointerSlot: 8, // x8
    x87Results: false,
    widensRegisters: false,
    returnsResultPointer: false,
    contextRegister: 'x17',
  }),
  model: Object.freeze({
    name: 'lp64-aarch64',
    charSigned: false,
    wcharSigned: false,
    sizes: Object.freeze({ short: 2, int: 4, long: 8, 'long long': 8, pointer: 8, float: 4, double: 8, bool: 1 }),
    aligns: Object.freeze({ short: 2, int: 4, long: 8, 'long long': 8, pointer: 8, float: 4, double: 8, bool: 1 }),
    maxAlign: 16,
    unnamedBitfieldAligns: true,
  }),
});
