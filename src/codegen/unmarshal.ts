// Callbacks: the CallPlan read in reverse. A generated (or interpreted) runner reads the
// arguments C left in the frame, calls the JS function, and stores its result for C.
import { addon } from '../native/addon.js';
import type { CType } from '../types/ctype.js';
import { readValue, writeValue } from '../types/values.js';
import { pointerArg, readSlot, readWide, writeScalar } from './convert.js';
import { canGenerateCode, codegenSettings } from './compile.js';
import { FRAME, TOP_WORD, views } from './frame.js';
import { move8 } from './interpret.js';
import type { ArgOp, CallOps, RetOp, Store } from './ops.js';

const { u8, i8, u16, i16, u32, i32, f32, f64, i64, u64, dv } = views;

/** Runs one invocation whose frame starts at `f`; never throws (errors go to `onError`). */
export type Runner = (f: number) => void;

/** Exact-width read of a scalar argument: callers need not extend narrow values. */
function readStore(store: Store, type: CType): Store {
  if (store !== 'sx32' && store !== 'zx32') return store;
  const t = type.kind === 'enum' ? type.base : type;
  return t.kind === 'scalar' ? t.rep as Store : 'i32';
}

function readArg(a: ArgOp, f: number): unknown {
  if (a.kind === 'scalar') return readSlot(readStore(a.store, a.type), f + a.at, a.type, a.where);
  for (const p of a.pieces) {
    if (p.at < FRAME.STACK) move8(f + p.at, f + a.scratch + p.from);
    else u8.copyWithin(f + a.scratch + p.from, f + p.at, f + p.at + p.size);
  }
  return readValue(dv, f + a.scratch, a.type, a.where);
}

/** Where a MEMORY-class result goes: the caller's buffer, whose address C passed us. */
function memoryResult(ret: Extract<RetOp, { kind: 'memory' }>, f: number, v: unknown): void {
  const p = readWide(f + ret.pointerAt, 'pointer', ret.type, ret.where);
  writeValue(new DataView(addon.memView(p, ret.type.size)), 0, ret.type, v, ret.where);
  move8(f + ret.pointerAt, f + FRAME.RET_GPR); // rax returns the buffer's address
}

function writeResult(ret: RetOp, f: number, v: unknown): void {
  switch (ret.kind) {
    case 'void': return;
    case 'memory': memoryResult(ret, f, v); return;
    case 'aggregate':
      writeValue(dv, f + ret.scratch, ret.type, v, ret.where);
      for (const p of ret.pieces) move8(f + ret.scratch + p.from, f + p.at);
      return;
    case 'scalar':
      if (ret.store === 'pointer') pointerArg(f + ret.at, ret.type, false, v, ret.where);
      else writeScalar(f + ret.at, ret.store, ret.type, v, ret.where);
  }
}

/**
 * What C receives when the JS function threw: zeros. A MEMORY-class result is a zeroed buffer
 * whose address still comes back in rax, as the psABI requires of every callee.
 */
function failResult(ret: RetOp, f: number): void {
  u8.fill(0, f + FRAME.RET_GPR, f + FRAME.RET_GPR + 32);
  if (ret.kind !== 'memory') return;
  try {
    const p = readWide(f + ret.pointerAt, 'pointer', ret.type, ret.where);
    new Uint8Array(addon.memView(p, ret.type.size)).fill(0);
  } catch {
    // an unreadable result pointer is the caller's bug; rax still returns it below
  }
  move8(f + ret.pointerAt, f + FRAME.RET_GPR);
}

/** Bytes of the callback frame: header, the copied stack arguments, scratch for aggregates. */
export function runnerFrameSize(ops: CallOps): number {
  return ops.fixedSize;
}

function interpretRunner(ops: CallOps, fn: Function, onError: (e: unknown, f: number) => void): Runner {
  const size = runnerFrameSize(ops);
  const args = ops.args;
  return function run(f: number): void {
    u32[TOP_WORD] = f + size;
    try {
      const values = args.map((a) => readArg(a, f));
      writeResult(ops.ret, f, fn(...values));
    } catch (e) {
      failResult(ops.ret, f);
      onError(e, f);
    } finally {
      u32[TOP_WORD] = f;
    }
  };
}

function argSource(a: ArgOp): string {
  if (a.kind === 'aggregate') return `readArg(A[${a.index}], f)`;
  const o = `f + ${a.at}`;
  switch (readStore(a.store, a.type)) {
    case 'i8': return `i8[${o}]`;
    case 'u8': return `u8[${o}]`;
    case 'i16': return `i16[(${o}) >> 1]`;
    case 'u16': return `u16[(${o}) >> 1]`;
    case 'i32': return `i32[(${o}) >> 2]`;
    case 'u32': return `u32[(${o}) >> 2]`;
    case 'bool': return `u8[${o}] !== 0`;
    case 'f32': return `f32[(${o}) >> 2]`;
    case 'f64': return `f64[(${o}) >> 3]`;
    case 'i64': return `i64[(${o}) >> 3]`;
    case 'u64': return `u64[(${o}) >> 3]`;
    default: return `readArg(A[${a.index}], f)`;
  }
}

function resultSource(ret: RetOp): string {
  if (ret.kind !== 'scalar') return ret.kind === 'void' ? '' : 'writeResult(R, f, r);';
  const o = `(f + ${ret.at})`;
  switch (ret.store) {
    case 'i32': return `if (typeof r === 'number' && (r | 0) === r) i32[${o} >> 2] = r; else writeResult(R, f, r);`;
    case 'u32': return `if (typeof r === 'number' && (r >>> 0) === r) u32[${o} >> 2] = r; else writeResult(R, f, r);`;
    case 'f64': return `if (typeof r === 'number') f64[${o} >> 3] = r; else writeResult(R, f, r);`;
    case 'f32': return `if (typeof r === 'number') f32[${o} >> 2] = r; else writeResult(R, f, r);`;
    default: return 'writeResult(R, f, r);';
  }
}

/** Makes runners for `ops` around any JS function; the code is generated once per shape. */
export type RunnerFactory = (fn: Function) => Runner;

/** A runner factory for `ops`: generated JS where allowed, else interpreted. */
export function runnerFactory(ops: CallOps, onError: (e: unknown, f: number) => void): RunnerFactory {
  if (codegenSettings.interpretOnly || !canGenerateCode()) return (fn) => interpretRunner(ops, fn, onError);
  const call = `fn(${ops.args.map(argSource).join(', ')})`;
  const body = `"use strict";
return function run(f) {
  u32[${TOP_WORD}] = f + ${runnerFrameSize(ops)};
  try {
    ${ops.ret.kind === 'void' ? `${call};` : `const r = ${call};\n    ${resultSource(ops.ret)}`}
  } catch (e) {
    failResult(R, f);
    onError(e, f);
  } finally {
    u32[${TOP_WORD}] = f;
  }
};`;
  const outer = `"use strict";\nreturn function bind(fn) {\n${body.slice('"use strict";\n'.length)}\n};`;
  const factory = new Function('u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'f64', 'i64', 'u64',
    'A', 'R', 'readArg', 'writeResult', 'failResult', 'onError', outer);
  return factory(u8, i8, u16, i16, u32, i32, f32, f64, i64, u64,
    ops.args, ops.ret, readArg, writeResult, failResult, onError) as RunnerFactory;
}
