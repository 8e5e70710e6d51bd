// Area: abi/sysv-x86_64. Purpose: ground truth from GCC. For each signature a C caller (gcc -O1)
// passes distinct byte patterns to an assembly stub that records rdi..r9, xmm0..7, %al and the
// outgoing stack; every piece of our plan must find its bytes exactly there. Return values
// likewise: a C function returns a pattern and a stub records rax, rdx, xmm0, xmm1 and the
// hidden-pointer buffer. Skipped where gcc or x86-64 Linux is not available.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, plan } from '../dist/abi/index.js';
import type { CallPlan, Piece } from '../dist/abi/index.js';
import type { CType, FunctionType, RecordType } from '../dist/types/ctype.js';
import {
  array, BOOL, CHAR, DOUBLE, enumType, FLOAT, fn, INT, LONG, LLONG, pointer, PTR, recordSource,
  SCHAR, SHORT, struct, UCHAR, UINT, ULONG, union, USHORT, VOID,
} from './support-ctypes.js';

// ---- the signatures ----------------------------------------------------------------------------
const ff = struct('ff', [['a', FLOAT], ['b', FLOAT]]);
const di = struct('di', [['d', DOUBLE], ['i', INT]]);
const ifd = struct('ifd', [['i', INT], ['f', FLOAT], ['d', DOUBLE]]);
const c3 = struct('c3', [['c', array(CHAR, 3)]]);
const f3 = struct('f3', [['f', array(FLOAT, 3)]]);
const f4 = struct('f4', [['f', array(FLOAT, 4)]]);
const fd = struct('fd', [['f', FLOAT], ['d', DOUBLE]]);
const ld = struct('ld', [['l', LONG], ['d', DOUBLE]]);
const dl = struct('dl', [['d', DOUBLE], ['l', LONG]]);
const dd = struct('dd', [['a', DOUBLE], ['b', DOUBLE]]);
const ll = struct('ll', [['a', LONG], ['b', LONG]]);
const ii = struct('ii', [['a', INT], ['b', INT]]);
const c16 = struct('c16', [['c', array(CHAR, 16)]]);
const c17 = struct('c17', [['c', array(CHAR, 17)]]);
const ddc = struct('ddc', [['a', DOUBLE], ['b', DOUBLE], ['c', CHAR]]);
const d4 = struct('d4', [['d', array(DOUBLE, 4)]]);
const big = struct('big', [['a', LONG], ['b', LONG], ['c', LONG]]);
const uif = union('uif', [['i', INT], ['f', FLOAT]]);
const ufd = union('ufd', [['f', array(FLOAT, 2)], ['d', DOUBLE]]);
const uxf = union('uxf', [['i', INT], ['f', array(FLOAT, 4)]]);
const ucf = union('ucf', [['c', array(CHAR, 12)], ['f', array(FLOAT, 3)]]);
const inner = struct('inner', [['b', INT], ['c', FLOAT]]);
const outer = struct('outer', [['a', INT], ['s', inner], ['d', FLOAT]]);
const pq = struct('pq', [['p', ff], ['q', struct('fi', [['z', FLOAT], ['w', INT]])]]);
const pts = struct('pts', [['p', array(ff, 2)]]);
const sc = struct('sc', [['c', CHAR], ['s', SHORT]]);
const scs = struct('scs', [['x', array(sc, 3)]]);
const sfc = struct('sfc', [['s', SHORT], ['f', FLOAT], ['c', CHAR]]);
const pd = struct('pd', [['p', PTR], ['d', DOUBLE]]);
const mis = struct('mis', [['c', CHAR], ['i', INT]], { packed: true });
const pii = struct('pii', [['a', INT], ['b', INT]], { packed: true });
const pdbl = struct('pdbl', [['c', CHAR], ['d', DOUBLE]], { packed: true });
const empty = struct('empty', []);
const fef = struct('fef', [['f', FLOAT], ['e', empty], ['g', FLOAT]]);
const bf = struct('bf', [['a', INT, 3], ['b', INT, 5]]);
const fb = struct('fb', [['f', FLOAT], ['bits', INT, 8]]);
const db = struct('db', [['d', DOUBLE], ['x', UINT, 1]]);
const straddle = struct('straddle', [['c', array(CHAR, 7)], ['x', UINT, 16]], { packed: true });
const zw = struct('zw', [['f', FLOAT], ['', INT, 0], ['g', FLOAT]]);
const ub = union('ub', [['f', FLOAT], ['b', INT, 3]]);
const straddle2 = struct('straddle2', [['c', array(CHAR, 7)], ['d', UCHAR, 4], ['x', UINT, 8]], { packed: true });
const unb = struct('unb', [['f', FLOAT], ['', INT, 8]]);
const unb2 = struct('unb2', [['f', FLOAT], ['g', FLOAT], ['', INT, 8]]);
const a16 = struct('a16', [['f', FLOAT]], { aligned: 16 });
const l16 = struct('l16', [['l', LONG], ['c', CHAR]], { aligned: 16 });
const big16 = struct('big16', [['a', LONG], ['b', LONG], ['c', LONG]], { aligned: 16 });
const color = enumType('color');

const ints = (n: number, t: CType = INT) => Array.from({ length: n }, () => t);
const dbls = (n: number) => Array.from({ length: n }, () => DOUBLE);
const v = (name: string, ret: CType, params: CType[], extra?: CType[]) => ({ f: fn(name, ret, params, extra !== undefined), extra });

const CASES: { f: FunctionType; extra?: CType[] | undefined }[] = [
  v('add', INT, [INT, INT]),
  v('mix', DOUBLE, [PTR, FLOAT, LONG, DOUBLE, ULONG, LLONG]),
  v('psabi', VOID, [INT, INT, struct('structparm', [['a', INT], ['b', INT], ['d', DOUBLE]]), INT, INT, DOUBLE, DOUBLE, INT, INT, INT]),
  v('s_ff', ff, [ff, ff]),
  v('s_di', di, [di, INT, di]),
  v('s_ifd', ifd, [ifd]),
  v('s_c3', c3, [c3, c3]),
  v('s_f3', f3, [f3, FLOAT]),
  v('s_f4', f4, [f4]),
  v('s_fd', fd, [fd]),
  v('s_ld', ld, [ld]),
  v('s_dl', dl, [dl]),
  v('s_dd', dd, [dd]),
  v('s_ll', ll, [ll]),
  v('s_c16', c16, [c16]),
  v('s_c17', c17, [c17, INT]),
  v('s_ddc', ddc, [ddc, DOUBLE]),
  v('s_d4', d4, [DOUBLE, d4, DOUBLE]),
  v('s_big', big, [...ints(6)]),
  v('u_if', uif, [uif]),
  v('u_fd', ufd, [ufd]),
  v('u_xf', uxf, [uxf]),
  v('u_cf', ucf, [ucf]),
  v('nested', outer, [outer, pq]),
  v('arrays', pts, [pts, scs]),
  v('s_sfc', sfc, [sfc, pd]),
  v('int7', INT, ints(8)),
  v('dbl9', DOUBLE, dbls(10)),
  v('both', VOID, [...ints(7, LONG), ...dbls(9), INT, DOUBLE]),
  v('nofit_int', VOID, [...ints(5), ll, INT]),
  v('nofit_sse', VOID, [...dbls(7), dd, DOUBLE]),
  v('nofit_mixed', VOID, [...ints(6), di, DOUBLE, ii]),
  v('fit_last', VOID, [...ints(5), ii, ii, INT]),
  v('slots', VOID, [...ints(6), c17, INT, c3, ff]),
  v('narrow', CHAR, [CHAR, UCHAR, SHORT, USHORT, BOOL, SCHAR]),
  v('narrow_stack', SHORT, [...ints(6, LONG), CHAR, SHORT, BOOL, UCHAR, USHORT]),
  v('ret_bool', BOOL, []),
  v('ret_uchar', UCHAR, [color, pointer(CHAR)]),
  v('packed', mis, [mis, pii, pdbl, INT]),
  v('empty', empty, [INT, empty, INT, fef]),
  v('empty_stack', VOID, [...ints(6), empty, INT]),
  v('bits', bf, [bf, fb, db, straddle, zw, ub]),
  v('bits2', unb2, [straddle2, unb, unb2]),
  v('aligned16', a16, [a16, l16, INT]),
  v('aligned16_stack', l16, [...ints(7, LONG), big16, INT, l16, ...ints(3)]),
  v('ret_fb', fb, []),
  v('ret_db', db, []),
  v('va_printf', INT, [pointer(CHAR)], [DOUBLE, INT, FLOAT, CHAR, dd, LONG, USHORT, ff]),
  v('va_many', VOID, [DOUBLE], dbls(10)),
  v('va_ints', LONG, [INT], [INT, PTR, BOOL, di, c17]),
];

// ---- C generation ------------------------------------------------------------------------------
const STUBS = String.raw`
unsigned char g_gpr[48], g_fpr[64], g_stack[256], g_rgpr[16], g_rfpr[16], g_al;
__asm__(
  ".text\n.globl dump_args\n.type dump_args,@function\ndump_args:\n"
  "movq %rdi, g_gpr+0(%rip)\nmovq %rsi, g_gpr+8(%rip)\nmovq %rdx, g_gpr+16(%rip)\n"
  "movq %rcx, g_gpr+24(%rip)\nmovq %r8, g_gpr+32(%rip)\nmovq %r9, g_gpr+40(%rip)\n"
  "movq %xmm0, g_fpr+0(%rip)\nmovq %xmm1, g_fpr+8(%rip)\nmovq %xmm2, g_fpr+16(%rip)\n"
  "movq %xmm3, g_fpr+24(%rip)\nmovq %xmm4, g_fpr+32(%rip)\nmovq %xmm5, g_fpr+40(%rip)\n"
  "movq %xmm6, g_fpr+48(%rip)\nmovq %xmm7, g_fpr+56(%rip)\nmovb %al, g_al(%rip)\n"
  "leaq 8(%rsp), %rsi\nleaq g_stack(%rip), %rdi\nmovl $256, %ecx\nrep movsb\n"
  "movq g_gpr(%rip), %rax\nret\n"
  ".globl grab_ret\n.type grab_ret,@function\ngrab_ret:\n"
  "pushq %rbx\nmovq %rdi, %rax\nmovq %rsi, %rdi\ncall *%rax\n"
  "movq %rax, g_rgpr(%rip)\nmovq %rdx, g_rgpr+8(%rip)\n"
  "movq %xmm0, g_rfpr(%rip)\nmovq %xmm1, g_rfpr+8(%rip)\npopq %rbx\nret\n");
void dump_args(void);
void grab_ret(void *fn, void *buf);
#include <stdio.h>
#include <string.h>
#include <stddef.h>
#include <stdint.h>
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
function definitions(roots: CType[], out: string[], seen = new Set<CType>()): void {
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

/** C that prints the size, alignment and member offsets GCC gives a record. */
function layoutProbe(r: RecordType): string {
  const offs = r.fields.filter((f) => f.bitWidth === undefined)
    .map((f) => `printf(",%zu", offsetof(${r.name}, ${f.name}));`).join(' ');
  return `printf("{\\"layout\\":\\"${r.name}\\",\\"v\\":[%zu,%zu", sizeof(${r.name}), _Alignof(${r.name})); ${offs} printf("]}\\n");`;
}

function caseCode(i: number, p: CallPlan): string {
  const { fn: f } = p;
  const ret = f.ret;
  const params = f.params.map((q) => q.type.name);
  const proto = `${ret.name} (*)(${[...params, ...(f.variadic ? ['...'] : [])].join(', ') || 'void'})`;
  const lines: string[] = [];
  const isBool = (t: CType) => t.kind === 'scalar' && t.rep === 'bool';
  p.args.forEach((a, k) => {
    lines.push(`${cDecl(a.type, `a${k}`)}; fill(&a${k}, sizeof a${k}, ${i * 64 + k}u);` + (isBool(a.type) ? ` a${k} = 1;` : ''));
  });
  lines.push('memset(g_gpr, 0, 48); memset(g_fpr, 0, 64); memset(g_stack, 0, 256); g_al = 0xff;');
  lines.push(`(void)((${proto})(void (*)(void))dump_args)(${p.args.map((_, k) => `a${k}`).join(', ')});`);
  lines.push(`printf("{\\"case\\":${i},\\"gpr\\":"); hex(g_gpr, 48); printf(",\\"fpr\\":"); hex(g_fpr, 64);`);
  lines.push('printf(",\\"al\\":%d,\\"stack\\":", g_al); hex(g_stack, 256); printf(",\\"args\\":[");');
  p.args.forEach((_, k) => lines.push(`${k ? 'putchar(\',\'); ' : ''}hex(&a${k}, sizeof a${k});`));
  lines.push('putchar(\']\');');
  let helper = '';
  if (ret.kind !== 'void') {
    const fill = `fill(&r, sizeof r, ${i * 64 + 63}u);${isBool(ret) ? ' r = 1;' : ''}`;
    helper = `static ${ret.name} ret_${i}(void) { ${cDecl(ret, 'r')}; ${fill} return r; }\n`;
    lines.push(`{ ${cDecl(ret, 'r')}; ${fill} unsigned char buf[64]; memset(buf, 0, 64); grab_ret((void *)ret_${i}, buf);`);
    lines.push('uintptr_t rax; memcpy(&rax, g_rgpr, 8); printf(",\\"ret\\":{\\"gpr\\":"); hex(g_rgpr, 16);');
    lines.push('printf(",\\"fpr\\":"); hex(g_rfpr, 16); printf(",\\"buf\\":"); hex(buf, sizeof r);');
    lines.push('printf(",\\"raxIsBuf\\":%s,\\"img\\":", rax == (uintptr_t)buf ? "true" : "false"); hex(&r, sizeof r); putchar(\'}\'); }');
  }
  return `${helper}static void case_${i}(void) {\n  ${lines.join('\n  ')}\n  printf("}\\n");\n}\n`;
}

// ---- checking ------------------------------------------------------------------------------------
const bytes = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));

/** Bits of a value's image that carry data (not padding, not unnamed bitfields). */
function significant(t: CType, off: number, m: Uint8Array): void {
  switch (t.kind) {
    case 'array':
      for (let i = 0; i < t.length; i++) significant(t.element, off + i * t.element.size, m);
      return;
    case 'struct':
    case 'union':
      for (const f of t.fields) {
        if (f.bitWidth === undefined) significant(f.type, off + f.offset, m);
        else if (f.name !== '') {
          const first = (off + f.offset) * 8 + (f.bitOffset ?? 0);
          for (let b = first; b < first + f.bitWidth; b++) m[b >> 3]! |= 1 << (b & 7);
        }
      }
      return;
    default:
      m.fill(0xff, off, off + t.size);
  }
}

/** The bytes a piece should carry: masked image bytes, or the value extended to 32 bits. */
function expected(t: CType, img: Uint8Array, piece: Piece): { want: number[]; mask: number[] } {
  if (piece.extend) {
    const negative = piece.extend === 'sign' && (img[t.size - 1]! & 0x80) !== 0;
    const want = Array.from({ length: piece.size }, (_, k) => (k < t.size ? img[k]! : negative ? 0xff : 0));
    return { want, mask: want.map(() => 0xff) };
  }
  const m = new Uint8Array(t.size);
  significant(t, 0, m);
  const want: number[] = [];
  const mask: number[] = [];
  for (let k = piece.from; k < piece.from + piece.size; k++) {
    mask.push(m[k]!);
    want.push(img[k]! & m[k]!);
  }
  return { want, mask };
}

function got(piece: Piece, gpr: Uint8Array, fpr: Uint8Array, stack: Uint8Array | undefined, mask: number[]): number[] {
  const to = piece.to;
  const base = to.kind === 'stack' ? to.offset : to.index * 8;
  const src = to.kind === 'gpr' ? gpr : to.kind === 'fpr' ? fpr : stack!;
  return mask.map((mk, k) => src[base + k]! & mk);
}

const hexOf = (a: number[]) => a.map((x) => x.toString(16).padStart(2, '0')).join('');

interface Record_ {
  case?: number; gpr: string; fpr: string; al: number; stack: string; args: string[];
  ret?: { gpr: string; fpr: string; buf: string; raxIsBuf: boolean; img: string };
  layout?: string; v?: number[];
}

function gccWorks(): boolean {
  if (process.platform !== 'linux' || process.arch !== 'x64') return false;
  return spawnSync('gcc', ['--version']).status === 0;
}

test('plans match where GCC -O1 puts arguments and return values', { skip: !gccWorks() && 'needs gcc on x86-64 Linux' }, () => {
  const plans = CASES.map((c) => plan(c.f, c.extra));
  const defs: string[] = [];
  const roots = plans.flatMap((p) => [p.fn.ret, ...p.args.map((a) => a.type)]);
  definitions(roots, defs);
  const walk = (t: CType): RecordType[] => {
    if (t.kind === 'array') return walk(t.element);
    if (t.kind !== 'struct' && t.kind !== 'union') return [];
    return [t, ...t.fields.flatMap((f) => walk(f.type))];
  };
  const records = [...new Set(roots.flatMap(walk))];
  const src = [
    STUBS, ...defs,
    ...plans.map((p, i) => caseCode(i, p)),
    'int main(void) {',
    ...records.map((r) => `  ${layoutProbe(r)}`),
    ...plans.map((_, i) => `  case_${i}();`),
    '  return 0;\n}\n',
  ].join('\n');

  const dir = mkdtempSync(join(tmpdir(), 'trampfd-sysv-'));
  try {
    writeFileSync(join(dir, 'abi.c'), src);
    const cc = spawnSync('gcc', ['-std=gnu11', '-O1', '-w', '-o', join(dir, 'abi'), join(dir, 'abi.c')], { encoding: 'utf8' });
    assert.equal(cc.status, 0, `gcc failed:\n${cc.stderr}`);
    const run = spawnSync(join(dir, 'abi'), { encoding: 'utf8' });
    assert.equal(run.status, 0, `harness failed: ${run.stderr}`);
    const out = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record_);

    const problems: string[] = [];
    for (const o of out.filter((x) => x.layout !== undefined)) {
      const r = records.find((x) => x.name === o.layout)!;
      const mine = [r.size, r.align, ...r.fields.filter((f) => f.bitWidth === undefined).map((f) => f.offset)];
      if (JSON.stringify(mine) !== JSON.stringify(o.v)) problems.push(`layout of ${r.name}: gcc ${o.v} test helper ${mine}`);
    }
    const runs = out.filter((x) => x.case !== undefined);
    assert.equal(runs.length, plans.length);
    for (const o of runs) {
      const p = plans[o.case!]!;
      const where = `${describe(p)}\n   `;
      const [gpr, fpr, stack] = [bytes(o.gpr), bytes(o.fpr), bytes(o.stack)];
      p.args.forEach((a, k) => {
        const img = bytes(o.args[k]!);
        for (const piece of a.pieces) {
          const { want, mask } = expected(a.type, img, piece);
          const have = got(piece, gpr, fpr, stack, mask);
          if (hexOf(have) !== hexOf(want)) {
            problems.push(`${where}arg ${k} piece ${JSON.stringify(piece)}: want ${hexOf(want)} have ${hexOf(have)}`);
          }
        }
        const last = a.pieces.at(-1);
        if (last?.to.kind === 'stack' && last.to.offset + last.size > p.stackSize) problems.push(`${where}stackSize too small`);
      });
      if (p.stackSize % 16 !== 0) problems.push(`${where}stackSize not a multiple of 16`);
      if (p.variadic && o.al !== p.vectorCount) problems.push(`${where}%al: gcc ${o.al}, plan ${p.vectorCount}`);
      const r = o.ret;
      if (p.ret.kind === 'regs' && r) {
        const img = bytes(r.img);
        for (const piece of p.ret.pieces) {
          const { want, mask } = expected(p.ret.type, img, piece);
          const have = got(piece, bytes(r.gpr), bytes(r.fpr), undefined, mask);
          if (hexOf(have) !== hexOf(want)) problems.push(`${where}ret piece ${JSON.stringify(piece)}: want ${hexOf(want)} have ${hexOf(have)}`);
        }
        if (r.raxIsBuf && p.ret.type.size > 0) problems.push(`${where}gcc returned in memory`);
      }
      if (p.ret.kind === 'memory' && r) {
        const { want, mask } = expected(p.ret.type, bytes(r.img), { from: 0, size: p.ret.type.size, to: { kind: 'stack', offset: 0 } });
        const have = mask.map((mk, k) => bytes(r.buf)[k]! & mk);
        if (!r.raxIsBuf || hexOf(have) !== hexOf(want)) problems.push(`${where}memory return not written through rdi`);
      }
    }
    assert.deepEqual(problems, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
