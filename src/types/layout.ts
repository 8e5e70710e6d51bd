// Builds frozen derived C types (pointer, array, function, record, enum) and lays out records like GCC
// on this process's target (its DataModel decides the rules that differ).
import type {
  ArrayType, CallingConvention, CType, EnumType, Field, FunctionType, Param, PointerType, RecordType, ScalarType,
} from './ctype.js';
import { ENUM_WIDE, INT, SCHAR, SHORT, UCHAR, UINT, USHORT, wideEncodingOf } from './builtins.js';
import { CTypeError } from './errors.js';
import { HOST } from '../targets/index.js';

/** A data pointer (and a function pointer) on the target: 8 bytes on LP64, 4 on i386. */
const POINTER_SIZE = HOST.model.sizes.pointer;
const POINTER_ALIGN = HOST.model.aligns.pointer;
/** Largest object we lay out: keeps every bit offset a safe integer. */
const MAX_SIZE = 2 ** 48;
/** `__attribute__((aligned))` without a number means the biggest useful alignment on the target. */
export const DEFAULT_ALIGNED = HOST.model.maxAlign;
/** Whether unnamed bitfields' declared types raise a record's alignment (AAPCS: yes; x86-64 psABI: no). */
const UNNAMED_BITFIELDS_ALIGN = HOST.model.unnamedBitfieldAligns;

/** C spelling of `t` around an inner declarator, e.g. ("int", "(*)") -> "int (*)". */
function spell(t: CType, inner: string): string {
  switch (t.kind) {
    case 'pointer': {
      const to = t.to;
      // gcc's spelling of a pointer to a function with a convention: int (__attribute__((stdcall)) *)(int)
      if (to.kind === 'function' && to.convention) return spell(to, `(${conventionAttribute(to.convention)} *${inner})`);
      if (to.kind === 'array' || to.kind === 'function') return spell(to, `(*${inner})`);
      // Built from the target's finished name, so long pointer chains need no deep recursion.
      if (to.kind === 'pointer' && to.name.endsWith('*')) return `${to.name}*${inner}`;
      const q = to.kind !== 'pointer' && constTargets.has(t) ? 'const ' : '';
      return to.kind === 'pointer' ? spell(to, `*${inner}`) : `${q}${to.name} *${inner}`;
    }
    case 'array': return spell(t.element, `${inner}[${t.length}]`);
    case 'function': {
      const ps = t.params.map((p) => spell(p.type, '')).concat(t.variadic ? ['...'] : []);
      const spelled = spell(t.ret, `${inner}(${ps.length ? ps.join(', ') : 'void'})`);
      // A bare function type shows its convention first, as a declaration specifier would be
      // (`__attribute__((fastcall)) int (int, int)`): written later it could belong to a returned pointer.
      return t.convention && inner === '' ? `${conventionAttribute(t.convention)} ${spelled}` : spelled;
    }
    default:
      if (inner === '') return t.name;
      return inner.startsWith('[') ? t.name + inner : `${t.name} ${inner}`;
  }
}

/** `__attribute__((stdcall, regparm(2)))`: how a convention is written back as C (and parsed again). */
function conventionAttribute(c: CallingConvention): string {
  return `__attribute__((${c.name}))`;
}

/** Pointers whose target was const-qualified (only kept for their spelling). */
const constTargets = new WeakSet<PointerType>();

/** True for the one-byte integer types a C string is made of. */
export function isCharLike(t: CType): t is ScalarType {
  return t.kind === 'scalar' && (t.rep === 'i8' || t.rep === 'u8');
}

/** True for the types a bitfield or an enum constant can have. */
export function isIntegral(t: CType): boolean {
  return t.kind === 'enum' || (t.kind === 'scalar' && t.rep !== 'f32' && t.rep !== 'f64' && t.rep !== 'pointer');
}

/**
 * A pointer to `to`. `constTarget` records `const T *` (a pointer to const char is a cstring).
 * `resolve`, given for a pointer to a still-incomplete record, makes `to` a getter that returns
 * the record's completed definition once there is one (see decl/registry.ts); the pointer itself
 * stays frozen and its size never depends on the target.
 */
export function makePointer(to: CType, constTarget = false, resolve?: () => CType): PointerType {
  const p = {
    kind: 'pointer' as const, name: '', size: POINTER_SIZE, align: POINTER_ALIGN, cstring: constTarget && isCharLike(to),
    wide: constTarget ? wideEncodingOf(to) : undefined, to,
  };
  if (resolve) Object.defineProperty(p, 'to', { get: resolve, enumerable: true });
  if (constTarget) constTargets.add(p as PointerType);
  Object.defineProperty(p, 'name', { value: spell(p as PointerType, ''), enumerable: true });
  return Object.freeze(p) as PointerType;
}

/** An array of `length` elements; length 0 is a flexible or zero-length member array. */
export function makeArray(element: CType, length: number): ArrayType {
  if (element.kind === 'void') throw new CTypeError('array of void');
  if (element.kind === 'function') throw new CTypeError('array of functions');
  if (element.kind === 'struct' || element.kind === 'union') {
    if (!element.complete) throw new CTypeError(`array has incomplete element type '${element.name}'`);
  }
  if (!Number.isSafeInteger(length) || length < 0) throw new CTypeError(`invalid array length ${length}`);
  if (element.size % element.align !== 0) {
    throw new CTypeError(`alignment of array elements (${element.align}) is greater than element size (${element.size})`);
  }
  const size = element.size * length;
  if (size > MAX_SIZE) throw new CTypeError(`array type '${element.name}[${length}]' is too large`);
  const a = { kind: 'array' as const, name: '', size, align: element.align, element, length };
  a.name = spell(a, '');
  return Object.freeze(a);
}

/**
 * A function type; parameters must already be adjusted (arrays and functions decayed to pointers).
 * `convention` (i386 stdcall, fastcall, regparm) is part of the type: it shows in the name, and a
 * function type that differs only in it is another type. A variadic function keeps it too, as gcc
 * does (its type differs from the plain one), though gcc then passes every argument as cdecl does.
 */
export function makeFunction(
  ret: CType, params: readonly Param[], variadic: boolean, convention?: CallingConvention,
): FunctionType {
  if (ret.kind === 'array') throw new CTypeError('function cannot return an array');
  if (ret.kind === 'function') throw new CTypeError('function cannot return a function');
  const f = {
    kind: 'function' as const, name: '', size: 0, align: 1, ret,
    params: Object.freeze(params.map((p) => Object.freeze({ name: p.name, type: p.type }))), variadic,
    ...(convention ? { convention: Object.freeze({ ...convention }) } : {}),
  };
  f.name = spell(f, '');
  return Object.freeze(f);
}

/** Whether two functions have the same convention (both the default, or the same attributes). */
export function sameConvention(a: FunctionType, b: FunctionType): boolean {
  const x = a.convention;
  const y = b.convention;
  return x === y || (x !== undefined && y !== undefined && x.registers === y.registers && x.calleePops === y.calleePops);
}

/** One member as declared, before layout. */
export interface MemberSpec {
  /** Empty for an anonymous struct/union member (its fields are promoted) or an unnamed bitfield. */
  readonly name: string;
  readonly type: CType;
  readonly bitWidth?: number;
  /** `__attribute__((packed))` on the member. */
  readonly packed?: boolean;
  /** `__attribute__((aligned(N)))` / `_Alignas(N)` on the member: raises its alignment to N. */
  readonly aligned?: number;
}

export interface RecordAttrs {
  readonly packed?: boolean;
  /** Raises the record's alignment to at least N. */
  readonly aligned?: number;
}

function recordName(kind: 'struct' | 'union', tag: string | undefined): string {
  return `${kind} ${tag ?? '<anonymous>'}`;
}

/** Names given to untagged records and enums by their first typedef (`typedef struct {...} vec_t;`). */
const typedefNames = new WeakMap<object, string>();

/**
 * Names an untagged record or enum after the typedef that declares it, as C programmers call
 * it; its `.name` and messages then say `vec_t`. Only the first typedef names it.
 */
export function nameByTypedef(t: CType, name: string): void {
  if ((t.kind === 'struct' || t.kind === 'union' || t.kind === 'enum') && t.tag === undefined && !typedefNames.has(t)) {
    typedefNames.set(t, name);
  }
}

/** `name` of an untagged type: its typedef's once it has one. */
function untaggedName<T extends { name: string }>(d: T, fallback: string): T {
  return Object.defineProperty(d, 'name', { get(this: object) { return typedefNames.get(this) ?? fallback; }, enumerable: true });
}

/** A forward-declared record: size and align 0, no fields. */
export function makeIncompleteRecord(kind: 'struct' | 'union', tag: string | undefined): RecordType {
  return Object.freeze({
    kind, name: recordName(kind, tag), size: 0, align: 0, tag, complete: false, fields: Object.freeze([]),
  });
}

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

function checkAlignment(n: number): void {
  if (!Number.isSafeInteger(n) || n < 1 || (n & (n - 1)) !== 0 || n > 2 ** 28) {
    throw new CTypeError(`requested alignment ${n} is not a power of 2 in [1, 2^28]`);
  }
}

/** Names a JS object of this record shows, anonymous members' fields promoted. */
function visibleNames(fields: readonly Field[]): string[] {
  return fields.flatMap((f) => (f.name === '' ? visibleNames((f.type as RecordType).fields) : [f.name]));
}

/**
 * Lays out a complete record as GCC does on the target (SysV psABI, AAPCS64):
 * members at their natural (or requested) alignment, bitfields packed into units of their
 * declared type's size that start at its alignment, unnamed bitfields affecting the record's
 * alignment only where the DataModel says so (AArch64: yes, x86-64: no), zero-width bitfields
 * aligning the next member, trailing padding to
 * the record's alignment. `packed` drops member alignment to 1 (bitfields may then straddle).
 */
export function makeRecord(
  kind: 'struct' | 'union', tag: string | undefined, members: readonly MemberSpec[], attrs: RecordAttrs = {},
): RecordType {
  const fields: Field[] = [];
  let bits = 0; // struct: next free bit; union: widest member in bits
  let align = 1;
  members.forEach((m, i) => {
    const t = m.type;
    const what = m.name ? `member '${m.name}'` : `member ${i + 1}`;
    if (t.kind === 'void' || t.kind === 'function') throw new CTypeError(`${what} has type '${t.name}'`);
    if ((t.kind === 'struct' || t.kind === 'union') && !t.complete) {
      throw new CTypeError(`${what} has incomplete type '${t.name}'`);
    }
    if (m.aligned !== undefined) checkAlignment(m.aligned);
    const packed = attrs.packed === true || m.packed === true;
    if (m.bitWidth === undefined) {
      const a = Math.max(packed ? 1 : t.align, m.aligned ?? 1);
      const offset = kind === 'union' ? 0 : alignUp(Math.ceil(bits / 8), a);
      fields.push(Object.freeze({ name: m.name, type: t, offset }));
      bits = kind === 'union' ? Math.max(bits, t.size * 8) : (offset + t.size) * 8;
      align = Math.max(align, a);
      return;
    }
    if (!isIntegral(t)) throw new CTypeError(`bit-field ${what} has non-integer type '${t.name}'`);
    if (m.aligned !== undefined) throw new CTypeError(`alignment cannot be specified for bit-field ${what}`);
    const w = m.bitWidth;
    const unitBits = t.size * 8;
    const maxWidth = t.kind === 'scalar' && t.rep === 'bool' ? 1 : unitBits;
    if (!Number.isSafeInteger(w) || w < 0 || w > maxWidth) {
      throw new CTypeError(`width of bit-field ${what} (${w}) is not in [0, ${maxWidth}]`);
    }
    if (w === 0) {
      if (m.name) throw new CTypeError(`zero width for bit-field ${what}`);
      if (kind === 'struct') bits = alignUp(bits, t.align * 8);
      // AAPCS64 (as aarch64 gcc does it): a zero-width bitfield raises the alignment even when packed.
      if (UNNAMED_BITFIELDS_ALIGN) align = Math.max(align, t.align);
      return;
    }
    let pos = kind === 'union' ? 0 : bits;
    // A bitfield must fit in a unit of its type's size that starts at one of its type's alignment
    // boundaries (gcc): the same as not straddling an aligned unit where size is alignment, but an
    // i386 long long (8 bytes, aligned 4) may start at any 4-byte boundary that leaves it room.
    const unitAlignBits = t.align * 8;
    if (!packed && (pos % unitAlignBits) + w > unitBits) {
      pos = alignUp(pos, unitAlignBits);
    }
    if (m.name) {
      const offset = packed ? Math.floor(pos / 8) : Math.floor(pos / unitAlignBits) * t.align;
      fields.push(Object.freeze({ name: m.name, type: t, offset, bitOffset: pos - offset * 8, bitWidth: w }));
    }
    if ((m.name || UNNAMED_BITFIELDS_ALIGN) && !packed) align = Math.max(align, t.align);
    bits = kind === 'union' ? Math.max(bits, w) : pos + w;
  });
  if (attrs.aligned !== undefined) {
    checkAlignment(attrs.aligned);
    align = Math.max(align, attrs.aligned);
  }
  const size = alignUp(Math.ceil(bits / 8), align);
  if (size > MAX_SIZE) throw new CTypeError(`${recordName(kind, tag)} is too large`);
  const seen = new Set<string>();
  for (const n of visibleNames(fields)) {
    if (seen.has(n)) throw new CTypeError(`duplicate member '${n}' in ${recordName(kind, tag)}`);
    seen.add(n);
  }
  const r = { kind, name: recordName(kind, tag), size, align, tag, complete: true, fields: Object.freeze(fields) };
  return Object.freeze(tag === undefined ? untaggedName(r, r.name) : r);
}

/**
 * An enum. Like GCC: stored as unsigned int when no value is negative, else int, widening to
 * (unsigned) long when a value needs it; `packed` picks the smallest integer that holds all values.
 * Values must be safe integers (they are JS numbers).
 */
export function makeEnum(tag: string | undefined, values: ReadonlyMap<string, bigint>, packed = false): EnumType {
  const name = `enum ${tag ?? '<anonymous>'}`;
  const vs = [...values.values()];
  for (const [k, v] of values) {
    if (v < BigInt(Number.MIN_SAFE_INTEGER) || v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new CTypeError(`enumerator '${k}' of ${name} is not a safe integer`);
    }
  }
  const lo = vs.reduce((a, b) => (b < a ? b : a), 0n);
  const hi = vs.reduce((a, b) => (b > a ? b : a), 0n);
  const [LONG, ULONG] = ENUM_WIDE;
  const candidates: ScalarType[] = lo < 0n
    ? (packed ? [SCHAR, SHORT, INT, LONG] : [INT, LONG])
    : (packed ? [UCHAR, USHORT, UINT, ULONG] : [UINT, ULONG]);
  const base = candidates.find((c) => {
    const b = BigInt(c.size * 8);
    return lo < 0n ? lo >= -(1n << (b - 1n)) && hi < 1n << (b - 1n) : hi < 1n << b;
  }) ?? LONG;
  const e = { kind: 'enum' as const, name, size: base.size, align: base.align, tag, base,
    values: new Map([...values].map(([k, v]) => [k, Number(v)])) };
  return Object.freeze(tag === undefined ? untaggedName(e, name) : e);
}

/**
 * `typedef T name __attribute__((aligned(N)))`: the same type with alignment N (GCC lets a
 * typedef both raise and lower alignment; the size does not change).
 */
export function withAlign<T extends CType>(t: T, align: number): T {
  checkAlignment(align);
  if (t.kind === 'void' || t.kind === 'function') throw new CTypeError(`cannot align type '${t.name}'`);
  if (t.align === align) return t;
  const props: PropertyDescriptorMap = { ...Object.getOwnPropertyDescriptors(t), align: { value: align, enumerable: true } };
  const copy = Object.create(Object.getPrototypeOf(t) as object | null, props) as T;
  if (t.kind === 'pointer' && constTargets.has(t)) constTargets.add(copy as PointerType);
  return Object.freeze(copy);
}

/**
 * Whether two types are the same C type with the same layout (names of scalars may differ:
 * `typedef unsigned long size_t;` matches the builtin). Records behind pointers compare by tag,
 * which keeps self-referential records finite.
 */
export function sameType(a: CType, b: CType, behindPointer = false): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind || a.size !== b.size || a.align !== b.align) {
    return behindPointer && (a.kind === 'struct' || a.kind === 'union') && a.kind === b.kind && a.tag !== undefined
      && a.tag === (b as RecordType).tag;
  }
  switch (a.kind) {
    case 'void': return true;
    case 'scalar': return a.rep === (b as ScalarType).rep;
    case 'pointer': return sameType(a.to, (b as PointerType).to, true);
    case 'array': return a.length === (b as ArrayType).length && sameType(a.element, (b as ArrayType).element);
    case 'function': {
      const g = b as FunctionType;
      return a.variadic === g.variadic && sameConvention(a, g) && a.params.length === g.params.length && sameType(a.ret, g.ret)
        && a.params.every((p, i) => sameType(p.type, g.params[i]!.type));
    }
    case 'enum': {
      const e = b as EnumType;
      return a.tag === e.tag && a.base.rep === e.base.rep && a.values.size === e.values.size
        && [...a.values].every(([k, v]) => e.values.get(k) === v);
    }
    case 'struct': case 'union': {
      const r = b as RecordType;
      if (a.tag !== r.tag || a.complete !== r.complete) return false;
      if (behindPointer && a.tag !== undefined) return true;
      return a.fields.length === r.fields.length && a.fields.every((f, i) => {
        const g = r.fields[i]!;
        return f.name === g.name && f.offset === g.offset && f.bitOffset === g.bitOffset
          && f.bitWidth === g.bitWidth && sameType(f.type, g.type);
      });
    }
  }
}

/**
 * Byte offset of a member of record `t`, as C's offsetof: `path` names a member, a nested one
 * ('a.b'; anonymous members' fields by their own name) or an array element ('data[3]', 'a[1].b').
 * Throws CTypeError for an unknown member, an index out of range, or a bitfield (no byte offset).
 */
export function offsetOf(t: CType, path: string): number {
  const parts = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\d+\])*$/.test(path) ? path.match(/[A-Za-z_]\w*|\[\d+\]/g)! : undefined;
  if (!parts) throw new CTypeError(`offsetof(${t.name}, ${path}): not a member designator (like 'a', 'a.b' or 'a[2].b')`);
  let type = t;
  let offset = 0;
  for (const part of parts) {
    if (part.startsWith('[')) {
      const i = Number(part.slice(1, -1));
      if (type.kind !== 'array') throw new CTypeError(`offsetof(${t.name}, ${path}): '${type.name}' is not an array`);
      if (i >= type.length && type.length !== 0) throw new CTypeError(`offsetof(${t.name}, ${path}): index ${i} is past ${type.name}`);
      offset += i * type.element.size;
      type = type.element;
      continue;
    }
    if (type.kind !== 'struct' && type.kind !== 'union') throw new CTypeError(`offsetof(${t.name}, ${path}): '${type.name}' has no members`);
    const found = findMember(type, part);
    if (!found) throw new CTypeError(`offsetof(${t.name}, ${path}): ${type.name} has no member '${part}'`);
    if (found.field.bitWidth !== undefined) throw new CTypeError(`offsetof(${t.name}, ${path}): '${part}' is a bit-field, which has no byte offset`);
    offset += found.offset;
    type = found.field.type;
  }
  return offset;
}

/** A member by name, looking into anonymous members; its offset from the record's start. */
function findMember(r: RecordType, name: string): { field: Field; offset: number } | undefined {
  for (const f of r.fields) {
    if (f.name === name) return { field: f, offset: f.offset };
    if (f.name === '') {
      const inner = findMember(f.type as RecordType, name);
      if (inner) return { field: inner.field, offset: f.offset + inner.offset };
    }
  }
  return undefined;
}
