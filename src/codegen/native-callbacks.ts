// The native callback runner: a callback's CallOps flattened into an Int32Array that C walks on
// every invocation (native/js-cb-ops.c): C makes the JS arguments from the frame, calls the user's
// function itself and stores the result, so no JS bytecode runs per callback. Used where JS is
// slower — no JIT (node --jitless) — or when TRAMPFD_NATIVE_OPS=1 forces it. C accepts only the
// plain forms; an argument it cannot make runs the JS runner instead, and a result it does not
// accept comes back here (writeBack), where the JS runner's own writer converts or throws it.
import { addon } from '../native/addon.js';
import { shared } from '../native/shared.js';
import { codegenSettings } from './compile.js';
import type { TransientFactory } from './convert.js';
import { FRAME, views } from './frame.js';
import { code, nativeOpsActive } from './native-ops.js';
import type { CallOps } from './ops.js';
import { exactStore } from './slots.js';
import { failResult, writeResult } from './unmarshal.js';

const { u32 } = views;
const { writers, holds } = shared;

/** The record layout native/js-cb-ops.c reads: header words, then A.WORDS per argument. */
const H = { NARGS: 0, RET: 1, RET_AT: 2, WORDS: 3 };
const A = { STORE: 0, AT: 1, WORDS: 2 };
const MAX_ARGS = 32;

/** What a callback shape needs to run natively. */
export interface NativeShape {
  /** The records, checked and kept in C once for every callback of the type (addon.cbShape). */
  readonly handle: object;
  /** Stores result `v` of callback `id` into its frame at `f` as the JS runner does; never throws. */
  readonly write: (v: unknown, f: number, id: number) => void;
}

/** The forms C handles: scalar arguments, a scalar or void result. */
export function nativeCallbackEligible(ops: CallOps): boolean {
  return ops.args.length <= MAX_ARGS && ops.args.every((a) => a.kind === 'scalar') &&
    (ops.ret.kind === 'void' || ops.ret.kind === 'scalar');
}

/** Whether a callback made now runs natively when its shape can: as declarations do (native-ops.ts). */
export function nativeCallbacksActive(): boolean {
  return nativeOpsActive(codegenSettings.interpretOnly);
}

/** The record for `ops` (exported for tests). */
export function callbackRecord(ops: CallOps): Int32Array {
  const n = ops.args.length;
  const w = new Int32Array(H.WORDS + n * A.WORDS);
  const r = ops.ret;
  w[H.NARGS] = n;
  w[H.RET] = code(r.kind === 'scalar' ? r.store : 'void');
  w[H.RET_AT] = r.kind === 'scalar' ? r.at : 0;
  for (const a of ops.args) {
    if (a.kind !== 'scalar') throw new Error('native callbacks: an aggregate argument');
    const o = H.WORDS + a.index * A.WORDS;
    w[o + A.STORE] = code(exactStore(a.store, a.type));
    w[o + A.AT] = a.at;
  }
  return w;
}

/** The native shape of `ops`, or undefined when C cannot run it; the rest as for runnerFactory. */
export function nativeShape(
  ops: CallOps, onError: (e: unknown, f: number) => void, transient?: TransientFactory,
): NativeShape | undefined {
  if (!nativeCallbackEligible(ops)) return undefined;
  const ret = ops.ret;
  const write = (v: unknown, f: number, id: number): void => {
    try {
      writeResult(ret, f, v, (holds[id] ??= { buffer: undefined }), transient);
    } catch (e) {
      failResult(ret, f);
      onError(e, f);
    }
  };
  return { handle: addon.cbShape(callbackRecord(ops)), write };
}

/** C did not accept the result of the callback whose frame is at `f` (its id is in the frame). */
export function writeBack(v: unknown, f: number): void {
  const id = u32[(f + FRAME.CLOSURE) >> 2]!;
  writers[id]!(v, f, id);
}
