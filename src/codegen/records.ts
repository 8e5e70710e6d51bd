// Generated fast paths for structs by value: each scalar member is stored straight into its
// register slot or stack bytes (and read straight back), instead of going through writeValue.
// Only plain layouts qualify; anything else (unions, bitfields, anonymous members, misaligned
// members) keeps the generic path, which also produces every error message.
import type { CType, RecordType } from '../types/ctype.js';

/** Longest fixed array unrolled in generated code. */
const MAX_UNROLLED = 16;

/** Member types the fast path handles, with their typed-array view and shift. */
const VIEW: Readonly<Record<string, readonly [view: string, shift: number]>> = {
  i8: ['i8', 0], u8: ['u8', 0], bool: ['u8', 0], i16: ['i16', 1], u16: ['u16', 1], i32: ['i32', 2], u32: ['u32', 2],
  f32: ['f32', 2], f64: ['f64', 3],
};

function scalarOf(t: CType): { rep: string; js: string } | undefined {
  if (t.kind === 'enum') return { rep: t.base.rep, js: 'number' };
  if (t.kind === 'scalar') return { rep: t.rep, js: t.js };
  if (t.kind === 'pointer') return { rep: 'pointer', js: 'pointer' };
  return undefined;
}

/** True if every member of `t` (recursively) can be moved by generated code. */
export function fastRecord(t: CType): t is RecordType {
  if (t.kind !== 'struct' || !t.complete || t.fields.length === 0) return false;
  const ok = (type: CType, offset: number): boolean => {
    const s = scalarOf(type);
    if (s) return offset % type.size === 0;
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
  const s = scalarOf(t);
  if (s) {
    const o = dest(base);
    const view = VIEW[s.rep];
    if (view) {
      const [arr, sh] = view;
      const idx = sh ? `(${o}) >> ${sh}` : o;
      const test = {
        i8: `typeof ${v} === 'number' && (${v} << 24 >> 24) === ${v}`,
        u8: `typeof ${v} === 'number' && (${v} & 0xff) === ${v}`,
        i16: `typeof ${v} === 'number' && (${v} << 16 >> 16) === ${v}`,
        u16: `typeof ${v} === 'number' && (${v} & 0xffff) === ${v}`,
        i32: `typeof ${v} === 'number' && (${v} | 0) === ${v}`,
        u32: `typeof ${v} === 'number' && (${v} >>> 0) === ${v}`,
        f32: `typeof ${v} === 'number'`, f64: `typeof ${v} === 'number'`,
        bool: `typeof ${v} === 'boolean'`,
      }[s.rep]!;
      return [`if (${test}) ${arr}[${idx}] = ${s.rep === 'bool' ? `${v} ? 1 : 0` : v}; else ok = false;`];
    }
    if (s.js === 'bigint') {
      const arr = s.rep === 'i64' ? 'i64' : 'u64';
      const fit = s.rep === 'i64' ? 'asIntN' : 'asUintN';
      return [`if (typeof ${v} === 'bigint' && BigInt.${fit}(64, ${v}) === ${v}) ${arr}[(${o}) >> 3] = ${v}; else ok = false;`];
    }
    // size-like numbers and pointers: two 32-bit halves
    const sign = s.rep === 'i64' ? '' : ` && ${v} >= 0`;
    return [`if (Number.isSafeInteger(${v})${sign}) { u32[(${o}) >> 2] = ${v} >>> 0; i32[((${o}) >> 2) + 1] = Math.floor(${v} / 4294967296); } else ok = false;`];
  }
  if (t.kind === 'array') {
    const out = [`if (!Array.isArray(${v}) || ${v}.length !== ${t.length}) ok = false; else {`];
    for (let i = 0; i < t.length; i++) {
      const e = names.next('e');
      out.push(`const ${e} = ${v}[${i}];`, ...writeFast(t.element, e, dest, names, base + i * t.element.size));
    }
    out.push('}');
    return out;
  }
  const r = t as RecordType;
  const out = [`if (typeof ${v} !== 'object' || ${v} === null || Array.isArray(${v}) || Object.keys(${v}).length !== ${r.fields.length}) ok = false; else {`];
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
  const s = scalarOf(t);
  if (s) {
    const o = src(base);
    const view = VIEW[s.rep];
    if (view) {
      const [arr, sh] = view;
      const e = `${arr}[${sh ? `(${o}) >> ${sh}` : o}]`;
      return s.rep === 'bool' ? `(${e} !== 0)` : e;
    }
    if (s.js === 'bigint') return `${s.rep === 'i64' ? 'i64' : 'u64'}[(${o}) >> 3]`;
    types.push(t);
    return `readWide(${o}, '${s.rep === 'pointer' ? 'pointer' : s.rep === 'i64' ? 'safe-i64' : 'safe-u64'}', TY[${types.length - 1}], RW)`;
  }
  if (t.kind === 'array') {
    return `[${Array.from({ length: t.length }, (_, i) => readFast(t.element, src, types, base + i * t.element.size)).join(', ')}]`;
  }
  const r = t as RecordType;
  return `{ ${r.fields.map((f) => `${JSON.stringify(f.name)}: ${readFast(f.type, src, types, base + f.offset)}`).join(', ')} }`;
}
