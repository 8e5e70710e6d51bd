// Area: decl/parser + registry. Purpose: cdef registers typedefs, structs, unions and enums the way a C
// compiler would: nesting, anonymous members, constant expressions, redefinition rules, forward declarations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cdef, DeclarationError, parsePrototype, parseTypeName, TypeScope } from '../dist/decl/index.js';
import type { EnumType, PointerType, RecordType } from '../dist/types/index.js';
import { HOST } from '../dist/targets/index.js';

/** LP64 targets have 8-byte long and pointers; i386 (ILP32) 4-byte ones, and double aligned 4. */
const ILP32 = HOST.model.sizes.pointer === 4;
const PTR = HOST.model.sizes.pointer;

const rec = (s: string, scope: TypeScope): RecordType => parseTypeName(s, scope) as RecordType;
const offsets = (r: RecordType): [string, number][] => r.fields.map((f) => [f.name, f.offset]);

test('several definitions in one source, with both comment styles', () => {
  const scope = new TypeScope();
  const decls = cdef(`
    /* a point */ struct point { int x; int y; }; // trailing
    typedef struct point point_t, *point_p;
    union number { int i; double d; };
    enum mode { READ = 1, WRITE = 2, BOTH = READ | WRITE };
    int area(point_t a, point_t b);
    extern int counter;`, scope);
  assert.deepEqual(decls.map((d) => `${d.kind} ${d.name}`),
    ['struct point', 'typedef point_t', 'typedef point_p', 'union number', 'enum mode', 'function area', 'variable counter']);
  assert.equal(rec('union number', scope).size, 8);
  assert.equal((parseTypeName('point_p', scope) as PointerType).to, rec('struct point', scope));
  assert.equal((parseTypeName('enum mode', scope) as EnumType).values.get('BOTH'), 3);
  assert.ok(Object.isFrozen(rec('struct point', scope)) && Object.isFrozen(rec('struct point', scope).fields[0]));
});

test('nested, anonymous and inline records', () => {
  const scope = new TypeScope();
  cdef(`struct outer {
      char tag;
      struct inner { short a; long b; } in;
      union { int i; float f; };
      struct { char x, y; } named;
      struct { int deep; };
    };`, scope);
  const o = rec('struct outer', scope);
  // struct inner is { short; long } (8 bytes aligned 4 on i386, 16 aligned 8 on LP64), as gcc lays it out.
  assert.deepEqual(offsets(o), ILP32
    ? [['tag', 0], ['in', 4], ['', 12], ['named', 16], ['', 20]]
    : [['tag', 0], ['in', 8], ['', 24], ['named', 28], ['', 32]]);
  assert.equal(o.size, ILP32 ? 24 : 40);
  assert.equal(rec('struct inner', scope).size, ILP32 ? 8 : 16); // inner tags have file scope in C
  assert.throws(() => cdef('struct dup { int a; struct { int a; }; };', scope), /duplicate member 'a'/);
});

test('array sizes are integer constant expressions in any base, with enum constants and sizeof', () => {
  const scope = new TypeScope();
  cdef(`enum { N = 4, M = N * 2 };
    struct arrays {
      char a[0x10]; char b[010]; char c[0b101]; char d[(1 << 3) | 1]; char e[N + M - 1];
      char f[sizeof(int) * 2]; char g[_Alignof(double)]; char h['A' - 64]; char i[10 / 3 % 2 ? 7 : 9];
      char j[(unsigned char)300]; char k[-1u >> 30]; char l[sizeof(struct { int x[3]; } *)];
    };`, scope);
  // g is _Alignof(double) (C11's, 4 on i386 as gcc gives it), l the size of a pointer.
  assert.deepEqual(rec('struct arrays', scope).fields.map((f) => f.type.size),
    [16, 8, 5, 9, 11, 8, HOST.model.aligns.double, 1, 7, 44, 3, PTR]);
  for (const bad of ['char z[-1];', 'char z[1 / 0];', 'char z[2147483647 + 1];', 'char z[1.5];', 'char z[UNKNOWN];', 'char z[1 << 40];']) {
    assert.throws(() => cdef(`struct bad { ${bad} };`, scope), DeclarationError, bad);
  }
});

test('enum values: implicit, explicit, expressions, negative and 64-bit; packed enums shrink', () => {
  const scope = new TypeScope();
  cdef(`enum e { A, B, C = 10, D, E = -3, F, G = C + D };
        enum wide { W = 0xffffffffff };
        enum flags { F31 = 1 << 31 };
        enum __attribute__((packed)) small { S1, S2 = 200 };
        enum sneg { SN = -1 } __attribute__((packed));`, scope);
  const e = parseTypeName('enum e', scope) as EnumType;
  assert.deepEqual([...e.values], [['A', 0], ['B', 1], ['C', 10], ['D', 11], ['E', -3], ['F', -2], ['G', 21]]);
  assert.equal(e.base.name, 'int');
  // gcc stores an enum that needs 8 bytes in long where that has 8 bytes, else in long long (i386).
  assert.equal((parseTypeName('enum wide', scope) as EnumType).base.name, ILP32 ? 'unsigned long long' : 'unsigned long');
  assert.equal(parseTypeName('enum wide', scope).size, 8);
  assert.equal((parseTypeName('enum flags', scope) as EnumType).values.get('F31'), -2147483648);
  assert.equal(parseTypeName('enum small', scope).size, 1);
  assert.equal((parseTypeName('enum sneg', scope) as EnumType).base.name, 'signed char');
  assert.equal(parseTypeName('enum e', scope).size, 4);
  assert.throws(() => cdef('enum again { A = 5 };', scope), /redefinition of enumerator 'A'/);
  assert.throws(() => cdef('enum {};', scope), /empty enum/);
});

test('identical redefinitions are allowed, conflicting ones are errors, and a failed cdef changes nothing', () => {
  const scope = new TypeScope();
  const src = 'struct s { int a; char b; }; typedef struct s S; enum k { K1, K2 }; typedef unsigned long size_t;';
  cdef(src, scope);
  const s = rec('struct s', scope);
  cdef(src, scope);
  assert.equal(rec('struct s', scope), s);
  assert.throws(() => cdef('struct s { int a; };', scope), (e: unknown) =>
    e instanceof DeclarationError && e.code === 'ERR_TRAMPFD_DECL_INVALID' && /redefinition of 'struct s'/.test(e.message));
  assert.throws(() => cdef('typedef int S;', scope), /conflicting types for typedef 'S'/);
  // Redefinitions compare scalars by layout (sameType): a conflict needs another size than unsigned
  // long's (unsigned int has the same one on i386) or another signedness, on every target.
  assert.throws(() => cdef(`typedef ${ILP32 ? 'unsigned long long' : 'unsigned int'} size_t;`, scope), /conflicting types for typedef 'size_t'/);
  assert.throws(() => cdef('typedef long size_t;', scope), /conflicting types for typedef 'size_t'/);
  assert.throws(() => cdef('union s { int a; };', scope), /'s' defined as wrong kind of tag/);
  assert.throws(() => cdef('enum k { K1, K2, K3 };', scope), /redefinition of 'enum k'/);
  assert.throws(() => cdef('struct fresh { int x; }; typedef struct fresh F; struct broken { nope y; };', scope), /unknown type name 'nope'/);
  assert.throws(() => parseTypeName('struct fresh', scope), /incomplete type/);
  assert.throws(() => parseTypeName('F', scope), /unknown type name 'F'/);
});

test('forward declarations complete later; pointers and typedefs taken before see the definition', () => {
  const scope = new TypeScope();
  cdef('struct node; typedef struct node node_t; struct list { node_t *head; };', scope);
  const early = parsePrototype('void push(struct node *n)', scope).type.params[0]!.type as PointerType;
  const head = rec('struct list', scope).fields[0]!.type as PointerType;
  assert.equal(head.to.kind, 'struct');
  assert.equal((head.to as RecordType).complete, false);
  assert.throws(() => parsePrototype('void take(node_t n)', scope), /incomplete type 'struct node'/);
  cdef('struct node { int value; struct node *next; };', scope);
  const node = rec('struct node', scope);
  assert.equal(node.complete, true);
  assert.equal(early.to, node);
  assert.equal(head.to, node);
  assert.equal(parseTypeName('node_t', scope), node);
  assert.equal((node.fields[1]!.type as PointerType).to, node);
  assert.ok(Object.isFrozen(head));
  assert.equal(parsePrototype('void take(node_t n)', scope).type.params[0]!.type, node);
});

test('child scopes see their parents, shadow them, and keep their own definitions', () => {
  const root = new TypeScope();
  cdef('typedef int handle; struct shared { int a; };', root);
  const child = root.child();
  assert.equal(parseTypeName('handle', child).name, 'int');
  cdef('typedef long handle; struct local { char c; };', child);
  assert.equal(parseTypeName('handle', child).name, 'long');
  assert.equal(parseTypeName('handle', root).name, 'int');
  assert.throws(() => parseTypeName('struct local', root), /incomplete/);
  assert.equal(parseTypeName('int32_t', child).size, 4);
});

test('function pointer typedefs, flexible array members, _Static_assert, qualifiers everywhere', () => {
  const scope = new TypeScope();
  cdef(`typedef void (*callback_t)(void *user, int code);
    typedef int handler_t(const char *);
    struct msg { int len; char data[]; };
    struct vtable { callback_t cb; handler_t *h; int (*ops[4])(int); };
    _Static_assert(sizeof(struct vtable) == 6 * sizeof(void *), "vtable size");
    const volatile struct cv { int const x; char *restrict p; } ;`, scope);
  assert.equal(rec('struct msg', scope).size, 4);
  assert.equal(rec('struct vtable', scope).size, 6 * PTR);
  assert.equal(rec('struct msg', scope).fields[1]!.type.size, 0);
  assert.equal(parseTypeName('callback_t', scope).name, 'void (*)(void *, int)');
  assert.throws(() => cdef('_Static_assert(sizeof(int) == 8, "int is 8");', scope), /static assertion failed: "int is 8"/);
  assert.throws(() => cdef('struct bad { int n; char d[]; int x; };', scope), /flexible array member not at end of struct/);
  assert.throws(() => cdef('struct bad2 { char d[]; };', scope), /flexible array member in a struct with no other members/);
  assert.throws(() => cdef('typedef int arr[];', scope), /array size missing/);
});

test('attributes: packed and aligned in the usual positions, others ignored or refused', () => {
  const scope = new TypeScope();
  cdef(`struct __attribute__((packed)) p1 { char c; int i; };
    struct p2 { char c; int i; } __attribute__((__packed__));
    typedef struct { char c; int i; } __attribute__((packed)) p3;
    struct a1 { char c; int i __attribute__((aligned(16))); };
    struct a2 { char c; _Alignas(8) char d; alignas(double) char e; } __attribute__((aligned));
    struct m1 { char c; int i __attribute__((packed)); };
    typedef int aligned8 __attribute__((aligned(8)));
    struct uses { char c; aligned8 x; };
    int f(int) __attribute__((nonnull(1), warn_unused_result)) __attribute__((deprecated("no")));`, scope);
  assert.equal(rec('struct p1', scope).size, 5);
  assert.equal(rec('struct p2', scope).size, 5);
  assert.equal(parseTypeName('p3', scope).size, 5);
  assert.equal(rec('struct a1', scope).size, 32);
  // alignas(double) is C11's _Alignof(double): 8 on LP64, 4 on i386 (as gcc gives it).
  assert.deepEqual(offsets(rec('struct a2', scope)), [['c', 0], ['d', 8], ['e', ILP32 ? 12 : 16]]);
  assert.equal(rec('struct a2', scope).align, 16);
  assert.equal(rec('struct m1', scope).size, 5);
  assert.deepEqual(offsets(rec('struct uses', scope)), [['c', 0], ['x', 8]]);
  assert.throws(() => cdef('struct bad { int x __attribute__((aligned(3))); };', scope), /not a power of 2/);
  assert.throws(() => cdef('int g(void) __attribute__((ms_abi));', scope), { code: 'ERR_TRAMPFD_DECL_UNSUPPORTED' });
});

test('bitfields follow the target\'s rules (x86-64 psABI; AAPCS64: unnamed bitfields align the record)', () => {
  const scope = new TypeScope();
  cdef(`struct b1 { char a; int b:3; };
    struct b2 { char a; int :3; };
    struct b3 { char a; int :0; char b; };
    struct b4 { char a; short b:9; char c:7; };
    struct b5 { char a; long long b:40; char c; } __attribute__((packed));
    union u1 { char c; int x:17; };`, scope);
  const sa = (n: string): [number, number] => { const r = rec(n, scope); return [r.size, r.align]; };
  assert.deepEqual(sa('struct b1'), [4, 4]);
  // What gcc and aarch64-linux-gnu-gcc 12 give for these two.
  const unnamedAlign = HOST.model.unnamedBitfieldAligns;
  assert.deepEqual(sa('struct b2'), unnamedAlign ? [4, 4] : [2, 1]);
  assert.deepEqual(sa('struct b3'), unnamedAlign ? [8, 4] : [5, 1]);
  assert.deepEqual(sa('struct b4'), [4, 2]);
  assert.deepEqual(sa('struct b5'), [7, 1]);
  assert.deepEqual(sa('union u1'), [4, 4]);
  const b4 = rec('struct b4', scope).fields;
  assert.deepEqual(b4.map((f) => [f.name, f.offset, f.bitOffset, f.bitWidth]), [['a', 0, undefined, undefined], ['b', 2, 0, 9], ['c', 3, 1, 7]]);
  for (const bad of ['int x:33;', 'bool b:2;', 'int named:0;', 'float f:3;', 'int *p:3;', 'int x:-1;']) {
    assert.throws(() => cdef(`struct bad { ${bad} };`, scope), DeclarationError, bad);
  }
});
