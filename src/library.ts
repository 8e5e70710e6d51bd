// load() and Library: symbols of a shared object, and C functions declared by prototype.
import { plan } from './abi/index.js';
import { compile, type CallOptions, type Marshaller } from './codegen/compile.js';
import { asyncCaller } from './codegen/interpret.js';
import { arityError } from './codegen/convert.js';
import { buildOps } from './codegen/ops.js';
import { parsePrototype } from './decl/index.js';
import { addon } from './native/addon.js';
import { functionOf, globalScope, typeOf } from './scope.js';
import type { CType, FunctionType } from './types/ctype.js';
import { BOOL, DOUBLE, INT, LLONG } from './types/builtins.js';
import { TrampfdRangeError, TrampfdTypeError } from './types/errors.js';
import { readValue, writeValue } from './types/values.js';
import { makePointer } from './types/layout.js';
import { Callback, transientCallback } from './callback.js';
import { LoadError } from './errors.js';
import type { Declared } from './typed.js';
import type { ForeignFunction } from './foreign-function.js';

export type { ForeignFunction } from './foreign-function.js';

/** A C function's address: a number, a bigint, or a callback() object (its `.pointer`). */
export type FunctionAddress = number | bigint | Callback;

export interface FuncOptions extends CallOptions {
  /** Call this address instead of looking the name up; the declaration's name is then a label. */
  readonly address?: FunctionAddress;
}

/** How load() opens a library; the default is RTLD_NOW | RTLD_LOCAL. */
export interface LoadOptions {
  /** RTLD_DEEPBIND: the library's own calls bind to its own definitions first (see `interposed`). */
  readonly deep?: boolean;
  /** RTLD_LAZY: resolve function symbols at first call instead of at load. */
  readonly lazy?: boolean;
  /** RTLD_GLOBAL: later-loaded libraries can bind to this one's symbols. */
  readonly global?: boolean;
}

const VOID_PTR = makePointer(typeOf('void'));
const CONST_CHAR_PTR = typeOf('const char *');

/** The C type a plain variadic value is passed as (documented in README, "Variadic calls"). */
function defaultVariadicType(v: unknown, name: string, i: number): CType {
  switch (typeof v) {
    case 'number': return Number.isInteger(v) && (v | 0) === v ? INT : DOUBLE;
    case 'bigint': return LLONG;
    case 'boolean': return BOOL;
    case 'string': return CONST_CHAR_PTR;
    case 'object': case 'function': return VOID_PTR;
    default: throw new TrampfdTypeError(`${name}: argument ${i + 1}: cannot pass ${typeof v} as a variadic argument; use a [type, value] pair`);
  }
}

const scratchView = new DataView(new ArrayBuffer(8));

/**
 * A variadic value converted as its declared type, then promoted as C's default argument
 * promotions do (bool/char/short to int, float to double): range checks and float rounding
 * follow the declared type, the bytes passed follow the promoted one.
 */
function promoteValue(declared: CType, v: unknown, name: string, i: number): unknown {
  const t = declared.kind === 'enum' ? declared.base : declared;
  if (t.kind !== 'scalar' || (t.size >= 4 && t.rep !== 'f32')) return v;
  const where = `${name}: argument ${i + 1}`;
  writeValue(scratchView, 0, declared, v, where);
  const back = readValue(scratchView, 0, declared, where);
  return typeof back === 'boolean' ? Number(back) : back;
}

/** Marks the marshaller stored at the end of a path of argument types. */
const MARSHALLER = Symbol('marshaller');
type TypeTrie = Map<CType | typeof MARSHALLER, TypeTrie | Marshaller>;

function variadic(name: string, fn: FunctionType, address: number, options: CallOptions): Marshaller {
  const fixed = fn.params.length;
  // One marshaller per sequence of extra-argument types, found by type identity (typeOf and
  // the defaults return the same descriptor objects), without building a key per call.
  const cache: TypeTrie = new Map();
  return function (...args: unknown[]): unknown {
    if (args.length < fixed) throw arityError(name, fixed, args.length, true);
    const types: CType[] = [];
    const values: unknown[] = args.slice(0, fixed);
    let node = cache;
    for (let i = fixed; i < args.length; i++) {
      const a = args[i];
      let type: CType;
      let value: unknown;
      if (Array.isArray(a) && a.length === 2 && (typeof a[0] === 'string' || (a[0] && typeof a[0] === 'object' && 'kind' in a[0]))) {
        try {
          type = typeOf(a[0] as string | CType);
        } catch (e) {
          if (e instanceof Error) e.message = `${name}: argument ${i + 1}: ${e.message}`; // keep the class and code
          throw e;
        }
        value = a[1];
      } else {
        type = defaultVariadicType(a, name, i);
        value = a;
      }
      types.push(type);
      values.push(promoteValue(type, value, name, i));
      let next = node.get(type) as TypeTrie | undefined;
      if (!next) node.set(type, (next = new Map()));
      node = next;
    }
    let m = node.get(MARSHALLER) as Marshaller | undefined;
    if (!m) {
      m = compile(buildOps(plan(fn, types), name), address, options, transientCallback);
      node.set(MARSHALLER, m);
    }
    return m(...values);
  };
}

// dlopen mode bits, as native/js-dl.c reads them.
const DL_LAZY = 1, DL_GLOBAL = 2, DL_DEEP = 4;
const LOAD_OPTIONS: readonly string[] = ['deep', 'lazy', 'global'];

function loadMode(options: unknown): number {
  if (options === undefined) return 0;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new LoadError(`load(path, options): options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  let mode = 0;
  for (const [k, v] of Object.entries(options)) {
    if (!LOAD_OPTIONS.includes(k)) throw new LoadError(`load(path, options): unknown option '${k}' (known: ${LOAD_OPTIONS.join(', ')})`);
    if (v !== undefined && typeof v !== 'boolean') throw new LoadError(`load(path, options): '${k}' must be a boolean, got ${typeof v}`);
    if (v) mode |= k === 'deep' ? DL_DEEP : k === 'lazy' ? DL_LAZY : DL_GLOBAL;
  }
  return mode;
}

// Handles trampfd opened itself, whether deep-bound, and the interposed list computed for each.
const deepHandles = new Set<number>();
const interposedByHandle = new Map<number, readonly string[]>();

/**
 * The library's exported functions that it also calls itself (through a relocation) and that
 * the main program defines too (the node binary exports its own zlib, OpenSSL, libuv...). A
 * library opened RTLD_LOCAL looks symbols up in the global scope first, so those calls go to the
 * program's copy;
 * mixing that copy with the library's own (libz's deflateInit_ initialises node's zlib state,
 * libz's deflate then reads it) can crash. We warn instead of deep-binding by ourselves:
 * RTLD_DEEPBIND also takes the library away from the program's interposers (a malloc the binary
 * replaces, sanitizer runtimes, LD_PRELOAD hooks, C++ runtimes that must be one copy), cannot
 * apply to an object already loaded, and only the caller knows which of these matters.
 */
function interposedOf(handle: number): readonly string[] {
  if (deepHandles.has(handle)) return Object.freeze([]);
  let names = interposedByHandle.get(handle);
  if (!names) interposedByHandle.set(handle, (names = Object.freeze(addon.dlInterposed(handle))));
  return names;
}

const warned = new Set<number>();

function warnInterposed(path: string, handle: number, names: readonly string[]): void {
  if (warned.has(handle)) return;
  warned.add(handle);
  const shown = names.slice(0, 8).join(', ') + (names.length > 8 ? `, ... (${names.length} in all)` : '');
  process.emitWarning(`${path} exports functions that the running program also defines (${shown}): the ` +
    `library's own calls to them go to the program's copies, and mixing the two can crash. Load it with ` +
    `{ deep: true } (RTLD_DEEPBIND) to bind its calls to itself; lib.interposed lists them.`,
    { type: 'Warning', code: 'TRAMPFD_INTERPOSED' });
}

/** A function address as a safe, non-zero number. */
function addressOf(a: unknown, where: string): number {
  let n: unknown = a;
  if (a instanceof Callback) {
    if (a.freed) throw new TrampfdTypeError(`${where}: the callback was freed`);
    n = a.pointer;
  } else if (typeof a === 'bigint') {
    if (a <= 0n || a > BigInt(Number.MAX_SAFE_INTEGER)) throw new TrampfdRangeError(`${where}: ${a}n is not a function address (non-zero, below 2^53)`);
    n = Number(a);
  } else if (typeof a !== 'number') {
    throw new TrampfdTypeError(`${where}: a function address must be a number, a bigint or a callback() object, got ${a === null ? 'null' : typeof a}`);
  }
  if (!Number.isSafeInteger(n) || (n as number) <= 0) throw new TrampfdRangeError(`${where}: ${String(n)} is not a function address (a non-zero safe integer)`);
  return n as number;
}

/** The JS function for C function type `type` at `address`; `name` labels errors. */
function declare<D extends string, M extends object>(decl: D, name: string, type: FunctionType, address: number, options: CallOptions): Declared<D, M> {
  let f: Marshaller;
  let async: (...args: unknown[]) => Promise<unknown>;
  if (type.variadic) {
    f = variadic(name, type, address, options);
    async = () => Promise.reject(new TypeError(`${name}: async calls of variadic functions are not supported`));
  } else {
    const ops = buildOps(plan(type), name);
    f = compile(ops, address, options, transientCallback);
    async = asyncCaller(ops, address, options, transientCallback);
  }
  return Object.defineProperties(f, {
    async: { value: async, enumerable: true },
    address: { value: address, enumerable: true },
    declaration: { value: decl, enumerable: true },
    type: { value: type },
  }) as ForeignFunction as Declared<D, M>;
}

function callOptions(decl: string, options: unknown): { address?: FunctionAddress; call: CallOptions } {
  if (options === null || typeof options !== 'object') throw new TrampfdTypeError(`func('${decl}', options): options must be an object`);
  const { address, ...call } = options as FuncOptions;
  return { address, call };
}

/** M: value types for struct, union and typedef names in this library's declarations (see CTypes). */
export class Library<M extends object = {}> {
  readonly path: string | null;
  /**
   * Exported functions of this library that the running program also defines, so that the
   * library's own calls to them go to the program's copies (empty for `{ deep: true }`).
   */
  readonly interposed: readonly string[];
  readonly #handle: number;

  constructor(path: string | null, options?: LoadOptions) {
    if (path !== null && typeof path !== 'string') throw new LoadError(`load(path) expects a string or null, got ${typeof path}`);
    const mode = loadMode(options);
    this.path = path;
    let opened: { handle: number; loaded: boolean };
    try {
      opened = addon.dlopen(path, mode);
    } catch (e) {
      throw new LoadError((e as Error).message);
    }
    this.#handle = opened.handle;
    const deep = (mode & DL_DEEP) !== 0;
    if (path === null) {
      this.interposed = Object.freeze([]);
      return;
    }
    if (deep && !opened.loaded) deepHandles.add(opened.handle);
    this.interposed = interposedOf(opened.handle);
    if (this.interposed.length === 0) return;
    if (deep) {
      throw new LoadError(`load('${path}', { deep: true }): the library was already loaded without deep binding, ` +
        `so its calls to ${this.interposed.slice(0, 4).join(', ')}... still go to the program's copies; load it with { deep: true } first`);
    }
    warnInterposed(path, opened.handle, this.interposed);
  }

  /** The address of `name`, or an error naming the library. */
  symbol(name: string): number {
    if (typeof name !== 'string' || name === '') throw new LoadError(`symbol(name) expects a non-empty string`);
    const a = addon.dlsym(this.#handle, name);
    if (a === undefined) throw new LoadError(`symbol '${name}' not found in ${this.path ?? 'the running process'}`);
    return a;
  }

  /**
   * A JS function for the C prototype `decl`, e.g. 'int add(int a, int b)'; typed from the
   * string: `ForeignFunction<[number, number], number>` (the general form when it cannot tell).
   * With `{ address }` it calls that address (a function pointer C gave you) instead of the
   * symbol the name names.
   */
  func<D extends string>(decl: D, options: FuncOptions = {}): Declared<D, M> {
    if (typeof decl !== 'string') throw new TrampfdTypeError(`func(declaration) expects a string, got ${typeof decl}`);
    const { address, call } = callOptions(decl, options);
    if (address !== undefined) {
      const d = functionOf(decl);
      return declare<D, M>(decl, d.name ?? 'anonymous', d.type, addressOf(address, `func('${decl}', { address })`), call);
    }
    const { name, type } = parsePrototype(decl, globalScope);
    if (!name) throw new LoadError(`func('${decl}'): a prototype needs a function name to look up`);
    return declare<D, M>(decl, name, type, this.symbol(name), call);
  }
}

/**
 * Opens a shared library by path or soname; `null` is the running process. M gives struct,
 * union and typedef names their value types: `load<TypesOf<typeof defs>>(path)` or a literal map.
 * Options: `{ deep, lazy, global }` (RTLD_DEEPBIND, RTLD_LAZY, RTLD_GLOBAL).
 */
export function load<M extends object = {}>(path: string | null, options?: LoadOptions): Library<M> {
  return new Library<M>(path, options);
}

/**
 * A JS function for the C function at `address` (a pointer C returned or stored, a bigint, or a
 * callback() object), declared by `decl`: a prototype whose name is only a label, a
 * function-pointer type ('int (*)(int, int)') or a typedef name of one.
 */
export function fnptr<D extends string, M extends object = {}>(address: FunctionAddress, decl: D, options: CallOptions = {}): Declared<D, M> {
  if (typeof decl !== 'string') throw new TrampfdTypeError(`fnptr(address, declaration) expects a string declaration, got ${typeof decl}`);
  const { call } = callOptions(decl, options);
  const d = functionOf(decl);
  return declare<D, M>(decl, d.name ?? 'anonymous', d.type, addressOf(address, `fnptr(address, '${decl}')`), call);
}
