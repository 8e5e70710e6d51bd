// Area: typed declarations (src/typed.ts). Purpose: each prototype form the type level reads gets
// the types of the value contract (src/types/index.ts), and a wrong argument or result is a
// compile error (@ts-expect-error lines; test/typed-declarations.test.ts checks they are live).
// Type-checked only (test/typecheck/tsconfig.json, noEmit); never run.
import {
  callback, cdef, errno, fnptr, load, Library, type Callback, type CallbackFunction, type ForeignFunction, type FunctionType,
  type PointerArg, type TypesOf, type VariadicArg,
} from '../../dist/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
/** Compiles only when A and B are the same type. */
function same<A, B>(_proof: Equal<A, B>): void {}
type Fn = (...args: any[]) => any;
type Args<F extends Fn> = Parameters<F>;
type Ret<F extends Fn> = ReturnType<F>;

const lib = load(null);
const buf = new Uint8Array(8);

// --- scalars -------------------------------------------------------------------------------
const add = lib.func('int add(int a, int b)');
same<typeof add, ForeignFunction<[number, number], number>>(true);
const n: number = add(1, 2);
// @ts-expect-error a string for an int
add('1', 2);
// @ts-expect-error too few arguments
add(1);
// @ts-expect-error too many arguments
add(1, 2, 3);
// @ts-expect-error an int result is a number, not a bigint
const wrongResult: bigint = add(1, 2);

same<Args<ReturnType<typeof lib.func<'double f(float x, double y, char c, unsigned char uc, short s, unsigned short us, unsigned u, signed s2, enum color c2, wchar_t w, int8_t a, uint32_t b)'>>>,
  [number, number, number, number, number, number, number, number, number | string, number, number, number]>(true);
const big = lib.func('int64_t f(int64_t a, uint64_t b, long long c, unsigned long long d, intmax_t e, uintmax_t f, long int long g)');
same<Args<typeof big>, [number | bigint, number | bigint, number | bigint, number | bigint, number | bigint, number | bigint, number | bigint]>(true);
same<Ret<typeof big>, bigint>(true);
const sizes = lib.func('size_t f(size_t a, ssize_t b, intptr_t c, uintptr_t d, ptrdiff_t e, off_t f, long g, unsigned long h)');
same<Args<typeof sizes>, [number | bigint, number | bigint, number | bigint, number | bigint, number | bigint, number | bigint, number | bigint, number | bigint]>(true);
same<Ret<typeof sizes>, number | bigint>(true); // a bigint beyond 2^53: (size_t)-1
// @ts-expect-error a size_t result may be a bigint
const n53: number = sizes(1, 2, 3, 4, 5, 6, 7, 8);
const flag = lib.func('bool f(_Bool a, bool b)');
same<typeof flag, ForeignFunction<[boolean, boolean], boolean>>(true);
// @ts-expect-error bool takes a boolean, not 1
flag(1, true);
const llabs = lib.func('long long llabs(long long n)');
const l: bigint = llabs(-5);
llabs(-5n);
// @ts-expect-error long long returns a bigint
const l2: number = llabs(1);
// @ts-expect-error float takes a number
lib.func('float f(float)')(1n);

// --- void, unnamed parameters, (), storage words, whitespace ----------------------------------
const nothing = lib.func('void f(void)');
same<typeof nothing, ForeignFunction<[], void>>(true);
same<typeof lib.func extends Fn ? 1 : 0, 1>(true);
const empty = lib.func('int f()');
same<Args<typeof empty>, []>(true);
const unnamed = lib.func('unsigned long f(int, const char *, size_t)');
same<Args<typeof unnamed>, [number, string | PointerArg, number | bigint]>(true);
const storage = lib.func('static inline unsigned f(register int x);');
same<typeof storage, ForeignFunction<[number], number>>(true);
const spaced = lib.func(`
  int
  strncmp(const char *a,\n\tconst char *b,
          size_t n)`);
same<Args<typeof spaced>, [string | PointerArg, string | PointerArg, number | bigint]>(true);
const tight = lib.func('int(*f)(int,int)');
same<typeof tight, ForeignFunction<[number, number], number>>(true);

// --- pointers ------------------------------------------------------------------------------
const memchr = lib.func('void *memchr(const void *s, int c, size_t n)');
same<typeof memchr, ForeignFunction<[PointerArg, number, number | bigint], number>>(true);
memchr(buf, 0, 8);
memchr(buf.buffer, 0, 8n);
memchr(new DataView(buf.buffer), 0, 8);
memchr(null, 0, 0);
memchr(0x1000n, 0, 0);
memchr({ pointer: 0x1000 }, 0, 0);
// @ts-expect-error a string only for const char *
memchr('abc', 98, 3);
// @ts-expect-error undefined is not a pointer
memchr(undefined, 0, 0);
const strlen = lib.func('size_t strlen(const char *s)');
strlen('abc');
strlen(buf);
// @ts-expect-error a boolean is not a pointer
strlen(true);
lib.func('int f(char const *s)')('x');
lib.func('int f(const unsigned char *s)')('x');
lib.func('size_t wcslen(const wchar_t *s)')('x');
lib.func('int f(const char16_t *a, char32_t const *b)')('x', 'y');
// @ts-expect-error a string only for const wide-character pointers
lib.func('size_t f(wchar_t *s)')('x');
// @ts-expect-error a string only for wide-character pointers, not other 4-byte types
lib.func('size_t f(const uint32_t *s)')('x');
lib.func('int f(const uint8_t *s)')('x');
lib.func('int f(const char s[])')('x');
lib.func('int f(const char *const s)')('x');
// @ts-expect-error char * (not const) takes no string
lib.func('char *strcpy(char *dst, const char *src)')('x', 'y');
// @ts-expect-error char *const: the pointer is const, not the chars
lib.func('int f(char *const s)')('x');
// @ts-expect-error const char ** is a pointer to pointers
lib.func('int f(const char **s)')('x');
// @ts-expect-error const int * takes no string
lib.func('int f(const int *s)')('x');
const getenv = lib.func('char *getenv(const char *name)');
same<Ret<typeof getenv>, number>(true);
const arrays = lib.func('int f(int a[], int b[4], char *argv[], int m[2][3], int x[static 3])');
same<Args<typeof arrays>, [PointerArg, PointerArg, PointerArg, PointerArg, PointerArg]>(true);
const restrict = lib.func('void *memcpy(void *__restrict dst, const void *restrict src, size_t n)');
same<Args<typeof restrict>, [PointerArg, PointerArg, number | bigint]>(true);

// --- function-pointer parameters -----------------------------------------------------------
const qsort = lib.func('void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))');
qsort(buf, 2, 4, (a, b) => a - b);
qsort(buf, 2, 4, (a: number, b: number) => a - b);
qsort(buf, 2, 4, 0);
declare const cmpCallback: Callback;
qsort(buf, 2, 4, cmpCallback);
// @ts-expect-error the comparator returns an int, not a string
qsort(buf, 2, 4, () => 'less');
// @ts-expect-error the comparator's arguments are pointers (numbers), not strings
qsort(buf, 2, 4, (a: string, b: string) => a.length - b.length);
const nested = lib.func('int f(void (*visit)(int depth, void (*emit)(const char *s)))');
nested((depth, emit) => { const d: number = depth; const e: number = emit; void d; void e; });
const unnamedFn = lib.func('int atexit(void (*)(void))');
unnamedFn(() => {});
unnamedFn(() => 42); // a void callback may return anything
const returnsBig = lib.func('void f(int64_t (*g)(int64_t, bool))');
returnsBig((a, b) => { const x: bigint = a; const y: boolean = b; return x + (y ? 1n : 0n); });
returnsBig(() => 1); // a safe-integer number is accepted for an int64_t result
// @ts-expect-error a callback's bool argument is a boolean
returnsBig((a, b: number) => a);

// --- variadic ------------------------------------------------------------------------------
const snprintf = lib.func('int snprintf(char *buf, size_t n, const char *fmt, ...)');
same<Args<typeof snprintf>, [PointerArg, number | bigint, string | PointerArg, ...VariadicArg[]]>(true);
snprintf(buf, 8, '%d %s %f %lld %p', 1, 'x', 1.5, 2n, buf, null, true, ['long', 3], ['int', 1] as const);
// @ts-expect-error the fixed arguments are still required
snprintf(buf, 8);
// @ts-expect-error undefined cannot be passed variadically
snprintf(buf, 8, '%d', undefined);
// @ts-expect-error a variadic function cannot take a JS function
snprintf(buf, 8, '%p', () => 0);

// --- async and the ForeignFunction properties ----------------------------------------------
const p: Promise<number> = add.async(1, 2);
// @ts-expect-error async takes the same arguments
add.async('1', 2);
const addr: number = add.address;
const declaration: string = add.declaration;
const type: FunctionType = add.type;

// --- fallbacks: never a narrower type than the runtime's -----------------------------------
declare const someDecl: string;
same<ReturnType<typeof lib.func<string>>, ForeignFunction>(true);
const general = lib.func(someDecl);
same<typeof general, ForeignFunction>(true);
declare const retType: 'int' | 'long';
const patterned = lib.func(`${retType} f(${someDecl})`);
same<typeof patterned, ForeignFunction>(true);
declare const either: 'int f(int)' | 'double g(double)';
same<ReturnType<typeof lib.func<typeof either>>, ForeignFunction>(true);
same<typeof lib.func<'int f(int x __attribute__((unused)))'> extends (...a: any[]) => ForeignFunction ? 1 : 0, 1>(true);
same<ReturnType<typeof lib.func<'void (*signal(int sig, void (*func)(int)))(int)'>>, ForeignFunction>(true);
same<ReturnType<typeof lib.func<'int f(int x __attribute__((unused)))'>>, ForeignFunction>(true);
same<ReturnType<typeof lib.func<'_Atomic int f(void)'>>, ForeignFunction>(true);
// Typedef names the type level does not know: unknown in, any out.
const opaque = lib.func('my_t f(my_t a, struct nowhere b, union u c)');
same<typeof opaque, ForeignFunction<[unknown, unknown, unknown], any>>(true);
// A pointer to an unknown typedef may point at a one-byte const type or a function type.
const opaquePtr = lib.func('int f(const my_char *s, my_fn *cb, my_t **pp)');
opaquePtr('x', (a: number) => a, buf);
// @ts-expect-error two levels of pointer: no string
opaquePtr('x', null, 'y');
// Runtime-rejected scalar spellings are typed any rather than refused here.
same<Args<ReturnType<typeof lib.func<'int f(__int128 x)'>>>, [any]>(true);
// Deeply nested function pointers: the general signature, not an error.
same<ReturnType<typeof lib.func<'int f(int (*a)(int (*b)(int (*c)(int (*d)(int)))))'>>, ForeignFunction>(true);

// --- struct, union, typedef values: a type map per library ---------------------------------
interface Geometry {
  'struct point': { x: number; y: number };
  'rect_t': { a: { x: number; y: number }; b: { x: number; y: number } };
}
const geo = load<Geometry>(null);
const mid = geo.func('struct point mid(struct point a, struct point b)');
same<typeof mid, ForeignFunction<[{ x: number; y: number }, { x: number; y: number }], { x: number; y: number }>>(true);
const m: { x: number; y: number } = mid({ x: 1, y: 2 }, { x: 3, y: 4 });
// @ts-expect-error a member is missing
mid({ x: 1 }, { x: 3, y: 4 });
// @ts-expect-error a member has the wrong type
mid({ x: 1, y: '2' }, { x: 3, y: 4 });
const area = geo.func('double area(rect_t r, const struct point *origin)');
same<Args<typeof area>, [Geometry['rect_t'], PointerArg]>(true);
// callback() takes the map as its second type argument.
const ptCb = callback<'int (*)(struct point p)', Geometry>('int (*)(struct point p)', (pt) => pt.x + pt.y);

// --- the whole program's map: augment CTypes -----------------------------------------------
declare module '../../dist/index.js' {
  interface CTypes {
    'struct tc_pair': { first: number; second: bigint };
    'tc_handle_t': number;
  }
}
const pair = lib.func('struct tc_pair make(tc_handle_t h)');
same<typeof pair, ForeignFunction<[number], { first: number; second: bigint }>>(true);
// @ts-expect-error tc_handle_t is declared a number
pair('h');
const cbPair = callback('void (*)(struct tc_pair)', (v) => { const s: bigint = v.second; void s; });

// --- cdef(): the map from the definitions themselves ---------------------------------------
const defs = cdef(`
  /* a point; members are ints */
  struct tc_pt { int x; int y; };
  typedef struct tc_rect {
    struct tc_pt a, b;      // two corners
    const char *name;
    char tag[8];
    int64_t id;
    unsigned flags : 3;
    void (*on_draw)(struct tc_rect *self);
  } tc_rect_t;
  typedef union { int i; double d; } tc_num_t;
  typedef enum { TC_RED, TC_GREEN } tc_color_t;
  typedef int (*tc_cb_t)(int);
  typedef unsigned long tc_size_t;
  typedef struct tc_pt tc_pt_t, *tc_pt_ptr;
  struct tc_anon { int k; union { int a; float b; }; };
  struct tc_after { tc_size_t n; tc_color_t c; };
`);
type Defs = TypesOf<typeof defs>;
const shapes = load<Defs>(null);
const midPt = shapes.func('struct tc_pt mid(struct tc_pt a, tc_pt_t b)');
same<typeof midPt, ForeignFunction<[{ x: number; y: number }, { x: number; y: number }], { x: number; y: number }>>(true);
const mk = shapes.func('tc_rect_t mk(tc_num_t n, tc_color_t c, tc_cb_t cb, tc_size_t size, tc_pt_ptr p)');
type Rect = Ret<typeof mk>;
same<Rect, {
  a: { x: number; y: number }; b: { x: number; y: number }; name: number; tag: number[]; id: bigint;
  flags: number; on_draw: number;
}>(true);
mk({ i: 1 }, 'TC_RED', (x) => x + 1, 10n, buf);
mk({ d: 1.5 }, 1, 0, 10, null);
// @ts-expect-error a union value sets one member, by name
mk({ q: 1 }, 1, 0, 10, null);
// @ts-expect-error the callback returns an int
mk({ i: 1 }, 1, () => 'x', 10, null);
const takeRect = shapes.func('void take(tc_rect_t r)');
takeRect({ a: { x: 1, y: 2 }, b: { x: 3, y: 4 }, name: 0n, tag: 'abc', id: 7, flags: 1, on_draw: null });
takeRect({ a: { x: 1, y: 2 }, b: { x: 3, y: 4 }, name: 0, tag: [1, 2, 3, 4, 5, 6, 7, 8], id: 7n, flags: 1, on_draw: 0 });
// @ts-expect-error a pointer member takes number | bigint | null, not a buffer
takeRect({ a: { x: 1, y: 2 }, b: { x: 3, y: 4 }, name: buf, tag: 'abc', id: 7, flags: 1, on_draw: null });
// A record the type level cannot read (an anonymous member) falls back: unknown in, any out.
const anon = shapes.func('struct tc_anon f(struct tc_anon a, struct tc_after b)');
same<Args<typeof anon>, [unknown, { n: number | bigint; c: number | string }]>(true);
same<Ret<typeof anon>, any>(true);
const drawCb = callback<'void draw(tc_rect_t *r, struct tc_pt p)', Defs>('void draw(tc_rect_t *r, struct tc_pt p)', (r, pt) => {
  const at: number = r;
  const x: number = pt.x;
  void at; void x;
});

// --- callback() ----------------------------------------------------------------------------
const cmp = callback('int cmp(const void *a, const void *b)', (a, b) => a - b);
same<typeof cmp, Callback>(true);
callback('int (*)(int, int)', (a, b) => a + b);
callback('double (*)(float, double)', (a: number, b: number) => a * b);
callback('int64_t (*)(int64_t x)', (x) => x * 2n);
callback('bool pred(const char *s, size_t n)', (s, n) => s + Number(n) > 0);
// @ts-expect-error a size_t argument may arrive as a bigint
callback('bool pred(size_t n)', (n: number) => n > 0);
callback('void (*)(void)', () => {});
callback('void *alloc(size_t)', (n) => n);
callback('const char *name(int i)', (i) => `item ${i}`);
callback('const char *name(int i)', () => Buffer.from('x\0'));
// @ts-expect-error only a const char * result may be a string
callback('char *name(int i)', (i) => `item ${i}`);
// @ts-expect-error an int callback returns a number
callback('int (*)(int, int)', (a, b) => `${a + b}`);
// @ts-expect-error const char * arrives as a pointer number, not a string
callback('int f(const char *s)', (s: string) => s.length);
// @ts-expect-error an int64_t argument arrives as a bigint
callback('int (*)(int64_t x)', (x: number) => x);
// @ts-expect-error a bool callback returns a boolean
callback('bool (*)(int)', () => 1);
// Undecidable declarations take any function.
callback(someDecl, (...xs: string[]) => xs);
callback('my_cb_t', (x: string) => x);
declare const fnType: FunctionType;
callback(fnType, () => 0);

// --- code written before typed declarations still compiles -----------------------------------
const plain: Library = load('libz.so.1');
const table: Record<string, ForeignFunction> = { add, strlen, snprintf, mid, nothing };
const withOptions = plain.func('int close(int fd)', { errno: true });
same<typeof withOptions, ForeignFunction<[number], number>>(true);
declare const anyFn: CallbackFunction;
callback('int (*)(int)', anyFn);
qsort(buf, 2, 4, anyFn);

export { table, n, wrongResult, l, l2, p, addr, declaration, type, m, general, patterned, ptCb, cbPair, drawCb, midPt };

// --- fnptr(), func(decl, { address }), load options, errno(value) ------------------------------
const viaPointer = fnptr(0x1000, 'int op(int a, int b)');
same<typeof viaPointer, ForeignFunction<[number, number], number>>(true);
// @ts-expect-error a string for an int
viaPointer('1', 2);
const viaAddress = lib.func('double scale(double x)', { address: 0x1000n });
same<typeof viaAddress, ForeignFunction<[number], number>>(true);
// @ts-expect-error an address is a number, a bigint or a Callback
fnptr('0x1000', 'int op(int a, int b)');
const deepLib: Library = load('libz.so.1', { deep: true, lazy: false, global: false });
same<typeof deepLib.interposed, readonly string[]>(true);
// @ts-expect-error an unknown load option
load('libz.so.1', { deeep: true });
errno(5);
const lastErrno: number = errno();
// @ts-expect-error errno(value) returns nothing
const setErrno: number = errno(5);
