// Generated fast paths for structs by value: each scalar member is stored straight into its
// register slot or stack bytes (and read straight back), instead of going through writeValue.
// Only plain layouts qualify; anything else (unions, bitfields, anonymous members, misaligned
// members) keeps the generic path, which also produces every error message.
import type { CType, RecordType } from '../types/ctype.js';
import { storeOf } from './ops.js';
import { acceptExpr, readExpr, storeStmt } from './slots.js';

/** Longest fixed array unrolled in generated code. */
const MAX_UNROLLED = 16;

/** Members stored as one scalar: integers, floats, bool, enums, pointers. */
function scalarLike(t: CType): boolean {
  return t.kind === 'scalar' || t.kind === 'enum' || t.kind === 'pointer';
}

/** True if every member of `t` (recursively) can be moved by generated code. */
export function fastRecord(t: CType): t is RecordType {
  if (t.kind !== 'struct' || !t.complete || t.fields.length === 0) return false;
  const ok = (type: CType, offset: number): boolean => {
    if (scalarLike(type)) return offset % type.size === 0;
    if (type.kind === 'array') {
      return type.length > 0 && type.length <= MAX_UNROLLED && Array.from({ length: type.length }, (_, i) => i)
        .every((i) => ok(type.element, offset + i * type.element.size));
    }
    if (type.kind === 'struct' && type.complete && type.fields.length > 0) {
      return type.fields.every((f) => f.name !== '' && f.bitWidth === undefined && ok(f.type, offset + f.offset));
    }
    return false;
  };
  return ok(t, 0);
}

/** Names unique within one generated function. */
export class Names {
  #n = 0;
  next(prefix: string): string {
    return `${prefix}${this.#n++}`;
  }
}

/**
 * Statements that store value `v` (a JS expression naming a local) of fast type `t` whose byte
 * `k` goes to `dest(k)` (an expression for an absolute frame offset), clearing `ok` whenever
 * a value is not of the exact expected form.
 */
export function writeFast(t: CType, v: string, dest: (k: number) => string, names: Names, base = 0): string[] {
  if (scalarLike(t)) {
    const store = storeOf(t);
    const o = dest(base);
    return [`if (${acceptExpr(store, t, v)}) { ${storeStmt(store, v, o)} } else ok = false;`];
  }
  if (t.kind === 'array') {
    const out = [`if (!isArray(${v}) || ${v}.length !== ${t.length}) ok = false; else {`];
    for (let i = 0; i < t.length; i++) {
      const e = names.next('e');
      out.push(`const ${e} = ${v}[${i}];`, ...writeFast(t.element, e, dest, names, base + i * t.element.size));
    }
    out.push('}');
    return out;
  }
  const r = t as RecordType;
  const out = [`if (typeof ${v} !== 'object' || ${v} === null || isArray(${v}) || keys(${v}).length !== ${r.fields.length}) ok = false; else {`];
  for (const f of r.fields) {
    const m = names.next('m');
    out.push(`const ${m} = ${v}[${JSON.stringify(f.name)}];`, ...writeFast(f.type, m, dest, names, base + f.offset));
  }
  out.push('}');
  return out;
}

/**
 * An expression reading fast type `t` whose byte `k` is at `src(k)`. Size-like and pointer
 * members go through readWide with their type, which `types` collects as TY[i].
 */
export function readFast(t: CType, src: (k: number) => string, types: CType[], base = 0): string {
  if (scalarLike(t)) {
    const o = src(base);
    return readExpr(storeOf(t), o, (store) => {
      types.push(t);
      return `readWide(${o}, '${store}', TY[${types.length - 1}], RW)`;
    });
  }
  if (t.kind === 'array') {
    return `[${Array.from({ length: t.length }, (_, i) => readFast(t.element, src, types, base + i * t.element.size)).join(', ')}]`;
  }
  const r = t as RecordType;
  // A computed key defines an own property '__proto__' (a plain one would set the prototype).
  const key = (name: string): string => (name === '__proto__' ? '["__proto__"]' : JSON.stringify(name));
  return `{ ${r.fields.map((f) => `${key(f.name)}: ${readFast(f.type, src, types, base + f.offset)}`).join(', ')} }`;
}
