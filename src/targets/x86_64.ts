// x86-64 Linux: System V AMD64 psABI registers, LP64 with signed char and wchar_t.
import type { Target } from './target.js';

export const X86_64: Target = Object.freeze({
  arch: Object.freeze({
    name: 'x86_64',
    nodeArch: 'x64',
    wordSize: 8,
    gprs: Object.freeze(['rdi', 'rsi', 'rdx', 'rcx', 'r8', 'r9']),
    argGprs: 6,
    fprs: Object.freeze(['xmm0', 'xmm1', 'xmm2', 'xmm3', 'xmm4', 'xmm5', 'xmm6', 'xmm7']),
    fprSlot: 8,
    retGprs: Object.freeze(['rax', 'rdx']),
    retFprs: Object.freeze(['xmm0', 'xmm1']),
    stackAlign: 16,
    vectorCountRegister: 'al',
    resultPointerSlot: 0, // rdi, taken before the first argument
    x87Results: false,
    widensRegisters: false,
    returnsResultPointer: true,
    contextRegister: 'r10',
  }),
  model: Object.freeze({
    name: 'lp64-x86_64',
    charSigned: true,
    wcharSigned: true,
    sizes: Object.freeze({ short: 2, int: 4, long: 8, 'long long': 8, pointer: 8, float: 4, double: 8, bool: 1 }),
    aligns: Object.freeze({ short: 2, int: 4, long: 8, 'long long': 8, pointer: 8, float: 4, double: 8, bool: 1 }),
    maxAlign: 16,
    unnamedBitfieldAligns: false,
  }),
});
