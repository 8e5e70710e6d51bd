// TypeScope: the typedef names, struct/union/enum tags and enum constants that declarations can use.
import type { CType, EnumType, RecordType, ScalarType } from '../types/ctype.js';
import { BUILTIN_TYPEDEFS } from '../types/builtins.js';
import { CTypeError } from '../types/errors.js';
import { makeIncompleteRecord, nameByTypedef, sameType } from '../types/layout.js';

export interface TypedefEntry {
  readonly type: CType;
  /** `typedef const char cchar;`: the qualifier travels with the name (for `cchar *` cstrings). */
  readonly isConst: boolean;
}

export interface EnumConstant {
  readonly value: bigint;
  /** int when the value fits, else long or unsigned long. */
  readonly type: ScalarType;
}

/**
 * Incomplete record -> its definition. Descriptors are frozen, so completing `struct s` makes
 * a new RecordType; anything that captured the incomplete one (a typedef, a PointerType's `to`
 * getter) finds the definition here. Shared by all scopes: a record is completed at most once.
 */
const completions = new WeakMap<RecordType, RecordType>();

/** The completed definition of a forward-declared record, else `t` itself. */
export function resolveType(t: CType): CType {
  return (t.kind === 'struct' || t.kind === 'union') && !t.complete ? completions.get(t) ?? t : t;
}

/**
 * A C file scope for declarations. A scope without a parent knows the builtin typedef names
 * (int32_t, size_t...). A child scope sees its parent's names and may shadow them, as a C
 * block scope does; definitions always go into the scope they are made in.
 */
export class TypeScope {
  private typedefs = new Map<string, TypedefEntry>();
  private tags = new Map<string, RecordType | EnumType>();
  private constants = new Map<string, EnumConstant>();
  /** Records completed in the running transaction, to undo on failure. */
  private completedNow: RecordType[] | undefined;
  /** The maps as they were before the running transaction's first change (copied on write). */
  private saved: [Map<string, TypedefEntry>, Map<string, RecordType | EnumType>, Map<string, EnumConstant>] | undefined;

  constructor(readonly parent?: TypeScope) {
    if (!parent) for (const [name, type] of BUILTIN_TYPEDEFS) this.typedefs.set(name, { type, isConst: false });
  }

  /** A new scope whose lookups fall back to this one. */
  child(): TypeScope {
    return new TypeScope(this);
  }

  lookupTypedef(name: string): TypedefEntry | undefined {
    const e = this.typedefs.get(name) ?? this.parent?.lookupTypedef(name);
    return e && { type: resolveType(e.type), isConst: e.isConst };
  }

  lookupTag(name: string): RecordType | EnumType | undefined {
    const t = this.tags.get(name) ?? this.parent?.lookupTag(name);
    return t && (resolveType(t) as RecordType | EnumType);
  }

  lookupConstant(name: string): EnumConstant | undefined {
    return this.constants.get(name) ?? this.parent?.lookupConstant(name);
  }

  /** Defines a typedef name; redefining it in the same scope must name the same type. */
  defineTypedef(name: string, type: CType, isConst: boolean): void {
    const old = this.typedefs.get(name);
    if (old) {
      if (sameType(resolveType(old.type), type) && old.isConst === isConst) return;
      throw new CTypeError(`conflicting types for typedef '${name}': '${old.type.name}' vs '${type.name}'`);
    }
    if (this.constants.has(name)) throw new CTypeError(`'${name}' redeclared as a different kind of symbol`);
    this.touch();
    nameByTypedef(type, name);
    this.typedefs.set(name, { type, isConst });
  }

  /**
   * `struct tag` without a body: the record visible under `tag` (own scope first, then parents),
   * else a new incomplete record declared in this scope. `own` forces a declaration in this
   * scope (`struct tag;` on its own, or the start of a definition).
   */
  declareRecord(kind: 'struct' | 'union', tag: string, own = false): RecordType {
    const found = own ? this.tags.get(tag) : this.tags.get(tag) ?? this.parent?.lookupTag(tag);
    if (found) {
      if (found.kind !== kind) throw new CTypeError(`'${tag}' defined as wrong kind of tag ('${found.name}')`);
      return resolveType(found) as RecordType;
    }
    const r = makeIncompleteRecord(kind, tag);
    this.touch();
    this.tags.set(tag, r);
    return r;
  }

  /**
   * Records the definition of a tagged record. Completes this scope's forward declaration;
   * an identical redefinition returns the existing record; a different one is an error.
   */
  defineRecord(def: RecordType): RecordType {
    const tag = def.tag!;
    const old = this.tags.get(tag);
    if (old && old.kind !== def.kind) throw new CTypeError(`'${tag}' defined as wrong kind of tag ('${old.name}')`);
    if (old && (old as RecordType).complete) {
      if (sameType(old, def)) return old as RecordType;
      throw new CTypeError(`redefinition of '${def.name}' with a different layout`);
    }
    this.touch();
    if (old) {
      completions.set(old as RecordType, def);
      this.completedNow?.push(old as RecordType);
    }
    this.tags.set(tag, def);
    return def;
  }

  /** Records a tagged enum; an identical redefinition returns the existing one. */
  defineEnum(def: EnumType): EnumType {
    const tag = def.tag!;
    const old = this.tags.get(tag);
    if (old) {
      if (old.kind === 'enum' && sameType(old, def)) return old;
      throw new CTypeError(old.kind === 'enum' ? `redefinition of '${def.name}' with different values` : `'${tag}' defined as wrong kind of tag ('${old.name}')`);
    }
    this.touch();
    this.tags.set(tag, def);
    return def;
  }

  defineConstant(name: string, value: bigint, type: ScalarType): void {
    const old = this.constants.get(name);
    if (old) {
      if (old.value === value) return;
      throw new CTypeError(`redefinition of enumerator '${name}' (${old.value}, now ${value})`);
    }
    if (this.typedefs.has(name)) throw new CTypeError(`'${name}' redeclared as a different kind of symbol`);
    this.touch();
    this.constants.set(name, { value, type });
  }

  /** Runs `fn`; if it throws, this scope is left exactly as it was. */
  transaction<T>(fn: () => T): T {
    if (this.completedNow) return fn();
    this.completedNow = [];
    try {
      return fn();
    } catch (e) {
      if (this.saved) [this.typedefs, this.tags, this.constants] = this.saved;
      for (const r of this.completedNow) completions.delete(r);
      throw e;
    } finally {
      this.completedNow = undefined;
      this.saved = undefined;
    }
  }

  /** Called before any change: inside a transaction, keeps the maps as they were. */
  private touch(): void {
    if (this.completedNow && !this.saved) {
      this.saved = [new Map(this.typedefs), new Map(this.tags), new Map(this.constants)];
    }
  }
}
