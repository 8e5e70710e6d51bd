// Area: library/call path, end to end. Purpose: real glibc functions called through load(null):
// strings and buffers for pointers, variadic snprintf past the register counts, out-pointers,
// errno capture, structs written by C and returned by value, zero-copy Buffers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cdef, errno, load, memory, type VariadicArg } from '../dist/index.js';
import { HOST } from '../dist/targets/index.js';

const libc = load(null);
const ERANGE = 34;
/** long has 8 bytes on LP64 and 4 on ILP32 (i386), where LONG_MAX is 2^31 - 1. */
const LONG8 = HOST.model.sizes.long === 8;

cdef(`
  struct rl_timeval { long tv_sec; long tv_usec; };
  typedef struct { int quot; int rem; } rl_div_t;
  typedef struct { long quot; long rem; } rl_ldiv_t;
  typedef struct { long long quot; long long rem; } rl_lldiv_t;
`);

const strlen = libc.func('size_t strlen(const char *s)');
const snprintf = libc.func('int snprintf(char *buf, size_t n, const char *fmt, ...)');

/** snprintf into a fresh buffer; returns [C's return value, the text]. */
function format(fmt: string, ...args: unknown[]): [number, string] {
  const out = Buffer.alloc(1024);
  const n = snprintf(out, out.length, fmt, ...(args as VariadicArg[])) as number;
  return [n, out.toString('utf8', 0, out.indexOf(0))];
}

test('strlen: JS strings (ASCII, empty, UTF-8 multibyte) are passed as NUL-terminated UTF-8', () => {
  assert.equal(strlen('hello, world'), 12);
  assert.equal(strlen(''), 0);
  assert.equal(strlen('héllo'), 6);
  assert.equal(strlen('日本語'), 9);
  assert.equal(strlen('😀!'), 5);
  const long = 'x'.repeat(100_000); // larger than the frame scratch: goes through a pinned copy
  assert.equal(strlen(long), 100_000);
  assert.equal(strlen(long + 'é'.repeat(50_000)), 200_000);
});

test('strlen: Buffer, Uint8Array at an offset and ArrayBuffer pass their bytes', () => {
  assert.equal(strlen(Buffer.from('abc\0def')), 3);
  const u = new TextEncoder().encode('..hello\0');
  assert.equal(strlen(u.subarray(2)), 5, 'a view starts at its byteOffset');
  assert.equal(strlen(new Uint8Array([120, 121, 122, 0]).buffer), 3);
  assert.equal(typeof strlen('a'), 'number', 'size_t comes back as a number');
});

test('snprintf: ints, doubles, strings, long long, and [type, value] pairs', () => {
  assert.deepEqual(format('%d|%d|%d', 1, -2, 2147483647), [15, '1|-2|2147483647']);
  assert.deepEqual(format('%.3f|%g', 2.5, 1e300), [12, '2.500|1e+300']);
  assert.deepEqual(format('%s-%s', 'héllo', ''), [7, 'héllo-']);
  assert.deepEqual(format('%lld|%lld', 9007199254740993n, -(2n ** 63n)), [37, '9007199254740993|-9223372036854775808']);
  assert.deepEqual(format('%f', ['double', 1]), [8, '1.000000'], "['double', 1] forces a double");
  assert.deepEqual(format('%zu', ['size_t', 7]), [1, '7']);
  assert.deepEqual(format('%u', ['unsigned int', 4294967295]), [10, '4294967295']);
  // Past int32's range where long holds it; a 4-byte long's own minimum otherwise.
  assert.deepEqual(format('%ld', ['long', LONG8 ? -5_000_000_000 : -2147483648]), [11, LONG8 ? '-5000000000' : '-2147483648']);
  assert.deepEqual(format('%c%c', ['char', 65], ['int', 66]), [2, 'AB']);
  assert.deepEqual(format('%.1f', 2 ** 31), [12, '2147483648.0'], 'an integer past int32 goes as a double');
  assert.deepEqual(format('%p', ['void *', 0]), [5, '(nil)']);
  assert.deepEqual(format('no args'), [7, 'no args']);
});

test('snprintf: more ints than GPRs and more doubles than XMM registers spill to the stack in order', () => {
  const ints = Array.from({ length: 10 }, (_, i) => i * 11 - 7);
  const doubles = Array.from({ length: 12 }, (_, i) => i + 0.5);
  const fmt = ints.map(() => '%d').join(',') + ';' + doubles.map(() => '%.1f').join(',');
  const want = ints.join(',') + ';' + doubles.map((d) => d.toFixed(1)).join(',');
  assert.deepEqual(format(fmt, ...ints, ...doubles), [want.length, want]);
  // Interleaved kinds, and strings and long longs among them.
  const mixed: unknown[] = [];
  let f = '', w = '';
  for (let i = 0; i < 9; i++) {
    // i + 0.25 is never an integer, so it goes as a double (a plain 0 would go as an int).
    mixed.push(i, i + 0.25, `s${i}`, BigInt(i) * 1_000_000_000_000n);
    f += '%d %.2f %s %lld|';
    w += `${i} ${(i + 0.25).toFixed(2)} s${i} ${BigInt(i) * 1_000_000_000_000n}|`;
  }
  assert.deepEqual(format(f, ...mixed), [w.length, w]);
});

test('strtol: a char ** out-pointer reports where parsing stopped', () => {
  const strtol = libc.func('long strtol(const char *s, char **end, int base)');
  const end = memory.alloc(8);
  try {
    const s = Buffer.from('  -12345xyz\0');
    assert.equal(strtol(s, end, 10), -12345);
    assert.equal((memory.read(end, 'char *') as number) - memory.address(s), 8);
    const c = memory.alloc(16);
    try {
      memory.view(c, 6).set(Buffer.from('ff zz\0'));
      assert.equal(strtol(c, end, 16), 255);
      assert.equal(memory.read(end, 'char *'), c + 2);
      assert.equal(memory.string(memory.read(end, 'char *') as number), ' zz');
    } finally {
      memory.free(c);
    }
  } finally {
    memory.free(end);
  }
});

test('long results beyond 2^53 are exact bigints, never a rounded number', () => {
  const strtol = libc.func('long strtol(const char *s, char **end, int base)');
  if (!LONG8) { // a 4-byte long never goes beyond 2^53: its edges read exactly, and strtol saturates there
    assert.equal(strtol('2147483647', null, 10), 2147483647);
    assert.equal(strtol('-2147483648', null, 10), -2147483648);
    assert.equal(strtol('9007199254740993', null, 10), 2147483647);
    assert.equal(strtol('-9007199254740993', null, 10), -2147483648);
    return;
  }
  assert.equal(strtol('9007199254740991', null, 10), Number.MAX_SAFE_INTEGER);
  assert.equal(strtol('-9007199254740991', null, 10), -Number.MAX_SAFE_INTEGER);
  assert.equal(strtol('9007199254740993', null, 10), 9007199254740993n);
});

test('errno is captured right after a call declared with { errno: true }', () => {
  const strtoll = libc.func('long long strtoll(const char *s, char **end, int base)', { errno: true });
  assert.equal(strtoll('99999999999999999999999', null, 10), 2n ** 63n - 1n);
  assert.equal(errno(), ERANGE);
  assert.equal(strtoll('-99999999999999999999999', null, 10), -(2n ** 63n));
  assert.equal(errno(), ERANGE);
  assert.equal(strtoll('42', null, 10), 42n);
  assert.equal(errno(), 0, 'errno is cleared before the call');
  const close = libc.func('int close(int fd)', { errno: true });
  assert.equal(close(-1), -1);
  assert.equal(errno(), 9 /* EBADF */);
});

test('gettimeofday fills a struct through a pointer (memory.alloc and a Buffer)', () => {
  const gettimeofday = libc.func('int gettimeofday(struct rl_timeval *tv, void *tz)');
  const tv = memory.alloc(memory.sizeof('struct rl_timeval'));
  try {
    assert.equal(gettimeofday(tv, null), 0);
    const t = memory.read(tv, 'struct rl_timeval') as { tv_sec: number; tv_usec: number };
    assert.ok(Math.abs(t.tv_sec * 1000 + t.tv_usec / 1000 - Date.now()) < 5000, JSON.stringify(t));
    assert.ok(t.tv_usec >= 0 && t.tv_usec < 1_000_000);
  } finally {
    memory.free(tv);
  }
  const b = Buffer.alloc(16);
  assert.equal(gettimeofday(b, 0), 0);
  const sec = LONG8 ? Number(b.readBigInt64LE(0)) : b.readInt32LE(0); // tv_sec is a long
  assert.ok(Math.abs(sec - Date.now() / 1000) < 5);
});

test('memset and memcpy write into JS Buffers without a copy', () => {
  const memset = libc.func('void *memset(void *s, int c, size_t n)');
  const memcpy = libc.func('void *memcpy(void *dst, const void *src, size_t n)');
  const b = Buffer.alloc(4096);
  assert.equal(memset(b, 0x5a, b.length), memory.address(b), 'returns its first argument');
  assert.ok(b.every((x) => x === 0x5a));
  const u = new Uint8Array(32);
  memset(u.subarray(8, 16), 0xff, 8);
  assert.deepEqual([...u], [...Array(8).fill(0), ...Array(8).fill(255), ...Array(16).fill(0)]);
  const ab = new ArrayBuffer(8);
  memset(ab, 1, 8);
  assert.deepEqual([...new Uint8Array(ab)], Array(8).fill(1));
  const src = Buffer.from('zero-copy!');
  const dst = Buffer.alloc(src.length);
  memcpy(dst, src, src.length);
  assert.equal(dst.toString(), 'zero-copy!');
  // Foreign memory seen through a zero-copy view, both directions.
  const p = memory.alloc(16);
  try {
    memcpy(p, Buffer.from('abcdefgh'), 8);
    const v = memory.view(p, 16);
    assert.equal(Buffer.from(v.subarray(0, 8)).toString(), 'abcdefgh');
    memset(p + 4, 0x21, 4);
    assert.equal(Buffer.from(v.subarray(0, 8)).toString(), 'abcd!!!!');
  } finally {
    memory.free(p);
  }
});

test('getenv returns a char * that memory.string reads; NULL is 0', () => {
  const getenv = libc.func('char *getenv(const char *name)');
  process.env.TRAMPFD_REAL_LIBC = 'vålue with spaces';
  const p = getenv('TRAMPFD_REAL_LIBC') as number;
  assert.ok(Number.isSafeInteger(p) && p > 0);
  assert.equal(memory.string(p), 'vålue with spaces');
  assert.equal(getenv('TRAMPFD_REAL_LIBC_UNSET_' + process.pid), 0);
});

test('structs returned by value: div (8 bytes in rax), ldiv and lldiv (16 bytes in rax:rdx; all through a hidden pointer on i386)', () => {
  const div = libc.func('rl_div_t div(int num, int den)');
  const ldiv = libc.func('rl_ldiv_t ldiv(long num, long den)');
  const lldiv = libc.func('rl_lldiv_t lldiv(long long num, long long den)');
  assert.deepEqual(div(17, 5), { quot: 3, rem: 2 });
  assert.deepEqual(div(-7, 2), { quot: -3, rem: -1 });
  assert.deepEqual(div(-2147483648, 1), { quot: -2147483648, rem: 0 });
  if (LONG8) {
    assert.deepEqual(ldiv(10_000_000_000_007, 10), { quot: 1_000_000_000_000, rem: 7 });
    assert.deepEqual(ldiv(-9007199254740991, 2), { quot: -4503599627370495, rem: -1 });
  } else { // a 4-byte long's edges
    assert.deepEqual(ldiv(2147483647, 10), { quot: 214748364, rem: 7 });
    assert.deepEqual(ldiv(-2147483648, 3), { quot: -715827882, rem: -2 });
  }
  assert.deepEqual(lldiv(-(2n ** 62n) - 3n, 4n), { quot: -(2n ** 60n), rem: -3n });
  for (let i = 0; i < 1000; i++) {
    const a = (i * 7919) % 100_003 - 50_000, b = (i % 97) + 1;
    assert.deepEqual(div(a, b), { quot: Math.trunc(a / b) | 0, rem: (a % b) | 0 });
  }
});

test('math from the process image: doubles, float, int out-pointer', () => {
  const pow = libc.func('double pow(double x, double y)');
  const frexp = libc.func('double frexp(double x, int *exp)');
  const sqrtf = libc.func('float sqrtf(float x)');
  assert.equal(pow(2, 0.5), Math.SQRT2);
  const e = Buffer.alloc(4);
  assert.equal(frexp(48, e), 0.75);
  assert.equal(e.readInt32LE(0), 6);
  assert.equal(sqrtf(2), Math.fround(Math.SQRT2));
});

test('qsort with a JS comparator (a transient callback) sorts doubles in place', () => {
  const qsort = libc.func('void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))');
  const values = Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 1000);
  const arr = new Float64Array(values);
  qsort(arr, arr.length, 8, (a: number, b: number) => Math.sign((memory.read(a, 'double') as number) - (memory.read(b, 'double') as number)));
  assert.deepEqual([...arr], [...values].sort((x, y) => x - y));
});
