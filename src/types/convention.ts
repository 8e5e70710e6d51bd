// i386 calling conventions as function-type attributes: which combinations gcc accepts, and the
// CallingConvention descriptor a set of them makes (absent for the default, cdecl).
import type { CallingConvention } from './ctype.js';
import { CTypeError } from './errors.js';

/** One convention attribute as written: `stdcall`, `fastcall`, `cdecl` or `regparm(count)`. */
export type ConventionAttribute =
  | { readonly kind: 'stdcall' | 'fastcall' | 'cdecl' }
  | { readonly kind: 'regparm'; readonly count: number };

/** The attributes a convention is made of; `regparm` 0 is the default. */
interface Parts {
  stdcall: boolean;
  fastcall: boolean;
  cdecl: boolean;
  regparm: number | undefined;
}

/** The pairs gcc rejects ("stdcall and fastcall attributes are not compatible"); the rest combine. */
const INCOMPATIBLE: readonly (readonly [keyof Parts, keyof Parts])[] = [
  ['stdcall', 'fastcall'], ['stdcall', 'cdecl'], ['fastcall', 'cdecl'], ['fastcall', 'regparm'],
];

function partsOf(c: CallingConvention | undefined): Parts {
  const parts: Parts = { stdcall: false, fastcall: false, cdecl: false, regparm: undefined };
  if (c?.registers === 'fastcall') parts.fastcall = true;
  else if (c) {
    parts.stdcall = c.calleePops;
    if (c.registers !== 0) parts.regparm = c.registers;
  }
  return parts;
}

/**
 * The convention of a function type that has `existing` (from a typedef, say) and is given
 * `attributes` as well. Throws CTypeError for a combination gcc refuses, and for two regparm
 * counts that differ (gcc accepts those and picks one by rules of its own; we ask for one).
 */
export function combineConventions(
  existing: CallingConvention | undefined, attributes: readonly ConventionAttribute[],
): CallingConvention | undefined {
  const parts = partsOf(existing);
  for (const a of attributes) {
    if (a.kind !== 'regparm') {
      parts[a.kind] = true;
      continue;
    }
    if (!Number.isInteger(a.count) || a.count < 0 || a.count > 3) {
      throw new CTypeError(`argument to 'regparm' attribute is ${a.count}, not 0..3`);
    }
    if (parts.regparm !== undefined && parts.regparm !== a.count) {
      throw new CTypeError(`conflicting 'regparm' counts ${parts.regparm} and ${a.count}`);
    }
    parts.regparm = a.count;
  }
  for (const [x, y] of INCOMPATIBLE) {
    if (parts[x] !== false && parts[x] !== undefined && parts[y] !== false && parts[y] !== undefined) {
      throw new CTypeError(`${x} and ${y} attributes are not compatible`);
    }
  }
  const regparm = parts.regparm ?? 0;
  if (parts.fastcall) return Object.freeze({ name: 'fastcall', calleePops: true, registers: 'fastcall' });
  const count = regparm as 0 | 1 | 2 | 3;
  const names = [...(parts.stdcall ? ['stdcall'] : []), ...(count > 0 ? [`regparm(${count})`] : [])];
  // cdecl, regparm(0) and nothing at all are the default: no descriptor.
  if (names.length === 0) return undefined;
  return Object.freeze({ name: names.join(', '), calleePops: parts.stdcall, registers: count });
}
