// The trampoline allocator for JS: static trampolines that enter a native target with a context.
import { addon, type NativeTrampStats } from './native/addon.js';
import { TrampolineError } from './errors.js';
import { HOST } from './targets/index.js';

export type TrampolineStats = NativeTrampStats;

/** A native address or context word: a non-negative safe integer, or a bigint, below 2^64 (2^32 on i386). */
export type Word = number | bigint;

/** Bits of a word: a pointer's. */
const BITS = HOST.model.sizes.pointer * 8;

function checkWord(value: unknown, what: string): Word {
  if (typeof value === 'bigint') {
    if (value < 0n || value >= 1n << BigInt(BITS)) throw new TrampolineError(`${what} must fit in ${BITS} unsigned bits, got ${value}`);
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new TrampolineError(`${what} must be a non-negative safe integer or a bigint, got ${value}`);
    if (BITS === 32 && value > 0xffffffff) throw new TrampolineError(`${what} must fit in 32 unsigned bits, got ${value}`);
    return value;
  }
  throw new TrampolineError(`${what} must be a number or a bigint, got ${value === null ? 'null' : typeof value}`);
}

/**
 * One static trampoline: `address` is a unique code address that, when called, enters
 * `target` with the caller's arguments untouched and `context` in the context register (r10 on
 * x86-64, x17 on AArch64; native/tramp.h states the contract).
 */
export class Trampoline {
  #handle: number;
  #freed = false;

  constructor(token: symbol, handle: number) {
    if (token !== constructToken) throw new TrampolineError('use trampolines.alloc() to make a Trampoline');
    this.#handle = handle;
  }

  #live(op: string): number {
    if (this.#freed) throw new TrampolineError(`cannot ${op} a freed trampoline`);
    return this.#handle;
  }

  /** The code address to hand to C as a function pointer. */
  get address(): number {
    return addon.trampAddress(this.#live('use the address of'));
  }

  get freed(): boolean {
    return this.#freed;
  }

  /** Points the trampoline at a native `target`, passing `context`; context is published first. */
  set(target: Word, context: Word): this {
    const h = this.#live('set');
    const t = checkWord(target, 'target');
    if (t === 0 || t === 0n) throw new TrampolineError('target must be a code address, got 0 (NULL)');
    addon.trampSet(h, t, checkWord(context, 'context'));
    return this;
  }

  /** Releases the slot; calling it afterwards aborts the process with a message naming it. */
  free(): void {
    const h = this.#live('free');
    this.#freed = true;
    addon.trampFree(h);
  }

  [Symbol.dispose](): void {
    if (!this.#freed) this.free();
  }
}

const constructToken = Symbol('Trampoline');

function asTrampoline(t: unknown, op: string): Trampoline {
  if (!(t instanceof Trampoline)) throw new TrampolineError(`${op} expects a Trampoline from trampolines.alloc()`);
  return t;
}

/** The allocator's JS API (DESIGN.md, "The trampoline allocator"). */
export const trampolines = {
  /** A new trampoline; until `set`, calling it traps. */
  alloc(): Trampoline {
    let handle: number;
    try {
      handle = addon.trampAlloc();
    } catch (e) {
      // No slot and no table to map (memory, vm.max_map_count, the in-image pool): the message says which.
      throw new TrampolineError((e as Error).message, 'ERR_TRAMPFD_EXHAUSTED');
    }
    return new Trampoline(constructToken, handle);
  },
  set(t: Trampoline, target: Word, context: Word): Trampoline {
    return asTrampoline(t, 'set').set(target, context);
  },
  address(t: Trampoline): number {
    return asTrampoline(t, 'address').address;
  },
  free(t: Trampoline): void {
    asTrampoline(t, 'free').free();
  },
  /** Mode (file-mapped or in-image), tables, live and quarantined slots. */
  stats(): TrampolineStats {
    return addon.trampStats();
  },
  /** Calls a fresh trampoline from native code and checks the context it delivers. */
  selfTest(): { ok: boolean; address: number } {
    return addon.trampSelfTest();
  },
  /** Uses the bounded in-image pool only; must precede the first alloc in the process. */
  forceImageMode(): void {
    addon.trampForceImageMode();
  },
  /**
   * Keeps trampoline data pages read-only except while the allocator writes an entry, so a
   * stray write cannot redirect a live trampoline (TRAMPFD_SEAL=1 does the same). Must precede
   * the first alloc in the process; set, alloc and free then cost two mprotect calls each.
   */
  seal(): void {
    addon.trampSeal();
  },
};
