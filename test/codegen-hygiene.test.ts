// Area: generated code. Purpose: no C name can break a marshaller or a callback runner. Every
// identifier the generators emit (read from their own sources, so the list cannot go stale), every
// JS global and every reserved or strict-mode word is used as a function, parameter, struct and
// member name; each call (plain, .async, { blocking: true }) and each callback gives the right value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { callback, cdef, load } from '../dist/index.js';
import { plan } from '../dist/abi/index.js';
import { marshallerSource } from '../dist/codegen/compile.js';
import { buildOps } from '../dist/codegen/ops.js';
import { runnerSource } from '../dist/codegen/unmarshal.js';
import { functionOf } from '../dist/scope.js';
import { gcc, scratchDir } from './support-native.js';

/** C keywords (C11 and GNU): not valid C function names, so not testable as symbols. */
const C_KEYWORDS = new Set(('auto break case char const continue default do double else enum extern float for goto if ' +
  'inline int long register restrict return short signed sizeof static struct switch typedef union unsigned void ' +
  'volatile while asm typeof bool true false').split(' '));

/** Words JavaScript reserves, always or in strict code, plus the strict-mode-restricted names. */
const JS_WORDS = ('break case catch class const continue debugger default delete do else enum export extends false ' +
  'finally for function if import in instanceof new null return super switch this throw true try typeof var void ' +
  'while with implements interface let package private protected public static yield await eval arguments async ' +
  'of get set constructor prototype __proto__ toString valueOf hasOwnProperty undefined NaN Infinity').split(' ');

/** Identifiers in generated JS source, string literals removed. */
function identifiers(src: string): string[] {
  return src.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""').match(/[A-Za-z_$][\w$]*/g) ?? [];
}

// Sources covering every generator path: scalars of each store, strings and buffers, fast and
// generic structs by value, struct returns in registers and in memory, errno, callbacks.
cdef(`struct hy_small { int a; double b; void *p; size_t n; long long q; };
      struct hy_big { double v[6]; char c; };
      union hy_u { int i; float f; };`);
const shapes = [
  'int f0(signed char a, unsigned char b, short c, unsigned short d, int e, unsigned f, bool g)',
  'double f1(float a, double b, long long c, unsigned long long d, size_t e, ssize_t f, void *g, const char *h)',
  'struct hy_small f2(struct hy_small a, struct hy_big b, union hy_u c, int (*cb)(int))',
  'struct hy_big f3(struct hy_big a)',
  'union hy_u f4(union hy_u a)',
  'void *f5(void)',
  'size_t f6(void)',
  'void f7(int (*cb)(const void *, const void *))',
];
const generated = new Set<string>();
for (const decl of shapes) {
  const { type } = functionOf(decl);
  const ops = buildOps(plan(type), 'x');
  for (const opts of [{}, { errno: true }]) identifiers(marshallerSource(ops, 0x1234, opts)).forEach((n) => generated.add(n));
  const cbOps = buildOps(plan(type), 'callback x');
  identifiers(runnerSource(cbOps)).forEach((n) => generated.add(n));
}

const isIdentifier = (n: string): boolean => /^[A-Za-z_$][\w$]*$/.test(n);
const names = [...new Set([...generated, ...Object.getOwnPropertyNames(globalThis), ...JS_WORDS])]
  .filter((n) => isIdentifier(n) && !C_KEYWORDS.has(n) && !n.startsWith('__builtin'))
  .sort();

test('the generators emit identifiers (the list below is read from their sources)', () => {
  for (const n of ['u32', 'f', 'call', 'arguments', 'pending', 'pins', 'fn', 'run']) {
    assert.ok(generated.has(n), `${n} not seen in generated sources: ${[...generated].join(' ')}`);
  }
  assert.ok(names.length > 150, `${names.length} names`);
});

// One C function per name: NAME(a, b) = 7a + b + i, so a wrong function or argument shows.
// Fixed-name helpers take and return a struct and call a callback.
const dir = scratchDir();
const csrc = [
  'struct hy_pair { int a; double b; };',
  'double hy_take(struct hy_pair p) { return p.a * 10 + p.b; }',
  'struct hy_pair hy_make(int a) { struct hy_pair p = { a, a / 2.0 }; return p; }',
  'int hy_apply(int (*cb)(int, int), int a, int b) { return cb(a, b); }',
  ...names.map((n, i) => `int ${n}(int a, int b) { return 7 * a + b + ${i}; }`),
].join('\n');
writeFileSync(join(dir, 'hygiene.c'), csrc);
gcc(['-std=c11', '-O1', '-fno-builtin', '-w', '-shared', '-fPIC', '-o', join(dir, 'libhygiene.so'), join(dir, 'hygiene.c')]);
const lib = load(join(dir, 'libhygiene.so'));

test('every name as a function and parameter name: calls, .async and blocking calls', async () => {
  const bad: string[] = [];
  for (const [i, n] of names.entries()) {
    try {
      const decl = `int ${n}(int ${n}, int b)`;
      const f = lib.func(decl);
      const blocking = lib.func(decl, { blocking: true });
      const want = 7 * 3 + 4 + i;
      const got = [f(3, 4), await f.async(3, 4), blocking(3, 4)];
      if (got.some((g) => g !== want)) bad.push(`${n}: ${got.join(', ')} (want ${want})`);
    } catch (e) {
      bad.push(`${n}: threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('every name as a struct tag and member name, and as a callback and parameter name', () => {
  const bad: string[] = [];
  // '__proto__' is left out as a member name: readValue (types/values.ts, the interpreter's
  // path) assigns members, which for that name sets the prototype instead.
  const members = names.filter((n) => n !== '__proto__');
  for (const [i, n] of members.entries()) {
    const other = members[(i + 1) % members.length]!;
    try {
      cdef(`struct ${n} { int ${n}; double ${other}; };`);
      const take = lib.func(`double hy_take(struct ${n} ${n})`);
      const make = lib.func(`struct ${n} hy_make(int ${n})`);
      const apply = lib.func(`int hy_apply(int (*${n})(int ${n}, int ${other}), int ${other}, int b)`);
      const value = { [n]: 4, [other]: 0.5 };
      if (take(value) !== 40.5) bad.push(`${n}: hy_take gave ${take(value)}`);
      const made = make(6) as Record<string, unknown>;
      if (made[n] !== 6 || made[other] !== 3 || Object.getPrototypeOf(made) !== Object.prototype || Object.keys(made).length !== 2) {
        bad.push(`${n}: hy_make gave ${JSON.stringify(made)}`);
      }
      const cb = callback(`int ${n}(int ${n}, int ${other})`, (a: number, b: number) => a * 100 + b + i);
      const viaCallback = apply(cb, 5, 6);
      cb.free();
      if (viaCallback !== 506 + i) bad.push(`${n}: callback gave ${viaCallback}`);
      const viaFunction = apply((a: number, b: number) => a - b, 9, 2);
      if (viaFunction !== 7) bad.push(`${n}: transient callback gave ${viaFunction}`);
    } catch (e) {
      bad.push(`${n}: threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    }
  }
  assert.deepEqual(bad, []);
});
