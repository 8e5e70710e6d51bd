// Area: abi/sysv-x86_64. Purpose: scalars, registers, stack, returns, variadics and errors,
// pinned against the AMD64 psABI §3.2.3 rules (structs in abi-sysv-x86_64-structs.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AbiError, describe, plan } from '../dist/abi/index.js';
import type { CType } from '../dist/types/ctype.js';
import {
  array, BOOL, CHAR, DOUBLE, enumType, FLOAT, fn, incomplete, INT, LONG, LONG_DOUBLE, PTR,
  pointer, SHORT, struct, UCHAR, USHORT, VOID,
} from './support-ctypes.js';

const d = (f: Parameters<typeof plan>[0], extra?: readonly CType[]) => describe(plan(f, extra));
const ints = (n: number, t: CType = INT) =>
  Array.from({ length: n }, (_, i) => [`i${i}`, t] as const);
const doubles = (n: number) => Array.from({ length: n }, (_, i) => [`d${i}`, DOUBLE] as const);

test('int add(int, int): rdi, rsi, result in eax', () => {
  assert.equal(d(fn('add', INT, [['a', INT], ['b', INT]])),
    'add(int a, int b) -> int: a=rdi[0..4) b=rsi[0..4) ret=rax[0..4)');
});

test('pointers, longs and doubles take whole registers; float takes the low 4 bytes', () => {
  assert.equal(d(fn('f', DOUBLE, [['p', PTR], ['x', FLOAT], ['l', LONG], ['y', DOUBLE]])),
    'f(void * p, float x, long l, double y) -> double: ' +
    'p=rdi[0..8) x=xmm0[0..4) l=rsi[0..8) y=xmm1[0..8) ret=xmm0[0..8)');
  assert.equal(d(fn('g', FLOAT, [])), 'g() -> float: ret=xmm0[0..4)');
  assert.equal(d(fn('h', PTR, [])), 'h() -> void *: ret=rax[0..8)');
  assert.equal(d(fn('v', VOID, [])), 'v() -> void:');
});

test('psABI parameter passing example, without long double and __m256/__m512', () => {
  const structparm = struct('structparm', [['a', INT], ['b', INT], ['d', DOUBLE]]);
  const func = fn('func', VOID, [
    ['e', INT], ['f', INT], ['s', structparm], ['g', INT], ['h', INT],
    ['m', DOUBLE], ['n', DOUBLE], ['i', INT], ['j', INT], ['k', INT],
  ]);
  assert.equal(d(func),
    'func(int e, int f, struct structparm s, int g, int h, double m, double n, int i, int j, int k)' +
    ' -> void: e=rdi[0..4) f=rsi[0..4) s=rdx[0..8)+xmm0[8..16) g=rcx[0..4) h=r8[0..4)' +
    ' m=xmm1[0..8) n=xmm2[0..8) i=r9[0..4) j=sp+0[0..4) k=sp+8[0..4) stack=16');
});

test('the psABI example with its long double is refused, naming the argument', () => {
  const func = fn('func', VOID, [['e', INT], ['ld', LONG_DOUBLE], ['m', DOUBLE]]);
  assert.throws(() => plan(func), (e: unknown) => {
    assert.ok(e instanceof AbiError);
    assert.equal(e.code, 'ERR_TRAMPFD_ABI');
    assert.equal(e.reason, 'x87-type');
    assert.equal(e.argument, 1);
    assert.match(e.message, /argument 1 'ld' of 'func'.*long double/);
    return true;
  });
  assert.throws(() => plan(fn('r', LONG_DOUBLE, [])), /return value of 'r'.*X87/);
});

test('more than 6 integer arguments: the 7th and later go to 8-byte stack slots', () => {
  assert.equal(d(fn('f', VOID, ints(8))),
    'f(int i0, int i1, int i2, int i3, int i4, int i5, int i6, int i7) -> void: ' +
    'i0=rdi[0..4) i1=rsi[0..4) i2=rdx[0..4) i3=rcx[0..4) i4=r8[0..4) i5=r9[0..4) ' +
    'i6=sp+0[0..4) i7=sp+8[0..4) stack=16');
});

test('more than 8 doubles: the 9th goes to the stack, stack size rounds to 16', () => {
  const p = plan(fn('f', VOID, doubles(9)));
  assert.deepEqual(p.args.map((a) => a.pieces[0]!.to),
    [...Array.from({ length: 8 }, (_, i) => ({ kind: 'fpr', index: i })), { kind: 'stack', offset: 0 }]);
  assert.equal(p.stackSize, 16);
  assert.equal(p.vectorCount, 0, 'non-variadic calls do not set %al');
});

test('integer and SSE registers are counted independently', () => {
  const params = [...ints(7, LONG), ...doubles(9)];
  const p = plan(fn('f', VOID, params));
  const where = p.args.map((a) => a.pieces[0]!.to);
  assert.deepEqual(where[5], { kind: 'gpr', index: 5 });
  assert.deepEqual(where[6], { kind: 'stack', offset: 0 });
  assert.deepEqual(where[7], { kind: 'fpr', index: 0 });
  assert.deepEqual(where[14], { kind: 'fpr', index: 7 });
  assert.deepEqual(where[15], { kind: 'stack', offset: 8 });
  assert.equal(p.stackSize, 16);
});

test('char, short and bool are extended to 32 bits: sign for signed, zero for unsigned and bool', () => {
  assert.equal(d(fn('f', VOID, [['c', CHAR], ['u', UCHAR], ['s', SHORT], ['w', USHORT], ['b', BOOL]])),
    'f(char c, unsigned char u, short s, unsigned short w, _Bool b) -> void: ' +
    'c=rdi[0..4)sx u=rsi[0..4)zx s=rdx[0..4)sx w=rcx[0..4)zx b=r8[0..4)zx');
  const p = plan(fn('g', VOID, [...ints(6, LONG), ['c', CHAR]]));
  assert.deepEqual(p.args[6]!.pieces, [{ from: 0, size: 4, to: { kind: 'stack', offset: 0 }, extend: 'sign' }]);
});

test('narrow integer returns read exactly the value bytes, never extended', () => {
  assert.equal(d(fn('c', CHAR, [])), 'c() -> char: ret=rax[0..1)');
  assert.equal(d(fn('b', BOOL, [])), 'b() -> _Bool: ret=rax[0..1)');
  assert.equal(d(fn('s', USHORT, [])), 's() -> unsigned short: ret=rax[0..2)');
});

test('enums classify as their base integer, including its extension', () => {
  assert.equal(d(fn('f', VOID, [['e', enumType('color')], ['n', enumType('small', UCHAR)]])),
    'f(enum color e, enum small n) -> void: e=rdi[0..4) n=rsi[0..4)zx');
});

test('variadic: extra arguments are promoted and %al counts the vector registers', () => {
  const printf = fn('printf', INT, [['fmt', pointer(CHAR)]], true);
  const p = plan(printf, [DOUBLE, INT, FLOAT, CHAR, BOOL, USHORT]);
  assert.deepEqual(p.args.map((a) => a.type.name),
    ['char *', 'double', 'int', 'double', 'int', 'int', 'int']);
  assert.equal(describe(p),
    'printf(char * fmt, ...) -> int: fmt=rdi[0..8) #1=xmm0[0..8) #2=rsi[0..4) #3=xmm1[0..8) ' +
    '#4=rdx[0..4) #5=rcx[0..4) #6=r8[0..4) ret=rax[0..4) al=2');
  assert.equal(p.vectorCount, 2);
  assert.equal(p.variadic, true);
});

test('variadic: %al is at most 8 and only counts registers, not stack doubles', () => {
  const f = fn('f', VOID, [['x', DOUBLE]], true);
  assert.equal(plan(f).vectorCount, 1);
  const p = plan(f, Array.from({ length: 10 }, () => DOUBLE));
  assert.equal(p.vectorCount, 8);
  assert.equal(p.stackSize, 32);
  assert.equal(plan(fn('g', VOID, [['n', INT]], true), [INT, PTR]).vectorCount, 0);
});

test('extra arguments to a non-variadic function are refused', () => {
  assert.throws(() => plan(fn('f', VOID, [['a', INT]]), [INT]),
    (e: unknown) => e instanceof AbiError && e.reason === 'variadic-mismatch');
  assert.doesNotThrow(() => plan(fn('f', VOID, [['a', INT]]), []));
});

test('a MEMORY return passes a hidden pointer in rdi and shifts the arguments', () => {
  const big = struct('big', [['a', LONG], ['b', LONG], ['c', LONG]]);
  assert.equal(d(fn('make', big, [...ints(6)])),
    'make(int i0, int i1, int i2, int i3, int i4, int i5) -> struct big: ' +
    'i0=rsi[0..4) i1=rdx[0..4) i2=rcx[0..4) i3=r8[0..4) i4=r9[0..4) i5=sp+0[0..4) ' +
    'ret=mem(rdi) stack=16');
  const p = plan(fn('make', big, [['d', DOUBLE]]));
  assert.deepEqual(p.ret, { kind: 'memory', type: big, pointer: { kind: 'gpr', index: 0 } });
  assert.deepEqual(p.args[0]!.pieces[0]!.to, { kind: 'fpr', index: 0 });
});

test('stack arguments aligned beyond 8 bytes get an aligned slot', () => {
  // No type of ours is 16-aligned (that needs long double, __int128 or __m128); build one.
  const wide: CType = Object.freeze({ ...struct('w', [['a', LONG], ['b', LONG], ['c', LONG]]), align: 16, size: 32 });
  const p = plan(fn('f', VOID, [...ints(6, LONG), ['x', LONG], ['w', wide], ['y', INT]]));
  assert.deepEqual(p.args.slice(6).map((a) => a.pieces[0]!.to),
    [{ kind: 'stack', offset: 0 }, { kind: 'stack', offset: 16 }, { kind: 'stack', offset: 48 }]);
  assert.equal(p.stackSize, 64);
});

test('unpassable values throw AbiError naming the argument', () => {
  const cases: [CType, string][] = [
    [VOID, 'void-value'],
    [array(INT, 4), 'array-value'],
    [fn('cb', INT, [INT]), 'function-value'],
    [incomplete('opaque'), 'incomplete-type'],
    [struct('hasld', [['x', LONG_DOUBLE]]), 'x87-type'],
    [struct('nested', [['inner', incomplete('opaque')]]), 'incomplete-type'],
  ];
  for (const [type, reason] of cases) {
    assert.throws(() => plan(fn('f', VOID, [['ok', INT], ['bad', type]])), (e: unknown) => {
      assert.ok(e instanceof AbiError, String(e));
      assert.equal(e.reason, reason);
      assert.equal(e.argument, 1);
      assert.match(e.message, /^sysv-x86_64: argument 1 'bad' of 'f': /);
      return true;
    });
  }
  assert.throws(() => plan(fn('f', incomplete('opaque'), [])),
    (e: unknown) => e instanceof AbiError && e.argument === 'return' && e.reason === 'incomplete-type');
  assert.throws(() => plan(fn('f', VOID, [INT], true), [array(INT, 2)]),
    /argument 1 of 'f': array type/);
  assert.ok(plan(fn('f', VOID, [['p', pointer(incomplete('opaque'))]])), 'a pointer to an incomplete type is fine');
});

test('plans are deeply frozen plain data and print as JSON', () => {
  const s = struct('di', [['d', DOUBLE], ['i', INT]]);
  const p = plan(fn('f', s, [['c', CHAR], ['s', s]]));
  // Type descriptors are shared, not the plan's own: skip them.
  const frozen = (v: unknown): boolean => typeof v !== 'object' || v === null ||
    (Object.isFrozen(v) && Object.entries(v).every(([k, x]) => k === 'fn' || k === 'type' || frozen(x)));
  assert.ok(frozen(p));
  const json = JSON.parse(JSON.stringify(p, (k, v: unknown) => (k === 'type' || k === 'fn' ? undefined : v)));
  assert.deepEqual(json, {
    abi: 'sysv-x86_64',
    args: [
      { index: 0, pieces: [{ from: 0, size: 4, to: { kind: 'gpr', index: 0 }, extend: 'sign' }], byReference: false },
      { index: 1, pieces: [{ from: 0, size: 8, to: { kind: 'fpr', index: 0 } }, { from: 8, size: 8, to: { kind: 'gpr', index: 1 } }], byReference: false },
    ],
    ret: { kind: 'regs', pieces: [{ from: 0, size: 8, to: { kind: 'fpr', index: 0 } }, { from: 8, size: 8, to: { kind: 'gpr', index: 0 } }] },
    stackSize: 0, calleePops: 0,
    vectorCount: 0,
    variadic: false,
  });
});
