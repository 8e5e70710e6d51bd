// Per-call runtime state shared by every marshaller and callback runner of this JS environment:
// errno of the last call, what must outlive a native call, callback exceptions waiting to be
// rethrown, and whether an async call is being marshalled.
import { shared } from '../native/shared.js';
import { PENDING_WORD, views } from './frame.js';

const { u32 } = views;

/** errno of the last call declared with `{ errno: true }`. */
export const errnoState = shared.errno;

/**
 * What must outlive the native call: Buffers behind pointer arguments and transient callbacks.
 * A call releases what it pushed (releasePins) when it returns.
 */
export const pins: unknown[] = [];

/** Frees transient callbacks pushed since `mark` and drops the rest. */
export function releasePins(mark: number): void {
  for (let i = mark; i < pins.length; i++) {
    const p = pins[i] as { release?: () => void };
    if (p && typeof p.release === 'function') p.release();
  }
  pins.length = mark;
}

/**
 * Exceptions thrown by callbacks, in order. A marshaller notes `pending.length` before its native
 * call and, when the call returns, rethrows what was added since: the exceptions of callbacks
 * that ran during that call and no other (nested calls take theirs first).
 */
export const pending = shared.pending;

/** Rethrows the exceptions added since `mark`: one as it is, more as one AggregateError. */
export function throwPending(mark: number, name: string): never {
  const errors = pending.splice(mark);
  u32[PENDING_WORD] = pending.length;
  if (errors.length === 1) throw errors[0];
  throw new AggregateError(errors, `${name}: ${errors.length} callbacks threw during the call`);
}

/** Async calls may not put data in the shared frame buffer: it is reused while they run. */
export const asyncMode = { on: false };
