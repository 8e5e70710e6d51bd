// Whether two C function types are the same signature: what a function pointer of one type may
// point at. Typedefs are already resolved in the type model; names and qualifiers are ignored, an
// i386 calling convention is not.
import type { CType, FunctionType } from './ctype.js';
import { sameConvention } from './layout.js';

function sameType(a: CType, b: CType, seen: Set<CType>): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind || a.size !== b.size) return false;
  switch (a.kind) {
    case 'void': return true;
    case 'scalar': return a.rep === (b as typeof a).rep && a.js === (b as typeof a).js;
    case 'enum': return sameType(a.base, (b as typeof a).base, seen);
    case 'pointer': {
      // Pointers may lead back to a record being compared (struct node { struct node *next; }).
      if (seen.has(a)) return true;
      seen.add(a);
      return sameType(a.to, (b as typeof a).to, seen);
    }
    case 'array': return a.length === (b as typeof a).length && sameType(a.element, (b as typeof a).element, seen);
    case 'struct': case 'union': {
      const r = b as typeof a;
      if (a.tag !== undefined || r.tag !== undefined) return a.tag === r.tag;
      return a.fields.length === r.fields.length && a.fields.every((f, i) => {
        const g = r.fields[i]!;
        return f.name === g.name && f.offset === g.offset && f.bitWidth === g.bitWidth && sameType(f.type, g.type, seen);
      });
    }
    case 'function': return sameFunction(a, b as FunctionType, seen);
  }
}

function sameFunction(a: FunctionType, b: FunctionType, seen: Set<CType>): boolean {
  return a.variadic === b.variadic && sameConvention(a, b) && a.params.length === b.params.length && sameType(a.ret, b.ret, seen) &&
    a.params.every((p, i) => sameType(p.type, b.params[i]!.type, seen));
}

/** True when a function of type `b` may be called through a pointer declared as `a`. */
export function sameSignature(a: FunctionType, b: FunctionType): boolean {
  return sameFunction(a, b, new Set());
}
