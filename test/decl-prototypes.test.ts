// Area: decl/parser. Purpose: C prototypes, function pointer types and type names parse to the
// right FunctionType/CType: storage words, qualifiers, decay, variadics, nested declarators.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cdef, DeclarationError, parseFunctionType, parsePrototype, parseTypeName, TypeScope } from '../dist/decl/index.js';
import type { CType, FunctionType, PointerType } from '../dist/types/index.js';
import { HOST } from '../dist/targets/index.js';

/** Bits of long and of the pointer-sized types: 64 on LP64 targets, 32 on i386 (ILP32). */
const LONG_BITS = HOST.model.sizes.long * 8;
const PTR_BITS = HOST.model.sizes.pointer * 8;

const scope = new TypeScope();
const sig = (src: string): string => parsePrototype(src, scope).type.name;

test('simple prototypes', () => {
  const add = parsePrototype('int add(int a, int b)', scope);
  assert.equal(add.name, 'add');
  assert.equal(add.type.name, 'int (int, int)');
  assert.deepEqual(add.type.params.map((p) => p.name), ['a', 'b']);
  assert.equal(add.type.variadic, false);
  assert.ok(Object.isFrozen(add.type) && Object.isFrozen(add.type.params) && Object.isFrozen(add.type.params[0]));
  assert.equal(parsePrototype('void f(void)', scope).type.params.length, 0);
  assert.equal(parsePrototype('void f()', scope).type.params.length, 0);
  assert.equal(sig('unsigned long long f(signed char, long unsigned int, short int, unsigned)'),
    'unsigned long long (signed char, unsigned long, short, unsigned int)');
  assert.equal(sig('static inline const int f(int);'), 'int (int)');
  assert.equal(sig('extern _Noreturn void exit(int status)'), 'void (int)');
});

test('every spelling of the integer types names the same descriptor', () => {
  const same: [string, string][] = [
    ['long unsigned int', 'unsigned long'], ['int long unsigned', 'unsigned long'], ['signed', 'int'],
    ['unsigned', 'unsigned int'], ['short int', 'short'], ['signed short int', 'short'], ['int short unsigned', 'unsigned short'],
    ['long long int', 'long long'], ['unsigned long long int', 'unsigned long long'], ['long int signed long', 'long long'],
    ['char signed', 'signed char'], ['_Bool', 'bool'],
  ];
  for (const [a, b] of same) assert.equal(parseTypeName(a, scope), parseTypeName(b, scope), a);
  const js = (n: string): string => { const t = parseTypeName(n, scope); return t.kind === 'scalar' ? `${t.rep}/${t.js}` : t.kind; };
  assert.equal(js('int64_t'), 'i64/bigint');
  assert.equal(js('long long'), 'i64/bigint');
  // Size-like types are number-or-bigint ('safe') at the model's width; the 64-bit ones always bigints.
  assert.equal(js('size_t'), `u${PTR_BITS}/safe`);
  assert.equal(js('intptr_t'), `i${PTR_BITS}/safe`);
  assert.equal(js('long'), `i${LONG_BITS}/safe`);
  assert.equal(js('unsigned long'), `u${LONG_BITS}/safe`);
  assert.equal(js('off_t'), `i${LONG_BITS}/safe`);
  assert.equal(js('uintmax_t'), 'u64/bigint');
  assert.equal(js('int_fast32_t'), `i${LONG_BITS}/safe`); // glibc makes it as wide as long
  assert.equal(js('unsigned long long'), 'u64/bigint');
  // Plain char and wchar_t are signed on x86-64, unsigned on AArch64 (the target's DataModel).
  assert.equal(js('char'), HOST.model.charSigned ? 'i8/number' : 'u8/number');
  assert.equal(js('wchar_t'), HOST.model.wcharSigned ? 'i32/number' : 'u32/number');
  assert.equal(js('char16_t'), 'u16/number');
  assert.equal(js('bool'), 'bool/boolean');
  assert.equal(js('float'), 'f32/number');
  assert.equal(parseTypeName('void', scope).kind, 'void');
});

test('const char pointers are cstrings; plain char * and char * const are not', () => {
  const p = (src: string): PointerType => parseTypeName(src, scope) as PointerType;
  for (const s of ['const char *', 'char const *', 'const signed char *', 'const unsigned char *', 'const uint8_t *', 'const char * const']) {
    assert.equal(p(s).cstring, true, s);
  }
  for (const s of ['char *', 'char * const', 'const char **', 'const int *', 'volatile char *']) assert.equal(p(s).cstring, false, s);
  const printf = parsePrototype('int printf(const char *restrict fmt, ...)', scope).type;
  assert.equal(printf.variadic, true);
  assert.equal((printf.params[0]!.type as PointerType).cstring, true);
  assert.equal(printf.name, 'int (const char *, ...)');
  cdef('typedef const char cchar; typedef const char *cstr;', scope);
  assert.equal(p('cchar *').cstring, true);
  assert.equal(p('cstr').cstring, true);
});

test('array and function parameters decay to pointers', () => {
  const f = parsePrototype('void f(int a[10], const char s[], double m[][4], int g(int), int x[static 3])', scope).type;
  assert.deepEqual(f.params.map((p) => p.type.name),
    ['int *', 'const char *', 'double (*)[4]', 'int (*)(int)', 'int *']);
  assert.equal((f.params[1]!.type as PointerType).cstring, true);
});

test('function pointer parameters, unnamed parameters, and functions returning function pointers', () => {
  const q = parsePrototype('void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))', scope);
  assert.equal(q.type.params[3]!.name, 'cmp');
  const cmp = (q.type.params[3]!.type as PointerType).to as FunctionType;
  assert.equal(cmp.kind, 'function');
  assert.equal(cmp.params.length, 2);
  const signal = parsePrototype('void (*signal(int sig, void (*func)(int)))(int)', scope);
  assert.equal(signal.name, 'signal');
  assert.equal(signal.type.name, 'void (*(int, void (*)(int)))(int)');
  const ret = signal.type.ret as PointerType;
  assert.equal(ret.kind, 'pointer');
  assert.equal((ret.to as FunctionType).params[0]!.type.name, 'int');
  assert.equal(sig('int (*(*getter(void))(int))(char)'), 'int (*(*(void))(int))(char)');
  assert.equal(sig('int f(int, char *, struct unknown_yet *)'), 'int (int, char *, struct unknown_yet *)');
});

test('parseFunctionType accepts function types, function pointer types, typedef names and prototypes', () => {
  cdef('typedef int binop(int, int); typedef int (*binop_ptr)(int, int);', scope);
  for (const src of ['int (*)(int, int)', 'int(int, int)', 'binop', 'binop_ptr', 'int add(int a, int b)', 'int (*fp)(int, int)', 'binop *']) {
    assert.equal(parseFunctionType(src, scope).type.name, 'int (int, int)', src);
  }
  assert.equal(parseFunctionType('int (*cb)(int, int)', scope).name, 'cb');
  assert.equal(parseFunctionType('int (*)(int, int)', scope).name, undefined);
  assert.throws(() => parsePrototype('int (*fp)(int)', scope), /expected a function prototype, got 'int \(\*\)\(int\)'/);
  assert.throws(() => parseFunctionType('int *', scope), DeclarationError);
  assert.throws(() => parseFunctionType('int (**)(int)', scope), DeclarationError);
});

test('type names: structs, pointers, arrays, typedefs, pointers to arrays', () => {
  cdef('struct point { int x, y; }; typedef struct point point_t;', scope);
  const t = (s: string): CType => parseTypeName(s, scope);
  assert.equal(t('struct point').size, 8);
  assert.equal(t('point_t'), t('struct point'));
  assert.equal(t('uint8_t[16]').size, 16);
  assert.equal(t('int *[3]').name, 'int *[3]');
  assert.equal(t('int (*)[3]').name, 'int (*)[3]');
  assert.equal(t('int[2][3]').size, 24);
  assert.equal(t('point_t **').name, 'struct point **');
  assert.throws(() => parseTypeName('struct nowhere', scope), /incomplete type 'struct nowhere' has no size or layout/);
  assert.equal(parseTypeName('struct nowhere *', scope).size, HOST.model.sizes.pointer);
  assert.equal(t('int (*)[3]').size, HOST.model.sizes.pointer);
});

test('definitions only in cdef; unsupported types are refused at declaration', () => {
  assert.throws(() => parsePrototype('void f(struct s { int a; } x)', scope), { code: 'ERR_TRAMPFD_DECL_INVALID' });
  for (const src of ['long double f(void)', 'void f(long double)', '__int128 f(void)', 'void f(unsigned __int128)',
    'void f(double _Complex)', '__float128 f(void)', 'void f(_Atomic int)', 'void f(int x __attribute__((vector_size(16))))']) {
    assert.throws(() => parsePrototype(src, scope), (e: unknown) =>
      e instanceof DeclarationError && e.code === 'ERR_TRAMPFD_DECL_UNSUPPORTED', src);
  }
});

test('incomplete records cannot be passed by value, void is not a parameter', () => {
  for (const [src, msg] of [
    ['void f(struct opaque o)', /parameter 'o' has incomplete type 'struct opaque'/],
    ['struct opaque f(void)', /function returns incomplete type 'struct opaque'/],
    ['void f(void x)', /parameter 'x' has type void/],
    ['void f(int, void)', /parameter 2 has type void/],
    ['void f(int a, int a)', /redefinition of parameter 'a'/],
    ['int f(int)[3]', /function cannot return an array/],
    ['int f(int)(int)', /function cannot return a function/],
  ] as const) {
    assert.throws(() => parsePrototype(src, scope), msg, src);
  }
});
