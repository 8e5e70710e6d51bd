// Area: types/layout. Purpose: random structs and unions laid out exactly as gcc lays them out
// (sizeof, _Alignof, offsetof of every member path, the bytes every bitfield occupies), with the
// target's compiler (TRAMPFD_CC under qemu).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cdef, parseTypeName, TypeScope } from '../dist/decl/index.js';
import type { CType, RecordType } from '../dist/types/index.js';
import { SEED, rng } from './support-rng.js';
import { cc } from './support-native.js';
import { HOST } from '../dist/targets/index.js';

/** Records per run; TRAMPFD_LAYOUT_RECORDS makes it smaller under emulation. */
const RECORDS = Number(process.env.TRAMPFD_LAYOUT_RECORDS ?? 400);


const SCALARS = [
  'char', 'signed char', 'unsigned char', 'short', 'unsigned short', 'int', 'unsigned', 'long', 'unsigned long',
  'long long', 'unsigned long long', 'float', 'double', 'bool', 'int8_t', 'uint16_t', 'int32_t', 'uint64_t',
  'size_t', 'void *', 'const char *', 'int (*)(int)', 'enum e8', 'enum e4', 'enum eneg',
];
/** long has 64 bits on LP64 targets, 32 on i386. */
const LONG_BITS = HOST.model.sizes.long * 8;
const BITFIELD_TYPES: [string, number][] = [
  ['char', 8], ['unsigned char', 8], ['short', 16], ['unsigned short', 16], ['int', 32], ['unsigned', 32],
  ['long', LONG_BITS], ['unsigned long', LONG_BITS], ['long long', 64], ['unsigned long long', 64], ['bool', 1], ['enum e4', 32],
];
const PRELUDE = `enum e4 { E4A, E4B = 0x7fffffff }; enum e8 { E8A = 0x100000000 }; enum eneg { ENA = -1, ENB = 3 };\n`;

/** Generates `count` records as C source; each later record may use earlier ones. */
function generate(r: () => number, count: number): { source: string; kinds: string[] } {
  const kinds: string[] = [];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number): boolean => r() < p;
  let names = 0;
  const decl = (type: string, name: string): string => {
    const fp = /^(.*)\(\*\)(.*)$/.exec(type);
    return fp ? `${fp[1]}(*${name})${fp[2]}` : `${type} ${name}`;
  };
  const body = (depth: number, defined: number): string => {
    const out: string[] = [];
    const n = 1 + Math.floor(r() * 7);
    for (let i = 0; i < n; i++) {
      const name = `m${names++}`;
      const roll = r();
      let attr = '';
      if (chance(0.08)) attr += ` __attribute__((aligned(${pick([1, 2, 4, 8, 16])})))`;
      if (chance(0.06)) attr += ' __attribute__((packed))';
      if (roll < 0.35) {
        out.push(`${decl(pick(SCALARS), name)}${attr};`);
      } else if (roll < 0.6) {
        const [t, bits] = pick(BITFIELD_TYPES);
        const unnamed = chance(0.2);
        const w = unnamed && chance(0.4) ? 0 : 1 + Math.floor(r() * bits);
        out.push(`${t} ${unnamed ? '' : name}:${w}${unnamed || !chance(0.1) ? '' : ' __attribute__((packed))'};`);
      } else if (roll < 0.75) {
        const j = Math.floor(r() * defined);
        const el = defined > 0 && chance(0.3) ? `${kinds[j]} R${j}` : pick(SCALARS.filter((s) => !s.includes('(')));
        const dims = chance(0.2) ? `[${1 + Math.floor(r() * 3)}][${1 + Math.floor(r() * 3)}]` : `[${1 + Math.floor(r() * 5)}]`;
        out.push(`${el} ${name}${dims}${attr};`);
      } else if (roll < 0.87 && defined > 0) {
        const j = Math.floor(r() * defined);
        out.push(`${kinds[j]} R${j} ${name}${attr};`);
      } else if (depth < 2) {
        const kind = pick(['struct', 'union']);
        const packed = chance(0.15) ? ' __attribute__((packed))' : '';
        out.push(`${kind} { ${body(depth + 1, defined)} }${packed}${chance(0.4) ? '' : ` ${name}`};`);
      } else {
        out.push(`${pick(SCALARS.slice(0, 13))} ${name};`);
      }
    }
    return out.join(' ');
  };
  const records: string[] = [];
  for (let k = 0; k < count; k++) {
    const kind = chance(0.25) ? 'union' : 'struct';
    kinds.push(kind);
    let attrs = '';
    if (chance(0.2)) attrs += ' __attribute__((packed))';
    if (chance(0.1)) attrs += ` __attribute__((aligned(${pick([2, 4, 8, 16, 32])})))`;
    records.push(`${kind} R${k} { ${body(0, k)} }${attrs};`);
  }
  return { source: records.join('\n'), kinds };
}

/** What we compare: "size", "align", "off <path>", "bits <path>" (hex of the bytes a bitfield occupies). */
interface Probe { key: string; c: string; ours: string }

function probes(k: number, rec: RecordType): Probe[] {
  const tag = `R${k}`;
  const out: Probe[] = [
    { key: `${tag} size`, c: `sizeof(${decl(rec)})`, ours: String(rec.size) },
    { key: `${tag} align`, c: `_Alignof(${decl(rec)})`, ours: String(rec.align) },
  ];
  const walk = (t: RecordType, base: number, path: string): void => {
    for (const f of t.fields) {
      const p = f.name === '' ? path : path ? `${path}.${f.name}` : f.name;
      const abs = base + f.offset;
      if (f.name === '') { walk(f.type as RecordType, abs, path); continue; }
      if (f.bitWidth === undefined) {
        out.push({ key: `${tag} off ${p}`, c: `offsetof(${decl(rec)}, ${p})`, ours: String(abs) });
        const ft: CType = f.type;
        if ((ft.kind === 'struct' || ft.kind === 'union') && ft.tag === undefined) walk(ft, abs, p);
      } else {
        const bytes = new Uint8Array(rec.size + 8);
        for (let b = 0; b < f.bitWidth; b++) {
          const bit = abs * 8 + f.bitOffset! + b;
          bytes[bit >> 3]! |= 1 << (bit & 7);
        }
        out.push({ key: `${tag} bits ${p}`, c: `bits:${p}`, ours: Buffer.from(bytes.subarray(0, rec.size)).toString('hex') });
      }
    }
  };
  walk(rec, 0, '');
  return out;
}

function decl(rec: RecordType): string {
  return rec.name;
}

function cProgram(source: string, all: Probe[][], recs: RecordType[]): string {
  const lines: string[] = [];
  all.forEach((ps, k) => {
    for (const p of ps) {
      if (p.c.startsWith('bits:')) {
        const path = p.c.slice(5);
        // static: gcc -O0 gives every block's local its own stack slot, and some seeds need > 8 MiB of them
        lines.push(`{ static ${decl(recs[k]!)} v; memset(&v, 0, sizeof v); v.${path} = -1; dump("${p.key}", &v, sizeof v); }`);
      } else {
        lines.push(`printf("%s %zu\\n", "${p.key}", (size_t)(${p.c}));`);
      }
    }
  });
  return `#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
${PRELUDE}${source}
static void dump(const char *key, const void *p, size_t n) {
  printf("%s ", key);
  for (size_t i = 0; i < n; i++) printf("%02x", ((const unsigned char *)p)[i]);
  printf("\\n");
}
int main(void) {
${lines.join('\n')}
  return 0;
}
`;
}

function hasGcc(): boolean {
  try {
    execFileSync(cc, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test(`${RECORDS} random records match gcc (seed ${SEED}; TRAMPFD_SEED=${SEED} reproduces)`, { skip: !hasGcc() && `${cc} not found` }, (t) => {
  t.diagnostic(`seed ${SEED}`);
  const { source, kinds } = generate(rng(SEED), RECORDS);
  const scope = new TypeScope();
  cdef(PRELUDE + source, scope);
  const recs = Array.from({ length: RECORDS }, (_, k) => parseTypeName(`${kinds[k]} R${k}`, scope) as RecordType);
  const all = recs.map((rec, k) => probes(k, rec));
  const dir = mkdtempSync(join(tmpdir(), 'trampfd-layout-'));
  try {
    writeFileSync(join(dir, 'layout.c'), cProgram(source, all, recs));
    execFileSync(cc, ['-w', '-O0', '-o', join(dir, 'layout'), join(dir, 'layout.c')], { stdio: 'pipe' });
    const got = new Map(execFileSync(join(dir, 'layout'), { encoding: 'utf8', maxBuffer: 1 << 28 })
      .trim().split('\n').map((l) => { const i = l.lastIndexOf(' '); return [l.slice(0, i), l.slice(i + 1)] as const; }));
    let checked = 0;
    for (const [k, ps] of all.entries()) {
      for (const p of ps) {
        assert.equal(p.ours, got.get(p.key), `${p.key} (seed ${SEED})\n${source.split('\n')[k]}`);
        checked++;
      }
    }
    t.diagnostic(`${checked} facts checked against gcc`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
