// Area: abi/sysv-x86_64. Purpose: eightbyte classification of structs, unions, arrays and
// bitfields by value (AMD64 psABI §3.2.3), as arguments and as return values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describe, plan } from '../dist/abi/index.js';
import type { CType } from '../dist/types/ctype.js';
import {
  array, CHAR, DOUBLE, FLOAT, fn, INT, LONG, PTR, SHORT, struct, UINT, union, VOID,
} from './support-ctypes.js';

/** Where an argument `x` of this type goes when it is the only argument. */
const arg = (t: CType) => describe(plan(fn('f', VOID, [['x', t]]))).replace(/^.*?: /, '');
/** Where a returned value of this type comes back. */
const ret = (t: CType) => describe(plan(fn('f', t, []))).replace(/^.*?: /, '');
const fill = (n: number, t: CType = INT) => Array.from({ length: n }, (_, i) => [`i${i}`, t] as const);

test('struct {float, float}: one SSE eightbyte', () => {
  const s = struct('ff', [['a', FLOAT], ['b', FLOAT]]);
  assert.equal(arg(s), 'x=xmm0[0..8)');
  assert.equal(ret(s), 'ret=xmm0[0..8)');
});

test('struct {double, int}: SSE then INTEGER, mixed in the return registers too', () => {
  const s = struct('di', [['d', DOUBLE], ['i', INT]]);
  assert.equal(arg(s), 'x=xmm0[0..8)+rdi[8..16)');
  assert.equal(ret(s), 'ret=xmm0[0..8)+rax[8..16)');
  const t = struct('ld', [['l', LONG], ['d', DOUBLE]]);
  assert.equal(ret(t), 'ret=rax[0..8)+xmm0[8..16)');
  assert.equal(ret(struct('dd', [['a', DOUBLE], ['b', DOUBLE]])), 'ret=xmm0[0..8)+xmm1[8..16)');
  assert.equal(ret(struct('ll', [['a', LONG], ['b', LONG]])), 'ret=rax[0..8)+rdx[8..16)');
});

test('struct {int, float, double}: INTEGER wins the first eightbyte', () => {
  assert.equal(arg(struct('ifd', [['i', INT], ['f', FLOAT], ['d', DOUBLE]])), 'x=rdi[0..8)+xmm0[8..16)');
  assert.equal(arg(struct('fi', [['f', FLOAT], ['i', INT]])), 'x=rdi[0..8)');
  assert.equal(arg(struct('fd', [['f', FLOAT], ['d', DOUBLE]])), 'x=xmm0[0..8)+xmm1[8..16)');
});

test('arrays classify element by element', () => {
  assert.equal(arg(struct('c3', [['c', array(CHAR, 3)]])), 'x=rdi[0..3)');
  assert.equal(arg(struct('f3', [['f', array(FLOAT, 3)]])), 'x=xmm0[0..8)+xmm1[8..12)');
  assert.equal(ret(struct('f3', [['f', array(FLOAT, 3)]])), 'ret=xmm0[0..8)+xmm1[8..12)');
  assert.equal(arg(struct('f4', [['f', array(FLOAT, 4)]])), 'x=xmm0[0..8)+xmm1[8..16)');
  const pt = struct('pt', [['x', FLOAT], ['y', FLOAT]]);
  assert.equal(arg(struct('pts', [['p', array(pt, 2)]])), 'x=xmm0[0..8)+xmm1[8..16)');
  const sc = struct('sc', [['c', CHAR], ['s', SHORT]]);
  assert.equal(arg(struct('scs', [['x', array(sc, 3)]])), 'x=rdi[0..8)+rsi[8..12)');
});

test('16 bytes go in registers, 17 bytes go to memory', () => {
  assert.equal(arg(struct('c16', [['c', array(CHAR, 16)]])), 'x=rdi[0..8)+rsi[8..16)');
  assert.equal(arg(struct('c17', [['c', array(CHAR, 17)]])), 'x=sp+0[0..17) stack=32');
  assert.equal(ret(struct('c17', [['c', array(CHAR, 17)]])), 'ret=mem(rdi)');
  assert.equal(arg(struct('ddc', [['a', DOUBLE], ['b', DOUBLE], ['c', CHAR]])), 'x=sp+0[0..24) stack=32');
  assert.equal(arg(struct('d4', [['d', array(DOUBLE, 4)]])), 'x=sp+0[0..32) stack=32');
});

test('unions merge the classes of all their members', () => {
  assert.equal(arg(union('uif', [['i', INT], ['f', FLOAT]])), 'x=rdi[0..4)');
  assert.equal(arg(union('uff', [['a', FLOAT], ['b', FLOAT]])), 'x=xmm0[0..4)');
  assert.equal(arg(union('ufd', [['f', array(FLOAT, 2)], ['d', DOUBLE]])), 'x=xmm0[0..8)');
  assert.equal(arg(union('uld', [['l', LONG], ['d', DOUBLE]])), 'x=rdi[0..8)');
  // The int only touches the first eightbyte; the second stays SSE.
  assert.equal(arg(union('uxf', [['i', INT], ['f', array(FLOAT, 4)]])), 'x=rdi[0..8)+xmm0[8..16)');
  assert.equal(arg(union('ucf', [['c', array(CHAR, 12)], ['f', array(FLOAT, 3)]])), 'x=rdi[0..8)+rsi[8..12)');
});

test('nested records are classified by the bytes each field occupies', () => {
  const inner = struct('inner', [['b', INT], ['c', FLOAT]]);
  // inner straddles the eightbytes: b joins a (INTEGER), c joins d (SSE).
  const outer = struct('outer', [['a', INT], ['s', inner], ['d', FLOAT]]);
  assert.equal(outer.size, 16);
  assert.equal(arg(outer), 'x=rdi[0..8)+xmm0[8..16)');
  const p = struct('p', [['x', FLOAT], ['y', FLOAT]]);
  const q = struct('q', [['z', FLOAT], ['w', INT]]);
  assert.equal(arg(struct('pq', [['p', p], ['q', q]])), 'x=xmm0[0..8)+rdi[8..16)');
  const u = union('u', [['f', FLOAT], ['p', PTR]]);
  assert.equal(arg(struct('du', [['d', DOUBLE], ['u', u]])), 'x=xmm0[0..8)+rdi[8..16)');
});

test('a struct that does not fit the remaining registers goes wholly to the stack', () => {
  const ll = struct('ll', [['a', LONG], ['b', LONG]]);
  assert.equal(describe(plan(fn('f', VOID, [...fill(5), ['s', ll], ['last', INT]]))).replace(/^.*?: /, ''),
    'i0=rdi[0..4) i1=rsi[0..4) i2=rdx[0..4) i3=rcx[0..4) i4=r8[0..4) s=sp+0[0..16) last=r9[0..4) stack=16');
  const dd = struct('dd', [['a', DOUBLE], ['b', DOUBLE]]);
  const seven = Array.from({ length: 7 }, (_, i) => [`d${i}`, DOUBLE] as const);
  assert.equal(describe(plan(fn('g', VOID, [...seven, ['s', dd], ['last', DOUBLE]]))).replace(/^.*?: /, ''),
    'd0=xmm0[0..8) d1=xmm1[0..8) d2=xmm2[0..8) d3=xmm3[0..8) d4=xmm4[0..8) d5=xmm5[0..8) ' +
    'd6=xmm6[0..8) s=sp+0[0..16) last=xmm7[0..8) stack=16');
  // Needs one gpr and one xmm: no gpr left, so the xmm stays free for the double after it.
  const di = struct('di', [['d', DOUBLE], ['i', INT]]);
  const p = plan(fn('h', VOID, [...fill(6), ['s', di], ['x', DOUBLE]]));
  assert.deepEqual(p.args[6]!.pieces, [{ from: 0, size: 16, to: { kind: 'stack', offset: 0 } }]);
  assert.deepEqual(p.args[7]!.pieces, [{ from: 0, size: 8, to: { kind: 'fpr', index: 0 } }]);
});

test('stack arguments follow one another in 8-byte slots', () => {
  const c17 = struct('c17', [['c', array(CHAR, 17)]]);
  const c3 = struct('c3', [['c', array(CHAR, 3)]]);
  const p = plan(fn('f', VOID, [...fill(6), ['a', c17], ['b', INT], ['c', c3]]));
  assert.deepEqual(p.args.slice(6).map((a) => a.pieces),
    [[{ from: 0, size: 17, to: { kind: 'stack', offset: 0 } }],
      [{ from: 0, size: 4, to: { kind: 'stack', offset: 24 } }],
      [{ from: 0, size: 3, to: { kind: 'stack', offset: 32 } }]]);
  assert.equal(p.stackSize, 48);
});

test('a packed struct with a misaligned member is MEMORY; a packed but aligned one is not', () => {
  const mis = struct('mis', [['c', CHAR], ['i', INT]], { packed: true });
  assert.equal(mis.size, 5);
  assert.equal(arg(mis), 'x=sp+0[0..5) stack=16');
  assert.equal(ret(mis), 'ret=mem(rdi)');
  assert.equal(arg(struct('ok', [['a', INT], ['b', INT]], { packed: true })), 'x=rdi[0..8)');
  const nested = struct('n', [['c', CHAR], ['s', struct('pf', [['f', FLOAT]])]], { packed: true });
  assert.equal(arg(nested), 'x=sp+0[0..5) stack=16');
});

test('empty structs take no register and no stack slot', () => {
  const empty = struct('empty', []);
  assert.equal(empty.size, 0);
  assert.equal(describe(plan(fn('f', VOID, [['a', INT], ['e', empty], ['b', INT]]))).replace(/^.*?: /, ''),
    'a=rdi[0..4) e=- b=rsi[0..4)');
  const p = plan(fn('g', VOID, [...fill(6), ['e', empty], ['x', INT]]));
  assert.deepEqual(p.args[6]!.pieces, []);
  assert.deepEqual(p.args[7]!.pieces, [{ from: 0, size: 4, to: { kind: 'stack', offset: 0 } }]);
  assert.equal(ret(empty), 'ret=-');
  assert.equal(arg(struct('fe', [['f', FLOAT], ['e', empty], ['g', FLOAT]])), 'x=xmm0[0..8)');
});

test('bitfields are INTEGER in every eightbyte their bits touch', () => {
  assert.equal(arg(struct('bf', [['a', INT, 3], ['b', INT, 5]])), 'x=rdi[0..4)');
  assert.equal(arg(struct('fb', [['f', FLOAT], ['bits', INT, 8]])), 'x=rdi[0..8)');
  assert.equal(arg(struct('db', [['d', DOUBLE], ['x', UINT, 1]])), 'x=xmm0[0..8)+rdi[8..16)');
  const straddle = struct('straddle', [['c', array(CHAR, 7)], ['x', UINT, 16]], { packed: true });
  assert.equal(straddle.size, 9);
  assert.equal(arg(straddle), 'x=rdi[0..8)+rsi[8..9)');
  // A zero-width bitfield only moves the next member.
  assert.equal(arg(struct('z', [['f', FLOAT], ['', INT, 0], ['g', FLOAT]])), 'x=xmm0[0..8)');
  assert.equal(arg(union('ub', [['f', FLOAT], ['b', INT, 3]])), 'x=rdi[0..4)');
});
