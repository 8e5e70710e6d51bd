// trampfd's public surface; re-exports only.
export { fnptr, load, Library, type ForeignFunction, type FuncOptions, type FunctionAddress, type LoadOptions } from './library.js';
export { cdef } from './scope.js';
export { callback, Callback, type CallbackFunction } from './callback.js';
export { memory } from './memory.js';
export { errno } from './errno.js';
export { trampolines, Trampoline, type TrampolineStats, type Word } from './trampolines.js';
export { CallbackError, LoadError, TrampolineError } from './errors.js';
export { DeclarationError } from './decl/index.js';
export { TrampfdRangeError, TrampfdTypeError } from './types/errors.js';
export type * from './types/ctype.js';
export type {
  CallbackOf, CdefResult, CdefTypes, CInput, CTypes, CValue, Declared, Dual, PointerArg, TypesOf, VariadicArg,
} from './typed.js';
