// Area: decl. Purpose: mutated declarations (tokens and characters deleted, inserted, duplicated, swapped)
// either parse or throw a DeclarationError positioned inside the source; nothing else ever escapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cdef, DeclarationError, parseFunctionType, parsePrototype, parseTypeName, TypeScope } from '../dist/decl/index.js';
import { SEED, rng } from './support-rng.js';

const CASES = 100_000;


const PROTOTYPES = [
  'int add(int a, int b)', 'void f(void)', 'int printf(const char *fmt, ...)', 'static inline unsigned long g(long unsigned int x)',
  'void qsort(void *base, size_t n, size_t sz, int (*cmp)(const void *, const void *))',
  'void (*signal(int sig, void (*func)(int)))(int)', 'int (*)(int, int)', 'int(int)', 'struct point mid(struct point *a, point_t b)',
  'double m(double v[static 4], const char s[], int g(int))', 'enum color pick(enum color c, size_t n)',
  'extern int open(const char *restrict path, int flags, ...) __attribute__((nonnull(1)))',
];
const SOURCES = [
  'struct point { int x, y; }; typedef struct point point_t;',
  'struct node { int v; struct node *next; }; typedef struct node *list;',
  'union u { int i; double d; struct { char a, b; }; } __attribute__((packed));',
  'enum color { RED, GREEN = 5, BLUE = GREEN << 2 | 1, MAX = sizeof(int) * 2 };',
  'struct bits { unsigned a:3, :0, b:5; int c:7; char d[0x10]; long e __attribute__((aligned(16))); };',
  'typedef int (*cb_t)(void *, int); struct vt { cb_t f[4]; int (*g)(int); const char *name; };',
  "struct flex { int n; char data[]; }; enum { K = 'A' + (3 ? 1 : 2) }; _Static_assert(K == 66, \"k\");",
  'typedef struct { _Alignas(8) char c; int x __attribute__((packed)); } aligned_t; struct fwd; struct fwd *p(void);',
];
const TYPE_NAMES = ['struct point', 'int *', 'uint8_t[16]', 'const char *', 'point_t **', 'int (*)[3]', 'enum color', 'cb_t'];
const TOKEN_POOL = [
  'int', 'char', 'struct', 'union', 'enum', 'typedef', 'const', 'long', 'unsigned', 'void', '*', '(', ')', '[', ']',
  '{', '}', ',', ';', ':', '=', '...', '0', '1', '0x7f', "'a'", 'x', 'point_t', '__attribute__', '((packed))',
  'aligned', '<<', '-', 'sizeof', '_Alignas', '"s"', '/*', '*/', '//', '\n', '#', '?', '.', '1.5', 'long double',
];
const CHAR_POOL = [...'()[]{}*,;:=+-<>!~?&|^%/.\'"#@\\ \n\t0123456789abcdefxXuUlL_'];

function mutate(src: string, r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  let s = src;
  const rounds = 1 + Math.floor(r() * 3);
  for (let k = 0; k < rounds; k++) {
    if (r() < 0.6) {
      const toks = s.match(/\s+|[A-Za-z_]\w*|0[xX][0-9a-fA-F]+|\d+|\.\.\.|<<|>>|'.'|"[^"]*"|\S/g) ?? [];
      const i = Math.floor(r() * (toks.length + 1));
      switch (Math.floor(r() * 4)) {
        case 0: toks.splice(i, 1); break;
        case 1: toks.splice(i, 0, ` ${pick(TOKEN_POOL)} `); break;
        case 2: if (toks[i] !== undefined) toks.splice(i, 0, toks[i]!); break;
        default: { const j = Math.floor(r() * toks.length); [toks[i], toks[j]] = [toks[j]!, toks[i]!]; }
      }
      s = toks.filter((t) => t !== undefined).join('');
    } else {
      const i = Math.floor(r() * (s.length + 1));
      switch (Math.floor(r() * 3)) {
        case 0: s = s.slice(0, i) + s.slice(i + 1); break;
        case 1: s = s.slice(0, i) + pick(CHAR_POOL) + s.slice(i); break;
        default: s = s.slice(0, i) + s.slice(i, i + 1 + Math.floor(r() * 4)) + s.slice(i); break;
      }
    }
  }
  return s;
}

test(`${CASES} mutated declarations parse or throw a positioned DeclarationError (seed ${SEED})`, (t) => {
  t.diagnostic(`seed ${SEED}; TRAMPFD_SEED=${SEED} reproduces`);
  const base = new TypeScope();
  cdef(SOURCES.slice(0, 6).join('\n'), base);
  const r = rng(SEED);
  let parsed = 0;
  const started = Date.now();
  for (let n = 0; n < CASES; n++) {
    const which = n % 4;
    const origin = which === 0 ? SOURCES : which === 3 ? TYPE_NAMES : PROTOTYPES;
    const src = mutate(origin[Math.floor(r() * origin.length)]!, r);
    const scope = base.child();
    try {
      if (which === 0) cdef(src, scope);
      else if (which === 1) parsePrototype(src, scope);
      else if (which === 2) parseFunctionType(src, scope);
      else parseTypeName(src, scope);
      parsed++;
    } catch (e) {
      if (!(e instanceof DeclarationError)) {
        assert.fail(`seed ${SEED}, case ${n}: ${JSON.stringify(src)} threw ${(e as Error)?.stack ?? String(e)}`);
      }
      const lines = src.split(/\r\n|\r|\n/);
      const inside = e.line >= 1 && e.line <= lines.length && e.column >= 1 && e.column <= lines[e.line - 1]!.length + 1;
      if (!inside) assert.fail(`seed ${SEED}, case ${n}: ${JSON.stringify(src)}: position ${e.line}:${e.column} is outside the source`);
      if (!e.message.endsWith('^')) assert.fail(`seed ${SEED}, case ${n}: message lacks the caret excerpt: ${e.message}`);
    }
  }
  t.diagnostic(`${parsed} of ${CASES} mutants parsed, ${CASES - parsed} refused, in ${Date.now() - started} ms`);
});
