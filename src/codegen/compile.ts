// Generates a specialised JS marshaller per declared function: typed-array stores straight into
// the frame, then the zero-argument native call. Falls back to the interpreter where code
// generation from strings is disallowed.
import { addon } from '../native/addon.js';
import { FLAG_ERRNO } from '../native/frame-layout.js';
import type { CType } from '../types/ctype.js';
import { readValue, writeValue } from '../types/values.js';
import { errnoState, pending, pins, releasePins, throwPending } from './call-state.js';
import {
  arityError, asciiArg, frameOverflow, pointerArg, readWide, referenceCopy, viewAddress, writeScalar, type TransientFactory,
} from './convert.js';
import { FRAME, FRAME_LIMIT, FRAME_WORD, TOP_WORD, frameBase, views } from './frame.js';
import { interpret, type CallOptions, type Marshaller } from './interpret.js';
import { nativeMarshaller, useNativeOps } from './native-ops.js';
import type { CallOps, CopyPiece } from './ops.js';
import { GLOBAL_NAMES, GLOBAL_VALUES, POINTER4, acceptExpr, readExpr, storeStmt } from './slots.js';
import { Names, fastRecord, readFast, writeFast } from './records.js';

export type { CallOptions, Marshaller };

const TWO32 = 4294967296;

/** Moves pieces between a value's image and its slots as ops.ts decided (CopyPiece.toSlot / toImage). */
function copyPieces(pieces: readonly CopyPiece[], from: (p: CopyPiece) => number, to: (p: CopyPiece) => number, toSlot: boolean): string {
  return pieces.map((p) => {
    const s = from(p), d = to(p);
    switch (toSlot ? p.toSlot : p.toImage) {
      case 4: return `u32[(f + ${d}) >> 2] = u32[(f + ${s}) >> 2];`;
      case 8: return `u32[(f + ${d}) >> 2] = u32[(f + ${s}) >> 2]; u32[((f + ${d}) >> 2) + 1] = u32[((f + ${s}) >> 2) + 1];`;
      default: return `u8.copyWithin(f + ${d}, f + ${s}, f + ${s + p.size});`;
    }
  }).join('\n    ');
}

function returnCode(ops: CallOps, wideTypes: CType[]): string {
  const r = ops.ret;
  switch (r.kind) {
    case 'void': return 'return undefined;';
    case 'memory':
      if (fastRecord(r.type)) return `return ${readFast(r.type, (k) => `f + ${r.scratch + k}`, wideTypes)};`;
      return `return readValue(dv, f + ${r.scratch}, RT, RW);`;
    case 'aggregate':
      if (fastRecord(r.type)) {
        return `return ${readFast(r.type, (k) => {
          const p = r.pieces.find((q) => k >= q.from && k < q.from + q.size)!;
          return `f + ${p.at + k - p.from}`;
        }, wideTypes)};`;
      }
      return `${copyPieces(r.pieces, (p) => p.at, (p) => r.scratch + p.from, false)}
    return readValue(dv, f + ${r.scratch}, RT, RW);`;
    case 'scalar': {
      const o = `f + ${r.at}`;
      return `return ${readExpr(r.store, o, (st) => `readWide(${o}, '${st}', RT, RW)`)};`;
    }
  }
}

/** JS source of the marshaller body for `ops` (exported for tests and debugging); `wideTypes`
    collects the types its generated struct readers refer to as TY[i]. */
export function marshallerSource(ops: CallOps, fn: number, options: CallOptions = {}, wideTypes: CType[] = []): string {
  const n = ops.args.length;
  const params = Array.from({ length: n }, (_, i) => `a${i}`);
  const lines: string[] = [];
  const names = new Names();
  // Struct, array and pointer arguments may run user JS (getters, Proxies, .pointer), which may
  // call foreign functions: those start their frames above the one being built, because the
  // frame-stack top is moved up before the first store. Strings move it further (convert.ts).
  const guarded = ops.args.some((a) => a.kind !== 'scalar' || a.store === 'pointer');
  for (const a of ops.args) {
    const v = `a${a.index}`;
    if (a.kind === 'reference') {
      lines.push(`writeValue(dv, f + ${a.scratch}, T[${a.index}], ${v}, W[${a.index}]); ` +
        storeStmt('pointer', `referenceCopy(f + ${a.scratch}, ${a.type.size})`, `f + ${a.pointerAt}`));
      continue;
    }
    if (a.kind === 'aggregate') {
      const generic = `writeValue(dv, f + ${a.scratch}, T[${a.index}], ${v}, W[${a.index}]);\n  ` +
        copyPieces(a.pieces, (p) => a.scratch + p.from, (p) => p.at, true);
      if (fastRecord(a.type)) {
        const dest = (k: number): string => {
          const p = a.pieces.find((q) => k >= q.from && k < q.from + q.size)!;
          return `f + ${p.at + k - p.from}`;
        };
        lines.push(`{ let ok = true;`, ...writeFast(a.type, v, dest, names), `if (!ok) { ${generic} } }`);
      } else {
        lines.push(generic);
      }
      continue;
    }
    const o = `f + ${a.at}`;
    const fast = `if (${acceptExpr(a.store, a.type, v)}) { ${storeStmt(a.store, v, o)} }`;
    if (a.store === 'pointer') {
      const put = storeStmt('pointer', 'addr', o);
      const str = a.cstring ? `else if (typeof ${v} === 'string' && (addr = asciiArg(${v})) >= 0) { ${put} } ` : '';
      lines.push(`${fast} ${str}else if (isView(${v})) { addr = viewAddress(${v}, W[${a.index}]); ${put} } ` +
        `else pointerArg(${o}, T[${a.index}], ${a.cstring}, ${v}, W[${a.index}], TRANSIENT);`);
      continue;
    }
    lines.push(`${fast} else writeScalar(${o}, '${a.store}', T[${a.index}], ${v}, W[${a.index}]);`);
  }
  const flags = options.errno ? FLAG_ERRNO : 0;
  const r = ops.ret;
  // call() gives the frame back itself (CONTROL_TOP = f, native/js-call.c), also when it leaves
  // an exception: only pins need a finally.
  const src = `"use strict";
return function (${params.join(', ')}) {
  if (arguments.length !== ${n}) throw arityError(NAME, ${n}, arguments.length, false);
  const f = u32[${TOP_WORD}];
  if (f > ${FRAME_LIMIT - ops.fixedSize}) throw frameOverflow(NAME);
  let addr = 0;
  ${guarded ? `u32[${TOP_WORD}] = f + ${ops.fixedSize}; const pm = pins.length;\n  try {` : ''}
  ${lines.join('\n  ')}
  ${guarded ? `} catch (e) { u32[${TOP_WORD}] = f; releasePins(pm); throw e; }` : ''}
  u32[(f + ${FRAME.FN}) >> 2] = ${fn % TWO32};${POINTER4 ? '' : ` u32[(f + ${FRAME.FN + 4}) >> 2] = ${Math.floor(fn / TWO32)};`}
  u32[(f + ${FRAME.STACK_SIZE}) >> 2] = ${ops.stackSize};
  u32[(f + ${FRAME.AL}) >> 2] = ${ops.vectorCount};
  u32[(f + ${FRAME.FLAGS}) >> 2] = ${flags};
  ${r.kind === 'memory' ? storeStmt('pointer', `(BASE + f + ${r.scratch})`, `f + ${r.pointerAt}`) : ''}
  u32[${FRAME_WORD}] = f;
  ${guarded ? '' : `u32[${TOP_WORD}] = f + ${ops.fixedSize};`}
  const pd = pending.length;
  ${guarded ? 'try { call(); } finally { if (pins.length !== pm) releasePins(pm); }' : 'call();'}
  if (pending.length !== pd) throwPending(pd, NAME);
  ${options.errno ? `errnoState.value = i32[(f + ${FRAME.ERRNO}) >> 2];` : ''}
  ${returnCode(ops, wideTypes)}
};`;
  return src;
}

let codegenWorks: boolean | undefined;

/** False when `new Function` is refused (node --disallow-code-generation-from-strings, CSP). */
export function canGenerateCode(): boolean {
  if (codegenWorks === undefined) {
    try {
      codegenWorks = new Function('return 1')() === 1;
    } catch {
      codegenWorks = false;
    }
  }
  return codegenWorks;
}

/** Forces the interpreted path (tests compare both). */
export const codegenSettings = { interpretOnly: process.env.TRAMPFD_INTERPRET === '1' };

/** A marshaller for `ops` calling native address `fn`: native where that is faster (native-ops.ts). */
/** `transient` turns JS functions passed for function pointers into callbacks (callback.ts). */
export function compile(ops: CallOps, fn: number, options: CallOptions = {}, transient?: TransientFactory): Marshaller {
  const js = compileJs(ops, fn, options, transient);
  if (useNativeOps(ops, options, codegenSettings.interpretOnly)) return nativeMarshaller(ops, fn, options, js);
  return js;
}

function compileJs(ops: CallOps, fn: number, options: CallOptions, transient: TransientFactory | undefined): Marshaller {
  if (codegenSettings.interpretOnly || !canGenerateCode()) return interpret(ops, fn, options, transient);
  const T = ops.args.map((a) => a.type);
  const W = ops.args.map((a) => a.where);
  const r = ops.ret;
  const RT = r.kind === 'void' ? undefined : r.type;
  const RW = r.kind === 'void' ? '' : r.where;
  const { u8, i8, u16, i16, u32, i32, f32, f64, i64, u64, dv } = views;
  const TY: CType[] = [];
  const source = marshallerSource(ops, fn, options, TY);
  const factory = new Function('u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'f64', 'i64', 'u64', 'dv',
    'call', 'T', 'W', 'RT', 'RW', 'NAME', 'BASE', 'pins', 'errnoState', 'pending',
    'writeValue', 'readValue', 'writeScalar', 'pointerArg', 'readWide', 'arityError', 'frameOverflow',
    'releasePins', 'throwPending', 'asciiArg', 'viewAddress', 'referenceCopy', 'TRANSIENT', 'TY', ...GLOBAL_NAMES,
    source);
  const m = factory(u8, i8, u16, i16, u32, i32, f32, f64, i64, u64, dv,
    options.blocking ? addon.callBlocking : addon.call, T, W, RT, RW, ops.name, frameBase, pins, errnoState,
    pending, writeValue, readValue, writeScalar, pointerArg, readWide, arityError, frameOverflow, releasePins,
    throwPending, asciiArg, viewAddress, referenceCopy, transient, TY, ...GLOBAL_VALUES) as Marshaller;
  // The C name is a property, never an identifier in the generated source.
  return Object.defineProperty(m, 'name', { value: ops.name });
}
