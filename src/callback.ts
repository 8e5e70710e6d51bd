// callback(): JS functions as C function pointers, on static trampolines (no W+X memory, no cap).
import { plan } from './abi/index.js';
import { pending, pins } from './codegen/call-state.js';
import { frameOverflow, type TransientFactory } from './codegen/convert.js';
import { nativeCallbacksActive, nativeShape, writeBack, type NativeShape } from './codegen/native-callbacks.js';
import { buildOps, resultWidening } from './codegen/ops.js';
import { runnerFactory, type RunnerFactory } from './codegen/unmarshal.js';
import { views, PENDING_WORD, TOP_WORD } from './codegen/frame.js';
import { addon } from './native/addon.js';
import { shared } from './native/shared.js';
import { FRAME } from './native/frame-layout.js';
import { HOST } from './targets/index.js';
import { functionOf } from './scope.js';
import type { FunctionType } from './types/ctype.js';
import { CallbackError } from './errors.js';
import type { CallbackOf } from './typed.js';

const { u32 } = views;

/** FRAME.FLAGS bit set by native code when no foreign call is in progress on this thread. */
const FLAG_DETACHED = 2;

/** Live runners by id (shared by the ESM and CJS builds); the native closure carries the id. */
const { table, freeIds, names, writers, holds } = shared;

/** Runs whichever callback native code entered; its frame is at CONTROL.TOP. */
function dispatch(): void {
  const f = u32[TOP_WORD]!;
  const run = table[u32[(f + FRAME.CLOSURE) >> 2]!];
  if (run) run(f);
}

/**
 * A callback's exception never unwinds through C: C gets a zero result, and the exception is
 * rethrown by the foreign call in progress when it returns — or, when the callback came from
 * another thread with no call in progress, reported as an uncaught exception.
 */
function deliver(e: unknown, detached: boolean): void {
  if (detached) process.nextTick(() => { throw e; });
  else u32[PENDING_WORD] = pending.push(e);
}

function onError(e: unknown, f: number): void {
  deliver(e, (u32[(f + FRAME.FLAGS) >> 2]! & FLAG_DETACHED) !== 0);
}

/** Native code found no room for callback `id`'s frame: C got zeros, JS gets this error. */
function onOverflow(id: number, detached: boolean): void {
  deliver(frameOverflow(`callback ${shared.names[id] ?? 'anonymous'}`), detached);
}

/** Id `id` is free for the next callback: its own was freed and is not running (natively). */
function recycle(id: number): void {
  table[id] = undefined;
  writers[id] = undefined;
  holds[id] = undefined;
  freeIds.push(id);
}

if (!shared.dispatcher) {
  addon.cbInit(dispatch, onOverflow);
  addon.cbOpsInit(onError, writeBack, recycle);
  shared.dispatcher = true;
}

/** A compiled callback shape, shared by every callback of the same function type. */
interface Shape {
  readonly type: FunctionType;
  readonly name: string;
  readonly stackBytes: number;
  readonly frameBytes: number;
  /** Frame slot of a hidden result pointer that C must get back in rax, else 0; from bit 16, the
      result registers C widens (codegen/ops.ts resultWidening). */
  readonly retSlot: number;
  readonly bind: RunnerFactory;
  /** Set when C can run it (codegen/native-callbacks.ts). */
  readonly native: NativeShape | undefined;
}
const shapes = new WeakMap<FunctionType, Shape>();

function shapeOf(type: FunctionType, name: string): Shape {
  let s = shapes.get(type);
  if (!s) {
    if (type.variadic) throw new CallbackError(`callback ${name}: variadic callbacks are not supported (C gives no way to know the extra arguments' types)`);
    const p = plan(type);
    const ops = buildOps(p, `callback ${name}`);
    s = { type, name, stackBytes: p.stackSize, frameBytes: ops.fixedSize, retSlot: (ops.ret.kind === 'memory' && HOST.arch.returnsResultPointer ? ops.ret.pointerAt : 0) + resultWidening(p) * 65536,
      bind: runnerFactory(ops, onError, transientCallback), native: nativeShape(ops, onError, transientCallback) };
    shapes.set(type, s);
  }
  return s;
}

export type CallbackFunction = (...args: any[]) => any;

/** A JS function callable from C through `pointer`, until `free()`. */
export class Callback {
  readonly pointer: number;
  readonly type: FunctionType;
  /** @internal Whether C runs it (native/js-cb-ops.c) rather than its JS runner. */
  readonly native: boolean;
  #live = true;
  #id: number;

  /** @internal use callback() */
  constructor(shape: Shape, fn: CallbackFunction, transient = false) {
    const id = freeIds.pop() ?? table.length;
    table[id] = shape.bind(fn); // the native runner too runs it for an argument C cannot make
    names[id] = shape.name;
    // A transient callback runs for one call: creating a native runner costs more than it saves.
    const native = shape.native && !transient && nativeCallbacksActive() ? shape.native : undefined;
    try {
      writers[id] = native?.write;
      this.pointer = native
        ? addon.cbCreate(id, shape.stackBytes, shape.frameBytes, shape.retSlot, native.handle, fn)
        : addon.cbCreate(id, shape.stackBytes, shape.frameBytes, shape.retSlot);
    } catch (e) {
      recycle(id);
      throw e;
    }
    this.#id = id;
    this.type = shape.type;
    this.native = native !== undefined;
  }

  get freed(): boolean {
    return !this.#live;
  }

  /** Releases the trampoline; C calling it afterwards aborts with a message naming it. */
  free(): void {
    if (!this.#live) throw new CallbackError('callback already freed');
    const running = addon.cbFree(this.pointer); // then C recycles the id when that run ends
    this.#live = false;
    if (!running) recycle(this.#id);
  }

  /** For transient callbacks: free after the call that made them. */
  release(): void {
    if (this.#live) this.free();
  }

  [Symbol.dispose](): void {
    this.release();
  }
}

/**
 * A C function pointer that runs `fn`. `decl` is a prototype ('int cmp(const void *a, const
 * void *b)'), a function-pointer type ('int (*)(int)') or a typedef name of one. `fn` is typed
 * from `decl` (src/typed.ts); M gives struct, union and typedef names their value types.
 */
export function callback<D extends string | FunctionType, M extends object = {}>(
  decl: D, fn: D extends string ? CallbackOf<D, M> : CallbackFunction): Callback;
export function callback(decl: string | FunctionType, fn: CallbackFunction): Callback {
  if (typeof fn !== 'function') throw new CallbackError(`callback(decl, fn): fn must be a function, got ${typeof fn}`);
  let type: FunctionType;
  let name = 'anonymous';
  if (typeof decl === 'string') {
    const d = functionOf(decl); // the same type object until cdef(), so shapeOf finds its shape
    type = d.type;
    name = d.name ?? name;
  } else if (decl && typeof decl === 'object' && decl.kind === 'function') {
    type = decl;
  } else {
    throw new CallbackError(`callback(decl, fn): decl must be a C declaration string, got ${typeof decl}`);
  }
  return new Callback(shapeOf(type, name), fn);
}

/** A JS function passed for a function-pointer parameter: a callback that lives for the call
    (library.ts hands this to every marshaller it makes). */
export const transientCallback: TransientFactory = (fn, ptrType, where) => {
  const to = ptrType.kind === 'pointer' ? ptrType.to : undefined;
  if (!to || to.kind !== 'function') throw new CallbackError(`${where}: not a function-pointer parameter`);
  const cb = new Callback(shapeOf(to, where), fn as CallbackFunction, true);
  pins.push(cb);
  return cb.pointer;
};
