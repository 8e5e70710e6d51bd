// The shape of a declared foreign function, shared by library.ts (which makes them) and typed.ts
// (which infers their parameter and result types from declaration strings).
import type { FunctionType } from './types/ctype.js';

/**
 * A foreign function as JS sees it: call it, or `.async(...)`, `.address`, `.declaration`.
 * `func()` infers P and R from the declaration string (src/typed.ts); the defaults are the general form.
 */
export interface ForeignFunction<P extends unknown[] = any[], R = any> {
  (...args: P): R;
  /** The call on the libuv thread pool; buffers and strings passed stay alive until it settles. */
  async(...args: P): Promise<R>;
  readonly address: number;
  readonly declaration: string;
  readonly type: FunctionType;
}
