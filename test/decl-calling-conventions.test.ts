// Area: decl/parser, types/convention. Purpose: the i386 calling-convention attributes (stdcall,
// fastcall, regparm(N), cdecl; __attribute__, __x__ and MinGW keyword spellings) parse in every
// place gcc takes them to the convention gcc gives (checked with i686 gcc: which function of
// `int (*get(void))(int)` an attribute belongs to, which combinations are errors), are part of
// the function type (its name, its identity), and are refused on anything but a function. Runs
// on any host: only planning is i386's, and the other planners refuse a convention.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cdef, DeclarationError, parseFunctionType, parsePrototype, parseTypeName, TypeScope } from '../dist/decl/index.js';
import type { CType, FunctionType, PointerType } from '../dist/types/index.js';
import { sameType } from '../dist/types/index.js';
import { sameSignature } from '../dist/types/signature.js';
import { AbiError } from '../dist/abi/index.js';
import { plan as planX86_64 } from '../dist/abi/sysv-x86_64.js';
import { plan as planAapcs64 } from '../dist/abi/aapcs64.js';
import { plan as planLp64d } from '../dist/abi/lp64d.js';

const scope = new TypeScope();
cdef('struct s8 { int a, b; }; typedef int __attribute__((fastcall)) (*cb_t)(int, int); typedef int __stdcall st_t(int);', scope);

/** The convention's name of a prototype (or of the function a function pointer points to), '' for the default. */
const conv = (src: string): string => parseFunctionType(src, scope).type.convention?.name ?? '';
const fnOf = (t: CType): FunctionType => {
  if (t.kind === 'function') return t;
  assert.ok(t.kind === 'pointer' && t.to.kind === 'function', `not a function or function pointer: ${t.name}`);
  return (t as PointerType).to as FunctionType;
};

function error(fn: () => unknown): DeclarationError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof DeclarationError, `expected a DeclarationError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

test('every spelling of each convention, in the specifiers and after the declarator', () => {
  for (const [src, name] of [
    ['int __attribute__((stdcall)) f(int)', 'stdcall'],
    ['int __attribute__((__stdcall__)) f(int)', 'stdcall'],
    ['int __attribute((stdcall)) f(int)', 'stdcall'],
    ['__attribute__((stdcall)) int f(int)', 'stdcall'],
    ['int f(int) __attribute__((stdcall))', 'stdcall'],
    ['int __stdcall f(int)', 'stdcall'],
    ['int __attribute__((fastcall)) f(int, int)', 'fastcall'],
    ['int __attribute__((__fastcall__)) f(int, int)', 'fastcall'],
    ['extern int __fastcall f(int, int);', 'fastcall'],
    ['int __attribute__((regparm(1))) f(int)', 'regparm(1)'],
    ['int __attribute__((__regparm__(2))) f(int)', 'regparm(2)'],
    ['int f(int) __attribute__((regparm(1 + 2)));', 'regparm(3)'],
    ['int __attribute__((stdcall, regparm(2))) f(int)', 'stdcall, regparm(2)'],
    ['int __attribute__((regparm(3))) __stdcall f(int)', 'stdcall, regparm(3)'],
    ['int __attribute__((stdcall)) f(int) __attribute__((regparm(1)))', 'stdcall, regparm(1)'],
    ['int __attribute__((cdecl, regparm(2))) f(int)', 'regparm(2)'],
    ['int __attribute__((stdcall, stdcall)) f(int)', 'stdcall'],
  ] as const) {
    assert.equal(conv(src), name, src);
  }
  for (const src of ['int __attribute__((cdecl)) f(int)', 'int __attribute__((__cdecl__)) f(int)', 'int __cdecl f(int)',
    'int __attribute__((regparm(0))) f(int)', 'int f(int)']) {
    assert.equal(parsePrototype(src, scope).type.convention, undefined, `${src}: cdecl is the default`);
  }
  const f = parsePrototype('int __attribute__((fastcall)) f(int a, int b)', scope).type;
  assert.deepEqual(f.convention, { name: 'fastcall', calleePops: true, registers: 'fastcall' });
  assert.deepEqual(parsePrototype('int __attribute__((stdcall, regparm(3))) f(int)', scope).type.convention,
    { name: 'stdcall, regparm(3)', calleePops: true, registers: 3 });
  assert.deepEqual(parsePrototype('int __attribute__((regparm(2))) f(int)', scope).type.convention,
    { name: 'regparm(2)', calleePops: false, registers: 2 });
  assert.ok(Object.isFrozen(f.convention));
});

test('function pointers: at the start of the parenthesized declarator, after the *, in the specifiers, after it all', () => {
  for (const src of [
    'int (__attribute__((stdcall)) *fp)(int)', 'int (* __attribute__((stdcall)) fp)(int)', 'int __attribute__((stdcall)) (*fp)(int)',
    'int (*fp)(int) __attribute__((stdcall))', '__attribute__((stdcall)) int (*fp)(int)', 'int (__stdcall *fp)(int)',
    'int (__stdcall *)(int)', 'int (* __stdcall)(int)', 'st_t *', 'st_t',
  ]) {
    assert.equal(conv(src), 'stdcall', src);
  }
  assert.equal(conv('cb_t'), 'fastcall', 'a typedef of a fastcall function pointer');
  const [td] = cdef('typedef int __attribute__((regparm(2))) rp_t(int, int);', scope);
  assert.equal((td!.type as FunctionType).convention?.name, 'regparm(2)', 'a typedef of a function type');
  const reg = parsePrototype('void reg(void (__stdcall *cb)(int), int (__attribute__((fastcall)) *)(int, int))', scope).type;
  assert.deepEqual(reg.params.map((p) => fnOf(p.type).convention?.name), ['stdcall', 'fastcall'], 'parameters');
  assert.equal(reg.convention, undefined, 'the outer function keeps the default');
  const [s] = cdef('struct cbs { int (__attribute__((stdcall)) *a)(int); void (*b)(void) __attribute__((regparm(1))); rp_t *c; };', scope);
  assert.ok(s!.kind === 'struct');
  assert.deepEqual(s!.type.fields.map((m) => fnOf(m.type).convention?.name), ['stdcall', 'regparm(1)', 'regparm(2)'], 'members');
  const [arr] = cdef('typedef int (__stdcall *table_t[4])(int);', scope);
  assert.ok(arr!.type.kind === 'array');
  assert.equal(fnOf(arr!.type.element).convention?.name, 'stdcall', 'an array of pointers to stdcall functions');
});

test('which function of a function returning a function pointer gets it, as gcc decides', () => {
  // gcc: in the specifiers or after the declarator, get itself; after the inner * or at the start
  // of the parentheses, the function get returns a pointer to.
  const outer = (src: string) => parsePrototype(src, scope).type.convention?.name ?? '';
  const returned = (src: string) => fnOf(parsePrototype(src, scope).type.ret).convention?.name ?? '';
  for (const src of ['int __attribute__((stdcall)) (*get(void))(int)', 'int (*get(void))(int) __attribute__((stdcall))']) {
    assert.deepEqual([outer(src), returned(src)], ['stdcall', ''], src);
  }
  // After the * of a pointer to anything else, they are the function's that returns it.
  assert.deepEqual([outer('void * __attribute__((regparm(3))) f(int)'), parsePrototype('void * __attribute__((regparm(3))) f(int)', scope).type.ret.name],
    ['regparm(3)', 'void *']);
  assert.throws(() => parsePrototype('char * __attribute__((stdcall)) * g(int)', scope), /only applies to function types, not 'char \*'/,
    'gcc: ignored with a warning, as its pointer is followed by another');
  for (const src of ['int (* __attribute__((stdcall)) get(void))(int)', 'int (__attribute__((stdcall)) * get(void))(int)', 'int (__stdcall *get(void))(int)']) {
    assert.deepEqual([outer(src), returned(src)], ['', 'stdcall'], src);
  }
});

test('the convention shows in the type\'s name, which parses back to the same type', () => {
  const proto = (src: string) => parsePrototype(src, scope).type;
  const type = (src: string) => parseTypeName(src, scope);
  const names: [CType, string][] = [
    [proto('int __stdcall f(int)'), '__attribute__((stdcall)) int (int)'],
    [type('int (__fastcall *)(int, int)'), 'int (__attribute__((fastcall)) *)(int, int)'],
    [proto('int __attribute__((stdcall, regparm(2))) f(struct s8 *)'), '__attribute__((stdcall, regparm(2))) int (struct s8 *)'],
    [proto('int __attribute__((stdcall)) (*get(void))(int)'), '__attribute__((stdcall)) int (*(void))(int)'],
    [proto('int (__stdcall *get(void))(int)'), 'int (__attribute__((stdcall)) *(void))(int)'],
    [type('void (*)(int (__attribute__((regparm(3))) *)(int))'), 'void (*)(int (__attribute__((regparm(3))) *)(int))'],
  ];
  for (const [t, name] of names) {
    assert.equal(t.name, name);
    assert.ok(sameType(type(name), t), `${name} parses back to the same type`);
  }
});

test('function types that differ only in convention are different types; equal conventions are the same', () => {
  const t = (src: string) => parsePrototype(src, scope).type;
  const plain = t('int f(int)');
  const std = t('int __stdcall f(int)');
  assert.equal(sameType(plain, std), false);
  assert.equal(sameSignature(plain, std), false, 'a pointer of one type cannot point at the other');
  assert.equal(sameType(std, t('int f(int) __attribute__((__stdcall__))')), true);
  assert.equal(sameType(t('int __attribute__((regparm(2))) f(int)'), t('int __attribute__((regparm(3))) f(int)')), false);
  assert.equal(sameType(t('int __attribute__((regparm(2), stdcall)) f(int)'), t('int __stdcall f(int) __attribute__((regparm(2)))')), true);
  assert.equal(sameType(plain, t('int __cdecl f(int)')), true);
  assert.equal(sameType(parseTypeName('int (*)(int)', scope), parseTypeName('int (__stdcall *)(int)', scope)), false);
  // gcc ignores the attributes for passing a variadic function's arguments, but its type differs all the same.
  const v = t('int __stdcall v(int, ...)');
  assert.equal(v.convention?.name, 'stdcall');
  assert.equal(sameType(v, t('int v(int, ...)')), false);
});

test('gcc\'s incompatible combinations, bad regparm counts and conventions on non-functions are refused, positioned', () => {
  const invalid: [() => unknown, string, number][] = [
    [() => parsePrototype('int __attribute__((stdcall, fastcall)) f(int)', scope), 'stdcall and fastcall attributes are not compatible', 20],
    [() => parsePrototype('int __attribute__((fastcall, regparm(2))) f(int)', scope), 'fastcall and regparm attributes are not compatible', 20],
    [() => parsePrototype('int __attribute__((fastcall, regparm(0))) f(int)', scope), 'fastcall and regparm attributes are not compatible', 20],
    [() => parsePrototype('int __cdecl __stdcall f(int)', scope), 'stdcall and cdecl attributes are not compatible', 5],
    [() => parsePrototype('int __fastcall f(int) __attribute__((cdecl))', scope), 'fastcall and cdecl attributes are not compatible', 38],
    [() => parseFunctionType('int (__attribute__((cdecl)) *fp)(int) __attribute__((stdcall))', scope), 'stdcall and cdecl attributes are not compatible', 21],
    [() => parsePrototype('int __attribute__((regparm(4))) f(int)', scope), "argument to 'regparm' attribute 4 is not in [0, 3]", 28],
    [() => parsePrototype('int __attribute__((regparm)) f(int)', scope), "wrong number of arguments specified for 'regparm' attribute", 20],
    [() => parsePrototype('int __attribute__((regparm(1), regparm(2))) f(int)', scope), "conflicting 'regparm' counts 1 and 2", 20],
    [() => parseFunctionType('cb_t __attribute__((stdcall))', scope), 'stdcall and fastcall attributes are not compatible', 21],
    [() => cdef('int __stdcall x;', scope), "'stdcall' attribute only applies to function types, not 'int'", 5],
    [() => cdef('struct m { int __attribute__((fastcall)) q; };', scope), "'fastcall' attribute only applies to function types, not 'int'", 31],
    [() => cdef('struct m2 { int q __attribute__((stdcall)); };', scope), "'stdcall' attribute only applies to function types, not 'int'", 34],
    [() => cdef('int __stdcall arr[3];', scope), "'stdcall' attribute only applies to function types, not 'int[3]'", 5],
    [() => cdef('int __attribute__((stdcall)) (**pp)(int);', scope), "'stdcall' attribute only applies to function types, not 'int (**)(int)'", 20],
    [() => cdef('struct __attribute__((stdcall)) r { int a; };', scope), "'stdcall' attribute only applies to function types", 23],
    [() => cdef('typedef int __attribute__((regparm(2))) myint;', scope), "'regparm' attribute only applies to function types, not 'int'", 28],
    [() => parseTypeName('int __stdcall', scope), "'stdcall' attribute only applies to function types, not 'int'", 5],
  ];
  for (const [fn, reason, column] of invalid) {
    const e = error(fn);
    assert.equal(e.reason, reason);
    assert.equal(e.code, 'ERR_TRAMPFD_DECL_INVALID', reason);
    assert.equal(e.column, column, reason);
  }
  for (const a of ['thiscall', 'vectorcall', 'sseregparm', 'ms_abi', 'callee_pop_aggregate_return(1)']) {
    const e = error(() => parsePrototype(`int __attribute__((${a})) f(int)`, scope));
    assert.equal(e.code, 'ERR_TRAMPFD_DECL_UNSUPPORTED', a);
  }
});

test('the other targets\' planners refuse a convention, naming it; the default passes', () => {
  const std = parsePrototype('int __stdcall f(int)', scope).type;
  const fast = parseFunctionType('cb_t', scope).type;
  for (const [abi, plan] of [['sysv-x86_64', planX86_64], ['aapcs64', planAapcs64], ['riscv-lp64d', planLp64d]] as const) {
    assert.throws(() => plan(std), (e) => e instanceof AbiError && e.reason === 'calling-convention' && e.abi === abi
      && e.message.startsWith(`${abi}: `) && /the stdcall calling convention exists only on i386/.test(e.message)
      && /trampfd refuses it rather than silently change the declaration's meaning/.test(e.message), abi);
    assert.throws(() => plan(fast), (e) => e instanceof AbiError && /the fastcall calling convention/.test(e.message), abi);
    assert.equal(plan(parsePrototype('int __cdecl f(int)', scope).type).args.length, 1, `${abi}: cdecl is the default`);
  }
});
