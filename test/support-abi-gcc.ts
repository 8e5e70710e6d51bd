// The GCC ground-truth harness shared by the planners' tests (test/abi-aapcs64-gcc, abi-lp64d-gcc,
// abi-sysv-i386-gcc): C that passes distinct byte patterns to a target's assembly probe (its
// `stubs`: the argument registers, sp and the outgoing stack into g_gpr/g_fpr/g_stack, a callee's
// result registers into g_rgpr/g_rfpr), layout probes for every record, and the parsing and byte
// checks of what the probes print. Each test keeps its own signature generator, rules and coverage.
// An i386 calling convention (FunctionType.convention) is spelled as its gcc attribute; targets
// with `calleePops` also check how far the callee moved the stack pointer.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestContext } from 'node:test';
import { describe } from '../dist/abi/index.js';
import type { CallPlan, Location, Piece } from '../dist/abi/index.js';
import type { CType, FunctionType, RecordType } from '../dist/types/ctype.js';
import { recordSource } from './support-ctypes.js';

/** Outgoing stack bytes a probe records; generators draw bigger signatures again. */
export const STACK_BYTES = 512;
/** Signatures per C file: files compile in parallel, two at a time (two shared cores). */
const PER_FILE = 150;

/** A target's compiler, runner and probe. */
export interface GccTarget {
  /** process.arch where the compiler and the binaries run natively (TRAMPFD_CC or gcc). */
  readonly nodeArch: string;
  /** The cross compiler elsewhere, and the qemu-user that runs its binaries. */
  readonly cross: string;
  readonly qemu: string;
  /** What CI installs for it, for the skip message. */
  readonly packages: string;
  /** Definitions of g_gpr, g_fpr, g_stack (STACK_BYTES), g_rgpr (16 bytes) and g_rfpr, and the asm of dump_args and grab_ret. */
  readonly stubs: string;
  /** Bytes of result FPRs grab_ret records into g_rfpr. */
  readonly retFprBytes: number;
  /** Where in g_gpr dump_args records sp, and the register that carries a result pointer (for messages). */
  readonly spAt: number;
  readonly resultRegister: string;
  /** Bytes per register in g_gpr and per result register in g_rgpr (8 unless given). */
  readonly wordSize?: 4 | 8;
  /** More compiler flags (i386: a frame pointer, so a caller whose stack the probe pops wrongly still runs). */
  readonly cflags?: readonly string[];
  /**
   * i386: the probe pops what the plan says (the C caller sets g_pop first; g_fld asks it to
   * push a value on the x87 stack for a float result), and grab_ret calls a
   * callee with the case's real signature, passing the result buffer in every place a result
   * pointer can go, with `grab_ret(fn, buf, kind)` (kind 1: store st(0) as a float, 2: as a
   * double), records in g_pops how far esp moved across the call, and the result pointer in eax
   * must be the buffer's address. Absent: `grab_ret(fn, buf)` with a callee of no parameters.
   */
  readonly calleePops?: boolean;
}

/** The bytes a planned piece must carry (and which of them are checked), by the planner's rules. */
export type Expected = (t: CType, img: Uint8Array, piece: Piece) => { want: number[]; mask: number[] };

const C_HEAD = String.raw`
#include <stdio.h>
#include <string.h>
#include <stddef.h>
#include <stdint.h>
void dump_args(void);
`;

const C_HELPERS = String.raw`
static void fill(void *p, size_t n, unsigned seed) {
  unsigned char *c = p;
  for (size_t i = 0; i < n; i++) c[i] = (unsigned char)((seed * 97u + i * 13u) % 251u + 3u);
}
static void hex(const void *p, size_t n) {
  const unsigned char *c = p;
  putchar('"');
  for (size_t i = 0; i < n; i++) printf("%02x", c[i]);
  putchar('"');
}
`;

function cDecl(t: CType, name: string): string {
  return t.kind === 'array' ? cDecl(t.element, `${name}[${t.length}]`) : `${t.name} ${name}`;
}

/** C definitions of every struct, union and enum reachable from `roots`, dependencies first. */
function definitions(roots: readonly CType[], out: string[], seen: Set<CType>): void {
  for (const t of roots) {
    if (seen.has(t)) continue;
    seen.add(t);
    if (t.kind === 'array') definitions([t.element], out, seen);
    if (t.kind === 'pointer') definitions([t.to], out, seen);
    if (t.kind === 'enum') {
      const packed = t.size === 1 ? ' __attribute__((packed))' : '';
      out.push(`enum${packed} ${t.tag} { ${[...t.values.keys()].join(', ')} };`);
    }
    if (t.kind === 'struct' || t.kind === 'union') {
      const src = recordSource.get(t)!;
      definitions(src.specs.map((s) => s[1]), out, seen);
      const members = src.specs.map(([n, ft, w]) => (w === undefined ? `${cDecl(ft, n)};` : `${ft.name} ${n} : ${w};`));
      const attrs = [src.packed ? 'packed' : '', src.aligned ? `aligned(${src.aligned})` : ''].filter(Boolean);
      out.push(`${t.name} { ${members.join(' ')} }${attrs.length ? ` __attribute__((${attrs.join(', ')}))` : ''};`);
    }
  }
}

const records = (t: CType): RecordType[] => {
  if (t.kind === 'array') return records(t.element);
  if (t.kind !== 'struct' && t.kind !== 'union') return [];
  return [t, ...t.fields.flatMap((f) => records(f.type))];
};

/** C that prints the size, alignment, member offsets and bitfield bits GCC gives a record. */
function layoutProbe(rec: RecordType): string {
  const offs = rec.fields.filter((f) => f.bitWidth === undefined)
    .map((f) => `printf(",%zu", offsetof(${rec.name}, ${f.name}));`).join(' ');
  const bits = rec.fields.filter((f) => f.bitWidth !== undefined)
    .map((f) => `{ ${rec.name} v; memset(&v, 0, sizeof v); v.${f.name} = -1; putchar(','); hex(&v, sizeof v); }`).join(' ');
  return `printf("{\\"layout\\":\\"${rec.name}\\",\\"v\\":[%zu,%zu", sizeof(${rec.name}), _Alignof(${rec.name})); ${offs}` +
    ` printf("],\\"bits\\":[\\"\\""); ${bits} printf("]}\\n");`;
}

const isBool = (t: CType) => t.kind === 'scalar' && t.rep === 'bool';
const isFloat = (t: CType) => t.kind === 'scalar' && (t.rep === 'f32' || t.rep === 'f64');
/** `__attribute__((stdcall)) ` for a function with an i386 convention, else nothing. */
const attribute = (f: FunctionType) => (f.convention ? `__attribute__((${f.convention.name})) ` : '');

function caseCode(i: number, p: CallPlan, target: GccTarget): string {
  const f = p.fn;
  const params = f.params.map((q) => q.type.name);
  const list = [...params, ...(f.variadic ? ['...'] : [])].join(', ') || 'void';
  const named = [...f.params.map((q, k) => cDecl(q.type, `p${k}`)), ...(f.variadic ? ['...'] : [])].join(', ') || 'void';
  const proto = `${f.ret.name} (${attribute(f)}*)(${list})`;
  const lines: string[] = [];
  p.args.forEach((a, k) => {
    lines.push(`${cDecl(a.type, `a${k}`)}; fill(&a${k}, sizeof a${k}, ${i * 64 + k}u);${isBool(a.type) ? ` a${k} = 1;` : ''}`);
  });
  lines.push(`memset(g_gpr, 0, sizeof g_gpr); memset(g_fpr, 0, sizeof g_fpr); memset(g_stack, 0, sizeof g_stack);`);
  // i386: the probe pops what the plan says, and leaves a value in st(0) where the C caller will pop one.
  if (target.calleePops) lines.push(`g_pop = ${p.calleePops}; g_fld = ${isFloat(f.ret) ? 1 : 0};`);
  lines.push(`(void)((${proto})(void (*)(void))dump_args)(${p.args.map((_, k) => `a${k}`).join(', ')});`);
  lines.push(`printf("{\\"case\\":${i},\\"gpr\\":"); hex(g_gpr, sizeof g_gpr); printf(",\\"fpr\\":"); hex(g_fpr, sizeof g_fpr);`);
  lines.push(`printf(",\\"stack\\":"); hex(g_stack, ${p.stackSize}); printf(",\\"args\\":[");`);
  p.args.forEach((_, k) => lines.push(`${k ? 'putchar(\',\'); ' : ''}hex(&a${k}, sizeof a${k});`));
  lines.push('putchar(\']\');');
  let helper = '';
  const ret = f.ret;
  if (ret.kind !== 'void') {
    const init = `fill(&r, sizeof r, ${i * 64 + 63}u);${isBool(ret) ? ' r = 1;' : ''}`;
    // With calleePops the callee has the case's own signature (and convention), so that it pops what gcc makes it pop.
    const own = target.calleePops ? `${attribute(f)}${ret.name} ret_${i}(${named})` : `${ret.name} ret_${i}(void)`;
    helper = `static ${own} { ${cDecl(ret, 'r')}; ${init} return r; }\n`;
    const kind = ret.kind === 'scalar' && isFloat(ret) ? ret.size / 4 : 0;
    const call = target.calleePops ? `grab_ret((void *)ret_${i}, buf, ${kind})` : `grab_ret((void *)ret_${i}, buf)`;
    lines.push(`{ ${cDecl(ret, 'r')}; ${init} unsigned char buf[${ret.size + 8}]; memset(buf, 0, sizeof buf); ${call};`);
    lines.push(`printf(",\\"ret\\":{\\"gpr\\":"); hex(g_rgpr, ${2 * (target.wordSize ?? 8)}); printf(",\\"fpr\\":"); hex(g_rfpr, ${target.retFprBytes});`);
    if (target.calleePops) lines.push('{ void *b = buf; printf(",\\"bufp\\":"); hex(&b, sizeof b); printf(",\\"pops\\":%d", g_pops); }');
    lines.push('printf(",\\"buf\\":"); hex(buf, sizeof r); printf(",\\"img\\":"); hex(&r, sizeof r); putchar(\'}\'); }');
  } else if (target.calleePops) {
    helper = `static ${attribute(f)}void ret_${i}(${named}) { }\n`;
    lines.push(`grab_ret((void *)ret_${i}, 0, 0); printf(",\\"ret\\":{\\"pops\\":%d}", g_pops);`);
  }
  return `${helper}static void case_${i}(void) {\n  ${lines.join('\n  ')}\n  printf("}\\n");\n}\n`;
}

function program(target: GccTarget, plans: readonly CallPlan[], first: number, recs: readonly RecordType[]): string {
  const defs: string[] = [];
  definitions(plans.flatMap((p) => [p.fn.ret, ...p.args.map((a) => a.type)]), defs, new Set());
  return [
    C_HEAD, target.stubs, C_HELPERS, ...defs,
    ...plans.map((p, k) => caseCode(first + k, p, target)),
    'int main(void) {',
    ...recs.map((rec) => `  ${layoutProbe(rec)}`),
    ...plans.map((_, k) => `  case_${first + k}();`),
    '  return 0;\n}\n',
  ].join('\n');
}

// ---- checking
const bytes = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
const hexOf = (a: readonly number[]) => a.map((x) => x.toString(16).padStart(2, '0')).join('');

/** Marks the bits of a value's image that carry data (not padding). */
export function significant(t: CType, off: number, m: Uint8Array): void {
  switch (t.kind) {
    case 'array':
      for (let k = 0; k < t.length; k++) significant(t.element, off + k * t.element.size, m);
      return;
    case 'struct':
    case 'union':
      for (const f of t.fields) {
        if (f.bitWidth === undefined) significant(f.type, off + f.offset, m);
        else {
          const first = (off + f.offset) * 8 + (f.bitOffset ?? 0);
          for (let b = first; b < first + f.bitWidth; b++) m[b >> 3]! |= 1 << (b & 7);
        }
      }
      return;
    default:
      m.fill(0xff, off, off + t.size);
  }
}

function got(to: Location, regs: { gpr: Uint8Array; fpr: Uint8Array; stack?: Uint8Array }, mask: readonly number[], word = 8): number[] {
  const base = to.kind === 'stack' ? to.offset : to.kind === 'gpr' ? to.index * word : to.index * 8;
  const src = to.kind === 'gpr' ? regs.gpr : to.kind === 'fpr' ? regs.fpr : regs.stack!;
  return mask.map((mk, k) => (src[base + k] ?? 0) & mk);
}

interface Output {
  case?: number; gpr: string; fpr: string; stack: string; args: string[];
  ret?: { gpr?: string; fpr?: string; buf?: string; img?: string; bufp?: string; pops?: number };
  layout?: string; v?: number[]; bits?: string[];
}

/** The layout GCC reports must be the test helper's: else a failure would blame the planner wrongly. */
function checkLayout(o: Output, recs: readonly RecordType[], problems: string[]): void {
  const rec = recs.find((x) => x.name === o.layout)!;
  const mine = [rec.size, rec.align, ...rec.fields.filter((f) => f.bitWidth === undefined).map((f) => f.offset)];
  if (JSON.stringify(mine) !== JSON.stringify(o.v)) problems.push(`layout of ${rec.name}: gcc ${o.v} test helper ${mine}`);
  rec.fields.filter((f) => f.bitWidth !== undefined).forEach((f, k) => {
    const m = new Uint8Array(rec.size);
    significant({ ...rec, fields: [f] }, 0, m);
    if (hexOf([...m]) !== o.bits![k + 1]) problems.push(`bits of ${rec.name}.${f.name}: gcc ${o.bits![k + 1]} test helper ${hexOf([...m])}`);
  });
}

/** Each register and stack byte is used by at most one piece (or the result pointer), within the ABI's registers. */
function overlaps(p: CallPlan): string[] {
  const used = new Map<string, string>();
  const problems: string[] = [];
  if (p.ret.kind === 'memory') {
    const to = p.ret.pointer;
    if (to.kind !== 'stack') used.set(`${to.kind}${to.index}`, 'the result pointer');
    else for (let b = 0; b < 4; b++) used.set(`sp+${to.offset + b}`, 'the result pointer');
  }
  p.args.forEach((a, k) => a.pieces.forEach((piece) => {
    const to = piece.to;
    if (to.kind !== 'stack' && (to.index < 0 || to.index > 7)) problems.push(`arg ${k}: ${to.kind} ${to.index} is not an argument register`);
    const keys = to.kind === 'stack'
      ? Array.from({ length: piece.size }, (_, b) => `sp+${to.offset + b}`)
      : [`${to.kind}${to.index}`];
    for (const key of keys) {
      if (used.has(key)) problems.push(`arg ${k} and ${used.get(key)} both use ${key}`);
      used.set(key, `arg ${k}`);
    }
    if (to.kind === 'stack' && to.offset + piece.size > p.stackSize) problems.push(`arg ${k} beyond stackSize ${p.stackSize}`);
  }));
  if (p.stackSize % 16 !== 0) problems.push(`stackSize ${p.stackSize} is not a multiple of 16`);
  return problems;
}

/** Every piece of plan `p` against what the probe recorded, by the planner's `expected` bytes. */
function check(target: GccTarget, expected: Expected, p: CallPlan, o: Output, problems: string[]): void {
  const where = `${describe(p)}\n   `;
  const word = target.wordSize ?? 8;
  for (const x of overlaps(p)) problems.push(`${where}${x}`);
  const regs = { gpr: bytes(o.gpr), fpr: bytes(o.fpr), stack: bytes(o.stack) };
  p.args.forEach((a, k) => {
    const img = bytes(o.args[k]!);
    for (const piece of a.pieces) {
      if (a.byReference) {
        // The pointer's target is the caller's copy: the probe cannot follow it, but it must not be the value.
        const have = got(piece.to, regs, Array(word).fill(0xff), word);
        if (have.every((b) => b === 0)) problems.push(`${where}arg ${k}: no pointer at ${JSON.stringify(piece.to)}`);
        continue;
      }
      const { want, mask } = expected(a.type, img, piece);
      const have = got(piece.to, regs, mask, word);
      if (hexOf(have) !== hexOf(want)) problems.push(`${where}arg ${k} piece ${JSON.stringify(piece)}: want ${hexOf(want)} have ${hexOf(have)}`);
    }
  });
  if (p.ret.kind === 'memory') {
    // The caller's result buffer is in its frame: the plan's pointer register must hold a stack address.
    const read = (b: Uint8Array, at: number) => (word === 8 ? new DataView(b.buffer).getBigUint64(at, true) : BigInt(new DataView(b.buffer).getUint32(at, true)));
    const sp = read(regs.gpr, target.spAt);
    const ptr = read(Uint8Array.from(got(p.ret.pointer, regs, Array(word).fill(0xff), word)), 0);
    if (ptr < sp || ptr >= sp + 0x10000n) problems.push(`${where}no result address in ${JSON.stringify(p.ret.pointer)}`);
  }
  const r = o.ret;
  if (!r) return;
  if (r.pops !== undefined && r.pops !== p.calleePops) problems.push(`${where}the callee popped ${r.pops} bytes, not calleePops ${p.calleePops}`);
  if (r.img === undefined) return;
  const img = bytes(r.img);
  if (p.ret.kind === 'regs') {
    for (const piece of p.ret.pieces) {
      const { want, mask } = expected(p.ret.type, img, piece);
      const have = got(piece.to, { gpr: bytes(r.gpr!), fpr: bytes(r.fpr!) }, mask, word);
      if (hexOf(have) !== hexOf(want)) problems.push(`${where}ret piece ${JSON.stringify(piece)}: want ${hexOf(want)} have ${hexOf(have)}`);
    }
  }
  if (p.ret.kind === 'memory') {
    const { want, mask } = expected(p.ret.type, img, { from: 0, size: p.ret.type.size, to: { kind: 'stack', offset: 0 } });
    if (hexOf(got({ kind: 'stack', offset: 0 }, { gpr: regs.gpr, fpr: regs.fpr, stack: bytes(r.buf!) }, mask)) !== hexOf(want)) {
      problems.push(`${where}the result was not written to the buffer at ${target.resultRegister}`);
    }
    if (r.bufp !== undefined && r.gpr!.slice(0, 2 * word) !== r.bufp) problems.push(`${where}the callee returned ${r.gpr!.slice(0, 2 * word)} in its first result register, not the buffer's address ${r.bufp}`);
  }
}

const native = (target: GccTarget) => process.platform === 'linux' && process.arch === target.nodeArch;
const compiler = (target: GccTarget) => (native(target) ? (process.env.TRAMPFD_CC ?? 'gcc') : target.cross);

/** Why the test cannot run here (compiler or qemu missing), or false. */
export function toolsMissing(target: GccTarget): string | false {
  const tools = native(target) ? [[compiler(target), '--version']] : [[compiler(target), '--version'], [target.qemu, '-version']];
  for (const [tool, arg] of tools) {
    if (spawnSync(tool!, [arg!]).status !== 0) return `needs ${tool} (CI installs ${target.packages})`;
  }
  return false;
}

const run = promisify(execFile);

/**
 * Compiles and runs the probes of `plans` for `target` (static binaries, -O1, under qemu unless
 * native), compares the records' layouts and every case's registers and stack with the plan
 * (`expected`: the planner's rule for a piece's bytes); then the generator's `coverage` must have
 * reached every rule (from 300 signatures on).
 */
export async function groundTruth(t: TestContext, target: GccTarget, plans: readonly CallPlan[], seed: number,
  expected: Expected, coverage: (plans: readonly CallPlan[]) => Record<string, number>): Promise<void> {
  const started = performance.now();
  const count = plans.length;
  const cc = compiler(target);
  const dir = mkdtempSync(join(tmpdir(), `trampfd-gcc-${target.nodeArch}-`));
  const problems: string[] = [];
  try {
    const chunks = Array.from({ length: Math.ceil(count / PER_FILE) }, (_, k) => k * PER_FILE);
    const build = async (first: number) => {
      const part = plans.slice(first, first + PER_FILE);
      const recs = [...new Set(part.flatMap((p) => [p.fn.ret, ...p.args.map((a) => a.type)]).flatMap(records))];
      const src = join(dir, `abi${first}.c`);
      writeFileSync(src, program(target, part, first, recs));
      await run(cc, ['-std=gnu11', '-O1', '-w', '-static', ...(target.cflags ?? []), '-o', join(dir, `abi${first}`), src], { maxBuffer: 1 << 26 });
      const binary = join(dir, `abi${first}`);
      const { stdout } = await (native(target) ? run(binary, [], { maxBuffer: 1 << 28 }) : run(target.qemu, [binary], { maxBuffer: 1 << 28 }));
      return { recs, out: stdout.trim().split('\n').map((l) => JSON.parse(l) as Output) };
    };
    const results = [];
    for (let k = 0; k < chunks.length; k += 2) results.push(...await Promise.all(chunks.slice(k, k + 2).map(build)));
    let seen = 0;
    for (const { recs, out } of results) {
      for (const o of out) {
        if (o.layout !== undefined) checkLayout(o, recs, problems);
        else {
          check(target, expected, plans[o.case!]!, o, problems);
          seen++;
        }
      }
    }
    assert.equal(seen, count, 'every case ran');
    const tally = coverage(plans);
    t.diagnostic(`coverage: ${JSON.stringify(tally)}`);
    if (count >= 300) assert.deepEqual(Object.keys(tally).filter((k) => tally[k] === 0), [], 'rules the generator never reached');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  t.diagnostic(`${count} signatures in ${((performance.now() - started) / 1000).toFixed(1)} s; reproduce with TRAMPFD_SEED=${seed} TRAMPFD_GEN_COUNT=${count}`);
  assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problem(s); reproduce with TRAMPFD_SEED=${seed}`);
}
