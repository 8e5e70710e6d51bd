// C declaration parsing: prototypes, type names, cdef sources, and the scopes that hold their names.
export { cdef, parseFunctionType, parsePrototype, parseTypeName } from './parser.js';
export type { Declaration, FunctionDeclaration } from './parser.js';
export { TypeScope, resolveType } from './registry.js';
export type { EnumConstant, TypedefEntry } from './registry.js';
export { DeclarationError } from './errors.js';
export type { DeclarationErrorCode } from './errors.js';
