// Area: abi/sysv-i386. Purpose: every i386 rule the planner implements, hand-checked against what
// i386 gcc does (cdecl, stdcall, fastcall, regparm(N), stdcall+regparm, variadic functions, results
// in eax, edx:eax, st(0) and memory, who pops what); abi-sysv-i386-gcc.test.ts checks against gcc
// itself. The declarations are parsed, and the type layer builds types for the host's data model,
// so this runs only where process.arch is ia32 (natively, e.g. in scripts/i386-chroot.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ABI, plan } from '../dist/abi/sysv-i386.js';
import { AbiError, describe } from '../dist/abi/index.js';
import { cdef, parsePrototype, parseTypeName, TypeScope } from '../dist/decl/index.js';

const skip = process.arch === 'ia32' ? false
  : `i386 types: needs process.arch ia32 (here ${process.arch}); run it in scripts/i386-chroot.sh`;

const scope = new TypeScope();
if (!skip) {
  cdef(`
    struct s1 { char c; }; struct s2 { short s; }; struct s3 { char c[3]; }; struct s4 { int i; };
    struct s8 { int a, b; }; struct s12 { int a, b, c; }; struct s16 { int a, b, c, d; };
    struct sf { float f; }; struct sd { double d; }; struct sf1 { float f[1]; }; struct sff { float f, g; };
    struct nd { struct {} e; struct sd s; };
    union uf { float f; int i; }; union ud { double d; };
    struct empty {};
    struct __attribute__((aligned(16))) a16 { int x; };
    typedef int i16_t __attribute__((aligned(16)));
    struct w16 { i16_t x; int y; };
    struct __attribute__((aligned(32))) w32 { i16_t x; };
    struct m16 { int y; int x __attribute__((aligned(16))); };
    enum e8 { E8 } __attribute__((packed));
  `, scope);
}

/** Where the arguments and result of prototype `src` go (with `extra` variadic argument types), without the signature. */
const at = (src: string, extra: readonly string[] = []) =>
  describe(plan(parsePrototype(src, scope).type, extra.map((t) => parseTypeName(t, scope)))).replace(/^[^:]*: ?/, '');

test('cdecl: every argument on the stack in 4-byte slots, double and long long 4-aligned; esp 16-aligned', { skip }, () => {
  const p = plan(parsePrototype('int add(int a, int b)', scope).type);
  assert.equal(describe(p), '(int a, int b) -> int: a=sp+0[0..4) b=sp+4[0..4) ret=eax[0..4) stack=16');
  assert.equal(p.abi, ABI);
  assert.equal(ABI, 'sysv-i386');
  assert.equal(p.calleePops, 0);
  assert.equal(at('void f(int a, double d, long long l, void *p)'), 'a=sp+0[0..4) d=sp+4[0..8) l=sp+12[0..8) p=sp+20[0..4) stack=32');
  assert.equal(at('void f(struct s3 a, struct s12 b, char c)'), 'a=sp+0[0..3) b=sp+4[0..12) c=sp+16[0..4)sx stack=32');
});

test('narrow integers are extended to 32 bits by their type, in registers and on the stack', { skip }, () => {
  assert.equal(at('void f(signed char a, unsigned char b, short c, unsigned short d, bool e, enum e8 g)'),
    'a=sp+0[0..4)sx b=sp+4[0..4)zx c=sp+8[0..4)sx d=sp+12[0..4)zx e=sp+16[0..4)zx g=sp+20[0..4)zx stack=32');
  assert.equal(at('void __attribute__((regparm(2))) f(char a, unsigned short b)'), 'a=eax[0..4)sx b=edx[0..4)zx');
  assert.equal(at('char f(void)'), 'ret=eax[0..1)', 'results are not extended: readers use the low bytes');
});

test('results: eax, edx:eax for 8-byte integers, st(0) for float and double', { skip }, () => {
  assert.equal(at('long long f(void)'), 'ret=eax[0..4)+edx[4..8)');
  assert.equal(at('unsigned long f(void)'), 'ret=eax[0..4)');
  assert.equal(at('void *f(void)'), 'ret=eax[0..4)');
  assert.equal(at('float f(void)'), 'ret=st0[0..4)');
  assert.equal(at('double f(double x)'), 'x=sp+0[0..8) ret=st0[0..8) stack=16');
});

test('every struct and union result is in memory: the pointer is the first stack slot, which the callee pops (ret $4)', { skip }, () => {
  for (const t of ['struct s1', 'struct s2', 'struct s4', 'struct s8', 'struct sf', 'struct sd', 'union uf', 'struct empty']) {
    const p = plan(parsePrototype(`${t} f(int x)`, scope).type);
    assert.equal(describe(p).replace(/^[^:]*: /, ''), 'x=sp+4[0..4) ret=mem(sp+0) stack=16 pops=4', t);
    assert.equal(p.ret.kind, 'memory');
  }
  assert.equal(at('struct s8 __attribute__((regparm(3))) f(int a)'), 'a=edx[0..4) ret=mem(eax)', 'regparm: the pointer takes eax, nothing to pop');
  assert.equal(at('struct s8 __attribute__((fastcall)) f(int a, int b)'), 'a=edx[0..4) b=sp+0[0..4) ret=mem(ecx) stack=16 pops=4', 'fastcall: ecx');
  assert.equal(at('struct s8 __attribute__((stdcall)) f(int a)'), 'a=sp+4[0..4) ret=mem(sp+0) stack=16 pops=8', 'stdcall: pointer and arguments');
});

test('stdcall: cdecl\'s stack, and the callee pops every argument byte', { skip }, () => {
  assert.equal(at('int __stdcall f(int a, double b, char c)'), 'a=sp+0[0..4) b=sp+4[0..8) c=sp+12[0..4)sx ret=eax[0..4) stack=16 pops=16');
  assert.equal(at('void __attribute__((stdcall)) f(void)'), '', 'nothing to pop');
  assert.equal(at('void __attribute__((stdcall)) f(struct s3 a)'), 'a=sp+0[0..3) stack=16 pops=4', 'slots are whole words');
});

test('fastcall: the first two integer-like words in ecx then edx; long longs and structs go to the stack but use up their words', { skip }, () => {
  assert.equal(at('int __fastcall f(int a, int b, int c)'), 'a=ecx[0..4) b=edx[0..4) c=sp+0[0..4) ret=eax[0..4) stack=16 pops=4');
  assert.equal(at('void __fastcall f(long long a, int b, int c)'), 'a=sp+0[0..8) b=sp+8[0..4) c=sp+12[0..4) stack=16 pops=16');
  assert.equal(at('void __fastcall f(int a, long long b, int c)'), 'a=ecx[0..4) b=sp+0[0..8) c=sp+8[0..4) stack=16 pops=12');
  assert.equal(at('void __fastcall f(struct s4 a, int b, int c)'), 'a=sp+0[0..4) b=edx[0..4) c=sp+4[0..4) stack=16 pops=8');
  assert.equal(at('void __fastcall f(double a, int b, char c, short d)'), 'a=sp+0[0..8) b=ecx[0..4) c=edx[0..4)sx d=sp+8[0..4)sx stack=16 pops=12',
    'a double counts no register');
  assert.equal(at('void __fastcall f(struct sf a, void *p, struct empty e, unsigned char c)'), 'a=sp+0[0..4) p=ecx[0..4) e=- c=edx[0..4)zx stack=16 pops=4',
    'nor does a float-mode struct or an empty one');
});

test('regparm(N): the first N integer-class words in eax, edx, ecx, long longs and structs across several; caller pops', { skip }, () => {
  assert.equal(at('void __attribute__((regparm(3))) f(long long a, int b, int c)'), 'a=eax[0..4)+edx[4..8) b=ecx[0..4) c=sp+0[0..4) stack=16');
  assert.equal(at('void __attribute__((regparm(3))) f(int a, long long b, int c)'), 'a=eax[0..4) b=edx[0..4)+ecx[4..8) c=sp+0[0..4) stack=16');
  assert.equal(at('void __attribute__((regparm(3))) f(int a, int b, long long c, int d)'), 'a=eax[0..4) b=edx[0..4) c=sp+0[0..8) d=sp+8[0..4) stack=16',
    'a value that does not fit uses up the register left');
  assert.equal(at('void __attribute__((regparm(3))) f(struct s12 s, int b)'), 's=eax[0..4)+edx[4..8)+ecx[8..12) b=sp+0[0..4) stack=16');
  assert.equal(at('void __attribute__((regparm(3))) f(struct s16 s, int b)'), 's=sp+0[0..16) b=sp+16[0..4) stack=32');
  assert.equal(at('void __attribute__((regparm(3))) f(struct s3 a, struct s8 b)'), 'a=eax[0..3) b=edx[0..4)+ecx[4..8)');
  assert.equal(at('void __attribute__((regparm(3))) f(struct sf a, float b, struct sd c, struct sf1 d, struct nd e, int i)'),
    'a=sp+0[0..4) b=sp+4[0..4) c=sp+8[0..8) d=sp+16[0..4) e=sp+20[0..8) i=eax[0..4) stack=32', 'float-mode values count no register');
  assert.equal(at('void __attribute__((regparm(3))) f(struct sff a, union uf b, union ud c)'), 'a=eax[0..4)+edx[4..8) b=ecx[0..4) c=sp+0[0..8) stack=16',
    'two floats, and unions of floats, are integer-class');
  assert.equal(at('void __attribute__((regparm(1))) f(int a, int b)'), 'a=eax[0..4) b=sp+0[0..4) stack=16');
  assert.equal(at('void __attribute__((regparm(2))) f(int a, int b, int c)'), 'a=eax[0..4) b=edx[0..4) c=sp+0[0..4) stack=16');
  assert.equal(plan(parsePrototype('int __attribute__((regparm(0))) f(int a)', scope).type).fn.convention, undefined, 'regparm(0) is cdecl');
});

test('stdcall with regparm: registers as regparm, the callee pops the stack part', { skip }, () => {
  assert.equal(at('int __attribute__((stdcall, regparm(2))) f(int a, int b, int c, double d)'), 'a=eax[0..4) b=edx[0..4) c=sp+0[0..4) d=sp+4[0..8) ret=eax[0..4) stack=16 pops=12');
  assert.equal(at('struct s4 __attribute__((stdcall, regparm(1))) f(int a)'), 'a=sp+0[0..4) ret=mem(eax) stack=16 pops=4');
});

test('variadic functions: conventions pass nothing in registers and pop no arguments; a stack result pointer is popped only without regparm/fastcall', { skip }, () => {
  assert.equal(at('int __stdcall f(int a, ...)', ['int']), 'a=sp+0[0..4) #1=sp+4[0..4) ret=eax[0..4) stack=16');
  assert.equal(at('int __fastcall f(int a, ...)', ['char', 'float']), 'a=sp+0[0..4) #1=sp+4[0..4) #2=sp+8[0..8) ret=eax[0..4) stack=16', 'promoted');
  assert.equal(at('int __attribute__((regparm(3))) f(int a, ...)', []), 'a=sp+0[0..4) ret=eax[0..4) stack=16');
  assert.equal(at('struct s8 f(int a, ...)', []), 'a=sp+4[0..4) ret=mem(sp+0) stack=16 pops=4');
  assert.equal(at('struct s8 __stdcall f(int a, ...)', []), 'a=sp+4[0..4) ret=mem(sp+0) stack=16 pops=4');
  assert.equal(at('struct s8 __fastcall f(int a, ...)', []), 'a=sp+4[0..4) ret=mem(sp+0) stack=16', 'gcc counts fastcall\'s registers');
  assert.equal(at('struct s8 __attribute__((regparm(2))) f(int a, ...)', []), 'a=sp+4[0..4) ret=mem(sp+0) stack=16');
});

test('empty structs take no space; only a member type aligned to 16 aligns a stack slot', { skip }, () => {
  assert.equal(at('void f(struct empty e, int x)'), 'e=- x=sp+0[0..4) stack=16');
  assert.equal(at('void f(int a, struct a16 s, int b)'), 'a=sp+0[0..4) s=sp+4[0..16) b=sp+20[0..4) stack=32', 'aligned(16) on the struct: 4');
  assert.equal(at('void f(int a, struct m16 s, int b)'), 'a=sp+0[0..4) s=sp+4[0..32) b=sp+36[0..4) stack=48', 'aligned on a member: 4');
  assert.equal(at('void f(int a, i16_t i, int b)'), 'a=sp+0[0..4) i=sp+4[0..4) b=sp+8[0..4) stack=16', 'an aligned scalar typedef: 4');
  assert.equal(at('void f(int a, struct w16 s, int b)'), 'a=sp+0[0..4) s=sp+16[0..16) b=sp+32[0..4) stack=48', 'an aligned member type: 16');
  assert.throws(() => at('void f(struct w32 s)'), (e) => e instanceof AbiError && e.reason === 'unsupported-type' && /aligned to 32/.test(e.message));
});

test('long double, __int128 and bad variadic use are refused', { skip }, () => {
  const f = parsePrototype('int f(int a)', scope).type;
  assert.throws(() => plan(f, [parseTypeName('int', scope)]), (e) => e instanceof AbiError && e.reason === 'variadic-mismatch');
  assert.throws(() => parsePrototype('long double f(void)', scope), /long double/, 'refused by the parser already');
});

test('plans are frozen and print the registers by name', { skip }, () => {
  const p = plan(parsePrototype('long long __fastcall f(int a, struct s8 s)', scope).type);
  assert.ok(Object.isFrozen(p) && Object.isFrozen(p.args[0]!.pieces[0]) && Object.isFrozen(p.ret));
  assert.equal(describe(p), '(int a, struct s8 s) -> long long: a=ecx[0..4) s=sp+0[0..8) ret=eax[0..4)+edx[4..8) stack=16 pops=8');
});
