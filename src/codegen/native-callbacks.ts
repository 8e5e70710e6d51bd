// The native callback runner: a callback's CallOps flattened into an Int32Array that C walks on
// every invocation (native/js-cb-ops.c): C makes the JS arguments from the frame, calls the user's
// function itself and stores the result, so no JS bytecode runs per callback. Used where JS is
// slower — no JIT (node --jitless) — or when TRAMPFD_NATIVE_OPS=1 forces it. C accepts only the
// plain forms; an argument it cannot make runs the JS runner instead, a result it does not accept
// goes to the JS runner's result writer made here, which then converts (or throws) exactly as the
// JS runner does.
import { codegenSettings } from './compile.js';
import type { TransientFactory } from './convert.js';
import { code, nativeOpsActive } from './native-ops.js';
import type { CallOps } from './ops.js';
import { exactStore } from './slots.js';
import { failResult, writeResult, type ResultHold } from './unmarshal.js';

/** The record layout native/js-cb-ops.c reads: header words, then A.WORDS per argument. */
const H = { NARGS: 0, RET: 1, RET_AT: 2, WORDS: 3 };
const A = { STORE: 0, AT: 1, WORDS: 2 };
const MAX_ARGS = 32;

/** (value, f): stores a result C did not accept into the frame at `f`; never throws. */
export type ResultWriter = (v: unknown, f: number) => void;

/** What a callback shape needs to run natively: its record, and a result writer per callback. */
export interface NativeShape {
  readonly record: Int32Array;
  /** A writer with its own hold for returned strings (null for a void result). */
  readonly writer: () => ResultWriter | null;
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
  const writer = (): ResultWriter | null => {
    if (ret.kind === 'void') return null;
    const hold: ResultHold = { buffer: undefined };
    return (v, f) => {
      try {
        writeResult(ret, f, v, hold, transient);
      } catch (e) {
        failResult(ret, f);
        onError(e, f);
      }
    };
  };
  return { record: callbackRecord(ops), writer };
}
