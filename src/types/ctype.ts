// The C type model: frozen descriptors whose size, alignment and layout are computed once.

/** Machine representation of a scalar; what the ABI planners classify. */
export type ScalarRep =
  | 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'i64' | 'u64'
  | 'f32' | 'f64' | 'bool' | 'pointer';

/** How a scalar crosses into JavaScript (DESIGN.md, "Values"). */
export type JsRep =
  | 'number'   // integers up to 32 bits, float, double
  | 'bigint'   // int64_t, uint64_t, long long, unsigned long long
  | 'safe'     // size-like 64-bit types: number, checked to be a safe integer
  | 'boolean'  // bool / _Bool
  | 'pointer'; // number (0 is NULL); exact or an error

interface Base {
  /** C spelling, e.g. "unsigned int", "struct point", "int *". */
  readonly name: string;
  readonly size: number;
  readonly align: number;
}

export interface VoidType extends Base { readonly kind: 'void' }

export interface ScalarType extends Base {
  readonly kind: 'scalar';
  readonly rep: ScalarRep;
  readonly js: JsRep;
}

export interface PointerType extends Base {
  readonly kind: 'pointer';
  /**
   * The target. For a pointer made while its target record was only forward-declared this is a
   * getter that returns the record's completed definition once cdef has defined it (the
   * incomplete descriptor until then); see decl/registry.ts `resolveType`.
   */
  readonly to: CType;
  /** `const char *` (and `const unsigned char *` etc.): parameters accept a JS string. */
  readonly cstring: boolean;
  /**
   * `const wchar_t *`, `const char32_t *` ('utf32') and `const char16_t *` ('utf16'):
   * parameters accept a JS string in that encoding; undefined for other pointers.
   */
  readonly wide: 'utf16' | 'utf32' | undefined;
}

export interface Field {
  /** Empty string for an anonymous struct/union member whose fields are promoted. */
  readonly name: string;
  readonly type: CType;
  /** Byte offset of the storage unit (for bitfields: of the containing unit of type.size bytes). */
  readonly offset: number;
  /**
   * Bitfields only: bit offset inside the unit starting at `offset`, and width. The bits are
   * `offset * 8 + bitOffset` up to `+ bitWidth` from the record's start. In a packed record the
   * unit starts at the byte holding the first bit and the bits may run past `type.size` bytes;
   * only the bytes covering the bits are guaranteed to lie inside the record.
   */
  readonly bitOffset?: number;
  readonly bitWidth?: number;
}

export interface RecordType extends Base {
  readonly kind: 'struct' | 'union';
  readonly tag: string | undefined;
  /** False for a forward-declared (incomplete) record; size/align are 0 then. */
  readonly complete: boolean;
  readonly fields: readonly Field[];
}

export interface ArrayType extends Base {
  readonly kind: 'array';
  readonly element: CType;
  readonly length: number;
}

export interface Param {
  readonly name: string | undefined;
  readonly type: CType;
}

/**
 * An i386 calling convention other than the default (cdecl), from gcc's function attributes
 * `stdcall`, `fastcall` and `regparm(N)` (the ABI planners of other targets refuse it).
 */
export interface CallingConvention {
  /** How messages and the type's name spell it: 'stdcall', 'fastcall', 'regparm(2)', 'stdcall, regparm(3)'. */
  readonly name: string;
  /** stdcall and fastcall: the callee removes its stack arguments when it returns. */
  readonly calleePops: boolean;
  /** Integer arguments in registers: regparm's count (eax, edx, ecx in that order), or 'fastcall' (ecx, edx). */
  readonly registers: 0 | 1 | 2 | 3 | 'fastcall';
}

export interface FunctionType extends Base {
  readonly kind: 'function';
  readonly ret: CType;
  readonly params: readonly Param[];
  readonly variadic: boolean;
  /** Absent: the target's default convention. */
  readonly convention?: CallingConvention;
}

export interface EnumType extends Base {
  readonly kind: 'enum';
  readonly tag: string | undefined;
  /** The integer scalar the enum is stored as (int unless a value needs more). */
  readonly base: ScalarType;
  readonly values: ReadonlyMap<string, number>;
}

export type CType =
  | VoidType | ScalarType | PointerType | RecordType | ArrayType | FunctionType | EnumType;
