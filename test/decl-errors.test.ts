// Area: decl/errors. Purpose: every malformed declaration throws a DeclarationError with a fixed code,
// the line and column of the problem, and a caret excerpt of that source line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cdef, DeclarationError, parseFunctionType, parsePrototype, parseTypeName, TypeScope } from '../dist/decl/index.js';
import { HOST } from '../dist/targets/index.js';

const scope = new TypeScope();

function error(fn: () => unknown): DeclarationError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof DeclarationError, `expected a DeclarationError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

test('message: reason, line:column, the source line and a caret under the column', () => {
  const e = error(() => parsePrototype('int add(int a, int b', scope));
  assert.equal(e.message, "expected ')' before end of input at 1:21\n  int add(int a, int b\n                      ^");
  assert.equal(e.reason, "expected ')' before end of input");
  assert.deepEqual([e.line, e.column, e.code, e.name], [1, 21, 'ERR_TRAMPFD_DECL_SYNTAX', 'DeclarationError']);
  const f = error(() => parsePrototype('int add(int a int b)', scope));
  assert.equal(f.message, "expected ')', got 'int' at 1:15\n  int add(int a int b)\n                ^");
});

test('positions on later lines, after comments and tabs', () => {
  const e = error(() => cdef('struct ok { int a; };\n/* note */ struct bad {\n\tint a;\n\tfloaty b;\n};', scope));
  assert.deepEqual([e.line, e.column, e.code], [4, 2, 'ERR_TRAMPFD_DECL_UNKNOWN']);
  assert.match(e.message, /unknown type name 'floaty' at 4:2\n {3}floaty b;\n {3}\^$/);
});

test('codes sort the errors: syntax, unknown, unsupported, invalid', () => {
  const cases: [() => unknown, string, string, number][] = [
    [() => parsePrototype('int f(int', scope), 'ERR_TRAMPFD_DECL_SYNTAX', "expected ')'", 10],
    [() => parsePrototype('int f(int) extra', scope), 'ERR_TRAMPFD_DECL_SYNTAX', "unexpected 'extra' after the declaration", 12],
    [() => parsePrototype('int f(int x @)', scope), 'ERR_TRAMPFD_DECL_SYNTAX', 'unexpected character "@"', 13],
    [() => parsePrototype('mystery f(void)', scope), 'ERR_TRAMPFD_DECL_UNKNOWN', "unknown type name 'mystery'", 1],
    [() => parsePrototype('void f(enum nope e)', scope), 'ERR_TRAMPFD_DECL_UNKNOWN', "unknown enum 'nope'", 13],
    [() => parsePrototype('long double f(void)', scope), 'ERR_TRAMPFD_DECL_UNSUPPORTED', "unsupported type 'long double'", 1],
    [() => parsePrototype('void f(int n, int a[*])', scope), 'ERR_TRAMPFD_DECL_UNSUPPORTED', 'variable length arrays', 21],
    [() => parsePrototype('short char f(void)', scope), 'ERR_TRAMPFD_DECL_INVALID', "invalid type specifier 'short char'", 1],
    [() => parsePrototype('unsigned signed f(void)', scope), 'ERR_TRAMPFD_DECL_INVALID', 'invalid type specifier', 1],
    [() => parsePrototype('long long long f(void)', scope), 'ERR_TRAMPFD_DECL_INVALID', "duplicate 'long'", 1],
    [() => parsePrototype('int double f(void)', scope), 'ERR_TRAMPFD_DECL_INVALID', "invalid type specifier 'int double'", 1],
    [() => parsePrototype('void f(void a[3])', scope), 'ERR_TRAMPFD_DECL_INVALID', 'array of void', 14],
    [() => parseTypeName('int x', scope), 'ERR_TRAMPFD_DECL_SYNTAX', "unexpected name 'x' in a type name", 5],
    [() => parseTypeName('', scope), 'ERR_TRAMPFD_DECL_SYNTAX', 'empty declaration', 1],
    [() => parseTypeName('  /* only a comment */ ', scope), 'ERR_TRAMPFD_DECL_SYNTAX', 'empty declaration', 24],
    [() => cdef('#define X 1', scope), 'ERR_TRAMPFD_DECL_SYNTAX', 'preprocessor directives are not supported', 1],
    [() => cdef('struct s { int a; /* oops', scope), 'ERR_TRAMPFD_DECL_SYNTAX', 'unterminated comment', 19],
    [() => cdef('struct s { char c[09]; };', scope), 'ERR_TRAMPFD_DECL_SYNTAX', "invalid number '09'", 19],
    [() => cdef('enum { A = 99999999999999999999999 };', scope), 'ERR_TRAMPFD_DECL_SYNTAX', 'is too large', 12],
    [() => cdef("enum { A = 'ab' };", scope), 'ERR_TRAMPFD_DECL_SYNTAX', 'multi-character constant', 12],
    [() => cdef('int f(void) { return 1; }', scope), 'ERR_TRAMPFD_DECL_SYNTAX', 'function bodies are not supported', 13],
    [() => cdef('int x = 3;', scope), 'ERR_TRAMPFD_DECL_SYNTAX', 'initializers are not supported', 7],
    [() => cdef('typedef void v; v x;', scope), 'ERR_TRAMPFD_DECL_INVALID', "variable 'x' declared void", 19],
    [() => cdef('struct s { int a:3.5; };', scope), 'ERR_TRAMPFD_DECL_INVALID', 'floating constant', 18],
    [() => parseFunctionType('int', scope), 'ERR_TRAMPFD_DECL_INVALID', "expected a function or function pointer type, got 'int'", 1],
  ];
  for (const [fn, code, reason, column] of cases) {
    const e = error(fn);
    assert.equal(e.code, code, e.message);
    assert.ok(e.reason.includes(reason), `${e.reason} should include ${reason}`);
    assert.equal(e.column, column, e.message);
  }
});

test('deep nesting is refused with a position instead of overflowing the stack', () => {
  const e = error(() => parseTypeName(`int ${'('.repeat(100000)}*${')'.repeat(100000)}`, scope));
  assert.equal(e.code, 'ERR_TRAMPFD_DECL_INVALID');
  const g = error(() => cdef(`enum { A = ${'~'.repeat(50000)}1 };`, scope));
  assert.match(g.reason, /nested too deeply/);
  const ok = parseTypeName(`int ${'*'.repeat(256)}`, scope); // a type may have 256 levels (src/decl/parser.ts)
  assert.equal(ok.size, HOST.model.sizes.pointer);
  assert.equal(ok.kind, 'pointer');
  assert.equal(error(() => parseTypeName(`int ${'*'.repeat(257)}`, scope)).column, 5 + 256);
});

test('a non-string declaration is a TypeError, not a crash', () => {
  assert.throws(() => parsePrototype(undefined as unknown as string, scope), TypeError);
});
