// Area: library/call path, end to end. Purpose: zlib (libz.so.1) through load(): in/out
// `unsigned long *` length pointers, Buffers passed without a copy in both directions, a
// returned `const char *`, and checksums compared with Node's own zlib.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as nodeZlib from 'node:zlib';
import { load, memory } from '../dist/index.js';

// Deep-bound, so that libz.so.1's own compress() calls its own deflate, not the copy the node
// binary exports (test/load-interposed-zlib.test.ts).
const z = load('libz.so.1', { deep: true });
const Z_OK = 0, Z_BUF_ERROR = -5, Z_DATA_ERROR = -3;

const zlibVersion = z.func('const char *zlibVersion(void)');
const compressBound = z.func('unsigned long compressBound(unsigned long sourceLen)');
const compress = z.func('int compress(uint8_t *dest, unsigned long *destLen, const uint8_t *source, unsigned long sourceLen)');
const compress2 = z.func('int compress2(uint8_t *dest, unsigned long *destLen, const uint8_t *source, unsigned long sourceLen, int level)');
const uncompress = z.func('int uncompress(uint8_t *dest, unsigned long *destLen, const uint8_t *source, unsigned long sourceLen)');
const crc32 = z.func('unsigned long crc32(unsigned long crc, const uint8_t *buf, unsigned int len)');
const adler32 = z.func('unsigned long adler32(unsigned long adler, const uint8_t *buf, unsigned int len)');

/** compress() into a right-sized Buffer; the length goes through an 8-byte out-pointer Buffer. */
function deflate(src: Uint8Array, level?: number): Buffer {
  const dest = Buffer.alloc(compressBound(src.length) as number);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(dest.length));
  const rc = level === undefined ? compress(dest, len, src, src.length) : compress2(dest, len, src, src.length, level);
  assert.equal(rc, Z_OK);
  return dest.subarray(0, Number(len.readBigUInt64LE()));
}

test('zlibVersion returns a C string that memory.string reads', () => {
  const p = zlibVersion() as number;
  assert.ok(Number.isSafeInteger(p) && p > 0);
  const v = memory.string(p);
  assert.match(v, /^1\.\d+\.\d+/);
});

test('compressBound: unsigned long in and out as numbers', () => {
  assert.equal(typeof compressBound(0), 'number');
  assert.ok((compressBound(1000) as number) >= 1000);
  if (memory.sizeof('unsigned long') === 8) {
    assert.ok((compressBound(2 ** 40) as number) > 2 ** 40, 'sizes past 32 bits survive');
  } else { // a 4-byte unsigned long (ILP32): its top bit survives, 2^32 is refused
    assert.equal(compressBound(2 ** 31), 2 ** 31 + 2 ** 19 + 2 ** 17 + 2 ** 6 + 13, 'sizes past 31 bits survive');
    assert.throws(() => compressBound(2 ** 32), RangeError);
  }
});

test('compress / uncompress round trip; output readable by Node zlib and vice versa', () => {
  for (const src of [Buffer.from('hello hello hello hello, zlib!'), randomBytes(100_000), Buffer.alloc(1 << 20, 7), Buffer.alloc(0)]) {
    const packed = deflate(src);
    assert.deepEqual(nodeZlib.inflateSync(packed), src, 'Node can inflate what C compressed');
    const out = Buffer.alloc(src.length + 1);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(out.length));
    assert.equal(uncompress(out, len, packed, packed.length), Z_OK);
    assert.equal(Number(len.readBigUInt64LE()), src.length);
    assert.deepEqual(out.subarray(0, src.length), src);
  }
  const fromNode = nodeZlib.deflateSync(Buffer.from('made by node'));
  const out = Buffer.alloc(64);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(64n);
  assert.equal(uncompress(out, len, fromNode, fromNode.length), Z_OK);
  assert.equal(out.toString('utf8', 0, Number(len.readBigUInt64LE())), 'made by node');
});

test('compress2 levels, and the out-length through foreign memory (memory.alloc / read / write)', () => {
  const src = Buffer.from('abcabcabc'.repeat(1000));
  assert.ok(deflate(src, 9).length <= deflate(src, 1).length);
  const lenp = memory.alloc(8);
  const dst = memory.alloc(compressBound(src.length) as number);
  try {
    memory.write(lenp, 'unsigned long', compressBound(src.length));
    assert.equal(compress(dst, lenp, src, src.length), Z_OK);
    const n = memory.read(lenp, 'unsigned long') as number;
    assert.ok(n > 0 && n < src.length);
    assert.deepEqual(nodeZlib.inflateSync(memory.view(dst, n)), src);
  } finally {
    memory.free(dst);
    memory.free(lenp);
  }
});

test('error codes: a too-small destination and corrupt input', () => {
  const src = randomBytes(4096);
  const packed = deflate(src);
  const small = Buffer.alloc(100);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(100n);
  assert.equal(uncompress(small, len, packed, packed.length), Z_BUF_ERROR);
  const bad = Buffer.from(packed);
  bad[bad.length - 1] ^= 0xff; // the adler32 trailer
  len.writeBigUInt64LE(BigInt(src.length));
  assert.equal(uncompress(Buffer.alloc(src.length), len, bad, bad.length), Z_DATA_ERROR);
  len.writeBigUInt64LE(1n);
  assert.equal(compress(Buffer.alloc(1), len, src, src.length), Z_BUF_ERROR);
});

test('crc32 and adler32 agree with Node and with known values', () => {
  const check = Buffer.from('123456789');
  assert.equal(crc32(0, check, check.length), 0xcbf43926, 'the CRC-32 check value');
  assert.equal(adler32(1, check, check.length), 0x091e01de, 'the Adler-32 check value');
  assert.equal(crc32(0, null, 0), 0);
  const data = randomBytes(65536);
  const c = crc32(0, data, data.length) as number;
  const nodeCrc = (nodeZlib as { crc32?: (d: Uint8Array) => number }).crc32;
  if (nodeCrc) assert.equal(c, nodeCrc(data));
  // Incremental: crc32 of two halves chained equals the whole.
  const h = crc32(crc32(0, data.subarray(0, 1000), 1000), data.subarray(1000), data.length - 1000);
  assert.equal(h, c);
  // `const uint8_t *` is a const char-like pointer: a JS string passes its UTF-8 bytes.
  assert.equal(crc32(0, 'abc', 3), 0x352441c2);
});
