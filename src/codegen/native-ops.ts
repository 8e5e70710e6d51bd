// The native marshaller: a declared function's CallOps flattened into an Int32Array of records
// that C walks on every call (native/js-ops.c), so no JS bytecode runs per call. Used where JS is
// slower — no JIT (node --jitless), strings — or when TRAMPFD_NATIVE_OPS=1 forces it. C accepts only the
// plain value forms; anything else goes to the JS marshaller given here, which then decides
// (and throws) exactly as it does on its own.
import { addon } from '../native/addon.js';
import { FLAG_ERRNO } from '../native/frame-layout.js';
import { errnoState, pending, throwPending } from './call-state.js';
import { FRAME_LIMIT } from './frame.js';
import { readReturn, type CallOptions, type Marshaller } from './interpret.js';
import type { CallOps, Store } from './ops.js';
import { exactStore } from './slots.js';

/** The record layout native/js-ops.c reads: header words, then ARG_WORDS per argument. */
const H = { NARGS: 0, FLAGS: 1, FIXED: 2, STACK: 3, AL: 4, FN_LO: 5, FN_HI: 6, RET: 7, RET_AT: 8, LIMIT: 9, WORDS: 10 };
const A = { ACCEPT: 0, WIDE: 1, AT: 2, CSTRING: 3, WORDS: 4 };
const MAX_ARGS = 32;
const TWO32 = 4294967296;

/** Code of a store in C: its index in the addon's list. */
export function code(s: Store | 'void'): number {
  const i = addon.opsStores.indexOf(s);
  if (i < 0) throw new Error(`native ops: the addon has no store '${s}'`);
  return i;
}

/** The word after `--jitless`-like flags in a list of node options: the last one wins. */
function jitlessIn(flags: readonly string[]): boolean | undefined {
  let on: boolean | undefined;
  for (const f of flags) {
    const g = f.replace(/_/g, '-');
    if (g === '--jitless' || g === '--jitless=true') on = true;
    else if (g === '--no-jitless' || g === '--jitless=false') on = false;
  }
  return on;
}

/**
 * Whether V8 runs without its JIT. --jitless may come from the command line, NODE_OPTIONS or
 * v8.setFlagsFromString; every way turns off WebAssembly (V8 cannot compile it), the one trace
 * left at run time. The flags decide when given, so a plain --no-expose-wasm is not mistaken.
 */
export function jitDisabled(): boolean {
  const nodeOptions = (process.env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
  const flag = jitlessIn([...nodeOptions, ...process.execArgv]);
  if (flag !== undefined) return flag;
  const noWasmFlag = [...nodeOptions, ...process.execArgv].some((f) => /^--no-expose[-_]wasm$/.test(f));
  return (globalThis as { WebAssembly?: unknown }).WebAssembly === undefined && !noWasmFlag;
}

function fromEnv(v: string | undefined): 'on' | 'off' | 'auto' {
  return v === '1' ? 'on' : v === '0' ? 'off' : 'auto';
}

/** 'auto': native where there is no JIT; TRAMPFD_NATIVE_OPS=1/0 forces it on/off (tests flip it). */
export const nativeOpsSettings = { mode: fromEnv(process.env.TRAMPFD_NATIVE_OPS), jitless: jitDisabled() };

/** The forms C handles: scalar arguments and results, a synchronous call. */
export function nativeEligible(ops: CallOps, options: CallOptions): boolean {
  return !options.blocking && ops.args.length <= MAX_ARGS && ops.args.every((a) => a.kind === 'scalar') &&
    (ops.ret.kind === 'void' || ops.ret.kind === 'scalar');
}

/** Whether every declaration made now that C can handle gets a native marshaller (`interpretOnly`: tests pin the JS path). */
export function nativeOpsActive(interpretOnly: boolean): boolean {
  const { mode, jitless } = nativeOpsSettings;
  return mode === 'on' || (mode === 'auto' && jitless && !interpretOnly);
}

/**
 * Whether `ops` gets a native marshaller: every one C handles without a JIT; with the JIT only
 * those taking a `const char *`, where C's encoder beats the JIT'd JS one (measured ~2× on
 * strlen of a 30-character string; scalars alone are faster in JIT'd JS).
 */
export function useNativeOps(ops: CallOps, options: CallOptions, interpretOnly: boolean): boolean {
  if (!nativeEligible(ops, options)) return false;
  if (nativeOpsSettings.mode !== 'auto') return nativeOpsSettings.mode === 'on';
  return !interpretOnly && (nativeOpsSettings.jitless || ops.args.some((a) => a.kind === 'scalar' && a.cstring));
}

/** The records for `ops` calling `fn` (exported for tests). */
export function opRecords(ops: CallOps, fn: number, options: CallOptions): Int32Array {
  const n = ops.args.length;
  const w = new Int32Array(H.WORDS + n * A.WORDS);
  const r = ops.ret;
  w[H.NARGS] = n;
  w[H.FLAGS] = options.errno ? FLAG_ERRNO : 0;
  w[H.FIXED] = ops.fixedSize;
  w[H.STACK] = ops.stackSize;
  w[H.AL] = ops.vectorCount;
  w[H.FN_LO] = fn % TWO32;
  w[H.FN_HI] = Math.floor(fn / TWO32);
  w[H.RET] = code(r.kind === 'scalar' ? r.store : 'void');
  w[H.RET_AT] = r.kind === 'scalar' ? r.at : 0;
  w[H.LIMIT] = FRAME_LIMIT;
  for (const a of ops.args) {
    if (a.kind !== 'scalar') throw new Error('native ops: an aggregate argument');
    const o = H.WORDS + a.index * A.WORDS;
    w[o + A.ACCEPT] = code(exactStore(a.store, a.type));
    w[o + A.WIDE] = a.store === 'sx32' || a.store === 'zx32' ? 1 : 0;
    w[o + A.AT] = a.at;
    w[o + A.CSTRING] = a.cstring ? 1 : 0;
  }
  return w;
}


/** The native marshaller for `ops`; `js` is the JS marshaller for the same ops and options. */
export function nativeMarshaller(ops: CallOps, fn: number, options: CallOptions, js: Marshaller): Marshaller {
  const ret = ops.ret;
  const name = JSON.stringify(ops.name).slice(1, -1).replace(/[^\w$]/g, '_') || 'anonymous';
  // Called when callbacks added exceptions during the call: those since `mark` are its own.
  const afterCallbacks = (mark: number): void => {
    if (pending.length > mark) throwPending(mark, ops.name);
  };
  return addon.nativeFunction(name, opRecords(ops, fn, options), js, (f: number) => readReturn(ret, f), afterCallbacks, errnoState);
}
