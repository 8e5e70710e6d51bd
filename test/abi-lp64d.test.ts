// Area: abi/lp64d. Purpose: every RISC-V LP64D rule the planner implements (the psABI's integer
// and hardware floating-point calling conventions as GCC does them), hand-checked on any host;
// abi-lp64d-gcc.test.ts checks against GCC itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ABI, plan } from '../dist/abi/lp64d.js';
import { AbiError, describe } from '../dist/abi/index.js';
import type { CType, ScalarRep, ScalarType } from '../dist/types/ctype.js';
import {
  array, BOOL, DOUBLE, enumType, FLOAT, fn, INT, LONG, LONG_DOUBLE, PTR, SCHAR, SHORT, struct, UCHAR,
  UINT, union, USHORT, VOID,
} from './support-ctypes.js';

const INT128: ScalarType = Object.freeze({
  kind: 'scalar', name: '__int128', rep: 'i128' as unknown as ScalarRep, size: 16, align: 16, js: 'bigint',
});

/** Where the arguments and result go, without the signature. */
const at = (ret: CType, params: readonly (readonly [string, CType])[], extra?: readonly CType[]) =>
  describe(plan(fn('f', ret, params, extra !== undefined), extra)).replace(/^.*?: ?/, '');
const n = (count: number, t: CType, p = 'i') => Array.from({ length: count }, (_, i) => [`${p}${i}`, t] as const);
const regs = (count: number, t: CType, p: string, reg: string) =>
  Array.from({ length: count }, (_, i) => `${p}${i}=${reg}${i}[0..8)`).join(' ');

const FF = struct('ff', [['a', FLOAT], ['b', FLOAT]]);
const ID = struct('id', [['i', INT], ['d', DOUBLE]]);
const A16 = struct('a16', [['a', LONG], ['b', LONG]], { aligned: 16 });

test('int add(int, int): a0, a1, result in a0, each sign-extended to 64 bits', () => {
  assert.equal(describe(plan(fn('add', INT, [['a', INT], ['b', INT]]))), 'add(int a, int b) -> int: a=a0[0..8)sx b=a1[0..8)sx ret=a0[0..8)sx');
  assert.equal(ABI, 'riscv-lp64d');
});

test('narrow integers are extended by their type to 32 bits, then sign-extended: unsigned int too', () => {
  assert.equal(at(VOID, [['u', UINT], ['c', SCHAR], ['d', UCHAR], ['b', BOOL], ['h', SHORT], ['w', USHORT], ['e', enumType('color')]]),
    'u=a0[0..8)sx c=a1[0..8)sx d=a2[0..8)zx b=a3[0..8)zx h=a4[0..8)sx w=a5[0..8)zx e=a6[0..8)sx');
  assert.equal(at(UCHAR, []), 'ret=a0[0..8)zx');
  assert.equal(at(LONG, [['p', PTR]]), 'p=a0[0..8) ret=a0[0..8)');
});

test('integers and floats count their registers apart; a float goes to a GPR once fa0..fa7 are used', () => {
  assert.equal(at(DOUBLE, [['p', PTR], ['x', FLOAT], ['l', LONG], ['y', DOUBLE]]), 'p=a0[0..8) x=fa0[0..4) l=a1[0..8) y=fa1[0..8) ret=fa0[0..8)');
  assert.equal(at(VOID, [...n(8, DOUBLE, 'd'), ['f', FLOAT], ['g', DOUBLE]]), `${regs(8, DOUBLE, 'd', 'fa')} f=a0[0..4) g=a1[0..8)`);
  assert.equal(at(VOID, [...n(8, DOUBLE, 'd'), ...n(8, LONG), ['f', FLOAT], ['g', INT]]),
    `${regs(8, DOUBLE, 'd', 'fa')} ${regs(8, LONG, 'i', 'a')} f=sp+0[0..4) g=sp+8[0..8)sx stack=16`);
});

test('structs flatten to one or two floats (FPRs) or a float and an integer (an FPR and a GPR), through nesting and arrays', () => {
  const nest = struct('nest', [['a', array(DOUBLE, 1)], ['s', struct('in', [['f', FLOAT]])]]);
  assert.equal(at(FF, [['s', FF], ['t', ID], ['u', nest]]), 's=fa0[0..4)+fa1[4..8) t=a0[0..4)+fa2[8..16) u=fa3[0..8)+fa4[8..12) ret=fa0[0..4)+fa1[4..8)');
  assert.equal(at(struct('f1', [['f', FLOAT]]), []), 'ret=fa0[0..4)');
  assert.equal(at(ID, []), 'ret=a0[0..4)+fa0[8..16)');
  assert.equal(at(VOID, [['e', struct('fe', [['a', FLOAT], ['e', struct('empty', [])], ['b', FLOAT]])]]), 'e=fa0[0..4)+fa1[4..8)');
});

test('a struct that does not flatten, or finds too few registers, takes the integer convention', () => {
  assert.equal(at(VOID, [['p', struct('fp', [['f', FLOAT], ['p', PTR]])], ['u', union('uf', [['a', FLOAT], ['b', FLOAT]])],
    ['t', struct('f3', [['f', array(FLOAT, 3)]])]]), 'p=a0[0..8)+a1[8..16) u=a2[0..4) t=a3[0..8)+a4[8..12)');
  assert.equal(at(VOID, [...n(7, DOUBLE, 'd'), ['s', FF]]), `${regs(7, DOUBLE, 'd', 'fa')} s=a0[0..8)`);
  assert.equal(at(VOID, [...n(8, LONG), ['t', ID]]), `${regs(8, LONG, 'i', 'a')} t=sp+0[0..16) stack=16`);
});

test('composites up to 16 bytes take two GPRs, split between a7 and the stack; bigger ones go by reference, results to a0', () => {
  const big = struct('big', [['a', LONG], ['b', LONG], ['c', LONG]]);
  const two = struct('two', [['a', LONG], ['b', INT]]);
  assert.equal(at(big, [['x', big], ['y', two]]), 'x=ref(a1[0..8)) y=a2[0..8)+a3[8..16) ret=mem(a0)');
  assert.equal(at(VOID, [...n(7, LONG), ['y', two], ['z', INT]]), `${regs(7, LONG, 'i', 'a')} y=a7[0..8)+sp+0[8..16) z=sp+8[0..8)sx stack=16`);
  assert.equal(at(struct('e', []), [['e', struct('e', [])], ['x', INT]]), 'e=- x=a0[0..8)sx ret=-');
  const p = plan(fn('f', VOID, [['x', big]]));
  assert.equal(p.args[0]!.byReference, true);
});

test('variadic arguments take the integer convention; 16-aligned ones an even register pair or a 16-aligned stack slot', () => {
  assert.equal(at(INT, [['fmt', PTR]], [FLOAT, DOUBLE, A16, FF]), 'fmt=a0[0..8) #1=a1[0..8) #2=a2[0..8) #3=a4[0..8)+a5[8..16) #4=a6[0..8) ret=a0[0..8)sx');
  assert.equal(at(INT, [...n(7, LONG)], [A16, INT]), `${regs(7, LONG, 'i', 'a')} #7=sp+0[0..16) #8=sp+16[0..8)sx ret=a0[0..8)sx stack=32`);
  assert.equal(at(INT, [['a', A16]]), 'a=a0[0..8)+a1[8..16) ret=a0[0..8)sx', 'a named one takes the next registers');
});

test('long double and __int128 are refused with the reason; bad variadic use too', () => {
  for (const [t, re] of [[LONG_DOUBLE, /riscv-lp64d: argument 0 'x' of 'f': 'long double' is a 128-bit quad-precision float on RISC-V/],
    [INT128, /'__int128' is a 128-bit integer/]] as const) {
    assert.throws(() => plan(fn('f', VOID, [['x', t]])), (e) => e instanceof AbiError && re.test(e.message));
    assert.throws(() => plan(fn('f', t, [])), (e) => e instanceof AbiError && /return value/.test(e.message));
  }
  assert.throws(() => plan(fn('f', VOID, [['x', INT]]), [INT]), (e) => e instanceof AbiError && e.reason === 'variadic-mismatch');
  assert.throws(() => plan(fn('f', VOID, [['x', struct('l', [['d', LONG_DOUBLE]])]])), AbiError);
});

test('plans are frozen', () => {
  const p = plan(fn('f', FF, [['s', FF]]));
  assert.ok(Object.isFrozen(p) && Object.isFrozen(p.args[0]!.pieces[0]) && Object.isFrozen(p.ret));
});
