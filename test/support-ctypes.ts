// Test-only C type constructors with SysV x86-64 layout (natural alignment, GCC bitfields, packed);
// `ILP32` has the i386 scalars that differ (long and pointers 4 bytes, double and long long aligned
// to 4), with which struct() lays records out as i386 gcc does.
// Independent of src/types on purpose: planner tests must not share the layout engine's bugs.
import type {
  ArrayType, CallingConvention, CType, EnumType, Field, FunctionType, JsRep, PointerType, RecordType, ScalarRep,
  ScalarType, VoidType,
} from '../dist/types/ctype.js';

function scalar(name: string, rep: ScalarRep, size: number, js: JsRep = 'number', align = size): ScalarType {
  return Object.freeze({ kind: 'scalar', name, rep, size, align, js });
}

export const VOID: VoidType = Object.freeze({ kind: 'void', name: 'void', size: 0, align: 1 });
export const BOOL = scalar('_Bool', 'bool', 1, 'boolean');
export const SCHAR = scalar('signed char', 'i8', 1);
export const UCHAR = scalar('unsigned char', 'u8', 1);
export const CHAR = scalar('char', 'i8', 1);
export const SHORT = scalar('short', 'i16', 2);
export const USHORT = scalar('unsigned short', 'u16', 2);
export const INT = scalar('int', 'i32', 4);
export const UINT = scalar('unsigned int', 'u32', 4);
export const LONG = scalar('long', 'i64', 8, 'safe');
export const ULONG = scalar('unsigned long', 'u64', 8, 'safe');
export const LLONG = scalar('long long', 'i64', 8, 'bigint');
export const FLOAT = scalar('float', 'f32', 4);
export const DOUBLE = scalar('double', 'f64', 8);
/** Our model has no X87 representation; the planner must refuse this by name. */
export const LONG_DOUBLE: ScalarType = Object.freeze({
  kind: 'scalar', name: 'long double', rep: 'f80' as unknown as ScalarRep, size: 16, align: 16,
  js: 'number',
});

export function pointer(to: CType = VOID, size = 8): PointerType {
  return Object.freeze({
    kind: 'pointer', name: `${to.name} *`, size, align: size, to, cstring: false, wide: undefined,
  });
}
export const PTR = pointer();

/** The i386 scalars that differ from x86-64's (the rest are the same). */
export const ILP32 = Object.freeze({
  LONG: scalar('long', 'i32', 4),
  ULONG: scalar('unsigned long', 'u32', 4),
  LLONG: scalar('long long', 'i64', 8, 'bigint', 4),
  ULLONG: scalar('unsigned long long', 'u64', 8, 'bigint', 4),
  DOUBLE: scalar('double', 'f64', 8, 'number', 4),
  PTR: pointer(VOID, 4),
  pointer: (to: CType) => pointer(to, 4),
  /** `typedef T name __attribute__((aligned(n)))`: T's scalar with another alignment. */
  aligned: (t: ScalarType, name: string, align: number) => scalar(name, t.rep, t.size, t.js, align),
});

export function array(element: CType, length: number): ArrayType {
  return Object.freeze({
    kind: 'array', name: `${element.name}[${length}]`, size: element.size * length,
    align: element.align, element, length,
  });
}

export function enumType(tag: string, base: ScalarType = UINT): EnumType {
  return Object.freeze({
    kind: 'enum', name: `enum ${tag}`, size: base.size, align: base.align, tag, base,
    values: new Map([[`${tag.toUpperCase()}_0`, 0]]),
  });
}

/** A member: name and type, plus a width for a bitfield ('' names an unnamed bitfield). */
export type FieldSpec = readonly [name: string, type: CType, bitWidth?: number];

/** How a record was declared, so that tests can print it back as C. */
export interface RecordSource {
  readonly specs: readonly FieldSpec[];
  readonly packed: boolean;
  /** From `__attribute__((aligned(n)))`, when given. */
  readonly aligned: number | undefined;
}
export const recordSource = new WeakMap<RecordType, RecordSource>();

const roundUp = (n: number, to: number) => Math.ceil(n / to) * to;

/**
 * Lays out a struct the way GCC does on x86-64: members at their natural alignment (1 when
 * packed); a bitfield starts at the next free bit unless it would cross a boundary of its
 * type's alignment (never moved when packed); unnamed bitfields do not align the struct;
 * `aligned` raises the struct's alignment as `__attribute__((aligned(n)))` does.
 */
export function struct(
  tag: string, specs: readonly FieldSpec[], opts: { packed?: boolean; aligned?: number } = {},
): RecordType {
  const packed = opts.packed ?? false;
  let bit = 0;
  let align = opts.aligned ?? 1;
  const fields: Field[] = [];
  for (const [name, type, width] of specs) {
    const a = packed ? 1 : type.align;
    if (width === undefined) {
      bit = roundUp(bit, a * 8);
      fields.push(Object.freeze({ name, type, offset: bit / 8 }));
      bit += type.size * 8;
      align = Math.max(align, a);
      continue;
    }
    const unitBits = type.align * 8;
    if (width === 0) {
      bit = roundUp(bit, unitBits);
      continue;
    }
    // gcc: a bitfield may not span more units of its type's alignment than the type has (where the
    // two agree: may not cross a boundary; an i386 long long, 4-aligned, may span two 4-byte units).
    const units = Math.ceil(((bit % unitBits) + width) / unitBits);
    if (!packed && units > Math.max(1, type.size / type.align)) {
      bit = roundUp(bit, unitBits);
    }
    const offset = packed ? Math.floor(bit / 8) : Math.floor(bit / unitBits) * type.align;
    fields.push(Object.freeze({ name, type, offset, bitOffset: bit - offset * 8, bitWidth: width }));
    bit += width;
    if (name !== '') align = Math.max(align, a);
  }
  return record('struct', tag, fields, roundUp(Math.ceil(bit / 8), align), align, specs, packed, opts.aligned);
}

export function union(tag: string, specs: readonly FieldSpec[]): RecordType {
  let size = 0;
  let align = 1;
  const fields: Field[] = [];
  for (const [name, type, width] of specs) {
    if (width === 0) continue;
    fields.push(Object.freeze(width === undefined
      ? { name, type, offset: 0 }
      : { name, type, offset: 0, bitOffset: 0, bitWidth: width }));
    size = Math.max(size, type.size);
    if (name !== '' || width === undefined) align = Math.max(align, type.align);
  }
  return record('union', tag, fields, roundUp(size, align), align, specs, false, undefined);
}

function record(
  kind: 'struct' | 'union', tag: string, fields: Field[], size: number, align: number,
  specs: readonly FieldSpec[], packed: boolean, aligned: number | undefined,
): RecordType {
  const r: RecordType = Object.freeze({
    kind, name: `${kind} ${tag}`, size, align, tag, complete: true, fields: Object.freeze(fields),
  });
  recordSource.set(r, { specs, packed, aligned });
  return r;
}

export function incomplete(tag: string): RecordType {
  return Object.freeze({
    kind: 'struct', name: `struct ${tag}`, size: 0, align: 0, tag, complete: false, fields: [],
  });
}

/** The i386 conventions as FunctionType.convention (what decl/ makes of the gcc attributes). */
export const CONVENTIONS = Object.freeze({
  stdcall: Object.freeze({ name: 'stdcall', calleePops: true, registers: 0 }),
  fastcall: Object.freeze({ name: 'fastcall', calleePops: true, registers: 'fastcall' }),
  regparm: (n: 1 | 2 | 3): CallingConvention => Object.freeze({ name: `regparm(${n})`, calleePops: false, registers: n }),
  stdcallRegparm: (n: 1 | 2 | 3): CallingConvention => Object.freeze({ name: `stdcall, regparm(${n})`, calleePops: true, registers: n }),
} satisfies Record<string, CallingConvention | ((n: 1 | 2 | 3) => CallingConvention)>);

/** Parameters as types, or as [name, type] pairs; `convention` an i386 one (absent: the default). */
export function fn(
  name: string, ret: CType, params: readonly (CType | readonly [string, CType])[], variadic = false,
  convention?: CallingConvention,
): FunctionType {
  return Object.freeze({
    kind: 'function', name, size: 0, align: 1, ret, variadic, ...(convention ? { convention } : {}),
    params: Object.freeze(params.map((p) => Object.freeze(Array.isArray(p)
      ? { name: p[0] as string, type: p[1] as CType }
      : { name: undefined, type: p as CType }))),
  });
}
