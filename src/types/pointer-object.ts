// Pointer objects: a Callback, or any object with a `pointer` property, passed where C takes a
// pointer (arguments, callback results, variadic arguments, struct members). Duck-typed on
// `pointer`, `type` and `freed` so the type layer needs no Callback class; each is read once.
import type { CType, FunctionType } from './ctype.js';
import { TrampfdRangeError, TrampfdTypeError } from './errors.js';
import { sameSignature } from './signature.js';
import { CallbackError } from '../errors.js';
import { HOST } from '../targets/index.js';

/** Bits of a pointer on this target, and the largest address one holds. */
const BITS = HOST.model.sizes.pointer * 8;
const MAX_ADDRESS = (1n << BigInt(BITS)) - 1n;

function functionTarget(t: CType): FunctionType | undefined {
  return t.kind === 'pointer' && t.to.kind === 'function' ? t.to : undefined;
}

/**
 * The address held by pointer object `v` passed for a value of pointer type `declared`, or
 * undefined when `v` has no `pointer` property (the caller reports what it accepts). Throws for
 * a freed Callback, a Callback of another function type than `declared` points to, and an
 * address that is not a non-negative safe integer, a bigint below 2^64 or null (2^32 on 32-bit
 * targets, where the address always comes back as a number).
 */
export function pointerObject(v: object, declared: CType, where: string): number | bigint | undefined {
  const o = v as { pointer?: unknown; type?: unknown; freed?: unknown };
  const p = o.pointer;
  if (p === undefined) return undefined;
  if (o.freed === true) {
    throw new CallbackError(`${where}: this callback was freed; C must not be given its pointer`, 'ERR_TRAMPFD_FREED');
  }
  const type = o.type as CType | undefined;
  const want = functionTarget(declared);
  if (want && type && typeof type === 'object' && type.kind === 'function' && !sameSignature(want, type)) {
    throw new TrampfdTypeError(`${where}: expected a callback of type '${declared.name}', got one of type '${type.name}'`);
  }
  if (typeof p === 'number' && Number.isSafeInteger(p) && p >= 0 && (BITS === 64 || p <= 0xffffffff)) return p;
  if (typeof p === 'bigint' && p >= 0n && p <= MAX_ADDRESS) return BITS === 64 ? p : Number(p);
  if (p === null) return 0;
  const got = typeof p === 'number' || typeof p === 'bigint' ? `${p}${typeof p === 'bigint' ? 'n' : ''}` : typeof p;
  const msg = `${where}: .pointer must be ${BITS === 64 ? 'a non-negative safe integer' : 'an integer in [0, 2^32)'}, a bigint below 2^${BITS} or null, got ${got}`;
  throw typeof p === 'number' || typeof p === 'bigint' ? new TrampfdRangeError(msg) : new TrampfdTypeError(msg);
}
