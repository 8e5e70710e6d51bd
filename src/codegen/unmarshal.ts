// Callbacks: the CallPlan read in reverse. A generated (or interpreted) runner reads the
// arguments C left in the frame, calls the JS function, and stores its result for C.
import { addon } from '../native/addon.js';
import { readValue, writeValue } from '../types/values.js';
import {
  moveAddress, pointerArg, readSlot, readWide, storeAddress, viewAddress, writeScalar, type TransientFactory,
} from './convert.js';
import { TrampfdTypeError } from '../types/errors.js';
import { canGenerateCode, codegenSettings } from './compile.js';
import { FRAME, TOP_WORD, views } from './frame.js';
import { movePiece } from './interpret.js';
import { HOST } from '../targets/index.js';
import type { ArgOp, CallOps, RetOp } from './ops.js';
import { GLOBAL_NAMES, GLOBAL_VALUES, acceptExpr, exactStore, readExpr, storeStmt } from './slots.js';

const { u8, i8, u16, i16, u32, i32, f32, f64, i64, u64, dv } = views;

/** Runs one invocation whose frame starts at `f`; never throws (errors go to `onError`). */
export type Runner = (f: number) => void;

function readArg(a: ArgOp, f: number): unknown {
  if (a.kind === 'scalar') return readSlot(exactStore(a.store, a.type), f + a.at, a.type, a.where);
  if (a.kind === 'reference') { // the caller's copy, wherever it made it
    const p = readWide(f + a.pointerAt, 'pointer', a.type, a.where) as number;
    return readValue(new DataView(addon.memView(p, a.type.size)), 0, a.type, a.where);
  }
  for (const p of a.pieces) movePiece(p.toImage, p.size, f + p.at, f + a.scratch + p.from);
  return readValue(dv, f + a.scratch, a.type, a.where);
}

/** x86-64 callees return a MEMORY-class result's address in rax; AAPCS64 ones need not (x8). */
const ECHO_RESULT_POINTER = HOST.arch.returnsResultPointer;

/** Where a MEMORY-class result goes: the caller's buffer, whose address C passed us. */
function memoryResult(ret: Extract<RetOp, { kind: 'memory' }>, f: number, v: unknown): void {
  const p = readWide(f + ret.pointerAt, 'pointer', ret.type, ret.where) as number;
  writeValue(new DataView(addon.memView(p, ret.type.size)), 0, ret.type, v, ret.where);
  if (ECHO_RESULT_POINTER) moveAddress(f + ret.pointerAt, f + FRAME.RET_GPR); // rax returns the buffer's address
}

/**
 * A callback's own memory for a string it returns as `const char *`: one buffer per callback
 * object (per runner), replaced when it returns the next string, so each stays valid until that
 * callback returns again or is freed.
 */
export interface ResultHold { buffer: Buffer | undefined }

function stringResult(ret: Extract<RetOp, { kind: 'scalar' }>, f: number, s: string, hold: ResultHold): void {
  if (s.includes('\0')) throw new TrampfdTypeError(`${ret.where}: string contains a NUL character; C would see it cut short`);
  const b = Buffer.from(`${s}\0`, 'utf8');
  hold.buffer = b;
  storeAddress(f + ret.at, viewAddress(b));
}

export function writeResult(ret: RetOp, f: number, v: unknown, hold: ResultHold, transient?: TransientFactory): void {
  switch (ret.kind) {
    case 'void': return;
    case 'memory': memoryResult(ret, f, v); return;
    case 'aggregate':
      writeValue(dv, f + ret.scratch, ret.type, v, ret.where);
      for (const p of ret.pieces) movePiece(p.toSlot, p.size, f + ret.scratch + p.from, f + p.at);
      return;
    case 'scalar':
      if (typeof v === 'string' && ret.type.kind === 'pointer' && ret.type.cstring) stringResult(ret, f, v, hold);
      else if (ret.store === 'pointer') pointerArg(f + ret.at, ret.type, false, v, ret.where, transient);
      else writeScalar(f + ret.at, ret.store, ret.type, v, ret.where);
  }
}

/**
 * What C receives when the JS function threw: zeros. A MEMORY-class result is a zeroed buffer
 * whose address still comes back in rax on x86-64, as its psABI requires of every callee.
 */
export function failResult(ret: RetOp, f: number): void {
  u8.fill(0, f + FRAME.RET_GPR, f + FRAME.RET_GPR + FRAME.RET_SIZE);
  if (ret.kind !== 'memory') return;
  try {
    const p = readWide(f + ret.pointerAt, 'pointer', ret.type, ret.where) as number;
    new Uint8Array(addon.memView(p, ret.type.size)).fill(0);
  } catch {
    // an unreadable result pointer is the caller's bug; rax still returns it below
  }
  if (ECHO_RESULT_POINTER) moveAddress(f + ret.pointerAt, f + FRAME.RET_GPR);
}

function interpretRunner(
  ops: CallOps, fn: Function, onError: (e: unknown, f: number) => void, transient: TransientFactory | undefined,
): Runner {
  const size = ops.fixedSize;
  const args = ops.args;
  const hold: ResultHold = { buffer: undefined };
  return function run(f: number): void {
    u32[TOP_WORD] = f + size;
    try {
      const values = args.map((a) => readArg(a, f));
      writeResult(ops.ret, f, fn(...values), hold, transient);
    } catch (e) {
      failResult(ops.ret, f);
      onError(e, f);
    } finally {
      u32[TOP_WORD] = f;
    }
  };
}

function argSource(a: ArgOp): string {
  if (a.kind !== 'scalar') return `readArg(A[${a.index}], f)`;
  return readExpr(exactStore(a.store, a.type), `f + ${a.at}`, () => `readArg(A[${a.index}], f)`);
}

function resultSource(ret: RetOp): string {
  if (ret.kind !== 'scalar') return ret.kind === 'void' ? '' : 'writeResult(R, f, r, hold, TRANSIENT);';
  return `if (${acceptExpr(ret.store, ret.type, 'r')}) { ${storeStmt(ret.store, 'r', `f + ${ret.at}`)} } else writeResult(R, f, r, hold, TRANSIENT);`;
}

/** Makes runners for `ops` around any JS function; the code is generated once per shape. */
export type RunnerFactory = (fn: Function) => Runner;

/** JS source of the runner factory for `ops` (exported for tests and debugging). */
export function runnerSource(ops: CallOps): string {
  const call = `fn(${ops.args.map(argSource).join(', ')})`;
  return `"use strict";
return function bind(fn) {
const hold = { buffer: undefined };
return function run(f) {
  u32[${TOP_WORD}] = f + ${ops.fixedSize};
  try {
    ${ops.ret.kind === 'void' ? `${call};` : `const r = ${call};\n    ${resultSource(ops.ret)}`}
  } catch (e) {
    failResult(R, f);
    onError(e, f);
  } finally {
    u32[${TOP_WORD}] = f;
  }
};
};`;
}

/** A runner factory for `ops`: generated JS where allowed, else interpreted. */
export function runnerFactory(
  ops: CallOps, onError: (e: unknown, f: number) => void, transient?: TransientFactory,
): RunnerFactory {
  if (codegenSettings.interpretOnly || !canGenerateCode()) return (fn) => interpretRunner(ops, fn, onError, transient);
  const factory = new Function('u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'f64', 'i64', 'u64', 'dv',
    'A', 'R', 'readArg', 'writeResult', 'failResult', 'onError', 'TRANSIENT', ...GLOBAL_NAMES, runnerSource(ops));
  return factory(u8, i8, u16, i16, u32, i32, f32, f64, i64, u64, dv,
    ops.args, ops.ret, readArg, writeResult, failResult, onError, transient, ...GLOBAL_VALUES) as RunnerFactory;
}
