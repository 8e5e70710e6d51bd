// Area: decl. Purpose: any declaration input, however large or deep, fails fast with a positioned
// DeclarationError (or parses) in linear time and bounded memory: 10^5-10^6 stars, arrays,
// parentheses, nested structs, typedef chains, long identifiers and sources. Run in a child with a
// 256 MB heap, so an out-of-memory abort or a stack overflow shows as a crash, not a slow pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repo } from './support-native.js';

const BUDGET_MS = 2000;

/** name -> [JS expression of the input, which parser ('type' | 'proto' | 'cdef' | 'sizeof'), expected]. */
const CASES: Record<string, [string, string, RegExp | 'ok']> = {
  'sizeof of int and 100,000 stars (the issue)': [`'int' + '*'.repeat(100_000)`, 'sizeof', /longer than 65536 characters at 1:65537/],
  '60,000 stars in a type name': [`'int ' + '*'.repeat(60_000)`, 'type', /more than 256 pointer, array or function levels at 1:261/],
  '1,000,000 stars in a cdef typedef': [`'typedef int ' + '*'.repeat(1_000_000) + 'p;'`, 'cdef', /more than 256 .* levels at 1:269/],
  '300,000 array levels in cdef': [`'typedef int a' + '[1]'.repeat(300_000) + ';'`, 'cdef', /more than 256 .* levels at 1:782/],
  '20,000 array levels in a prototype': [`'void f(int a' + '[1]'.repeat(20_000) + ')'`, 'proto', /more than 256 .* levels/],
  '500,000 parentheses in cdef': [`'typedef int ' + '('.repeat(500_000) + '*p' + ')'.repeat(500_000) + ';'`, 'cdef', /nested too deeply/],
  '30,000 parentheses in a prototype': [`'int ' + '('.repeat(30_000) + 'f' + ')'.repeat(30_000) + '(void)'`, 'proto', /nested too deeply/],
  '100,000 nested function pointers': [`'typedef int ' + '(*'.repeat(100_000) + 'p' + ')(int)'.repeat(100_000) + ';'`, 'cdef', /nested too deeply/],
  '50,000 nested structs': [`'struct a { '.repeat(50_000) + 'int x;' + ' } m;'.repeat(50_000)`, 'cdef', /nested too deeply/],
  '5,000 typedefs, each a pointer to the one before': [
    `'typedef int t0;' + Array.from({ length: 5000 }, (_, i) => 'typedef t' + i + ' *t' + (i + 1) + ';').join('')`, 'cdef', /more than 256 .* levels/],
  '65,000 function suffixes': [`'int f' + '()'.repeat(32_000)`, 'proto', /more than 256 .* levels|function returns a function|returning a function/],
  'a 1,000,000-character identifier': [`'typedef int ' + 'x'.repeat(1_000_000) + ';'`, 'cdef', 'ok'],
  'a 100,000-character identifier in a prototype': [`'int ' + 'f'.repeat(100_000) + '(void)'`, 'proto', /longer than 65536 characters/],
  'an unknown 60,000-character type name': [`'y'.repeat(60_000) + ' f(void)'`, 'proto', /unknown type name/],
  'a 2 MiB cdef source': [`'int x;'.repeat(350_000)`, 'cdef', /cdef source is longer than 1048576 characters at 1:1048577/],
  '100,000 terms in a constant expression': [`'enum { K = ' + '1+'.repeat(100_000) + '1 };'`, 'cdef', 'ok'],
  '200,000 semicolons': [`';'.repeat(200_000) + 'int x;'`, 'cdef', 'ok'],
};

const CHILD = `
import { cdef, parsePrototype, parseTypeName, TypeScope } from ${JSON.stringify(join(repo, 'dist/decl/index.js'))};
import { memory } from ${JSON.stringify(join(repo, 'dist/index.js'))};
const cases = JSON.parse(process.argv[1]);
const run = { type: (s) => parseTypeName(s, new TypeScope()), proto: (s) => parsePrototype(s, new TypeScope()),
  cdef: (s) => cdef(s, new TypeScope()), sizeof: (s) => memory.sizeof(s) };
const out = {};
for (const [name, [expr, how]] of Object.entries(cases)) {
  const input = (0, eval)(expr);
  const t0 = performance.now();
  let result;
  try { run[how](input); result = 'ok'; } catch (e) {
    result = { name: e.name, code: e.code, message: e.message.split('\\n')[0], messageLength: e.message.length };
  }
  out[name] = { result, ms: performance.now() - t0, heapMB: process.memoryUsage().heapUsed / 1e6 };
}
console.log(JSON.stringify(out));
`;

test('huge and deep declarations fail fast with a positioned DeclarationError, in bounded memory', { timeout: 120_000 }, () => {
  const r = spawnSync(process.execPath, ['--max-old-space-size=256', '--stack-size=984', '--input-type=module', '-e', CHILD,
    JSON.stringify(Object.fromEntries(Object.entries(CASES).map(([k, [expr, how]]) => [k, [expr, how]])))],
  { encoding: 'utf8', timeout: 110_000, maxBuffer: 1 << 24 });
  assert.equal(r.signal, null, `the child crashed: ${r.stderr.slice(-2000)}`);
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  const report = JSON.parse(r.stdout) as Record<string, { result: 'ok' | { name: string; code: string; message: string; messageLength: number }; ms: number; heapMB: number }>;
  for (const [name, [, , expected]] of Object.entries(CASES)) {
    const { result, ms, heapMB } = report[name]!;
    if (expected === 'ok') {
      assert.equal(result, 'ok', name);
    } else {
      assert.notEqual(result, 'ok', `${name}: parsed`);
      if (result === 'ok') continue;
      assert.equal(result.name, 'DeclarationError', `${name}: ${result.name} ${result.message}`);
      assert.match(result.code, expected.source.includes('unknown') ? /^ERR_TRAMPFD_DECL_UNKNOWN$/ : /^ERR_TRAMPFD_DECL_INVALID$/, name);
      assert.match(result.message, expected, name);
      assert.ok(result.messageLength < 500, `${name}: the message quotes a window of the source, not all of it (${result.messageLength})`);
    }
    assert.ok(ms < BUDGET_MS, `${name}: ${ms.toFixed(0)} ms`);
    assert.ok(heapMB < 200, `${name}: ${heapMB.toFixed(0)} MB of heap`);
  }
});
