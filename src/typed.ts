// Type-level C declarations: TypeScript types inferred from prototype and cdef() strings. Types only.
//
// `lib.func('int add(int a, int b)')` is typed `ForeignFunction<[number, number], number>`: the
// string is tokenised with template literal types and parsed by a small recursive-descent parser
// over the token tuple. Every rule follows the value contract of src/types/index.ts; what the
// parser cannot decide becomes a general signature, or `unknown` (inputs) / `any` (outputs), never
// a narrower type than the runtime accepts. Loops are tail-recursive and capped well below
// TypeScript's 1,000-step limit, so no declaration the runtime accepts is refused at compile time.
import type { ForeignFunction } from './foreign-function.js';

/**
 * Value types of C names the type-level parser cannot know: `'struct point'`, `'union u'`,
 * typedef names. Augment it once for the whole program:
 * `declare module 'trampfd' { interface CTypes { 'struct point': { x: number; y: number } } }`,
 * or pass a map per library: `load<{ 'struct point': { x: number; y: number } }>(path)`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface CTypes {}

/** A variadic argument: a `[type, value]` pair, or a plain value passed as README "Variadic calls" says. */
export type VariadicArg =
  | readonly [string, unknown] | number | bigint | string | boolean | null
  | ArrayBufferView | ArrayBuffer | { readonly pointer: number };

/** Every form a pointer parameter accepts (a Callback is a `{ pointer }`). */
export type PointerArg =
  | number | bigint | null | ArrayBufferView | ArrayBuffer | SharedArrayBuffer | { readonly pointer: number };

/** A value the type map holds with distinct accepted (In) and produced (Out) forms; cdef-inferred maps use it. */
declare const dual: unique symbol;
export interface Dual<In, Out> { readonly [dual]: [In, Out] }

/** A parsed declaration kept as a descriptor until a type map resolves its names (cdef-inferred maps). */
declare const described: unique symbol;
interface Described<D> { readonly [described]: D }

// ---------------------------------------------------------------------------------------------
// Tokens. Punctuation is spaced out, then the string is split on blanks.

type Bail = '\u0000bail';
type X2<T extends string> = `${T}${T}`;
type X256<T extends string> = X2<X2<X2<X2<X2<X2<X2<X2<T>>>>>>>>;
/**
 * Strings with 768 or more C: each loop below takes one of TypeScript's 1,000 tail-recursion
 * steps per C, so such a string is given up on (Bail) rather than refused. Checking one
 * template type costs far less than counting in every step.
 */
type Many<C extends string> = `${X256<`${string}${C}`>}${X256<`${string}${C}`>}${X256<`${string}${C}`>}${string}`;
type Blank<S extends string, C extends string> = S extends Many<C> ? Bail : BlankLoop<S, C>;
type BlankLoop<S extends string, C extends string, Acc extends string = ''> =
  S extends `${infer A}${C}${infer B}` ? BlankLoop<B, C, `${Acc}${A} `> : `${Acc}${S}`;
type Space<S extends string, C extends string> = S extends Many<C> ? Bail : SpaceLoop<S, C>;
type SpaceLoop<S extends string, C extends string, Acc extends string = ''> =
  S extends `${infer A}${C}${infer B}` ? SpaceLoop<B, C, `${Acc}${A} ${C} `> : `${Acc}${S}`;
type Words<S extends string> = S extends Many<' '> ? [Bail] : WordsLoop<S>;
type WordsLoop<S extends string, Acc extends string[] = []> =
  S extends `${infer W} ${infer R}` ? (W extends '' ? WordsLoop<R, Acc> : WordsLoop<R, [...Acc, W]>)
  : S extends '' ? Acc : [...Acc, S];
type SpaceAll<S extends string, Cs extends string[]> =
  Cs extends [infer C extends string, ...infer R extends string[]] ? SpaceAll<Space<S, C>, R> : S;
/** The tokens of a declaration; `[Bail]` when it is too long to parse at the type level. */
export type Tokens<S extends string, Cs extends string[] = ['*', '(', ')', ',', '[', ']']> =
  Words<SpaceAll<Blank<Blank<Blank<S, '\n'>, '\t'>, '\r'>, Cs>>;
/** A cdef() statement also has braces, bitfield widths and enumerator values. */
type StatementTokens<S extends string> = Tokens<S, ['*', '(', ')', ',', '[', ']', '{', '}', ':', '=']>;

// ---------------------------------------------------------------------------------------------
// Descriptors: what a declarator means, before a type map gives its names values.
//  { k: 'v', b }          a value of base type b (keywords ' unsigned long', 'struct point', 'size_t')
//  { k: 'p', b, c, n }    n levels of pointer to b; c: the target is const
//  { k: 'f', f }          a pointer to the function f
//  { k: 'a', e }          a fixed array of e (struct members)
//  { k: 'r', u, m }       a record body: union?, [name, descriptor] members (cdef)
//  { k: 'x' }             undecidable
interface Fn { r: unknown; p: unknown[]; v: boolean }
type Fail = { k: 'x' };

type Const = 'const' | '__const' | '__const__';
type Qualifier = Const | 'volatile' | '__volatile' | '__volatile__' | 'restrict' | '__restrict'
  | '__restrict__' | '_Nonnull' | '_Nullable' | '__nonnull';
type Storage = 'typedef' | 'extern' | 'static' | 'inline' | '__inline' | '__inline__' | 'register'
  | 'auto' | '_Noreturn' | 'noreturn' | '__extension__' | '_Thread_local' | 'thread_local' | '__thread';
type ScalarWord = 'void' | 'char' | 'short' | 'int' | 'long' | 'signed' | 'unsigned' | 'float'
  | 'double' | '_Bool' | 'bool' | '__signed' | '__signed__' | '_Complex' | '__complex__'
  | '_Imaginary' | '__int128' | '__int128_t' | '__uint128_t' | '__float128' | '_Float128'
  | '__float80' | '_Decimal32' | '_Decimal64' | '_Decimal128';
type Tag = 'struct' | 'union' | 'enum';
type Punct = '*' | '(' | ')' | ',' | '[' | ']' | ';' | '{' | '}' | ':' | '=' | '...';
/** Words the parser does not model: the whole declaration falls back to a general type. */
type Opaque = '__attribute__' | '__attribute' | '_Alignas' | 'alignas' | '_Atomic' | 'typeof'
  | '__typeof__' | '__typeof' | 'typeof_unqual' | '_BitInt' | '__declspec' | Bail;

/** Declaration specifiers: [base, const, rest], or Fail. Checks run most frequent first. */
type Specs<T extends string[], Kw extends string = '', Named extends string = '', C extends boolean = false> =
  T extends [infer H extends string, ...infer R extends string[]]
    ? H extends ScalarWord ? (Named extends '' ? Specs<R, `${Kw} ${H}`, Named, C> : Fail)
    : H extends Punct ? SpecsDone<Kw, Named, C, T>
    : H extends Const ? Specs<R, Kw, Named, true>
    : H extends Qualifier | Storage ? Specs<R, Kw, Named, C>
    : H extends Tag
      ? R extends [infer N extends string, ...infer R2 extends string[]]
        ? N extends Punct | Opaque ? Fail : Kw extends '' ? Named extends '' ? Specs<R2, Kw, `${H} ${N}`, C> : Fail : Fail
        : Fail
    : H extends Opaque ? Fail
    : Kw extends '' ? Named extends '' ? Specs<R, Kw, H, C> : SpecsDone<Kw, Named, C, T> : SpecsDone<Kw, Named, C, T>
  : SpecsDone<Kw, Named, C, T>;
type SpecsDone<Kw extends string, Named extends string, C extends boolean, T extends string[]> =
  Kw extends '' ? Named extends '' ? Fail : [Named, C, T] : [Kw, C, T];

/** Pointer stars and the qualifiers between them: [count, rest]. */
type Stars<T extends string[], N extends 0[] = []> =
  T extends ['*', ...infer R extends string[]] ? Stars<R, [...N, 0]>
  : T extends [Qualifier, ...infer R extends string[]] ? (N extends [] ? [N, T] : Stars<R, N>)
  : [N, T];

/** Skips `[ ... ]` suffixes: [how many, rest]. */
type Arrays<T extends string[], N extends 0[] = []> =
  T extends ['[', ...infer R extends string[]] ? ToBracket<R, N> : [N, T];
type ToBracket<T extends string[], N extends 0[]> =
  T extends [infer H, ...infer R extends string[]]
    ? H extends ']' ? Arrays<R, [...N, 0]> : H extends '[' | '(' | ')' | ';' ? Fail : ToBracket<R, N>
    : Fail;

type Value<B extends string, C extends boolean, N extends 0[]> =
  N extends [] ? { k: 'v'; b: B } : { k: 'p'; b: B; c: C; n: N['length'] };

/**
 * One declarator after the specifiers (a parameter, a member, a typedef name, or a function
 * prototype's name and parameters): [name, descriptor, rest], or Fail. Depth caps nested
 * function-pointer parameter lists.
 */
type Declarator<B extends string, C extends boolean, T extends string[], D extends 0[]> =
  Stars<T> extends [infer N extends 0[], infer R extends string[]]
    ? R extends ['(', ...infer R2 extends string[]]
      ? FnPointer<B, C, N, R2, D>
      : R extends [infer Name extends string, ...infer R2 extends string[]]
        ? Name extends Punct | Opaque | Qualifier | Storage | ScalarWord | Tag
          ? Suffix<B, C, N, '', R, D>
          : Suffix<B, C, N, Name, R2, D>
        : ['', Value<B, C, N>, R]
    : Fail;

/** After a declarator's name: a parameter list makes it a function, `[...]` makes it an array. */
type Suffix<B extends string, C extends boolean, N extends 0[], Name extends string, T extends string[], D extends 0[]> =
  T extends ['(', ...infer R extends string[]]
    ? D['length'] extends 3 ? Fail
      : Params<R, [...D, 0]> extends [infer P extends unknown[], infer V extends boolean, infer R2 extends string[]]
        ? [Name, { k: 'fn'; f: { r: Value<B, C, N>; p: P; v: V } }, R2]
        : Fail
    : Arrays<T> extends [infer A extends 0[], infer R extends string[]]
      ? [Name, A extends [] ? Value<B, C, N> : { k: 'a'; e: Value<B, C, N> }, R]
      : Fail;

/** `( * name ) ( params )`: a pointer to a function returning B with N stars. */
type FnPointer<B extends string, C extends boolean, N extends 0[], T extends string[], D extends 0[]> =
  Stars<T> extends [infer K extends 0[], infer R extends string[]]
    ? K extends [] ? Fail
    : (R extends [')', ...infer R2 extends string[]] ? ['', R2]
      : R extends [infer Name extends string, ')', ...infer R2 extends string[]] ? (Name extends Punct ? Fail : [Name, R2])
      : Fail) extends [infer Name extends string, infer R2 extends string[]]
      ? R2 extends ['(', ...infer R3 extends string[]]
        ? D['length'] extends 3 ? Fail
          : Params<R3, [...D, 0]> extends [infer P extends unknown[], infer V extends boolean, infer R4 extends string[]]
            ? [Name, K extends [0] ? { k: 'f'; f: { r: Value<B, C, N>; p: P; v: V } } : { k: 'p'; b: ' void'; c: false; n: 2 }, R4]
            : Fail
        : Fail
      : Fail
    : Fail;

/** A parameter list after its `(`: [descriptors, variadic, rest after `)`], or Fail. */
type Params<T extends string[], D extends 0[], Acc extends unknown[] = []> =
  T extends [')', ...infer R extends string[]] ? [Acc, false, R]
  : T extends ['...', ')', ...infer R extends string[]] ? (Acc extends [] ? Fail : [Acc, true, R])
  : T extends ['void', ')', ...infer R extends string[]] ? (Acc extends [] ? [[], false, R] : Fail)
  : Param<T, D> extends [infer P, infer R extends string[]]
    ? R extends [',', ...infer R2 extends string[]] ? Params<R2, D, [...Acc, P]>
      : R extends [')', ...infer R2 extends string[]] ? [[...Acc, P], false, R2]
      : Fail
    : Fail;

/** One parameter: [descriptor, rest]; arrays and functions decay to pointers. */
type Param<T extends string[], D extends 0[]> =
  Specs<T> extends [infer B extends string, infer C extends boolean, infer R extends string[]]
    ? Declarator<B, C, R, D> extends [string, infer P, infer R2 extends string[]]
      ? [P extends { k: 'a'; e: { k: 'v'; b: infer EB extends string } } ? { k: 'p'; b: EB; c: C; n: 1 }
        : P extends { k: 'a' } ? { k: 'p'; b: ' void'; c: false; n: 2 }
        : P extends { k: 'fn'; f: infer F } ? { k: 'f'; f: F }
        : P, R2]
      : Fail
    : Fail;

/** A whole prototype or function-pointer type: its Fn, or Fail. */
type Prototype<T extends string[]> =
  Specs<T> extends [infer B extends string, infer C extends boolean, infer R extends string[]]
    ? Declarator<B, C, R, []> extends [string, infer P, infer R2 extends string[]]
      ? R2 extends [] | [';']
        ? P extends { k: 'fn'; f: infer F extends Fn } ? F : P extends { k: 'f'; f: infer F extends Fn } ? F : Fail
        : Fail
      : Fail
    : Fail;

/** The parsed function of a declaration string, or Fail. */
export type ParsePrototype<S extends string> = Prototype<Tokens<S>>;

// ---------------------------------------------------------------------------------------------
// Base types: how each C scalar crosses into JavaScript (src/types/builtins.ts).

type Builtins = {
  int8_t: 'char'; uint8_t: 'char'; int16_t: 'num'; uint16_t: 'num'; int32_t: 'num'; uint32_t: 'num';
  int64_t: 'big'; uint64_t: 'big'; int_least8_t: 'char'; uint_least8_t: 'char'; int_least16_t: 'num';
  uint_least16_t: 'num'; int_least32_t: 'num'; uint_least32_t: 'num'; int_least64_t: 'big';
  uint_least64_t: 'big'; int_fast8_t: 'char'; uint_fast8_t: 'char'; int_fast16_t: 'safe';
  uint_fast16_t: 'safe'; int_fast32_t: 'safe'; uint_fast32_t: 'safe'; int_fast64_t: 'big';
  uint_fast64_t: 'big'; intmax_t: 'big'; uintmax_t: 'big'; intptr_t: 'safe'; uintptr_t: 'safe';
  size_t: 'safe'; ssize_t: 'safe'; ptrdiff_t: 'safe'; off_t: 'safe'; wchar_t: 'num'; char16_t: 'num';
  char32_t: 'num';
};

/** The wide character types whose const pointers take a JS string. */
type WideChar = 'wchar_t' | 'char16_t' | 'char32_t';

/**
 * 'num' | 'char' | 'big' | 'safe' | 'bool' | 'void' | 'enum' | 'any' (refused at run time), or
 * a name to look up: 'record' (struct/union tag) or 'named' (a typedef, which could be anything).
 */
type Kind<B extends string> =
  B extends keyof Common ? Common[B]
  : B extends ` ${string}` ? Keywords<`${B} `>
  : B extends keyof Builtins ? Builtins[B]
  : B extends `enum ${string}` ? 'enum'
  : B extends `struct ${string}` | `union ${string}` ? 'record'
  : 'named';
type Common = {
  ' int': 'num'; ' unsigned': 'num'; ' unsigned int': 'num'; ' char': 'char'; ' unsigned char': 'char';
  ' signed char': 'char'; ' short': 'num'; ' unsigned short': 'num'; ' float': 'num'; ' double': 'num';
  ' long': 'safe'; ' unsigned long': 'safe'; ' long long': 'big'; ' unsigned long long': 'big';
  ' void': 'void'; ' _Bool': 'bool'; ' bool': 'bool';
};
type Keywords<J extends string> =
  J extends `${string} ${'_Complex' | '__complex__' | '_Imaginary' | '__int128' | '__int128_t' | '__uint128_t' | '__float128' | '_Float128' | '__float80' | '_Decimal32' | '_Decimal64' | '_Decimal128'} ${string}` ? 'any'
  : J extends `${string} void ${string}` ? 'void'
  : J extends `${string} ${'_Bool' | 'bool'} ${string}` ? 'bool'
  : J extends `${string} ${'float' | 'double'} ${string}` ? 'num'
  : J extends `${string} char ${string}` ? 'char'
  : J extends `${string} short ${string}` ? 'num'
  : J extends `${string}long${string}long${string}` ? 'big'
  : J extends `${string} long ${string}` ? 'safe'
  : 'num';

/** The map's entry for a name, in the form wanted ('in' accepted, 'out' produced); Miss when absent. */
declare const miss: unique symbol;
type Miss = typeof miss;
type Lookup<B extends string, M, Dir extends Ctx | 'out'> =
  B extends keyof M ? Entry<M[B], M, Dir> : B extends keyof CTypes ? Entry<CTypes[B], M, Dir> : Miss;
type Entry<E, M, Dir extends Ctx | 'out'> =
  E extends Dual<infer I, infer O> ? (Dir extends 'out' ? O : I)
  : E extends Described<infer D> ? (Dir extends Ctx ? In<D, M, Dir> : Out<D, M>)
  : E;

// ---------------------------------------------------------------------------------------------
// Descriptor to value type. Ctx 'param' is a call argument (pointers take buffers, strings,
// functions); 'member' is a struct member, array element or callback result (pointers take
// number | bigint | null). Branches are written inline so that editors show plain types.

type Ctx = 'param' | 'member';
type AnyFunction = (...args: any[]) => unknown;

/** The values a parameter (or member) of descriptor D accepts. */
export type In<D, M, C extends Ctx = 'param'> =
  D extends { k: 'v'; b: infer B extends string }
    ? Kind<B> extends infer K
      ? K extends 'num' | 'char' ? number
      : K extends 'enum' ? number | string
      : K extends 'big' | 'safe' ? number | bigint
      : K extends 'bool' ? boolean
      : K extends 'named' | 'record' ? (Lookup<B, M, C> extends infer V ? [V] extends [Miss] ? unknown : V : never)
      : K extends 'void' ? never
      : any
      : never
  : D extends { k: 'p'; b: infer B extends string; c: infer Cn; n: infer N }
    ? C extends 'member' ? number | bigint | null
    // `const char *` (any one-byte const target) and `const wchar_t *`, `const char16_t *`,
    // `const char32_t *` also take a string; an unknown typedef may be one.
    : PointerArg | (N extends 1 ? Kind<B> extends infer K
      ? (Cn extends true ? K extends 'char' | 'named' ? string : B extends WideChar ? string : never : never)
        | (K extends 'named' ? AnyFunction : never)
      : never : never)
  : D extends { k: 'f'; f: infer F extends Fn }
    ? C extends 'member' ? number | bigint | null
    : PointerArg | ((...args: OutTuple<F['p'], M>) => Result<F['r'], M>)
  : D extends { k: 'a'; e: infer E }
    ? readonly In<E, M, 'member'>[] | ArrayBufferView
      | (E extends { k: 'v'; b: infer B extends string } ? (Kind<B> extends 'char' ? string : never) : never)
  : D extends { k: 'r'; u: infer U; m: infer Ms extends [string, unknown][] }
    ? U extends true
      ? (Ms[number] extends infer P ? P extends [infer N extends string, infer E] ? { [K in N]: In<E, M, 'member'> } : never : never)
        | { [P in Ms[number] as P[0]]: Out<P[1], M> }
      : { [P in Ms[number] as P[0]]: In<P[1], M, 'member'> }
  : unknown;

/** The value a return (or a callback's parameter, or a member read) of descriptor D produces. */
export type Out<D, M> =
  D extends { k: 'v'; b: infer B extends string }
    ? Kind<B> extends infer K
      ? K extends 'num' | 'char' | 'enum' ? number
      : K extends 'big' ? bigint
      // Size-like: a number while it is a safe integer, a bigint beyond (a (size_t)-1 from C).
      : K extends 'safe' ? number | bigint
      : K extends 'bool' ? boolean
      : K extends 'void' ? void
      : K extends 'named' | 'record' ? (Lookup<B, M, 'out'> extends infer V ? [V] extends [Miss] ? any : V : never)
      : any
      : never
  : D extends { k: 'p' | 'f' } ? number
  : D extends { k: 'a'; e: infer E } ? Out<E, M>[]
  : D extends { k: 'r'; m: infer Ms extends [string, unknown][] } ? { [P in Ms[number] as P[0]]: Out<P[1], M> }
  : any;

/** Mapped over a naked type parameter, so that tuples stay tuples. */
type InTuple<P extends unknown[], M> = { [I in keyof P]: In<P[I], M> };
type OutTuple<P extends unknown[], M> = { [I in keyof P]: Out<P[I], M> };

/**
 * What a callback may return: what a member of that type accepts (`void`: anything); a pointer
 * also a buffer, and `const char *` a string (kept by the callback until it returns again).
 */
type Result<D, M> = D extends { k: 'v'; b: infer B extends string } ? (Kind<B> extends 'void' ? void : In<D, M, 'member'>)
  : D extends { k: 'p'; b: infer B extends string; c: infer Cn; n: infer N }
    ? In<D, M, 'member'> | ArrayBufferView | ArrayBuffer
      | (Cn extends true ? N extends 1 ? Kind<B> extends 'char' | 'named' ? string : never : never : never)
  : In<D, M, 'member'>;

/**
 * True for one string literal type. A template expression such as `${ret} f(${args})` is
 * inferred as a pattern type (`${string} f(...)`), whose text is not known: it, `string`, and
 * a union of declarations get the general signature.
 */
type Known<S extends string> =
  string extends S ? false : {} extends { [K in S]: 1 } ? false : true extends IsUnion<S> ? false : true;
type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never;

/** The typed result of `lib.func(decl)`; a general ForeignFunction when `decl` cannot be parsed. */
export type Declared<S extends string, M = {}> =
  Known<S> extends false ? ForeignFunction
  : ParsePrototype<S> extends infer F
    ? F extends Fn
      ? ForeignFunction<
        F['v'] extends true ? [...InTuple<F['p'], M>, ...VariadicArg[]] : InTuple<F['p'], M>,
        Out<F['r'], M>>
      : ForeignFunction
    : never;

/** The JS function `callback(decl, fn)` takes for `decl`; a general function when it cannot be parsed. */
export type CallbackOf<S extends string, M = {}> =
  Known<S> extends false ? (...args: any[]) => any
  : ParsePrototype<S> extends infer F
    ? F extends Fn ? (...args: OutTuple<F['p'], M>) => Result<F['r'], M> : (...args: any[]) => any
    : never;

// ---------------------------------------------------------------------------------------------
// cdef(): a type map from simple definitions. Records with scalar, pointer, array and already
// defined record members, enums and typedefs are read; anything else (nested or anonymous
// records, attributes, preprocessor lines) is left out, so its name falls back to unknown/any.

type Uncomment<S extends string, N extends 0[] = []> =
  N['length'] extends 200 ? Bail
  : S extends `${infer A}/*${string}*/${infer B}` ? Uncomment<`${A} ${B}`, [...N, 0]>
  : S extends `${infer A}//${string}\n${infer B}` ? Uncomment<`${A} \n${B}`, [...N, 0]>
  : S extends `${infer A}//${string}` ? A
  : S;
/** At most 300 statements are read (each costs a few of TypeScript's 1,000 tail-recursion steps). */
type Statements<S extends string, Acc extends string[] = []> =
  Acc['length'] extends 300 ? Acc
  : S extends `${infer A};${infer B}` ? Statements<B, [...Acc, A]> : [...Acc, S];

/** The type map that `cdef(S)` defines, as far as the type level can read it. */
export type CdefTypes<S extends string> =
  Known<S> extends false ? {} : Uncomment<S> extends infer U extends string
    ? U extends Bail ? {} : U extends `${string}#${string}` ? {} : Flat<Walk<Statements<U>, {}>>
    : {};
type Flat<T> = { [K in keyof T]: T[K] };

/** Folds statements into the map. Open is 0, or the record being read: [head tokens, members, nesting]. */
type Walk<Ss extends string[], Map, Open = 0> =
  Ss extends [infer S extends string, ...infer R extends string[]]
    ? Step<StatementTokens<S>, Map, Open> extends [infer Map2, infer Open2] ? Walk<R, Map2, Open2> : Map
    : Map;
type Step<T extends string[], Map, Open> = Open extends 0 ? TopLevel<T, Map> : InRecord<T, Map, Open>;

type Split<T extends string[], At extends string, Acc extends string[] = []> =
  T extends [infer H extends string, ...infer R extends string[]]
    ? H extends At ? [Acc, R] : Split<R, At, [...Acc, H]>
    : never;
type Has<T extends string[], X extends string> = X extends T[number] ? true : false;

type TopLevel<T extends string[], Map> =
  Has<T, '{'> extends true
    ? Split<T, '{'> extends [infer Head extends string[], infer Body extends string[]]
      ? Has<Body, '}'> extends true
        ? [OneLine<Head, Body, Map>, 0]
        : [Map, [Head, AddMember<[], Body>, []]]
      : [Map, 0]
    : T extends ['typedef', ...infer D extends string[]] ? [Typedefs<D, Map>, 0]
    : [Map, 0];

/** `typedef enum { A, B } e_t` (a tagged enum needs no entry: `enum e` is a number already). */
type OneLine<Head extends string[], Body extends string[], Map> =
  Head extends ['typedef', 'enum', ...string[]]
    ? Split<Body, '}'> extends [string[], infer After extends string[]] ? Aliases<'enum ', false, After, Map> : Map
    : Map;

/** Inside a record body; a nested or anonymous record makes the members unreadable (false). */
type InRecord<T extends string[], Map, Open> =
  Open extends [infer Head extends string[], infer Ms, infer Nest extends 0[]]
    ? Has<T, '{'> extends true
      ? [Map, [Head, false, Has<T, '}'> extends true ? Nest : [...Nest, 0]]]
    : Has<T, '}'> extends true
      ? Nest extends [0, ...infer Up extends 0[]] ? [Map, [Head, false, Up]]
      : Split<T, '}'> extends [infer Last extends string[], infer After extends string[]]
        ? [Close<Head, AddMember<Ms, Last>, After, Map>, 0]
        : [Map, 0]
    : [Map, [Head, AddMember<Ms, T>, Nest]]
    : [Map, 0];

/** Members so far with one more `int x, *y[3]` statement, or false once one cannot be read. */
type AddMember<Ms, T extends string[]> =
  Ms extends [string, unknown][]
    ? T extends [] ? Ms
    : T extends ['__extension__', ...string[]] ? false
    : Specs<T> extends [infer B extends string, infer C extends boolean, infer R extends string[]]
      ? MemberList<B, C, R, Ms>
      : false
    : false;
type MemberList<B extends string, C extends boolean, T extends string[], Ms extends [string, unknown][]> =
  Declarator<B, C, T, [0, 0]> extends [infer N extends string, infer D, infer R extends string[]]
    ? N extends '' ? false
    : D extends { k: 'fn' } ? false
    : R extends [] | [':', string] ? [...Ms, [N, D]]
    : R extends [',', ...infer R2 extends string[]] ? MemberList<B, C, R2, [...Ms, [N, D]]>
    : false
    : false;

type RecordEntry<U, Ms> = Described<{ k: 'r'; u: U; m: Ms }>;
/** A record's closing `} names`: its tag entry, and typedef names for it. */
type Close<Head extends string[], Ms, After extends string[], Map> =
  Ms extends [string, unknown][]
    ? Head extends ['typedef', infer Tg extends 'struct' | 'union', infer N extends string]
      ? Aliases<`${Tg} ${N}`, false, After, Map & { [K in `${Tg} ${N}`]: RecordEntry<Tg extends 'union' ? true : false, Ms> }>
    : Head extends [infer Tg extends 'struct' | 'union', infer N extends string]
      ? Map & { [K in `${Tg} ${N}`]: RecordEntry<Tg extends 'union' ? true : false, Ms> }
    : Head extends ['typedef', infer Tg extends 'struct' | 'union']
      ? AnonAliases<RecordEntry<Tg extends 'union' ? true : false, Ms>, After, Map>
    : Map
    : Map;

/** `typedef <specs> a, *b, (*c)(int)`: each name described by its declarator. */
type Typedefs<T extends string[], Map> =
  Specs<T> extends [infer B extends string, infer C extends boolean, infer R extends string[]] ? Aliases<B, C, R, Map> : Map;
type Aliases<B extends string, C extends boolean, T extends string[], Map, N extends 0[] = []> =
  N['length'] extends 20 ? Map
  : Declarator<B, C, T, [0]> extends [infer Name extends string, infer D, infer R extends string[]]
    ? Name extends '' ? Map
    : (Map & { [K in Name]: Described<D extends { k: 'fn' } ? Fail : D> }) extends infer Next
      ? R extends [',', ...infer R2 extends string[]] ? Aliases<B, C, R2, Next, [...N, 0]> : Next
      : Map
    : Map;
type AnonAliases<Rec, T extends string[], Map> =
  T extends [infer Name extends string, ...infer R extends string[]]
    ? Name extends Punct ? Map
    : R extends [] ? Map & { [K in Name]: Rec }
    : R extends [',', ...infer R2 extends string[]] ? AnonAliases<Rec, R2, Map & { [K in Name]: Rec }>
    : Map
    : Map;

/** The map carried by a cdef() result (`TypesOf<typeof defs>`). */
declare const cdefTypes: unique symbol;
export interface CdefResult<S extends string> { readonly [cdefTypes]?: CdefTypes<S> }
/** The type map a cdef() result describes, for `load<TypesOf<typeof defs>>(path)`. */
export type TypesOf<R> = R extends { readonly [cdefTypes]?: infer M } ? Exclude<M, undefined> : {};

/** The JS value a C type name produces (e.g. a member read), resolved through M and CTypes. */
export type CValue<Name extends string, M = {}> = Out<{ k: 'v'; b: Name }, M>;
/** The JS values a C type name accepts as a parameter. */
export type CInput<Name extends string, M = {}> = In<{ k: 'v'; b: Name }, M>;
