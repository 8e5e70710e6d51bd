// The ESM and the CJS build loaded in one process share one addon instance: calls, callbacks
// and callback exceptions cross between them (the dual-package hazard must not crash).
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repo } from './support-native.js';

const script = `
import { createRequire } from 'node:module';
import * as esm from './dist/index.js';
const cjs = createRequire(import.meta.url)('./dist/cjs/index.js');
const decl = 'void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))';
const out = [];
out.push(esm.load(null).func('size_t strlen(const char *s)')('hello'));
out.push(cjs.load(null).func('size_t strlen(const char *s)')('hi there'));
// a callback made by the CJS build, called from a function declared through the ESM build
const arr = new Int32Array([3, 1, 2]);
const cmp = cjs.callback('int cmp(const void *a, const void *b)', (a, b) => esm.memory.read(a, 'int') - cjs.memory.read(b, 'int'));
esm.load(null).func(decl)(arr, 3, 4, cmp);
out.push(arr.join(','));
// an exception thrown in an ESM callback is rethrown by the CJS call in progress
try { cjs.load(null).func(decl)(arr, 3, 4, esm.callback('int c(const void *, const void *)', () => { throw new Error('from esm'); })); }
catch (e) { out.push(e instanceof AggregateError ? e.errors[0].message : e.message); } // qsort compares more than once
console.log(out.join(' | '));
`;

test('ESM and CJS builds in one process share calls, callbacks and exceptions', () => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repo, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), '5 | 8 | 1,2,3 | from esm');
});
