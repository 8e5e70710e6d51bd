// memory.*: typed reads and writes of foreign memory, fast scalar paths and the generic path agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cdef, memory } from '../dist/index.js';
import { HOST } from '../dist/targets/index.js';

/** size_t and pointers have 8 bytes (LP64) or 4 (ILP32, i386); long has 8 or 4 too. */
const PTR8 = HOST.model.sizes.pointer === 8, LONG8 = HOST.model.sizes.long === 8;

cdef('struct mrw_s { char c; double d; unsigned short a[3]; };');

test('scalars round-trip through memory, edge values included', () => {
  const p = memory.alloc(16);
  const cases: [string, unknown[]][] = [
    ['int', [-2147483648, 2147483647, 0, -1]], ['unsigned int', [0, 4294967295]],
    ['char', HOST.model.charSigned ? [-128, 127] : [0, 255]], ['unsigned char', [0, 255]], ['short', [-32768, 32767]], ['uint16_t', [65535]],
    ['float', [0.5, -0, Infinity, Math.fround(0.1)]], ['double', [Number.MIN_VALUE, -0, NaN, 1e308]],
    ['int64_t', [-(2n ** 63n), 2n ** 63n - 1n]], ['uint64_t', [2n ** 64n - 1n]],
    ['size_t', PTR8 ? [0, Number.MAX_SAFE_INTEGER] : [0, 4294967295]],
    ['long', LONG8 ? [-Number.MAX_SAFE_INTEGER] : [-2147483648, 2147483647]], ['bool', [true, false]],
    ['void *', [0, 4096, PTR8 ? 2 ** 47 : 2 ** 32 - 1]],
  ];
  for (const [type, values] of cases) {
    for (const v of values) {
      memory.write(p, type, v);
      const got = memory.read(p, type);
      assert.ok(Object.is(got, v), `${type}: wrote ${String(v)}, read ${String(got)}`);
    }
  }
  if (PTR8) { // beyond 2^53 a size_t reads as a bigint; a 4-byte one never goes there
    memory.write(p, 'uint64_t', 2n ** 60n);
    assert.equal(memory.read(p, 'size_t'), 2n ** 60n);
  } else {
    memory.write(p, 'uint64_t', 2n ** 60n + 0xfffffffen); // little-endian: size_t is the low word
    assert.equal(memory.read(p, 'size_t'), 0xfffffffe);
  }
  memory.free(p);
});

test('structs: members written, padding bytes kept, errors leave memory untouched', () => {
  const p = memory.alloc(memory.sizeof('struct mrw_s'));
  const bytes = memory.view(p, memory.sizeof('struct mrw_s'));
  bytes.fill(0xee);
  memory.write(p, 'struct mrw_s', { c: 65, d: 2.5, a: [1, 2, 3] });
  assert.deepEqual(memory.read(p, 'struct mrw_s'), { c: 65, d: 2.5, a: [1, 2, 3] });
  assert.equal(bytes[1], 0xee, 'padding after c is not written');
  const before = Buffer.from(bytes);
  assert.throws(() => memory.write(p, 'struct mrw_s', { c: 65, d: 2.5, a: [1, 2, 70000] }), /expected an integer/);
  assert.deepEqual(Buffer.from(bytes), before);
  memory.free(p);
});

test('values larger than the frame buffer go through a view', () => {
  const n = 600_000;
  const p = memory.alloc(n * 4);
  const view = new Int32Array(memory.view(p, n * 4).buffer);
  view[n - 1] = 12345;
  const arr = memory.read(p, `int[${n}]`) as number[];
  assert.equal(arr.length, n);
  assert.equal(arr[n - 1], 12345);
  memory.free(p);
});

test('bad pointers and types are errors, not crashes', () => {
  assert.throws(() => memory.read(0, 'int'), /expected a pointer/);
  assert.throws(() => memory.read(100, 'int'), /expected a pointer/);
  assert.throws(() => memory.read(2 ** 60, 'int'), /expected a pointer/);
  assert.throws(() => memory.read(4096 * 16, 'no_such_type'), /unknown type name 'no_such_type'/);
  assert.throws(() => memory.read(4096 * 16, 'void'), /has no size/);
  assert.throws(() => memory.alloc(-1), /non-negative/);
});
