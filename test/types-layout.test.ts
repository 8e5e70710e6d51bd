// Area: types/layout. Purpose: the type constructors make frozen descriptors with their layout computed
// once, refuse impossible types with CTypeError, and compare types structurally.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CHAR, CTypeError, DOUBLE, INT, LONG, makeArray, makeEnum, makeFunction, makeIncompleteRecord, makePointer,
  makeRecord, sameType, SHORT, UCHAR, VOID, withAlign, BUILTIN_TYPEDEFS, scalarFromKeywords,
} from '../dist/types/index.js';
import type { ScalarType } from '../dist/types/index.js';
import { HOST } from '../dist/targets/index.js';

/** LP64 targets align double at 8; i386 (ILP32) at 4 inside records, with 4-byte long and pointers. */
const ILP32 = HOST.model.sizes.pointer === 4;

test('records: natural alignment, trailing padding, nested records and arrays', () => {
  const inner = makeRecord('struct', 'inner', [{ name: 'c', type: CHAR }, { name: 'd', type: DOUBLE }]);
  assert.deepEqual([inner.size, inner.align], ILP32 ? [12, 4] : [16, 8]);
  const outer = makeRecord('struct', 'outer', [
    { name: 'a', type: CHAR }, { name: 'in', type: inner }, { name: 's', type: makeArray(SHORT, 3) }, { name: 'b', type: CHAR },
  ]);
  assert.deepEqual(outer.fields.map((f) => f.offset), ILP32 ? [0, 4, 16, 22] : [0, 8, 24, 30]);
  assert.deepEqual([outer.size, outer.align], ILP32 ? [24, 4] : [32, 8]);
  const u = makeRecord('union', undefined, [{ name: 'c', type: makeArray(CHAR, 5) }, { name: 'i', type: INT }]);
  assert.deepEqual([u.size, u.align, u.name], [8, 4, 'union <anonymous>']);
  assert.equal(makeRecord('struct', 'empty', []).size, 0);
  for (const d of [inner, outer, u, inner.fields, inner.fields[0]]) assert.ok(Object.isFrozen(d));
});

test('packed and aligned records and members', () => {
  const members = [{ name: 'c', type: CHAR }, { name: 'l', type: LONG }];
  assert.equal(makeRecord('struct', 'p', members, { packed: true }).size, ILP32 ? 5 : 9);
  assert.deepEqual([makeRecord('struct', 'a', members, { aligned: 32 }).size, makeRecord('struct', 'a', members, { aligned: 32 }).align], [32, 32]);
  const m = makeRecord('struct', 'm', [{ name: 'c', type: CHAR }, { name: 'x', type: CHAR, aligned: 8 }], { packed: true });
  assert.deepEqual([m.fields[1]!.offset, m.size, m.align], [8, 16, 8]);
  assert.throws(() => makeRecord('struct', 'bad', members, { aligned: 12 }), CTypeError);
});

test('bitfields record their unit offset, bit offset and width', () => {
  const r = makeRecord('struct', 'b', [
    { name: 'a', type: UCHAR, bitWidth: 3 }, { name: '', type: INT, bitWidth: 0 }, { name: 'b', type: INT, bitWidth: 30 },
    { name: 'c', type: INT, bitWidth: 4 },
  ]);
  assert.deepEqual(r.fields.map((f) => [f.name, f.offset, f.bitOffset, f.bitWidth]), [['a', 0, 0, 3], ['b', 4, 0, 30], ['c', 8, 0, 4]]);
  assert.throws(() => makeRecord('struct', 'x', [{ name: 'd', type: DOUBLE, bitWidth: 3 }]), /non-integer type/);
  assert.throws(() => makeRecord('struct', 'x', [{ name: 'a', type: INT, bitWidth: 33 }]), /not in \[0, 32\]/);
});

test('impossible types are CTypeErrors', () => {
  const fwd = makeIncompleteRecord('struct', 'fwd');
  assert.deepEqual([fwd.complete, fwd.size, fwd.name], [false, 0, 'struct fwd']);
  assert.throws(() => makeArray(VOID, 2), /array of void/);
  assert.throws(() => makeArray(fwd, 2), /incomplete element type/);
  assert.throws(() => makeArray(makeFunction(INT, [], false), 2), /array of functions/);
  assert.throws(() => makeRecord('struct', 'r', [{ name: 'f', type: fwd }]), /incomplete type 'struct fwd'/);
  assert.throws(() => makeRecord('struct', 'r', [{ name: 'a', type: INT }, { name: 'a', type: CHAR }]), /duplicate member 'a'/);
  assert.throws(() => makeArray(makeArray(CHAR, 2 ** 30), 2 ** 30), /too large/);
  assert.throws(() => makeArray(withAlign(CHAR, 4), 2), /alignment of array elements/);
  assert.throws(() => scalarFromKeywords(['long', 'double']), (e: unknown) => e instanceof CTypeError && e.code === 'ERR_TRAMPFD_CTYPE_UNSUPPORTED');
});

test('pointers resolve a forward-declared target through their getter', () => {
  const fwd = makeIncompleteRecord('struct', 'late');
  let target = fwd;
  const p = makePointer(fwd, false, () => target);
  const done = makeRecord('struct', 'late', [{ name: 'x', type: INT }]);
  target = done;
  assert.equal(p.to, done);
  assert.deepEqual([p.size, p.align, p.name, p.cstring], [HOST.model.sizes.pointer, HOST.model.sizes.pointer, 'struct late *', false]);
  assert.ok(Object.isFrozen(p));
  assert.equal(makePointer(CHAR, true).cstring, true);
  assert.equal(makePointer(makePointer(CHAR, true)).name, 'const char **');
});

test('enums pick their storage like gcc', () => {
  const e = (vals: [string, bigint][], packed = false): ScalarType => makeEnum('e', new Map(vals), packed).base;
  assert.equal(e([['A', 0n], ['B', 4294967295n]]).name, 'unsigned int');
  assert.equal(e([['A', -1n]]).name, 'int');
  assert.equal(e([['A', 4294967296n]]).name, ILP32 ? 'unsigned long long' : 'unsigned long'); // 8 bytes, as gcc picks
  assert.equal(e([['A', -2147483649n]]).name, ILP32 ? 'long long' : 'long');
  assert.equal(e([['A', 255n]], true).name, 'unsigned char');
  assert.equal(e([['A', -129n]], true).name, 'short');
  assert.throws(() => makeEnum('e', new Map([['A', 2n ** 60n]])), /not a safe integer/);
});

test('sameType compares layout, not spelling', () => {
  assert.ok(sameType(BUILTIN_TYPEDEFS.get('size_t')!, scalarFromKeywords(['unsigned', 'long'])));
  assert.ok(!sameType(BUILTIN_TYPEDEFS.get('uint32_t')!, INT));
  assert.ok(sameType(makeArray(INT, 3), makeArray(BUILTIN_TYPEDEFS.get('int32_t')!, 3)));
  assert.ok(!sameType(makeArray(INT, 3), makeArray(INT, 4)));
  assert.ok(sameType(makeFunction(INT, [{ name: 'a', type: INT }], true), makeFunction(INT, [{ name: undefined, type: INT }], true)));
  assert.equal(withAlign(INT, 8).align, 8);
  assert.equal(withAlign(INT, 8).size, 4);
});
