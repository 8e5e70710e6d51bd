// The interpreted marshaller: the same ops as the generated one, executed by a loop. Used when
// code generation from strings is disallowed, and for async calls; it must give identical results.
import { addon } from '../native/addon.js';
import { FLAG_ERRNO } from '../native/frame-layout.js';
import { readValue, writeValue } from '../types/values.js';
import { asyncMode, errnoState, pending, pins, releasePins, throwPending } from './call-state.js';
import {
  arityError, frameOverflow, pointerArg, readSlot, referenceCopy, storeAddress, viewAddress, writeScalar, type TransientFactory,
} from './convert.js';
import { FRAME, FRAME_LIMIT, FRAME_WORD, TOP_WORD, frameBase, views } from './frame.js';
import type { CallOps, Move, RetOp } from './ops.js';

const { u8, u32, i32, dv } = views;

export interface CallOptions {
  /** Capture errno right after the call (read it with `errno()`). */
  readonly errno?: boolean;
  /** Run on a helper thread while this JS thread keeps serving callbacks from other threads. */
  readonly blocking?: boolean;
}

export type Marshaller = (...args: unknown[]) => unknown;

export function move8(from: number, to: number): void {
  u32[to >> 2] = u32[from >> 2]!;
  u32[(to >> 2) + 1] = u32[(from >> 2) + 1]!;
}

export function move4(from: number, to: number): void {
  u32[to >> 2] = u32[from >> 2]!;
}

/** Moves one piece `size` bytes long the way ops.ts decided (CopyPiece.toSlot / toImage). */
export function movePiece(move: Move, size: number, from: number, to: number): void {
  if (move === 4) move4(from, to);
  else if (move === 8) move8(from, to);
  else u8.copyWithin(to, from, from + size);
}

/** Writes the arguments and the header of a call to `fn` into the frame at `f`. */
export function marshalArgs(
  ops: CallOps, fn: number, flags: number, args: readonly unknown[], f: number, transient: TransientFactory | undefined,
): void {
  for (const a of ops.args) {
    const v = args[a.index];
    if (a.kind === 'aggregate') {
      writeValue(dv, f + a.scratch, a.type, v, a.where);
      for (const p of a.pieces) movePiece(p.toSlot, p.size, f + a.scratch + p.from, f + p.at);
    } else if (a.kind === 'reference') {
      writeValue(dv, f + a.scratch, a.type, v, a.where);
      storeAddress(f + a.pointerAt, referenceCopy(f + a.scratch, a.type.size));
    } else if (a.store === 'pointer') {
      pointerArg(f + a.at, a.type, a.cstring, v, a.where, transient);
    } else {
      writeScalar(f + a.at, a.store, a.type, v, a.where);
    }
  }
  storeAddress(f + FRAME.FN, fn);
  u32[(f + FRAME.STACK_SIZE) >> 2] = ops.stackSize;
  u32[(f + FRAME.AL) >> 2] = ops.vectorCount;
  u32[(f + FRAME.FLAGS) >> 2] = flags;
}

/** The JS value of a call's result in the frame at `f`. */
export function readReturn(ret: RetOp, f: number): unknown {
  switch (ret.kind) {
    case 'void': return undefined;
    case 'memory': return readValue(dv, f + ret.scratch, ret.type, ret.where);
    case 'aggregate':
      for (const p of ret.pieces) movePiece(p.toImage, p.size, f + p.at, f + ret.scratch + p.from);
      return readValue(dv, f + ret.scratch, ret.type, ret.where);
    case 'scalar': return readSlot(ret.store, f + ret.at, ret.type, ret.where); // returns are never widened
  }
}

export function interpret(ops: CallOps, fn: number, options: CallOptions = {}, transient?: TransientFactory): Marshaller {
  const n = ops.args.length;
  const flags = options.errno ? FLAG_ERRNO : 0;
  const call = options.blocking ? addon.callBlocking : addon.call;
  const ret = ops.ret;
  return function marshal(...args: unknown[]): unknown {
    if (args.length !== n) throw arityError(ops.name, n, args.length, false);
    const f = u32[TOP_WORD]!;
    if (f > FRAME_LIMIT - ops.fixedSize) throw frameOverflow(ops.name);
    // Foreign calls made by user JS during conversion get frames above this one (compile.ts).
    u32[TOP_WORD] = f + ops.fixedSize;
    const pm = pins.length;
    try {
      marshalArgs(ops, fn, flags, args, f, transient);
    } catch (e) {
      u32[TOP_WORD] = f;
      releasePins(pm);
      throw e;
    }
    if (ret.kind === 'memory') storeAddress(f + ret.pointerAt, frameBase + f + ret.scratch);
    u32[FRAME_WORD] = f;
    const pd = pending.length;
    try {
      call();
    } finally {
      u32[TOP_WORD] = f;
      releasePins(pm);
    }
    if (pending.length !== pd) throwPending(pd, ops.name);
    if (options.errno) errnoState.value = i32[(f + FRAME.ERRNO) >> 2]!;
    return readReturn(ret, f);
  };
}

/** `fn.async(...args)`: the call on the libuv thread pool; a Promise of its result. */
export function asyncCaller(
  ops: CallOps, fn: number, options: CallOptions = {}, transient?: TransientFactory,
): (...args: unknown[]) => Promise<unknown> {
  const n = ops.args.length;
  const flags = options.errno ? FLAG_ERRNO : 0;
  const ret = ops.ret;
  return function callAsync(...args: unknown[]): Promise<unknown> {
    if (args.length !== n) return Promise.reject(arityError(ops.name, n, args.length, false));
    const f = u32[TOP_WORD]!;
    if (f > FRAME_LIMIT - ops.fixedSize) return Promise.reject(frameOverflow(ops.name));
    u32[TOP_WORD] = f + ops.fixedSize;
    const pm = pins.length;
    let result: Buffer | undefined;
    const wasAsync = asyncMode.on; // an async call made by a getter while another is marshalled
    asyncMode.on = true;
    try {
      marshalArgs(ops, fn, flags, args, f, transient);
      if (ret.kind === 'memory') {
        result = Buffer.alloc(Math.max(ret.type.size, 8));
        pins.push(result);
        storeAddress(f + ret.pointerAt, viewAddress(result, ret.where));
      }
    } catch (e) {
      releasePins(pm);
      return Promise.reject(e);
    } finally {
      asyncMode.on = wasAsync;
      u32[TOP_WORD] = f;
    }
    const keep = pins.splice(pm); // alive until the promise settles
    u32[FRAME_WORD] = f;
    return new Promise((resolve, reject) => {
      addon.callAsync(FRAME.STACK + ops.stackSize, (ok: boolean) => {
        const mark = pins.length;
        pins.push(...keep);
        try {
          if (!ok) throw new Error(`${ops.name}: the async call was cancelled`);
          const g = u32[TOP_WORD]!; // the finished frame was copied here
          if (options.errno) errnoState.value = i32[(g + FRAME.ERRNO) >> 2]!;
          resolve(ret.kind === 'memory'
            ? readValue(new DataView(result!.buffer, result!.byteOffset, result!.length), 0, ret.type, ret.where)
            : readReturn(ret, g));
        } catch (e) {
          reject(e);
        } finally {
          releasePins(mark);
        }
      });
    });
  };
}
