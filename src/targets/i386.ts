// i386 Linux: System V i386 psABI (cdecl by default; stdcall, fastcall and regparm by declaration),
// ILP32 with signed char and wchar_t, and 4-byte alignment for double and long long in records.
import type { Target } from './target.js';

export const I386: Target = Object.freeze({
  arch: Object.freeze({
    name: 'i386',
    nodeArch: 'ia32',
    wordSize: 4,
    // regparm(N) takes eax, edx, ecx in this order; fastcall takes ecx, then edx.
    gprs: Object.freeze(['eax', 'edx', 'ecx']),
    argGprs: 3,
    fprs: Object.freeze([]), // floating-point arguments always go on the stack
    fprSlot: 8,
    retGprs: Object.freeze(['eax', 'edx']),
    // float and double results come back in the x87 register st(0); the frame's AL word tells the
    // call stub and the closure entry which of the two to store or load (codegen/ops.ts x87Kind).
    retFprs: Object.freeze(['st0']),
    stackAlign: 16, // gcc on Linux keeps esp 16-byte aligned at calls
    vectorCountRegister: null,
    // A hidden result pointer is the first stack argument (or eax under regparm): the planner says
    // where in each ReturnPlan; this slot is only the register form.
    resultPointerSlot: 0,
    x87Results: true,
    widensRegisters: false,
    returnsResultPointer: true, // the callee returns the hidden pointer in eax
    // No register is free on i386 (fastcall and regparm use eax, ecx, edx): a trampoline delivers
    // its context on the stack (native/tramp.h).
    contextRegister: '4(%esp)',
  }),
  model: Object.freeze({
    name: 'ilp32-i386',
    charSigned: true,
    wcharSigned: true,
    sizes: Object.freeze({ short: 2, int: 4, long: 4, 'long long': 8, pointer: 4, float: 4, double: 8, bool: 1 }),
    aligns: Object.freeze({ short: 2, int: 4, long: 4, 'long long': 4, pointer: 4, float: 4, double: 4, bool: 1 }),
    maxAlign: 16,
    unnamedBitfieldAligns: false,
  }),
});
