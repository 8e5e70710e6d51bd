// Parses C declarations (prototypes, type names, typedef/struct/union/enum definitions) into frozen CTypes.
import type { CType, EnumType, FunctionType, Param, RecordType } from '../types/ctype.js';
import { INT, LONG, SCALAR_KEYWORDS, ULONG, scalarFromKeywords } from '../types/builtins.js';
import { CTypeError } from '../types/errors.js';
import { combineConventions } from '../types/convention.js';
import type { ConventionAttribute } from '../types/convention.js';
import {
  DEFAULT_ALIGNED, makeArray, makeEnum, makeFunction, makePointer, makeRecord, withAlign,
} from '../types/layout.js';
import type { MemberSpec } from '../types/layout.js';
import { constantExpression } from './constexpr.js';
import type { ExprHost } from './constexpr.js';
import { DeclarationError } from './errors.js';
import type { DeclarationErrorCode } from './errors.js';
import { Lexer } from './lexer.js';
import type { Token } from './lexer.js';
import { resolveType } from './registry.js';
import type { EnumConstant, TypeScope } from './registry.js';

/** What `cdef` declared, in source order. Functions and variables are reported, not stored. */
export type Declaration =
  | { readonly kind: 'typedef'; readonly name: string; readonly type: CType }
  | { readonly kind: 'struct' | 'union'; readonly name: string | undefined; readonly type: RecordType }
  | { readonly kind: 'enum'; readonly name: string | undefined; readonly type: EnumType }
  | { readonly kind: 'function'; readonly name: string; readonly type: FunctionType }
  | { readonly kind: 'variable'; readonly name: string; readonly type: CType };

/** A prototype or function type: its name (absent for `int (*)(int)`) and type. */
export interface FunctionDeclaration {
  readonly name: string | undefined;
  readonly type: FunctionType;
}

const STORAGE = new Set([
  'typedef', 'extern', 'static', 'inline', '__inline', '__inline__', 'register', 'auto', '_Noreturn',
  'noreturn', '__extension__', '_Thread_local', 'thread_local', '__thread',
]);
const QUALIFIERS = new Set([
  'const', '__const', '__const__', 'volatile', '__volatile', '__volatile__', 'restrict', '__restrict',
  '__restrict__', '_Nonnull', '_Nullable', '__nonnull',
]);
const CONST = new Set(['const', '__const', '__const__']);
const ATTRIBUTE = new Set(['__attribute__', '__attribute']);
/**
 * Calling-convention keywords as MinGW and MSVC-style headers spell them (MinGW defines them as the
 * gcc attributes): accepted wherever an `__attribute__((...))` is, with the same meaning.
 */
const CONVENTION_KEYWORDS: ReadonlyMap<string, 'cdecl' | 'stdcall' | 'fastcall'> = new Map([
  ['__cdecl', 'cdecl'], ['__stdcall', 'stdcall'], ['__fastcall', 'fastcall'],
] as const);
/** i386 calling-convention attributes: they belong to a function type (types/convention.ts). */
const CONVENTION_ATTRIBUTES = new Set(['cdecl', 'stdcall', 'fastcall', 'regparm']);
const ALIGNAS = new Set(['_Alignas', 'alignas']);
const UNSUPPORTED_WORDS = new Set(['_Atomic', 'typeof', '__typeof__', '__typeof', 'typeof_unqual', '_BitInt']);
const STATIC_ASSERT = new Set(['_Static_assert', 'static_assert']);
const TAGS = new Set(['struct', 'union', 'enum']);
const KEYWORDS = new Set([
  ...STORAGE, ...QUALIFIERS, ...ATTRIBUTE, ...CONVENTION_KEYWORDS.keys(), ...ALIGNAS, ...UNSUPPORTED_WORDS, ...STATIC_ASSERT, ...TAGS, ...SCALAR_KEYWORDS,
  'sizeof', '_Alignof', 'alignof', '__alignof__', '__alignof', 'return', 'if', 'else', 'for', 'while', 'do',
  'switch', 'case', 'default', 'goto', 'break', 'continue',
]);
/** Attributes that change a type or calling convention in ways trampfd does not model. */
const UNSUPPORTED_ATTRIBUTES = new Set([
  'vector_size', 'mode', 'ms_abi', 'thiscall', 'vectorcall', 'ms_struct', 'scalar_storage_order',
  'designated_init', 'sseregparm', 'callee_pop_aggregate_return',
]);

interface Attrs { packed?: boolean; aligned?: number }

/** A calling-convention attribute and the token that names it (for errors). */
interface ConventionUse {
  readonly attr: ConventionAttribute;
  readonly tok: Token;
}

/** Declaration specifiers: the base type and what came with it. */
interface Specs {
  readonly type: CType;
  readonly isConst: boolean;
  readonly storage: string | undefined;
  readonly attrs: Attrs;
  /** Calling-convention attributes among the specifiers: they belong to the declared function type. */
  readonly conventions: readonly ConventionUse[];
  readonly start: Token;
  /** `struct tag` without a body: `struct tag;` alone declares the tag in this scope. */
  readonly forward: Token | undefined;
  /** An untagged struct/union defined right here (may be an anonymous member). */
  readonly anonymousRecord: boolean;
}

/** One step of a declarator, applied innermost type first. */
type Derivation =
  | { readonly kind: 'ptr'; readonly isConst: boolean; readonly tok: Token }
  | { readonly kind: 'array'; readonly length: number | undefined; readonly tok: Token }
  | { readonly kind: 'func'; readonly params: Param[]; readonly variadic: boolean; readonly tok: Token };

interface Declarator {
  readonly name: string | undefined;
  readonly nameTok: Token | undefined;
  readonly derivations: Derivation[];
  readonly attrs: Attrs;
  /**
   * Calling-convention attributes by the derivation whose type they belong to (a function, or
   * the function a pointer points to), and those that belong to the type the declarator starts
   * from (`before`: written at the start of a parenthesized declarator).
   */
  readonly conventions: ReadonlyMap<Derivation, readonly ConventionUse[]>;
  readonly before: readonly ConventionUse[];
}

interface Typed {
  readonly type: CType;
  /** The type is const-qualified (a pointer to it is a `const T *`). */
  readonly isConst: boolean;
  /** Set when the outermost derivation is an array without a size: `int a[]`. */
  readonly unsized?: Token;
}

const isRecord = (t: CType): t is RecordType => t.kind === 'struct' || t.kind === 'union';
const incomplete = (t: CType): boolean => isRecord(t) && !t.complete;

/** Deepest nesting of declarators, records and expressions; keeps the JS stack safe. */
const MAX_DEPTH = 200;
/**
 * Most pointer, array and function levels in one type (C11 5.2.4.1 asks for 12). Each level
 * spells its own name, so an unbounded chain costs quadratic time and memory.
 */
export const MAX_TYPE_DEPTH = 256;
/** Longest cdef source, and longest prototype or type name, in UTF-16 code units. */
export const MAX_SOURCE_LENGTH = 1 << 20;
export const MAX_DECLARATION_LENGTH = 1 << 16;

/** A token's text for a message: an identifier can be a megabyte long. */
function shown(text: string): string {
  return text.length > 64 ? `${text.slice(0, 60)}...` : text;
}

/** Levels of pointer, array and function derivation in `t`, counted up to just past `cap`. */
function typeDepth(t: CType, cap: number): number {
  let n = 0;
  for (let cur = t; n <= cap; n++) {
    if (cur.kind === 'pointer') cur = cur.to;
    else if (cur.kind === 'array') cur = cur.element;
    else if (cur.kind === 'function') cur = cur.ret;
    else break;
  }
  return n;
}

class Parser implements ExprHost {
  /** The current token and the few after it that were looked at; consumed ones are dropped. */
  private readonly ahead: Token[] = [];
  private depth = 0;
  readonly declarations: Declaration[] = [];

  constructor(
    private readonly source: string,
    private readonly lexer: Lexer,
    private readonly scope: TypeScope,
    private readonly allowDefinitions: boolean,
  ) {}

  peek(ahead = 0): Token {
    const q = this.ahead;
    while (q.length <= ahead && (q.length === 0 || q[q.length - 1]!.kind !== 'eof')) q.push(this.lexer.next());
    return q[Math.min(ahead, q.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.ahead.shift();
    return t;
  }

  is(text: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return (t.kind === 'punct' || t.kind === 'ident') && t.text === text;
  }

  accept(text: string): boolean {
    if (!this.is(text)) return false;
    this.next();
    return true;
  }

  expect(text: string): Token {
    if (!this.is(text)) this.fail(this.peek(), `expected '${text}'${this.found()}`);
    return this.next();
  }

  found(t = this.peek()): string {
    return t.kind === 'eof' ? ' before end of input' : `, got '${shown(t.text)}'`;
  }

  fail(at: Token, reason: string, code: DeclarationErrorCode = 'ERR_TRAMPFD_DECL_SYNTAX'): never {
    throw new DeclarationError(reason, this.source, at.line, at.column, code);
  }

  /** Runs a type-model call, turning its CTypeError into a DeclarationError at `at`. */
  guard<T>(at: Token, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof CTypeError)) throw e;
      return this.fail(at, e.message, e.code === 'ERR_TRAMPFD_CTYPE_UNSUPPORTED' ? 'ERR_TRAMPFD_DECL_UNSUPPORTED' : 'ERR_TRAMPFD_DECL_INVALID');
    }
  }

  nest<T>(at: Token, fn: () => T): T {
    if (++this.depth > MAX_DEPTH) this.fail(at, 'declaration is nested too deeply', 'ERR_TRAMPFD_DECL_INVALID');
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.kind !== 'eof') this.fail(t, `unexpected '${shown(t.text)}' after the declaration`);
  }

  startsType(t: Token): boolean {
    if (t.kind !== 'ident') return false;
    return STORAGE.has(t.text) || QUALIFIERS.has(t.text) || ATTRIBUTE.has(t.text) || ALIGNAS.has(t.text)
      || UNSUPPORTED_WORDS.has(t.text) || TAGS.has(t.text) || SCALAR_KEYWORDS.has(t.text)
      || this.scope.lookupTypedef(t.text) !== undefined;
  }

  constant(name: string): EnumConstant | undefined {
    return this.scope.lookupConstant(name);
  }

  typeName(): CType {
    const specs = this.specifiers('typename');
    const typed = this.apply(specs, this.declarator('abstract'));
    if (typed.unsized) this.fail(typed.unsized, 'array size missing', 'ERR_TRAMPFD_DECL_INVALID');
    return typed.type;
  }

  /** A constant expression whose value must be in [min, max]. */
  integer(what: string, min: bigint, max: bigint): number {
    const at = this.peek();
    const v = constantExpression(this).value;
    if (v < min || v > max) this.fail(at, `${what} ${v} is not in [${min}, ${max}]`, 'ERR_TRAMPFD_DECL_INVALID');
    return Number(v);
  }

  // ---- specifiers -------------------------------------------------------------------------

  specifiers(ctx: 'decl' | 'param' | 'member' | 'typename'): Specs {
    const start = this.peek();
    const words: Token[] = [];
    const attrs: Attrs = {};
    const conventions: ConventionUse[] = [];
    let type: CType | undefined;
    let isConst = false;
    let storage: string | undefined;
    let forward: Token | undefined;
    let anonymousRecord = false;
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'ident') break;
      const w = t.text;
      if (STORAGE.has(w)) {
        const allowed = ctx === 'decl' || (ctx === 'param' && w === 'register') || w === '__extension__';
        if (!allowed) this.fail(t, `'${w}' is not allowed here`);
        if (w === 'typedef' && storage === 'typedef') this.fail(t, "duplicate 'typedef'");
        if (w === 'typedef' || storage === undefined) storage = w;
        this.next();
      } else if (QUALIFIERS.has(w)) {
        isConst ||= CONST.has(w);
        this.next();
      } else if (isAttribute(t)) {
        this.attributes(attrs, conventions);
      } else if (ALIGNAS.has(w)) {
        this.alignas(attrs);
      } else if (UNSUPPORTED_WORDS.has(w)) {
        this.fail(t, `'${w}' is not supported`, 'ERR_TRAMPFD_DECL_UNSUPPORTED');
      } else if (SCALAR_KEYWORDS.has(w)) {
        if (type) this.fail(t, `two or more data types in declaration ('${type.name}' and '${w}')`, 'ERR_TRAMPFD_DECL_INVALID');
        words.push(this.next());
      } else if (TAGS.has(w)) {
        if (type || words.length) this.fail(t, `two or more data types in declaration`, 'ERR_TRAMPFD_DECL_INVALID');
        const tag = this.tagSpecifier();
        type = tag.type;
        forward = tag.forward;
        anonymousRecord = tag.anonymous;
      } else {
        const td = type || words.length ? undefined : this.scope.lookupTypedef(w);
        if (!td) break;
        this.next();
        type = td.type;
        isConst ||= td.isConst;
      }
    }
    if (words.length) {
      type = this.guard(words[0]!, () => scalarFromKeywords(words.map((x) => x.text)));
    }
    if (!type) {
      const t = this.peek();
      if (t.kind === 'ident' && !KEYWORDS.has(t.text)) this.fail(t, `unknown type name '${shown(t.text)}'`, 'ERR_TRAMPFD_DECL_UNKNOWN');
      this.fail(t, `expected a type${this.found(t)}`);
    }
    return { type: type!, isConst, storage, attrs, conventions, start, forward, anonymousRecord };
  }

  /**
   * `__attribute__((a, b(args)))` or a convention keyword (`__stdcall`): records packed/aligned,
   * adds calling conventions to `conventions` (refused where there is none: not a function's
   * place), refuses attributes that change types, skips the rest.
   */
  attributes(into: Attrs, conventions?: ConventionUse[]): void {
    const first = this.next();
    const keyword = CONVENTION_KEYWORDS.get(first.text);
    if (keyword) {
      this.convention({ kind: keyword }, first, conventions);
      return;
    }
    this.expect('(');
    this.expect('(');
    while (!this.is(')')) {
      if (this.accept(',')) continue;
      const nameTok = this.next();
      if (nameTok.kind !== 'ident') this.fail(nameTok, `expected an attribute name${this.found(nameTok)}`);
      const name = nameTok.text.replace(/^__(.+)__$/, '$1');
      if (UNSUPPORTED_ATTRIBUTES.has(name)) this.fail(nameTok, `attribute '${name}' is not supported`, 'ERR_TRAMPFD_DECL_UNSUPPORTED');
      if (CONVENTION_ATTRIBUTES.has(name)) {
        this.convention(name === 'regparm' ? { kind: 'regparm', count: this.regparmCount(nameTok) }
          : { kind: name as 'cdecl' | 'stdcall' | 'fastcall' }, nameTok, conventions);
        continue;
      }
      if (name === 'packed') into.packed = true;
      if (name === 'aligned') {
        let n = DEFAULT_ALIGNED;
        if (this.accept('(')) {
          n = this.alignment();
          this.expect(')');
        }
        into.aligned = Math.max(into.aligned ?? 1, n);
      } else if (this.is('(')) {
        this.skipBalanced();
      }
    }
    this.expect(')');
    this.expect(')');
  }

  /** Adds a convention attribute to the list of the place it is written in; none there: not a function's place. */
  convention(attr: ConventionAttribute, tok: Token, into: ConventionUse[] | undefined): void {
    if (!into) this.fail(tok, `'${attr.kind}' attribute only applies to function types`, 'ERR_TRAMPFD_DECL_INVALID');
    into.push({ attr, tok });
  }

  /** `regparm(N)`'s N: gcc takes 0..3 (it warns about more and ignores the attribute; we refuse it). */
  regparmCount(at: Token): number {
    if (!this.accept('(')) this.fail(at, "wrong number of arguments specified for 'regparm' attribute", 'ERR_TRAMPFD_DECL_INVALID');
    const n = this.integer("argument to 'regparm' attribute", 0n, 3n);
    this.expect(')');
    return n;
  }

  /** The index of the first token at or after `ahead` that is not part of an attribute. */
  afterAttributes(ahead: number): number {
    let k = ahead;
    for (;;) {
      const t = this.peek(k);
      if (t.kind === 'ident' && CONVENTION_KEYWORDS.has(t.text)) { k++; continue; }
      if (!(t.kind === 'ident' && ATTRIBUTE.has(t.text)) || !this.is('(', k + 1)) return k;
      let depth = 0;
      k++;
      do {
        const u = this.peek(k++);
        if (u.kind === 'eof') return k;
        if (u.kind === 'punct' && u.text === '(') depth++;
        if (u.kind === 'punct' && u.text === ')') depth--;
      } while (depth > 0);
    }
  }

  alignment(): number {
    const at = this.peek();
    const n = this.integer('alignment', 1n, 1n << 28n);
    if ((n & (n - 1)) !== 0) this.fail(at, `requested alignment ${n} is not a power of 2`, 'ERR_TRAMPFD_DECL_INVALID');
    return n;
  }

  skipBalanced(): void {
    let depth = 0;
    do {
      const t = this.next();
      if (t.kind === 'eof') this.fail(t, "expected ')' before end of input");
      if (t.kind === 'punct' && (t.text === '(' || t.text === '[' || t.text === '{')) depth++;
      if (t.kind === 'punct' && (t.text === ')' || t.text === ']' || t.text === '}')) depth--;
    } while (depth > 0);
  }

  /** `_Alignas(N)` or `_Alignas(type)`. */
  alignas(into: Attrs): void {
    this.next();
    this.expect('(');
    const n = this.startsType(this.peek()) ? this.typeName().align : this.alignment();
    this.expect(')');
    into.aligned = Math.max(into.aligned ?? 1, n);
  }

  tagSpecifier(): { type: CType; forward: Token | undefined; anonymous: boolean } {
    const kw = this.next();
    const attrs: Attrs = {};
    while (isAttribute(this.peek())) this.attributes(attrs);
    let tagTok: Token | undefined;
    if (this.peek().kind === 'ident' && !KEYWORDS.has(this.peek().text)) tagTok = this.next();
    // Attributes after the tag are the record's only before a body; else they are the declaration's
    // (`struct s __attribute__((stdcall)) f(void)`), left to the specifiers.
    if (this.is('{', this.afterAttributes(0))) while (isAttribute(this.peek())) this.attributes(attrs);
    if (this.is('{')) {
      if (!this.allowDefinitions) this.fail(this.peek(), `${kw.text} definitions are only allowed in cdef`, 'ERR_TRAMPFD_DECL_INVALID');
      const type = this.nest(kw, () => (kw.text === 'enum' ? this.enumBody(kw, tagTok, attrs) : this.recordBody(kw, tagTok, attrs)));
      return { type, forward: undefined, anonymous: tagTok === undefined };
    }
    if (!tagTok) this.fail(this.peek(), `expected a tag name or '{' after '${kw.text}'${this.found()}`);
    const tag = tagTok!.text;
    if (kw.text === 'enum') {
      const e = this.scope.lookupTag(tag);
      if (!e) this.fail(tagTok!, `unknown enum '${tag}'`, 'ERR_TRAMPFD_DECL_UNKNOWN');
      if (e!.kind !== 'enum') this.fail(tagTok!, `'${tag}' defined as wrong kind of tag ('${e!.name}')`, 'ERR_TRAMPFD_DECL_INVALID');
      return { type: e!, forward: undefined, anonymous: false };
    }
    const kind = kw.text as 'struct' | 'union';
    return { type: this.guard(tagTok!, () => this.scope.declareRecord(kind, tag)), forward: tagTok, anonymous: false };
  }

  recordBody(kw: Token, tagTok: Token | undefined, attrs: Attrs): RecordType {
    const kind = kw.text as 'struct' | 'union';
    this.expect('{');
    // The tag is in scope inside its own body, so members can point to the record.
    if (tagTok) this.guard(tagTok, () => this.scope.declareRecord(kind, tagTok.text, true));
    const members: MemberSpec[] = [];
    let flexible: Token | undefined; // an `int a[]` member, which must come last
    while (!this.accept('}')) {
      if (this.peek().kind === 'eof') this.expect('}');
      if (this.accept(';')) continue;
      if (this.peek().kind === 'ident' && STATIC_ASSERT.has(this.peek().text)) { this.staticAssert(); continue; }
      const specs = this.specifiers('member');
      if (this.is(';')) {
        // `struct { ... };` inside a record is an anonymous member; `struct tag {...};` only declares the tag.
        if (specs.conventions.length) this.withConventions({ type: specs.type, isConst: false }, specs.conventions);
        if (specs.anonymousRecord && isRecord(specs.type)) {
          members.push({ name: '', type: specs.type, packed: specs.attrs.packed, aligned: specs.attrs.aligned });
        }
        this.next();
        continue;
      }
      for (;;) {
        if (flexible) this.fail(flexible, 'flexible array member not at end of struct', 'ERR_TRAMPFD_DECL_INVALID');
        const d = this.is(':') ? undefined : this.declarator('named');
        let bitWidth: number | undefined;
        if (this.accept(':')) bitWidth = this.integer('bit-field width', 0n, 64n);
        const mattrs: Attrs = { ...specs.attrs };
        if (d?.attrs.packed) mattrs.packed = true;
        mattrs.aligned = Math.max(mattrs.aligned ?? 1, d?.attrs.aligned ?? 1);
        const trailing: ConventionUse[] = [];
        while (isAttribute(this.peek())) this.attributes(mattrs, trailing);
        const typed = d ? this.apply(specs, d, trailing)
          : this.withConventions({ type: specs.type, isConst: specs.isConst }, [...specs.conventions, ...trailing]);
        if (typed.unsized && (kind === 'union' || members.length === 0)) {
          this.fail(typed.unsized, `flexible array member in ${kind === 'union' ? 'a union' : 'a struct with no other members'}`, 'ERR_TRAMPFD_DECL_INVALID');
        }
        flexible = typed.unsized;
        members.push({
          name: d?.name ?? '', type: typed.type, bitWidth, packed: mattrs.packed,
          aligned: mattrs.aligned > 1 ? mattrs.aligned : undefined,
        });
        if (!this.accept(',')) break;
      }
      this.expect(';');
    }
    while (isAttribute(this.peek())) this.attributes(attrs);
    const rec = this.guard(kw, () => makeRecord(kind, tagTok?.text, members, attrs));
    const type = tagTok ? this.guard(tagTok, () => this.scope.defineRecord(rec)) : rec;
    this.declarations.push({ kind, name: tagTok?.text, type });
    return type;
  }

  enumBody(kw: Token, tagTok: Token | undefined, attrs: Attrs): EnumType {
    this.expect('{');
    const values = new Map<string, bigint>();
    let next = 0n;
    while (!this.is('}')) {
      const nt = this.next();
      if (nt.kind !== 'ident' || KEYWORDS.has(nt.text)) this.fail(nt, `expected an enumerator name${this.found(nt)}`);
      while (isAttribute(this.peek())) this.attributes({});
      let value = next;
      if (this.accept('=')) value = constantExpression(this).value;
      if (values.has(nt.text)) this.fail(nt, `duplicate enumerator '${nt.text}'`, 'ERR_TRAMPFD_DECL_INVALID');
      if (value < -(1n << 63n) || value >= 1n << 64n) this.fail(nt, `enumerator value ${value} does not fit in 64 bits`, 'ERR_TRAMPFD_DECL_INVALID');
      values.set(nt.text, value);
      const type = value >= -(1n << 31n) && value < 1n << 31n ? INT : value < 1n << 63n ? LONG : ULONG;
      this.guard(nt, () => this.scope.defineConstant(nt.text, value, type));
      next = value + 1n;
      if (!this.accept(',')) break;
    }
    this.expect('}');
    if (values.size === 0) this.fail(kw, `empty enum`, 'ERR_TRAMPFD_DECL_INVALID');
    while (isAttribute(this.peek())) this.attributes(attrs);
    const e = this.guard(kw, () => makeEnum(tagTok?.text, values, attrs.packed));
    const type = tagTok ? this.guard(tagTok, () => this.scope.defineEnum(e)) : e;
    this.declarations.push({ kind: 'enum', name: tagTok?.text, type });
    return type;
  }

  staticAssert(): void {
    const kw = this.next();
    this.expect('(');
    const ok = constantExpression(this).value !== 0n;
    let message = '';
    if (this.accept(',')) {
      const m = this.next();
      if (m.kind !== 'string') this.fail(m, `expected a string${this.found(m)}`);
      message = `: ${m.text}`;
    }
    this.expect(')');
    this.expect(';');
    if (!ok) this.fail(kw, `static assertion failed${message}`, 'ERR_TRAMPFD_DECL_INVALID');
  }

  // ---- declarators ------------------------------------------------------------------------

  /** Qualifiers and attributes after a `*`; returns whether the pointer itself is const. */
  pointerQualifiers(attrs: Attrs, conventions: ConventionUse[]): boolean {
    let isConst = false;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'ident' && QUALIFIERS.has(t.text)) { isConst ||= CONST.has(t.text); this.next(); continue; }
      if (isAttribute(t)) { this.attributes(attrs, conventions); continue; }
      return isConst;
    }
  }

  /**
   * `named`: must declare a name; `abstract`: must not; `either`: parameters and prototypes.
   * At `(`, a parameter list starts when the next token begins a type or closes the list;
   * otherwise the parenthesis groups an inner declarator (C11 6.7.7).
   */
  declarator(mode: 'named' | 'abstract' | 'either'): Declarator {
    return this.nest(this.peek(), () => this.directDeclarator(mode));
  }

  directDeclarator(mode: 'named' | 'abstract' | 'either'): Declarator {
    const attrs: Attrs = {};
    const conventions = new Map<Derivation, ConventionUse[]>();
    // As gcc does: attributes at the start of a parenthesized declarator (`int (__stdcall *fp)(int)`)
    // belong to the type it starts from, those after a `*` to that pointer's target, and those after
    // the declarator to the type it declares.
    const before: ConventionUse[] = [];
    while (isAttribute(this.peek())) this.attributes(attrs, before);
    const pointers: Derivation[] = [];
    while (this.is('*')) {
      const tok = this.next();
      this.levels(pointers.length, tok);
      const uses: ConventionUse[] = [];
      const ptr: Derivation = { kind: 'ptr', isConst: this.pointerQualifiers(attrs, uses), tok };
      pointers.push(ptr);
      if (uses.length) conventions.set(ptr, uses);
    }
    let inner: Derivation[] = [];
    let innerBefore: readonly ConventionUse[] = [];
    let name: string | undefined;
    let nameTok: Token | undefined;
    const t = this.peek();
    if (t.kind === 'ident' && !KEYWORDS.has(t.text)) {
      if (mode === 'abstract') this.fail(t, `unexpected name '${shown(t.text)}' in a type name`);
      nameTok = this.next();
      name = t.text;
    } else if (this.is('(') && (mode === 'named' || !this.startsParameters())) {
      this.next();
      const sub = this.declarator(mode);
      this.expect(')');
      inner = sub.derivations;
      innerBefore = sub.before;
      ({ name, nameTok } = sub);
      Object.assign(attrs, sub.attrs);
      for (const [dv, uses] of sub.conventions) conventions.set(dv, [...uses]);
    }
    if (mode === 'named' && name === undefined) this.fail(t, `expected a name${this.found(t)}`);
    const suffixes: Derivation[] = [];
    for (;;) {
      if (this.is('[') || this.is('(')) this.levels(pointers.length + inner.length + suffixes.length, this.peek());
      if (this.is('[')) suffixes.push(this.arraySuffix());
      else if (this.is('(')) suffixes.push(this.functionSuffix());
      else break;
    }
    const after: ConventionUse[] = [];
    while (isAttribute(this.peek())) this.attributes(attrs, after);
    const own = [...pointers, ...suffixes.reverse()];
    const derivations = [...own, ...inner];
    const anchor = (at: Derivation | undefined, uses: readonly ConventionUse[]) => {
      if (uses.length === 0) return;
      if (at === undefined) before.push(...uses);
      else conventions.set(at, [...(conventions.get(at) ?? []), ...uses]);
    };
    anchor(own[own.length - 1], innerBefore);
    anchor(derivations[derivations.length - 1], after);
    return { name, nameTok, derivations, attrs, conventions, before };
  }

  /**
   * At `(` in a declarator: whether a parameter list starts (the next token begins a type or
   * closes the list) rather than a parenthesized declarator, looking past attributes, which may
   * start either (`int (__attribute__((stdcall)) *)(int)`, `void f(__attribute__((unused)) int)`).
   */
  startsParameters(): boolean {
    const k = this.afterAttributes(1);
    return this.is(')', k) || this.is('...', k) || this.startsType(this.peek(k));
  }

  /** Fails at `at` when a declarator that has `count` levels already would get one more than a type may have. */
  levels(count: number, at: Token): void {
    if (count >= MAX_TYPE_DEPTH) this.fail(at, `type has more than ${MAX_TYPE_DEPTH} pointer, array or function levels`, 'ERR_TRAMPFD_DECL_INVALID');
  }

  arraySuffix(): Derivation {
    const tok = this.next();
    while (this.peek().kind === 'ident' && (QUALIFIERS.has(this.peek().text) || this.peek().text === 'static')) this.next();
    if (this.accept(']')) return { kind: 'array', length: undefined, tok };
    if (this.is('*') && this.is(']', 1)) this.fail(this.peek(), 'variable length arrays are not supported', 'ERR_TRAMPFD_DECL_UNSUPPORTED');
    const length = this.integer('array size', 0n, 1n << 48n);
    this.expect(']');
    return { kind: 'array', length, tok };
  }

  functionSuffix(): Derivation {
    const tok = this.next();
    const params: Param[] = [];
    const toks: Token[] = [];
    let variadic = false;
    if (!this.accept(')')) {
      for (;;) {
        if (this.is('...')) {
          this.next();
          variadic = true;
          this.expect(')');
          break;
        }
        const specs = this.specifiers('param');
        const d = this.declarator('either');
        toks.push(d.nameTok ?? specs.start);
        params.push({ name: d.name, type: this.parameterType(specs, d) });
        if (this.accept(',')) continue;
        this.expect(')');
        break;
      }
    }
    // `(void)` is the empty list; void anywhere else is an error.
    if (params.length === 1 && params[0]!.type.kind === 'void' && params[0]!.name === undefined && !variadic) params.length = 0;
    const names = new Set<string>();
    params.forEach((p, i) => {
      const what = p.name ? `parameter '${p.name}'` : `parameter ${i + 1}`;
      if (p.type.kind === 'void') this.fail(toks[i]!, `${what} has type void`, 'ERR_TRAMPFD_DECL_INVALID');
      if (incomplete(p.type)) this.fail(toks[i]!, `${what} has incomplete type '${p.type.name}'`, 'ERR_TRAMPFD_DECL_INVALID');
      if (p.name !== undefined && names.has(p.name)) this.fail(toks[i]!, `redefinition of parameter '${p.name}'`, 'ERR_TRAMPFD_DECL_INVALID');
      if (p.name !== undefined) names.add(p.name);
    });
    return { kind: 'func', params, variadic, tok };
  }

  /** A parameter's type after adjustment: arrays become pointers to their elements, functions pointers. */
  parameterType(specs: Specs, d: Declarator): CType {
    const typed = this.apply(specs, d);
    const t = typed.type;
    if (t.kind === 'array') return makePointer(t.element, typed.isConst);
    if (t.kind === 'function') return makePointer(t);
    return t;
  }

  /**
   * Builds the declared type from the specifiers' base type and the declarator's derivations, with
   * each calling convention on its function type; `trailing` conventions (written after a member's
   * declarator) belong to the declared type, as the specifiers' do.
   */
  apply(specs: Specs, d: Declarator, trailing: readonly ConventionUse[] = []): Typed {
    // The declaration's own conventions join those written after its declarator, checked together.
    const declared = [...specs.conventions, ...trailing];
    const last = d.derivations[d.derivations.length - 1];
    let cur: Typed = this.withConventions({ type: specs.type, isConst: specs.isConst }, last ? d.before : [...d.before, ...declared]);
    let depth = d.derivations.length === 0 ? 0 : typeDepth(specs.type, MAX_TYPE_DEPTH);
    // What each derivation's type gets. As in gcc, a pointer's go to the function it points to (with
    // that function's own), and a pointer to anything else hands them to the function returning it
    // (`void * __attribute__((regparm(3))) f(int)` is f's).
    const uses = d.derivations.map((dv) => [...(d.conventions.get(dv) ?? []), ...(dv === last ? declared : [])]);
    d.derivations.forEach((dv, i) => {
      if (dv.kind !== 'ptr' || uses[i]!.length === 0) return;
      const before = d.derivations[i - 1];
      if (before?.kind === 'func') uses[i - 1]!.push(...uses[i]!.splice(0));
      else if ((before !== undefined || specs.type.kind !== 'function') && d.derivations[i + 1]?.kind === 'func') uses[i + 1]!.push(...uses[i]!.splice(0));
    });
    for (const [i, dv] of d.derivations.entries()) {
      this.levels(depth++, dv.tok); // typedefs add up: `typedef t1 *t2;` is one level more than t1
      if (cur.unsized) this.fail(cur.unsized, 'array type has incomplete element type', 'ERR_TRAMPFD_DECL_INVALID');
      const base = resolveType(cur.type);
      if (dv.kind === 'ptr') {
        const resolve = incomplete(base) ? (): CType => resolveType(base) : undefined;
        cur = { type: makePointer(base, cur.isConst, resolve), isConst: dv.isConst };
      } else if (dv.kind === 'array') {
        const type = this.guard(dv.tok, () => makeArray(base, dv.length ?? 0));
        cur = { type, isConst: cur.isConst, unsized: dv.length === undefined ? dv.tok : undefined };
      } else {
        if (incomplete(base)) this.fail(dv.tok, `function returns incomplete type '${base.name}'`, 'ERR_TRAMPFD_DECL_INVALID');
        cur = { type: this.guard(dv.tok, () => makeFunction(base, dv.params, dv.variadic)), isConst: false };
      }
      cur = this.withConventions(cur, uses[i]);
    }
    return cur;
  }

  /**
   * `typed` with calling conventions added to its function type: itself if it is a function, else
   * the function it points to (gcc moves a function attribute on a pointer to its target).
   */
  withConventions(typed: Typed, uses: readonly ConventionUse[] | undefined): Typed {
    if (!uses || uses.length === 0) return typed;
    const at = uses[0]!.tok;
    const t = typed.type;
    const fn = t.kind === 'function' ? t : t.kind === 'pointer' && t.to.kind === 'function' ? t.to : undefined;
    if (!fn) this.fail(at, `'${uses[0]!.attr.kind}' attribute only applies to function types, not '${t.name}'`, 'ERR_TRAMPFD_DECL_INVALID');
    const withIt = this.guard(at, () => makeFunction(fn.ret, fn.params, fn.variadic, combineConventions(fn.convention, uses.map((u) => u.attr))));
    return { ...typed, type: t.kind === 'function' ? withIt : makePointer(withIt) };
  }

  // ---- top level --------------------------------------------------------------------------

  translationUnit(): Declaration[] {
    while (this.peek().kind !== 'eof') {
      if (this.accept(';')) continue;
      if (this.peek().kind === 'ident' && STATIC_ASSERT.has(this.peek().text)) { this.staticAssert(); continue; }
      const specs = this.specifiers('decl');
      if (this.is(';') || this.peek().kind === 'eof') {
        if (specs.conventions.length) this.withConventions({ type: specs.type, isConst: false }, specs.conventions);
        const f = specs.forward;
        if (f && isRecord(specs.type)) {
          const kind = specs.type.kind;
          const type = this.guard(f, () => this.scope.declareRecord(kind, f.text, true));
          this.declarations.push({ kind, name: f.text, type });
        }
        this.accept(';');
        continue;
      }
      for (;;) {
        const d = this.declarator('named');
        this.declare(specs, d);
        if (this.is('{')) this.fail(this.peek(), 'function bodies are not supported');
        if (this.is('=')) this.fail(this.peek(), 'initializers are not supported');
        if (!this.accept(',')) break;
      }
      // The last declaration may omit its ';'.
      if (this.peek().kind !== 'eof') this.expect(';');
    }
    return this.declarations;
  }

  declare(specs: Specs, d: Declarator): void {
    const typed = this.apply(specs, d);
    const name = d.name!;
    const at = d.nameTok!;
    if (typed.unsized) this.fail(typed.unsized, 'array size missing', 'ERR_TRAMPFD_DECL_INVALID');
    if (specs.storage === 'typedef') {
      const aligned = Math.max(specs.attrs.aligned ?? 0, d.attrs.aligned ?? 0);
      const type = aligned ? this.guard(at, () => withAlign(typed.type, aligned)) : typed.type;
      this.guard(at, () => this.scope.defineTypedef(name, type, typed.isConst));
      this.declarations.push({ kind: 'typedef', name, type });
    } else if (typed.type.kind === 'function') {
      this.declarations.push({ kind: 'function', name, type: typed.type });
    } else {
      if (typed.type.kind === 'void') this.fail(at, `variable '${name}' declared void`, 'ERR_TRAMPFD_DECL_INVALID');
      this.declarations.push({ kind: 'variable', name, type: typed.type });
    }
  }

  /** A whole source that declares one function (or, with `unwrap`, a function pointer type). */
  functionDeclaration(unwrap: boolean): FunctionDeclaration {
    const specs = this.specifiers('decl');
    if (specs.storage === 'typedef') this.fail(specs.start, "'typedef' is not allowed in a prototype");
    const d = this.declarator('either');
    const typed = this.apply(specs, d);
    this.accept(';');
    this.expectEnd();
    let t = typed.type;
    if (unwrap && t.kind === 'pointer' && t.to.kind === 'function') t = t.to;
    if (t.kind !== 'function') {
      const wanted = unwrap ? 'a function or function pointer type' : 'a function prototype';
      this.fail(d.nameTok ?? specs.start, `expected ${wanted}, got '${t.name}'`, 'ERR_TRAMPFD_DECL_INVALID');
    }
    return { name: d.name, type: t };
  }
}

/** `__attribute__` or a convention keyword: the start of an attribute. */
function isAttribute(t: Token): boolean {
  return t.kind === 'ident' && (ATTRIBUTE.has(t.text) || CONVENTION_KEYWORDS.has(t.text));
}

function run<T>(source: string, scope: TypeScope, allowDefinitions: boolean, fn: (p: Parser) => T): T {
  if (typeof source !== 'string') throw new TypeError(`declaration must be a string, got ${typeof source}`);
  const limit = allowDefinitions ? MAX_SOURCE_LENGTH : MAX_DECLARATION_LENGTH;
  if (source.length > limit) {
    const head = source.slice(0, limit);
    const line = head.split('\n').length;
    const what = allowDefinitions ? 'cdef source' : 'declaration';
    throw new DeclarationError(`${what} is longer than ${limit} characters`, source, line, limit - head.lastIndexOf('\n'), 'ERR_TRAMPFD_DECL_INVALID');
  }
  const parser = new Parser(source, new Lexer(source), scope, allowDefinitions);
  const first = parser.peek();
  if (first.kind === 'eof') throw new DeclarationError('empty declaration', source, first.line, first.column);
  return scope.transaction(() => fn(parser));
}

/**
 * Parses one function prototype: `int add(int a, int b)`, `int printf(const char *, ...)`,
 * `void (*signal(int, void (*)(int)))(int)`, or an unnamed `int (int)`. Storage words are
 * ignored; parameters are adjusted (arrays and functions become pointers). A `struct tag`
 * that is not yet known is declared (incomplete) in `scope`.
 */
export function parsePrototype(source: string, scope: TypeScope): FunctionDeclaration {
  return run(source, scope, false, (p) => p.functionDeclaration(false));
}

/**
 * Like parsePrototype, and also accepts a function pointer type `int (*)(int, int)`, a named
 * one `int (*cmp)(int)`, or a typedef name of a function or function pointer type (callbacks).
 */
export function parseFunctionType(source: string, scope: TypeScope): FunctionDeclaration {
  return run(source, scope, false, (p) => p.functionDeclaration(true));
}

/** Parses a type name (`struct point`, `int *`, `uint8_t[16]`, `const char *`); refuses incomplete records. */
export function parseTypeName(source: string, scope: TypeScope): CType {
  return run(source, scope, false, (p) => {
    const start = p.peek();
    const t = p.typeName();
    p.expectEnd();
    if (incomplete(t)) p.fail(start, `incomplete type '${t.name}' has no size or layout`, 'ERR_TRAMPFD_DECL_INVALID');
    return t;
  });
}

/**
 * Registers typedef, struct, union and enum definitions (any number, `;`-separated) in `scope`,
 * and reports every declaration, functions and variables included. All or nothing: if any
 * declaration fails, `scope` is left unchanged.
 */
export function cdef(source: string, scope: TypeScope): Declaration[] {
  return run(source, scope, true, (p) => p.translationUnit());
}
