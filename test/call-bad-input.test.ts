// Area: library/call path. Purpose: no user input crashes the process. Wrong argument counts
// and kinds, out-of-range numbers, unrepresentable pointers, bad declarations, missing symbols
// and libraries all throw a JS error with a fixed class and code whose message says what and
// where ("argument 2 (n) of f"); after each one the next call still works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cdef, DeclarationError, load, LoadError, memory, TrampfdRangeError, TrampfdTypeError,
} from '../dist/index.js';
import { HOST } from '../dist/targets/index.js';

/** Plain char's range is the target's: [-128, 127] on x86-64, [0, 255] on AArch64 (as a RegExp source). */
const charRange = HOST.model.charSigned ? '\\[-128, 127\\]' : '\\[0, 255\\]';
/** 8-byte pointers and size_t (LP64) or 4-byte ones (ILP32, i386). */
const PTR8 = HOST.model.sizes.pointer === 8;
/** size_t's range as a size-like message states it: capped at 2^53 - 1 where size_t is wider (a RegExp source). */
const sizeRange = PTR8 ? '\\[0, 9007199254740991\\]' : '\\[0, 4294967295\\]';

// Declarations are widened to `string` on purpose: these calls are wrong by design, and the
// typed signatures (src/typed.ts) would refuse them at compile time.
const libc = load(null);

cdef(`
  struct bi_pt { int x; double y; };
  struct bi_arr { int a[3]; };
  struct bi_huge { char c[9000000]; };
`);

type ErrorClass = new (...args: any[]) => Error;

/** `fn` throws an instance of `cls` whose code is `code` and whose message matches `message`. */
function rejects(fn: () => unknown, cls: ErrorClass, code: string | undefined, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    assert.equal((e as { code?: string }).code, code, (e as Error).message);
    assert.match((e as Error).message, message);
    return true;
  });
}

const TYPE = 'ERR_TRAMPFD_VALUE_TYPE';
const RANGE = 'ERR_TRAMPFD_VALUE_RANGE';
const strncmp = libc.func('int strncmp(const char *a, const char *b, size_t n)' as string);
/** After every error the frame stack must be intact: a plain call still gives the right answer. */
const stillWorks = () => assert.equal(strncmp('abc', 'abd', 3) < 0, true);

test('wrong argument counts', () => {
  const abs = libc.func('int abs(int n)' as string);
  rejects(() => abs(), TrampfdTypeError, TYPE, /^abs expects 1 argument, got 0$/);
  rejects(() => abs(1, 2), TrampfdTypeError, TYPE, /^abs expects 1 argument, got 2$/);
  rejects(() => strncmp('a', 'b'), TrampfdTypeError, TYPE, /^strncmp expects 3 arguments, got 2$/);
  const snprintf = libc.func('int snprintf(char *buf, size_t n, const char *fmt, ...)' as string);
  rejects(() => snprintf(Buffer.alloc(8)), TrampfdTypeError, TYPE, /^snprintf expects at least 3 arguments, got 1$/);
  stillWorks();
});

test('wrong kinds for integer parameters name the parameter', () => {
  const abs = libc.func('int abs(int n)' as string);
  const int = /^abs: argument 1 \(n\): expected an integer in \[-2147483648, 2147483647\], got /;
  for (const v of ['1', 1n, true, null, undefined, {}, [], () => 1, Symbol('s')]) {
    rejects(() => abs(v), TrampfdTypeError, TYPE, int);
  }
  rejects(() => abs('1'), TrampfdTypeError, TYPE, /got "1"$/);
  const toupper = libc.func('int toupper(char c)' as string);
  rejects(() => toupper('a'), TrampfdTypeError, TYPE, new RegExp(`^toupper: argument 1 \\(c\\): expected an integer in ${charRange}, got "a"$`));
  const fabs = libc.func('double fabs(double x)' as string);
  rejects(() => fabs('1'), TrampfdTypeError, TYPE, /^fabs: argument 1 \(x\): expected a number, got "1"$/);
  rejects(() => fabs(1n), TrampfdTypeError, TYPE, /^fabs: argument 1 \(x\): expected a number, got 1n$/);
  const takesBool = libc.func('int abs(bool b)' as string);
  rejects(() => takesBool(1), TrampfdTypeError, TYPE, /^abs: argument 1 \(b\): expected a boolean, got 1$/);
  stillWorks();
});

test('out-of-range integers: 2**31 for int, -1 for unsigned, 1.5, NaN, past-safe for long/size_t', () => {
  const abs = libc.func('int abs(int n)' as string);
  const int = /^abs: argument 1 \(n\): expected an integer in \[-2147483648, 2147483647\], got /;
  for (const v of [2 ** 31, -(2 ** 31) - 1, 1.5, NaN, Infinity]) rejects(() => abs(v), TrampfdRangeError, RANGE, int);
  assert.equal(abs(-(2 ** 31) + 1), 2 ** 31 - 1);
  assert.equal(abs(-0), 0);
  const htonl = libc.func('unsigned int htonl(unsigned int v)' as string);
  rejects(() => htonl(-1), TrampfdRangeError, RANGE, /^htonl: argument 1 \(v\): expected an integer in \[0, 4294967295\], got -1$/);
  rejects(() => htonl(2 ** 32), TrampfdRangeError, RANGE, /got 4294967296$/);
  const toupper = libc.func('int toupper(char c)' as string);
  rejects(() => toupper(300), TrampfdRangeError, RANGE, new RegExp(`^toupper: argument 1 \\(c\\): expected an integer in ${charRange}, got 300$`));
  const labs = libc.func('long labs(long n)' as string);
  rejects(() => labs(2 ** 53), TrampfdRangeError, RANGE, /^labs: argument 1 \(n\): expected a safe integer/);
  rejects(() => labs(1.5), TrampfdRangeError, RANGE, /^labs: argument 1 \(n\): /);
  rejects(() => strncmp('a', 'b', -1), TrampfdRangeError, RANGE, new RegExp(`^strncmp: argument 3 \\(n\\): expected a safe integer in ${sizeRange}, got -1$`));
  if (!PTR8) rejects(() => strncmp('a', 'b', 2 ** 32), TrampfdRangeError, RANGE, /^strncmp: argument 3 \(n\): .*got 4294967296$/);
  const llabs = libc.func('long long llabs(long long n)' as string);
  rejects(() => llabs(2n ** 63n), TrampfdRangeError, RANGE, /^llabs: argument 1 \(n\): .*got 9223372036854775808n$/);
  assert.equal(llabs(-5), 5n, 'a safe-integer number is accepted for a bigint type');
  stillWorks();
});

test('unrepresentable and malformed pointers, as arguments and as return values', () => {
  const strlen = libc.func('size_t strlen(const char *s)' as string);
  const ptr = /^strlen: argument 1 \(s\): expected a pointer/;
  // A 4-byte pointer (ILP32) holds [0, 2^32): 2^32 is unrepresentable there too.
  for (const v of [2 ** 53 + 2, 2 ** 64, -1, -(2 ** 53), 1.5, NaN, 2n ** 64n, -1n, ...(PTR8 ? [] : [2 ** 32, 2n ** 32n])]) {
    rejects(() => strlen(v), TrampfdRangeError, RANGE, ptr);
  }
  rejects(() => strlen({}), TrampfdTypeError, TYPE, /^strlen: argument 1 \(s\): expected a pointer \(number, null, Uint8Array\/Buffer\/ArrayBuffer, string\), got an object/);
  rejects(() => strlen(true), TrampfdTypeError, TYPE, ptr);
  rejects(() => strlen(undefined), TrampfdTypeError, TYPE, ptr);
  // A returned pointer that a number cannot hold exactly is an error, not a rounded address.
  const asPointer = libc.func('void *strtoull(const char *s, char **end, int base)' as string);
  const asSize = libc.func('size_t strtoull(const char *s, char **end, int base)' as string);
  if (!PTR8) {
    // A 4-byte pointer or size_t result is eax, the low word of strtoull's edx:eax: every value a
    // 4-byte register holds is a safe integer, so nothing is unrepresentable there.
    assert.equal(asPointer('18446744073709551615', null, 10), 2 ** 32 - 1);
    assert.equal(asPointer('4294971392', null, 10), 0x1000);
    assert.equal(asSize('4294967295', null, 10), 2 ** 32 - 1);
    stillWorks();
    return;
  }
  rejects(() => asPointer('18446744073709551615', null, 10), TrampfdRangeError, RANGE, /^strtoull: return value: pointer value 18446744073709551615 is not a safe integer/);
  rejects(() => asPointer('9007199254740994', null, 10), TrampfdRangeError, RANGE, /^strtoull: return value: /);
  assert.equal(asPointer('9007199254740991', null, 10), 2 ** 53 - 1);
  assert.equal(asSize('9007199254740993', null, 10), 9007199254740993n, 'a size_t beyond 2^53 is an exact bigint');
  stillWorks();
});

test('pointer errors describe the offending value once ("got undefined", not "got undefined undefined")', () => {
  const strlen = libc.func('size_t strlen(const char *s)' as string);
  rejects(() => strlen(undefined), TrampfdTypeError, TYPE, /^strlen: argument 1 \(s\): .*, got undefined$/);
  rejects(() => strlen(false), TrampfdTypeError, TYPE, /^strlen: argument 1 \(s\): .*, got (boolean )?false$/);
});

test('strings: NUL inside a const char * string, any string for a non-const char * or void *', () => {
  const strlen = libc.func('size_t strlen(const char *s)' as string);
  rejects(() => strlen('a\0b'), TrampfdTypeError, TYPE, /^strlen: argument 1 \(s\): string contains a NUL character/);
  const strcpy = libc.func('char *strcpy(char *dst, const char *src)' as string);
  rejects(() => strcpy('x', 'y'), TrampfdTypeError, TYPE,
    /^strcpy: argument 1 \(dst\): a string is accepted only for 'const char \*' parameters, this is 'char \*'$/);
  const memchr = libc.func('void *memchr(const void *s, int c, size_t n)' as string);
  rejects(() => memchr('abc', 98, 3), TrampfdTypeError, TYPE, /^memchr: argument 1 \(s\): a string is accepted only for 'const char \*'/);
  // A long string (pinned outside the frame) followed by a bad argument leaves nothing behind.
  const long = 'y'.repeat(2_000_000);
  rejects(() => strncmp(long, long, -1), TrampfdRangeError, RANGE, /^strncmp: argument 3 \(n\)/);
  assert.equal(strncmp(long, long, long.length), 0);
  stillWorks();
});

test('structs by value: a number, null, an extra member, a wrong member type (a missing one is zero)', () => {
  const byVal = libc.func('int abs(struct bi_pt p)' as string);
  rejects(() => byVal(5), TrampfdTypeError, TYPE, /^abs: argument 1 \(p\): expected an object for struct bi_pt, got 5$/);
  rejects(() => byVal(null), TrampfdTypeError, TYPE, /^abs: argument 1 \(p\): expected an object for struct bi_pt, got null$/);
  assert.equal(byVal({ x: -3 }), 3, 'a member left out is zero, as in a C initialiser');
  rejects(() => byVal({ x: 1, y: 'a' }), TrampfdTypeError, TYPE, /^abs: argument 1 \(p\), member y: expected a number, got "a"$/);
  rejects(() => byVal({ x: 1, y: 2, z: 3 }), TrampfdTypeError, TYPE, /^abs: argument 1 \(p\): struct bi_pt has no member 'z'$/);
  rejects(() => byVal({ x: 2 ** 31, y: 2 }), TrampfdRangeError, RANGE, /^abs: argument 1 \(p\), member x: expected an integer/);
  const arr = libc.func('int abs(struct bi_arr h)' as string);
  rejects(() => arr({ a: [1] }), TrampfdRangeError, RANGE, /^abs: argument 1 \(h\), member a: expected 3 elements for int\[3\], got 1$/);
  rejects(() => arr({ a: 5 }), TrampfdTypeError, TYPE, /^abs: argument 1 \(h\).*expected an array of 3 for int\[3\], got 5$/);
  // Larger than the 8 MiB frame stack: an error, not a write past its end.
  const huge = libc.func('int abs(struct bi_huge h)' as string);
  rejects(() => huge({ c: [] }), TrampfdRangeError, RANGE, /^abs: the frame stack is exhausted/);
  const hugeRet = libc.func('struct bi_huge abs(int n)' as string);
  rejects(() => hugeRet(1), TrampfdRangeError, RANGE, /^abs: the frame stack is exhausted/);
  stillWorks();
});

test('variadic arguments: a value out of its pair type, too few fixed arguments', () => {
  const snprintf = libc.func('int snprintf(char *buf, size_t n, const char *fmt, ...)' as string);
  const b = Buffer.alloc(64);
  rejects(() => snprintf(b, 64, '%d', ['int', 2 ** 31]), TrampfdRangeError, RANGE,
    /^snprintf: argument 4: expected an integer in \[-2147483648, 2147483647\], got 2147483648$/);
  rejects(() => snprintf(b, 64, '%p', ['void *', -1]), TrampfdRangeError, RANGE, /^snprintf: argument 4: expected a pointer/);
  rejects(() => snprintf(b, 64, '%s', ['char *', 'x']), TrampfdTypeError, TYPE, /^snprintf: argument 4: a string is accepted only/);
  stillWorks();
});

test('variadic arguments: undefined or a symbol is a TrampfdTypeError with the value code', () => {
  const snprintf = libc.func('int snprintf(char *buf, size_t n, const char *fmt, ...)' as string);
  const b = Buffer.alloc(64);
  rejects(() => snprintf(b, 64, '%d', undefined), TrampfdTypeError, TYPE,
    /^snprintf: argument 4: cannot pass undefined as a variadic argument; use a \[type, value\] pair$/);
  rejects(() => snprintf(b, 64, '%d', Symbol('s')), TrampfdTypeError, TYPE, /^snprintf: argument 4: cannot pass symbol/);
  stillWorks();
});

test('variadic arguments: an unknown type name in a [type, value] pair names the argument', () => {
  const snprintf = libc.func('int snprintf(char *buf, size_t n, const char *fmt, ...)' as string);
  rejects(() => snprintf(Buffer.alloc(64), 64, '%d %d', 1, ['nosuchtype', 1]), DeclarationError, 'ERR_TRAMPFD_DECL_UNKNOWN',
    /snprintf: argument 5.*unknown type name 'nosuchtype'|unknown type name 'nosuchtype'.*snprintf: argument 5/s);
  stillWorks();
});

test('a plain boolean variadic argument is passed as an int (library.ts defaultVariadicType)', () => {
  const snprintf = libc.func('int snprintf(char *buf, size_t n, const char *fmt, ...)' as string);
  const b = Buffer.alloc(64);
  assert.equal(snprintf(b, 64, '%d %d', true, false), 3);
  assert.equal(b.toString('utf8', 0, 3), '1 0');
});

test('declarations: unknown type names and syntax errors are DeclarationErrors with line and column', () => {
  const at = (fn: () => unknown, code: string, reason: RegExp, line: number, column: number) =>
    assert.throws(fn, (e: unknown) => {
      assert.ok(e instanceof DeclarationError, String(e));
      assert.equal(e.code, code);
      assert.match(e.reason, reason);
      assert.deepEqual([e.line, e.column], [line, column], e.message);
      assert.match(e.message, new RegExp(`at ${line}:${column}\\n`));
      return true;
    });
  at(() => libc.func('int abs(nosuch_t n)' as string), 'ERR_TRAMPFD_DECL_UNKNOWN', /^unknown type name 'nosuch_t'$/, 1, 9);
  at(() => libc.func('int strncmp(const char *a,\n  struct bi_nope b, size_t n)' as string), 'ERR_TRAMPFD_DECL_INVALID',
    /^parameter 'b' has incomplete type 'struct bi_nope'$/, 2, 18);
  at(() => libc.func('int abs(int n' as string), 'ERR_TRAMPFD_DECL_SYNTAX', /^expected '\)' before end of input$/, 1, 14);
  at(() => libc.func('int abs(int é)' as string), 'ERR_TRAMPFD_DECL_SYNTAX', /^unexpected character "é"$/, 1, 13);
  at(() => libc.func('' as string), 'ERR_TRAMPFD_DECL_SYNTAX', /^empty declaration$/, 1, 1);
  at(() => libc.func('long double fabsl(long double x)' as string), 'ERR_TRAMPFD_DECL_UNSUPPORTED', /long double/, 1, 1);
  at(() => cdef('struct bi_x {\n  int a;\n  nosuch b;\n};'), 'ERR_TRAMPFD_DECL_UNKNOWN', /^unknown type name 'nosuch'$/, 3, 3);
  at(() => memory.sizeof('bi_never_t'), 'ERR_TRAMPFD_DECL_UNKNOWN', /^unknown type name 'bi_never_t'$/, 1, 1);
  at(() => memory.sizeof('struct bi_never_defined'), 'ERR_TRAMPFD_DECL_INVALID', /^incomplete type 'struct bi_never_defined'/, 1, 1);
  stillWorks();
});

test('func() arguments that are not declarations', () => {
  rejects(() => libc.func(42 as unknown as string), TypeError, 'ERR_TRAMPFD_VALUE_TYPE', /^func\(declaration\) expects a string, got number$/);
  rejects(() => libc.func('int (int)' as string), LoadError, 'ERR_TRAMPFD_LOAD', /needs a function name/);
});

test('unknown symbols and missing libraries are LoadErrors naming the symbol and the library', () => {
  rejects(() => libc.func('int no_such_function_xyz(int)' as string), LoadError, 'ERR_TRAMPFD_LOAD',
    /^symbol 'no_such_function_xyz' not found in the running process$/);
  rejects(() => load('libz.so.1').func('int no_such_zfunc(void)' as string), LoadError, 'ERR_TRAMPFD_LOAD',
    /^symbol 'no_such_zfunc' not found in libz\.so\.1$/);
  rejects(() => libc.symbol(''), LoadError, 'ERR_TRAMPFD_LOAD', /non-empty string/);
  rejects(() => load('libtrampfd-does-not-exist.so.9'), LoadError, 'ERR_TRAMPFD_LOAD',
    /^cannot load libtrampfd-does-not-exist\.so\.9: .*No such file or directory/);
  rejects(() => load('/nonexistent/dir/libx.so'), LoadError, 'ERR_TRAMPFD_LOAD', /^cannot load \/nonexistent\/dir\/libx\.so: /);
  rejects(() => load('lib\0z.so'), LoadError, 'ERR_TRAMPFD_LOAD', /NUL/);
  rejects(() => load(5 as unknown as string), LoadError, 'ERR_TRAMPFD_LOAD', /^load\(path\) expects a string or null, got number$/);
  stillWorks();
});
