// Area: values. Purpose: a struct value is read like a C initialiser — members left out are zero
// (nested records and arrays too; a union with no member set is all zero), an unknown member is
// still an error — on the generic and the generated fast paths; memory.offsetof gives C's
// offsetof; char arrays read as strings (memory.read strings option, memory.string length).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cdef, load, memory } from '../dist/index.js';
import { HOST } from '../dist/targets/index.js';
import { gcc, scratchDir } from './support-native.js';

const DEFS = `
  struct si_inner { short s; double d; };
  struct si_rec { int a; struct si_inner in; int arr[4]; union { int i; double f; } u; unsigned flag : 3; char name[8]; union { int ai; float af; }; };
  struct si_pair { int x, y; };
  typedef struct { char d_name[16]; unsigned short d_reclen; wchar_t wide[4]; } si_dirent;
`;
const source = `#include <stddef.h>
#include <string.h>
${DEFS}
/* 1 if every byte of r except a and arr[1] is zero, and those hold what the caller says. */
int si_check(struct si_rec r, int a, int arr1) {
  struct si_rec want;
  memset(&want, 0, sizeof want);
  want.a = a;
  want.arr[1] = arr1;
  return r.a == want.a && r.in.s == 0 && r.in.d == 0 && memcmp(r.arr, want.arr, sizeof r.arr) == 0
    && r.u.f == 0 && r.flag == 0 && r.ai == 0 && memcmp(r.name, want.name, sizeof r.name) == 0;
}
int si_sum(struct si_pair p) { return p.x * 10 + p.y; }
size_t si_offsets[] = { offsetof(struct si_rec, in), offsetof(struct si_rec, in.d), offsetof(struct si_rec, arr[2]),
  offsetof(struct si_rec, u), offsetof(struct si_rec, af), offsetof(struct si_rec, name), offsetof(si_dirent, wide[1]) };
`;
const file = join(scratchDir(), 'struct-initialisers.c');
const so = join(scratchDir(), 'libstruct-initialisers.so');
writeFileSync(file, source);
gcc(['-std=gnu11', '-O2', '-shared', '-fPIC', '-o', so, file]);
cdef(DEFS);
const lib = load(so);

test('members left out are zero, nested records, arrays, unions and bitfields included', () => {
  const check = lib.func('int si_check(struct si_rec r, int a, int arr1)');
  assert.equal(check({ a: 7, arr: [0, 5, 0, 0] }, 7, 5), 1);
  assert.equal(check({}, 0, 0), 1, 'an empty object is all zero, like { 0 }');
  assert.equal(check({ a: 1, in: {}, u: {}, name: undefined }, 1, 0), 1, 'an empty nested record or union is zero too');
  assert.throws(() => check({ a: 1, ina: {} }, 1, 0), /si_check: argument 1 \(r\): struct si_rec has no member 'ina'/);
  assert.throws(() => check({ u: { i: 1, f: 2 } }, 0, 0), { message: /^si_check: argument 1 \(r\), member u: a union <anonymous> value sets at most one member, got 2$/ });
});

test('the generated fast path for small structs gives the same result for a partial value', () => {
  const sum = lib.func('int si_sum(struct si_pair p)');
  assert.equal(sum({ x: 1, y: 2 }), 12);
  assert.equal(sum({ x: 3 }), 30);
  assert.equal(sum({ y: 4 }), 4);
  assert.equal(sum({ x: 5, y: undefined }), 50);
  assert.equal(sum({}), 0);
});

test('real libc: getaddrinfo with partial hints, as C code writes them', () => {
  cdef(`struct si_addrinfo { int ai_flags, ai_family, ai_socktype, ai_protocol; unsigned ai_addrlen;
        void *ai_addr; char *ai_canonname; struct si_addrinfo *ai_next; };`);
  const libc = load(null);
  const getaddrinfo = libc.func('int getaddrinfo(const char *node, const char *service, const struct si_addrinfo *hints, struct si_addrinfo **res)');
  const freeaddrinfo = libc.func('void freeaddrinfo(struct si_addrinfo *res)');
  const hints = memory.alloc(memory.sizeof('struct si_addrinfo'));
  memory.write(hints, 'struct si_addrinfo', { ai_family: 2 /* AF_INET */, ai_flags: 4 /* AI_NUMERICHOST */, ai_socktype: 1 });
  const res = HOST.model.sizes.pointer === 8 ? new BigUint64Array(1) : new Uint32Array(1); // the struct si_addrinfo * getaddrinfo stores
  assert.equal(getaddrinfo('127.0.0.1', '80', hints, res), 0);
  const info = memory.read(Number(res[0]), 'struct si_addrinfo') as { ai_family: number; ai_addrlen: number; ai_addr: number };
  assert.equal(info.ai_family, 2);
  assert.equal(info.ai_addrlen, 16);
  assert.deepEqual([...memory.view(info.ai_addr + 2, 6)], [0, 80, 127, 0, 0, 1], 'sin_port and sin_addr');
  freeaddrinfo(Number(res[0]));
  memory.free(hints);
});

test('memory.offsetof matches C offsetof: members, nested paths, array elements, anonymous members', () => {
  const c = lib.symbol('si_offsets');
  const want = memory.read(c, 'size_t[7]');
  assert.deepEqual([
    memory.offsetof('struct si_rec', 'in'), memory.offsetof('struct si_rec', 'in.d'), memory.offsetof('struct si_rec', 'arr[2]'),
    memory.offsetof('struct si_rec', 'u'), memory.offsetof('struct si_rec', 'af'), memory.offsetof('struct si_rec', 'name'),
    memory.offsetof('si_dirent', 'wide[1]'),
  ], want);
  assert.throws(() => memory.offsetof('struct si_rec', 'flag'), /'flag' is a bit-field, which has no byte offset/);
  assert.throws(() => memory.offsetof('struct si_rec', 'nope'), /struct si_rec has no member 'nope'/);
  assert.throws(() => memory.offsetof('struct si_rec', 'arr[4]'), /index 4 is past int\[4\]/);
  assert.throws(() => memory.offsetof('struct si_rec', 'a.b'), /'int' has no members/);
  assert.throws(() => memory.offsetof('struct si_rec', 'in..d'), /not a member designator/);
  assert.throws(() => memory.offsetof('int', 'x'), /'int' has no members/);
});

test('char[N] members read as strings: memory.read strings option and memory.string length', () => {
  const p = memory.alloc(memory.sizeof('si_dirent'));
  try {
    memory.write(p, 'si_dirent', { d_name: 'héllo', d_reclen: 24, wide: [0x1f600, 0x41, 0, 0] });
    assert.deepEqual(memory.read(p, 'si_dirent', { strings: true }), { d_name: 'héllo', d_reclen: 24, wide: '😀A' });
    assert.equal((memory.read(p, 'si_dirent') as { d_name: number[] }).d_name.length, 16, 'without the option, an array');
    memory.write(p, 'char[16]', 'x'.repeat(16)); // no NUL: the string is all N bytes
    assert.equal((memory.read(p, 'si_dirent', { strings: true }) as { d_name: string }).d_name, 'x'.repeat(16));
    assert.equal(memory.string(p + memory.offsetof('si_dirent', 'd_name'), { length: 16 }), 'x'.repeat(16));
    assert.equal(memory.string(p, { length: 4 }), 'xxxx');
    assert.equal(memory.string(p, { length: 0 }), '');
    assert.throws(() => memory.read(p, 'si_dirent', { strings: 1 as unknown as boolean }), /options.strings must be a boolean/);
    assert.throws(() => memory.string(p, { length: -1 }), /length must be a non-negative safe integer/);
  } finally {
    memory.free(p);
  }
});
