// load() and Library: symbols of a shared object, and C functions declared by prototype.
import { plan } from './abi/sysv-x86_64.js';
import './callback.js'; // installs the hook that turns JS functions into transient callbacks
import { compile, type CallOptions, type Marshaller } from './codegen/compile.js';
import { asyncCaller } from './codegen/interpret.js';
import { arityError } from './codegen/convert.js';
import { buildOps } from './codegen/ops.js';
import { parsePrototype } from './decl/index.js';
import { addon } from './native/addon.js';
import { globalScope, typeOf } from './scope.js';
import type { CType, FunctionType } from './types/ctype.js';
import { BOOL, DOUBLE, INT, LLONG } from './types/builtins.js';
import { TrampfdTypeError } from './types/errors.js';
import { readValue, writeValue } from './types/values.js';
import { makePointer } from './types/layout.js';
import { LoadError } from './errors.js';
import type { Declared } from './typed.js';

export type FuncOptions = CallOptions;

/**
 * A foreign function as JS sees it: call it, or `.async(...)`, `.address`, `.declaration`.
 * `func()` infers P and R from the declaration string (src/typed.ts); the defaults are the general form.
 */
export interface ForeignFunction<P extends unknown[] = any[], R = any> {
  (...args: P): R;
  /** The call on the libuv thread pool; buffers and strings passed stay alive until it settles. */
  async(...args: P): Promise<R>;
  readonly address: number;
  readonly declaration: string;
  readonly type: FunctionType;
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
      m = compile(buildOps(plan(fn, types), name), address, options);
      node.set(MARSHALLER, m);
    }
    return m(...values);
  };
}

/** M: value types for struct, union and typedef names in this library's declarations (see CTypes). */
export class Library<M extends object = {}> {
  readonly path: string | null;
  readonly #handle: number;

  constructor(path: string | null) {
    if (path !== null && typeof path !== 'string') throw new LoadError(`load(path) expects a string or null, got ${typeof path}`);
    this.path = path;
    try {
      this.#handle = addon.dlopen(path);
    } catch (e) {
      throw new LoadError((e as Error).message);
    }
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
   */
  func<D extends string>(decl: D, options: FuncOptions = {}): Declared<D, M> {
    if (typeof decl !== 'string') throw new TrampfdTypeError(`func(declaration) expects a string, got ${typeof decl}`);
    const { name, type } = parsePrototype(decl, globalScope);
    if (!name) throw new LoadError(`func('${decl}'): a prototype needs a function name to look up`);
    const address = this.symbol(name);
    if (options === null || typeof options !== 'object') throw new TrampfdTypeError(`func('${decl}', options): options must be an object`);
    let f: Marshaller;
    let async: (...args: unknown[]) => Promise<unknown>;
    if (type.variadic) {
      f = variadic(name, type, address, options);
      async = () => Promise.reject(new TypeError(`${name}: async calls of variadic functions are not supported`));
    } else {
      const ops = buildOps(plan(type), name);
      f = compile(ops, address, options);
      async = asyncCaller(ops, address, options);
    }
    return Object.defineProperties(f, {
      async: { value: async, enumerable: true },
      address: { value: address, enumerable: true },
      declaration: { value: decl, enumerable: true },
      type: { value: type },
    }) as ForeignFunction as Declared<D, M>;
  }
}

/**
 * Opens a shared library by path or soname; `null` is the running process. M gives struct,
 * union and typedef names their value types: `load<TypesOf<typeof defs>>(path)` or a literal map.
 */
export function load<M extends object = {}>(path: string | null): Library<M> {
  return new Library<M>(path);
}
