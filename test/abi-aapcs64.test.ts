// Area: abi/aapcs64. Purpose: every AAPCS64 rule the planner implements (§6.8 stages A–C as GCC
// on Linux does them), hand-checked on any host; abi-aapcs64-gcc.test.ts checks against GCC itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ABI, plan } from '../dist/abi/aapcs64.js';
import { AbiError, describe } from '../dist/abi/index.js';
import type { CType, ScalarRep, ScalarType } from '../dist/types/ctype.js';
import {
  array, BOOL, DOUBLE, enumType, FLOAT, fn, incomplete, INT, LONG, LONG_DOUBLE, PTR, pointer, SCHAR,
  SHORT, struct, UCHAR, UINT, union, USHORT, VOID,
} from './support-ctypes.js';

/** Plain char is unsigned on AArch64 Linux. */
const CHAR: ScalarType = Object.freeze({ kind: 'scalar', name: 'char', rep: 'u8', size: 1, align: 1, js: 'number' });
const INT128: ScalarType = Object.freeze({
  kind: 'scalar', name: '__int128', rep: 'i128' as unknown as ScalarRep, size: 16, align: 16, js: 'bigint',
});

const d = (f: Parameters<typeof plan>[0], extra?: readonly CType[]) => describe(plan(f, extra));
/** Where the arguments and result go, without the signature. */
const at = (ret: CType, params: readonly (readonly [string, CType])[], extra?: readonly CType[]) =>
  d(fn('f', ret, params, extra !== undefined), extra).replace(/^.*?: ?/, '');
const arg = (t: CType) => at(VOID, [['x', t]]);
const ret = (t: CType) => at(t, []);
const n = (count: number, t: CType, p = 'i') => Array.from({ length: count }, (_, i) => [`${p}${i}`, t] as const);

test('int add(int, int): x0, x1, result in w0', () => {
  assert.equal(d(fn('add', INT, [['a', INT], ['b', INT]])), 'add(int a, int b) -> int: a=x0[0..4) b=x1[0..4) ret=x0[0..4)');
  assert.equal(ABI, 'aapcs64');
  assert.equal(plan(fn('v', VOID, [])).abi, 'aapcs64');
});

test('integers and pointers take x registers, float and double v registers, counted apart', () => {
  assert.equal(at(DOUBLE, [['p', PTR], ['x', FLOAT], ['l', LONG], ['y', DOUBLE]]),
    'p=x0[0..8) x=v0[0..4) l=x1[0..8) y=v1[0..8) ret=v0[0..8)');
  assert.equal(ret(FLOAT), 'ret=v0[0..4)');
  assert.equal(ret(PTR), 'ret=x0[0..8)');
  assert.equal(ret(VOID), '');
});

test('the ninth integer and the ninth double go to 8-byte stack slots; stackSize rounds to 16', () => {
  assert.equal(at(VOID, n(9, INT)),
    'i0=x0[0..4) i1=x1[0..4) i2=x2[0..4) i3=x3[0..4) i4=x4[0..4) i5=x5[0..4) i6=x6[0..4) i7=x7[0..4) ' +
    'i8=sp+0[0..4) stack=16');
  const p = plan(fn('f', VOID, [...n(9, DOUBLE, 'd'), ...n(10, LONG)]));
  assert.deepEqual(p.args.map((a) => a.pieces[0]!.to), [
    ...Array.from({ length: 8 }, (_, i) => ({ kind: 'fpr', index: i })), { kind: 'stack', offset: 0 },
    ...Array.from({ length: 8 }, (_, i) => ({ kind: 'gpr', index: i })), { kind: 'stack', offset: 8 }, { kind: 'stack', offset: 16 },
  ]);
  assert.equal(p.stackSize, 32);
  assert.equal(p.vectorCount, 0);
});

test('a float on the stack takes a whole 8-byte slot, in its low bytes', () => {
  assert.equal(at(VOID, [...n(8, DOUBLE), ['f', FLOAT], ['g', FLOAT], ['d', DOUBLE]]).replace(/^.*i7=v7\[0..8\) /, ''),
    'f=sp+0[0..4) g=sp+8[0..4) d=sp+16[0..8) stack=32');
});

test('1- and 2-byte integers are extended to 32 bits: sign for signed, zero for unsigned, char and bool', () => {
  assert.equal(at(VOID, [['c', CHAR], ['s', SCHAR], ['u', UCHAR], ['h', SHORT], ['w', USHORT], ['b', BOOL]]),
    'c=x0[0..4)zx s=x1[0..4)sx u=x2[0..4)zx h=x3[0..4)sx w=x4[0..4)zx b=x5[0..4)zx');
  const p = plan(fn('g', VOID, [...n(8, LONG), ['c', SCHAR]]));
  assert.deepEqual(p.args[8]!.pieces, [{ from: 0, size: 4, to: { kind: 'stack', offset: 0 }, extend: 'sign' }]);
  assert.equal(at(VOID, [['e', enumType('color')], ['n', enumType('small', UCHAR)]]), 'e=x0[0..4) n=x1[0..4)zx');
});

test('narrow integer results are read as their own bytes, never extended', () => {
  assert.equal(ret(SCHAR), 'ret=x0[0..1)');
  assert.equal(ret(BOOL), 'ret=x0[0..1)');
  assert.equal(ret(USHORT), 'ret=x0[0..2)');
});

test('HFAs of 1 to 4 floats or doubles go one member per v register, through nesting, arrays and unions', () => {
  const ff = struct('ff', [['a', FLOAT], ['b', FLOAT]]);
  assert.equal(arg(ff), 'x=v0[0..4)+v1[4..8)');
  assert.equal(arg(struct('f1', [['a', FLOAT]])), 'x=v0[0..4)');
  assert.equal(arg(struct('d4', [['d', array(DOUBLE, 4)]])), 'x=v0[0..8)+v1[8..16)+v2[16..24)+v3[24..32)');
  assert.equal(arg(struct('nest', [['p', ff], ['q', array(struct('f1', [['a', FLOAT]]), 2)]])),
    'x=v0[0..4)+v1[4..8)+v2[8..12)+v3[12..16)');
  // A union counts its biggest member; members must all be of one base type.
  assert.equal(arg(union('uf', [['a', array(FLOAT, 3)], ['b', ff]])), 'x=v0[0..4)+v1[4..8)+v2[8..12)');
  assert.equal(arg(union('ufd', [['f', array(FLOAT, 2)], ['d', DOUBLE]])), 'x=x0[0..8)');
  // Packing leaves no padding to lose; an empty member adds none.
  assert.equal(arg(struct('pff', [['a', FLOAT], ['b', FLOAT]], { packed: true })), 'x=v0[0..4)+v1[4..8)');
  assert.equal(arg(struct('fef', [['a', FLOAT], ['e', struct('empty', [])], ['b', FLOAT]])), 'x=v0[0..4)+v1[4..8)');
  assert.deepEqual(plan(fn('f', VOID, [INT, ff])).args[1]!.pieces, [
    { from: 0, size: 4, to: { kind: 'fpr', index: 0 } }, { from: 4, size: 4, to: { kind: 'fpr', index: 1 } },
  ]);
});

test('not HFAs: more than 4 members, float mixed with double or int, bitfields, padding', () => {
  assert.equal(arg(struct('f5', [['f', array(FLOAT, 5)]])), 'x=ref(x0[0..8))');
  assert.equal(arg(struct('fd', [['f', FLOAT], ['d', DOUBLE]])), 'x=x0[0..8)+x1[8..16)');
  assert.equal(arg(struct('fi', [['f', FLOAT], ['i', INT]])), 'x=x0[0..8)');
  assert.equal(arg(struct('fb', [['f', FLOAT], ['b', INT, 3]])), 'x=x0[0..8)');
  // aligned(16) pads two floats to 16 bytes: not an HFA, and not 16-aligned for passing either.
  assert.equal(arg(struct('f2a', [['f', array(FLOAT, 2)]], { aligned: 16 })), 'x=x0[0..8)+x1[8..16)');
});

test('an HFA that does not fit the v registers goes to the stack and no later FP argument takes one', () => {
  const d3 = struct('d3', [['d', array(DOUBLE, 3)]]);
  const p = plan(fn('f', VOID, [...n(6, DOUBLE, 'd'), ['h', d3], ['x', DOUBLE], ['y', FLOAT], ['i', INT]]));
  assert.equal(describe(p).replace(/^.*d5=v5\[0..8\) /, ''),
    'h=sp+0[0..24) x=sp+24[0..8) y=sp+32[0..4) i=x0[0..4) stack=48');
  // HFAs bigger than 16 bytes are never passed by reference.
  assert.equal(p.args[6]!.byReference, false);
  const ff = struct('ff', [['a', FLOAT], ['b', FLOAT]]);
  assert.equal(at(VOID, [...n(7, FLOAT), ['h', ff], ['g', FLOAT]]).replace(/^.*i6=v6\[0..4\) /, ''),
    'h=sp+0[0..8) g=sp+8[0..4) stack=16');
});

test('composites up to 16 bytes: rounded to 8, one or two x registers, the last piece sized to what is left', () => {
  assert.equal(arg(struct('c3', [['c', array(CHAR, 3)]])), 'x=x0[0..3)');
  assert.equal(arg(struct('i3', [['i', array(INT, 3)]])), 'x=x0[0..8)+x1[8..12)');
  assert.equal(arg(struct('ll', [['a', LONG], ['b', LONG]])), 'x=x0[0..8)+x1[8..16)');
  assert.equal(arg(struct('mis', [['c', CHAR], ['i', INT]], { packed: true })), 'x=x0[0..5)');
  assert.equal(arg(union('u', [['i', INT], ['f', FLOAT], ['p', PTR]])), 'x=x0[0..8)');
});

test('a composite that does not fit the x registers goes wholly to the stack, and so does every later integer', () => {
  const ll = struct('ll', [['a', LONG], ['b', LONG]]);
  assert.equal(at(VOID, [...n(7, INT), ['s', ll], ['j', INT], ['c', struct('c3', [['c', array(CHAR, 3)]])]]).replace(/^.*i6=x6\[0..4\) /, ''),
    's=sp+0[0..16) j=sp+16[0..4) c=sp+24[0..3) stack=32');
  // FP arguments still use their own registers.
  assert.equal(at(VOID, [...n(7, INT), ['s', ll], ['x', DOUBLE]]).replace(/^.*i6=x6\[0..4\) /, ''),
    's=sp+0[0..16) x=v0[0..8) stack=16');
});

test('composites over 16 bytes are passed by reference to a copy: one pointer piece, in an x register or a stack slot', () => {
  const big = struct('big', [['a', LONG], ['b', LONG], ['c', LONG]]);
  const p = plan(fn('f', VOID, [['x', big], ...n(7, INT), ['y', big], ['z', INT]]));
  assert.deepEqual(p.args[0], { index: 0, type: big, pieces: [{ from: 0, size: 8, to: { kind: 'gpr', index: 0 } }], byReference: true });
  assert.deepEqual(p.args[8], { index: 8, type: big, pieces: [{ from: 0, size: 8, to: { kind: 'stack', offset: 0 } }], byReference: true });
  assert.deepEqual(p.args[9]!.pieces, [{ from: 0, size: 4, to: { kind: 'stack', offset: 8 } }]);
  assert.equal(p.stackSize, 16);
  assert.equal(arg(struct('c17', [['c', array(CHAR, 17)]])), 'x=ref(x0[0..8))');
  assert.equal(plan(fn('f', VOID, [['s', struct('c16', [['c', array(CHAR, 16)]])]])).args[0]!.byReference, false);
});

test('16-aligned composites start at an even x register, but only with a 16-aligned member (GCC)', () => {
  // aligned(16) on the struct itself is an adjustment AAPCS64 ignores for passing ...
  const a16 = struct('a16', [['l', LONG], ['c', CHAR]], { aligned: 16 });
  assert.equal(at(VOID, [['i', INT], ['a', a16]]), 'i=x0[0..4) a=x1[0..8)+x2[8..16)');
  // ... a member of a 16-aligned type makes the composite 16-aligned.
  const w16 = struct('w16', [['x', a16]]);
  assert.equal(at(VOID, [['i', INT], ['w', w16], ['j', INT]]), 'i=x0[0..4) w=x2[0..8)+x3[8..16) j=x4[0..4)');
  assert.equal(at(VOID, [['i', INT], ['j', INT], ['w', w16]]), 'i=x0[0..4) j=x1[0..4) w=x2[0..8)+x3[8..16)');
  // At x7 it does not fit: the stack, at a 16-aligned offset.
  assert.equal(at(VOID, [...n(7, INT), ['w', w16]]).replace(/^.*i6=x6\[0..4\) /, ''), 'w=sp+0[0..16) stack=16');
  assert.equal(at(VOID, [...n(8, INT), ['j', INT], ['w', w16], ['a', a16]]).replace(/^.*i7=x7\[0..4\) /, ''),
    'j=sp+0[0..4) w=sp+16[0..16) a=sp+32[0..16) stack=48');
  // A packed record's members have alignment 1.
  const pw = struct('pw', [['x', a16]], { packed: true });
  assert.equal(at(VOID, [['i', INT], ['w', pw]]), 'i=x0[0..4) w=x1[0..8)+x2[8..16)');
});

test('results: HFA in v0..v3, composites up to 16 bytes in x0/x1, bigger ones in memory at x8', () => {
  assert.equal(ret(struct('d4', [['d', array(DOUBLE, 4)]])), 'ret=v0[0..8)+v1[8..16)+v2[16..24)+v3[24..32)');
  assert.equal(ret(struct('f3', [['f', array(FLOAT, 3)]])), 'ret=v0[0..4)+v1[4..8)+v2[8..12)');
  assert.equal(ret(struct('i3', [['i', array(INT, 3)]])), 'ret=x0[0..8)+x1[8..12)');
  assert.equal(ret(struct('fd', [['f', FLOAT], ['d', DOUBLE]])), 'ret=x0[0..8)+x1[8..16)');
  const big = struct('big', [['a', LONG], ['b', LONG], ['c', LONG]]);
  // x8 is not an argument register: the arguments still start at x0.
  assert.equal(at(big, n(8, INT)),
    'i0=x0[0..4) i1=x1[0..4) i2=x2[0..4) i3=x3[0..4) i4=x4[0..4) i5=x5[0..4) i6=x6[0..4) i7=x7[0..4) ret=mem(x8)');
  assert.deepEqual(plan(fn('f', big, [])).ret, { kind: 'memory', type: big, pointer: { kind: 'gpr', index: 8 } });
  assert.equal(ret(struct('f5', [['f', array(FLOAT, 5)]])), 'ret=mem(x8)');
});

test('variadic arguments are promoted and then passed exactly like named ones (Linux)', () => {
  const ff = struct('ff', [['a', FLOAT], ['b', FLOAT]]);
  const printf = fn('printf', INT, [['fmt', pointer(CHAR)]], true);
  const p = plan(printf, [FLOAT, CHAR, SHORT, BOOL, ff, DOUBLE, ...Array.from({ length: 7 }, () => INT)]);
  assert.deepEqual(p.args.map((a) => a.type.name),
    ['char *', 'double', 'int', 'int', 'int', 'struct ff', 'double', 'int', 'int', 'int', 'int', 'int', 'int', 'int']);
  assert.equal(describe(p),
    'printf(char * fmt, ...) -> int: fmt=x0[0..8) #1=v0[0..8) #2=x1[0..4) #3=x2[0..4) #4=x3[0..4) ' +
    '#5=v1[0..4)+v2[4..8) #6=v3[0..8) #7=x4[0..4) #8=x5[0..4) #9=x6[0..4) #10=x7[0..4) #11=sp+0[0..4) ' +
    '#12=sp+8[0..4) #13=sp+16[0..4) ret=x0[0..4) stack=32');
  assert.equal(p.vectorCount, 0, 'no vector count register on AArch64');
  assert.equal(p.variadic, true);
  assert.throws(() => plan(fn('f', VOID, [['a', INT]]), [INT]),
    (e: unknown) => e instanceof AbiError && e.reason === 'variadic-mismatch' && e.abi === 'aapcs64');
});

test('empty structs (GNU C, size 0) take no register and no stack slot, as arguments and results', () => {
  const empty = struct('empty', []);
  assert.equal(at(VOID, [['a', INT], ['e', empty], ['b', INT]]), 'a=x0[0..4) e=- b=x1[0..4)');
  assert.equal(at(VOID, [...n(8, INT), ['e', empty], ['x', INT]]).replace(/^.*i7=x7\[0..4\) /, ''), 'e=- x=sp+0[0..4) stack=16');
  assert.equal(ret(empty), 'ret=-');
});

test('long double (quad), __int128 and other unpassable values throw AbiError naming the argument', () => {
  const cases: [CType, string, RegExp][] = [
    [LONG_DOUBLE, 'unsupported-type', /'long double' is a 128-bit quad-precision float/],
    [struct('hasld', [['x', LONG_DOUBLE]]), 'unsupported-type', /quad-precision/],
    [INT128, 'unsupported-type', /'__int128' is a 128-bit integer/],
    [VOID, 'void-value', /void/],
    [array(INT, 4), 'array-value', /array type/],
    [fn('cb', INT, [INT]), 'function-value', /function type/],
    [incomplete('opaque'), 'incomplete-type', /incomplete type 'struct opaque'/],
    [struct('nested', [['inner', incomplete('opaque')]]), 'incomplete-type', /incomplete/],
  ];
  for (const [type, reason, what] of cases) {
    assert.throws(() => plan(fn('f', VOID, [['ok', INT], ['bad', type]])), (e: unknown) => {
      assert.ok(e instanceof AbiError, String(e));
      assert.equal(e.code, 'ERR_TRAMPFD_ABI');
      assert.equal(e.reason, reason);
      assert.equal(e.abi, 'aapcs64');
      assert.equal(e.argument, 1);
      assert.match(e.message, /^aapcs64: argument 1 'bad' of 'f': /);
      assert.match(e.message, what);
      return true;
    });
  }
  assert.throws(() => plan(fn('r', LONG_DOUBLE, [])),
    (e: unknown) => e instanceof AbiError && e.argument === 'return' && /return value of 'r'.*quad/.test(e.message));
  assert.throws(() => plan(fn('f', VOID, [INT], true), [INT128]), /argument 1 of 'f': '__int128'/);
  assert.ok(plan(fn('f', VOID, [['p', pointer(incomplete('opaque'))]])), 'a pointer to an incomplete type is fine');
});

test('plans are deeply frozen plain data', () => {
  const big = struct('big', [['a', LONG], ['b', LONG], ['c', LONG]]);
  const p = plan(fn('f', struct('ff', [['a', FLOAT], ['b', FLOAT]]), [['c', CHAR], ['s', big], ['u', UINT]]));
  const frozen = (v: unknown): boolean => typeof v !== 'object' || v === null ||
    (Object.isFrozen(v) && Object.entries(v).every(([k, x]) => k === 'fn' || k === 'type' || frozen(x)));
  assert.ok(frozen(p));
  const json = JSON.parse(JSON.stringify(p, (k, v: unknown) => (k === 'type' || k === 'fn' ? undefined : v)));
  assert.deepEqual(json, {
    abi: 'aapcs64',
    args: [
      { index: 0, pieces: [{ from: 0, size: 4, to: { kind: 'gpr', index: 0 }, extend: 'zero' }], byReference: false },
      { index: 1, pieces: [{ from: 0, size: 8, to: { kind: 'gpr', index: 1 } }], byReference: true },
      { index: 2, pieces: [{ from: 0, size: 4, to: { kind: 'gpr', index: 2 } }], byReference: false },
    ],
    ret: { kind: 'regs', pieces: [{ from: 0, size: 4, to: { kind: 'fpr', index: 0 } }, { from: 4, size: 4, to: { kind: 'fpr', index: 1 } }] },
    stackSize: 0, calleePops: 0,
    vectorCount: 0,
    variadic: false,
  });
});
