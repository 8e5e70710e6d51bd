// memory.*: foreign memory from JS — allocation, typed reads and writes, C strings, views.
import { byteLength, readSlot } from './codegen/convert.js';
import { views, TOP_WORD, FRAME_LIMIT } from './codegen/frame.js';
import { storeOf } from './codegen/ops.js';
import { addon } from './native/addon.js';
import { typeOf } from './scope.js';
import type { CType } from './types/ctype.js';
import { readValue, writeValue } from './types/values.js';
import { offsetOf } from './types/layout.js';
import { TrampfdRangeError, TrampfdTypeError } from './types/errors.js';
import { unitSize, type StringEncoding } from './types/strings.js';

export interface ReadOptions {
  /** Read char (and char16_t, char32_t, wchar_t) arrays as the string before their first NUL. */
  readonly strings?: boolean;
}

export interface StringOptions {
  /** 'utf8' (default), 'utf16' (char16_t), 'utf32' (char32_t) or 'wchar' (wchar_t, UTF-32 on Linux). */
  readonly encoding?: StringEncoding;
  /** Read at most this many code units (bytes for UTF-8), stopping at a NUL before. */
  readonly length?: number;
}

function readOptions(options: ReadOptions | undefined): boolean {
  if (options === undefined) return false;
  if (typeof options !== 'object' || options === null) throw new TrampfdTypeError(`memory.read: options must be an object, got ${options === null ? 'null' : typeof options}`);
  const { strings = false } = options;
  if (typeof strings !== 'boolean') throw new TrampfdTypeError(`memory.read: options.strings must be a boolean, got ${typeof strings}`);
  return strings;
}

const ENCODINGS: ReadonlySet<unknown> = new Set(['utf8', 'utf16', 'utf32', 'wchar']);

/** memory.string with options: bounded (`length`) or up to a NUL; C reads and decodes it. */
function readString(ptr: number, options: StringOptions): string {
  if (typeof options !== 'object' || options === null) throw new TrampfdTypeError(`memory.string: options must be an object, got ${options === null ? 'null' : typeof options}`);
  const { encoding = 'utf8', length } = options;
  if (!ENCODINGS.has(encoding)) throw new TrampfdTypeError(`memory.string: encoding must be 'utf8', 'utf16', 'utf32' or 'wchar', got ${String(encoding)}`);
  const unit = unitSize(encoding);
  if (ptr % unit !== 0) throw new TrampfdRangeError(`memory.string: a ${encoding} string must be ${unit}-byte aligned, got address ${ptr}`);
  if (length !== undefined) {
    if (!Number.isSafeInteger(length) || length < 0) throw new TrampfdRangeError(`memory.string: length must be a non-negative safe integer, got ${String(length)}`);
    if (length === 0) return '';
  }
  return addon.memString(ptr, unit, length ?? -1);
}

// Bad input throws the type model's classes: TrampfdTypeError (ERR_TRAMPFD_VALUE_TYPE) for a
// value of the wrong kind, TrampfdRangeError (ERR_TRAMPFD_VALUE_RANGE) for one out of range.

function checkPointer(ptr: unknown, op: string): number {
  if (typeof ptr !== 'number') {
    throw new TrampfdTypeError(`memory.${op}: expected a pointer (a safe integer address past the first page), got ${
      ptr === null ? 'null' : typeof ptr}`);
  }
  if (!Number.isSafeInteger(ptr) || ptr < 4096) {
    throw new TrampfdRangeError(`memory.${op}: expected a pointer (a safe integer address past the first page), got ${ptr}`);
  }
  return ptr;
}

function checkLength(n: unknown, op: string, what: string): number {
  if (typeof n !== 'number') throw new TrampfdTypeError(`memory.${op}: ${what} must be a number, got ${n === null ? 'null' : typeof n}`);
  if (!Number.isSafeInteger(n) || n < 0) throw new TrampfdRangeError(`memory.${op}: ${what} must be a non-negative safe integer, got ${n}`);
  return n;
}

function sized(type: string | CType, op: string): CType {
  const t = typeOf(type);
  if (t.size === 0) throw new TrampfdTypeError(`memory.${op}: type '${t.name}' has no size`);
  return t;
}

/** Stores a common scalar of an exactly acceptable value; false sends it to writeValue. */
function writeScalarFast(t: CType, o: number, v: unknown): boolean {
  if (t.kind !== 'scalar' || typeof v !== 'number') return false;
  switch (t.rep) {
    case 'i32': if ((v | 0) !== v) return false; views.i32[o >> 2] = v; return true;
    case 'u32': if ((v >>> 0) !== v) return false; views.u32[o >> 2] = v; return true;
    case 'f64': views.f64[o >> 3] = v; return true;
    case 'f32': views.f32[o >> 2] = v; return true;
    default: return false;
  }
}

/** memory.string in JS: every check and error; the native function below reads plain calls itself. */
function stringInJs(ptr: number, options?: StringOptions): string {
  if (options === undefined) return addon.memCString(checkPointer(ptr, 'string'));
  return readString(checkPointer(ptr, 'string'), options);
}

/** Native, so `memory.string(ptr)` runs no JS bytecode: what matters without a JIT. */
const string = addon.stringFunction(stringInJs);

export const memory = {
  /** `size` zeroed bytes from malloc; release with memory.free. */
  alloc(size: number): number {
    return addon.memAlloc(checkLength(size, 'alloc', 'size'));
  },
  free(ptr: number): void {
    if (ptr === 0) return;
    addon.memFree(checkPointer(ptr, 'free'));
  },
  /**
   * The C value of `type` at `ptr` (structs as objects, arrays as arrays). `{ strings: true }`
   * reads char, char16_t, char32_t and wchar_t arrays, members included, as strings.
   */
  read(ptr: number, type: string | CType, options?: ReadOptions): unknown {
    const t = sized(type, 'read');
    const top = views.u32[TOP_WORD]!;
    const strings = readOptions(options);
    if (top + t.size > FRAME_LIMIT || strings) {
      return readValue(new DataView(addon.memView(checkPointer(ptr, 'read'), t.size)), 0, t, `memory.read(${t.name})`, strings);
    }
    // Copied to the free top of the frame stack, then converted with the frame's views.
    addon.memLoad(checkPointer(ptr, 'read'), t.size);
    const where = `memory.read(${t.name})`;
    const scalar = t.kind === 'scalar' || t.kind === 'enum' || t.kind === 'pointer';
    return scalar ? readSlot(storeOf(t), top, t, where) : readValue(views.dv, top, t, where);
  },
  write(ptr: number, type: string | CType, value: unknown): void {
    const t = sized(type, 'write');
    const top = views.u32[TOP_WORD]!;
    if (top + t.size > FRAME_LIMIT) {
      writeValue(new DataView(addon.memView(checkPointer(ptr, 'write'), t.size)), 0, t, value, `memory.write(${t.name})`);
      return;
    }
    checkPointer(ptr, 'write');
    if (writeScalarFast(t, top, value)) {
      addon.memStore(ptr, t.size);
      return;
    }
    // Converted first (errors leave foreign memory untouched); padding keeps its old bytes. The
    // frame stack's top moves past the staged bytes meanwhile: a getter run by the conversion may
    // call foreign functions, whose frames must not overwrite them.
    addon.memLoad(ptr, t.size);
    views.u32[TOP_WORD] = (top + t.size + 15) & ~15;
    try {
      writeValue(views.dv, top, t, value, `memory.write(${t.name})`);
    } finally {
      views.u32[TOP_WORD] = top;
    }
    addon.memStore(ptr, t.size);
  },
  /**
   * The NUL-terminated string at `ptr`: UTF-8 unless `encoding` says 'utf16' (char16_t),
   * 'utf32' (char32_t) or 'wchar' (wchar_t: UTF-32 on Linux). With `length`, at most that many
   * code units are read, as strnlen does: for a `char name[N]` member, pass N.
   */
  string,
  /** A zero-copy view of `length` bytes at `ptr`; valid while the memory is. */
  view(ptr: number, length: number): Uint8Array {
    return new Uint8Array(addon.memView(checkPointer(ptr, 'view'), checkLength(length, 'view', 'length')));
  },
  /** Address of the first byte of a Buffer, TypedArray, DataView, ArrayBuffer or SharedArrayBuffer. */
  address(view: ArrayBufferView | ArrayBufferLike): number {
    const shared = typeof SharedArrayBuffer !== 'undefined' && view instanceof SharedArrayBuffer;
    if (ArrayBuffer.isView(view) || view instanceof ArrayBuffer || shared) {
      if ((ArrayBuffer.isView(view) ? byteLength(view) : view.byteLength) === 0 && addon.bufferDetached(view)) {
        throw new TrampfdTypeError('memory.address: the ArrayBuffer is detached (transferred or freed)');
      }
      return addon.bufferAddress(shared ? new Uint8Array(view) : view as ArrayBuffer); // Node-API reads shared memory through a view
    }
    throw new TrampfdTypeError(`memory.address: expected a TypedArray, DataView, ArrayBuffer or SharedArrayBuffer, got ${
      view === null ? 'null' : typeof view}`);
  },
  sizeof(type: string | CType): number {
    return typeOf(type).size;
  },
  alignof(type: string | CType): number {
    return typeOf(type).align;
  },
  /** Byte offset of `member` in a struct or union, as C's offsetof: 'a', 'a.b', 'data[3]'. */
  offsetof(type: string | CType, member: string): number {
    if (typeof member !== 'string') throw new TrampfdTypeError(`memory.offsetof: expected a member name (string), got ${typeof member}`);
    return offsetOf(typeOf(type), member);
  },
};
