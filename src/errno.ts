// errno(): the C errno captured right after the last call declared with { errno: true };
// errno(value): the errno that the next such call starts with (instead of 0).
import { errnoState } from './codegen/call-state.js';
import { views } from './codegen/frame.js';
import { CONTROL } from './native/frame-layout.js';
import { TrampfdRangeError, TrampfdTypeError } from './types/errors.js';

const NEXT_WORD = CONTROL.ERRNO >> 2;

/** errno after the last call declared `{ errno: true }`. */
export function errno(): number;
/** Sets C's errno for the next call declared `{ errno: true }` only (later ones start from 0 again). */
export function errno(value: number): void;
export function errno(...args: [] | [number]): number | void {
  if (args.length === 0) return errnoState.value;
  const v = args[0];
  if (typeof v !== 'number') throw new TrampfdTypeError(`errno(value) expects a number, got ${typeof v}`);
  if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new TrampfdRangeError(`errno(value): ${v} is not an int`);
  views.i32[NEXT_WORD] = v; // native code copies it into the call's frame and zeroes this word
}
