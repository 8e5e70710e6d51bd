// The process-wide C scope that cdef() fills and every declaration reads; parsed-type caches.
import { TypeScope, cdef as parseDefinitions, parseFunctionType, parseTypeName } from './decl/index.js';
import type { Declaration, FunctionDeclaration } from './decl/index.js';
import type { CType } from './types/ctype.js';
import type { CdefResult } from './typed.js';

export const globalScope = new TypeScope();
// Parsed names and declarations; cleared by cdef(), after which a name may mean something new.
const typeCache = new Map<string, CType>();
const functionCache = new Map<string, FunctionDeclaration>();

/**
 * Registers C typedef, struct, union and enum declarations for later prototypes. The result's
 * type also records what the source defines, for `load<TypesOf<typeof defs>>(path)`.
 */
export function cdef<S extends string>(source: S): Declaration[] & CdefResult<S> {
  if (typeof source !== 'string') throw new TypeError(`cdef(source) expects a string, got ${typeof source}`);
  const out = parseDefinitions(source, globalScope);
  typeCache.clear();
  functionCache.clear();
  return out;
}

/** A C type given by name ("struct point", "uint8_t[4]") or already a type descriptor. */
export function typeOf(type: string | CType): CType {
  if (typeof type !== 'string') {
    if (type && typeof type === 'object' && typeof (type as CType).kind === 'string') return type;
    throw new TypeError(`expected a C type name (string), got ${type === null ? 'null' : typeof type}`);
  }
  let t = typeCache.get(type);
  if (!t) {
    t = parseTypeName(type, globalScope);
    typeCache.set(type, t);
  }
  return t;
}

/** A prototype, function-pointer type or typedef name of one, parsed once per cdef() state. */
export function functionOf(decl: string): FunctionDeclaration {
  let d = functionCache.get(decl);
  if (!d) {
    d = parseFunctionType(decl, globalScope);
    functionCache.set(decl, d);
  }
  return d;
}
