// State the ESM and the CJS build share in one JS environment (both get the same addon exports).
import { addon } from './addon.js';

export interface Shared {
  /** Callback runners by id; the native closure carries the id. */
  readonly table: (((f: number) => void) | undefined)[];
  readonly freeIds: number[];
  /** Callback names by id, for errors reported by native code. */
  readonly names: string[];
  /** Result writers of callbacks C runs natively, by id (codegen/native-callbacks.ts). */
  readonly writers: (((v: unknown, f: number, id: number) => void) | undefined)[];
  /** What a callback C runs natively keeps alive for C: the last string it returned, by id. */
  readonly holds: ({ buffer: Buffer | undefined } | undefined)[];
  /** Exceptions thrown by callbacks during the foreign call in progress. */
  readonly pending: unknown[];
  /** errno of the last call declared with `{ errno: true }`. */
  readonly errno: { value: number };
  /** Whether a dispatcher is registered with the addon (once per environment). */
  dispatcher: boolean;
}

const KEY = Symbol.for('trampfd.shared');
const holder = addon as unknown as Record<symbol, Shared | undefined>;

export const shared: Shared = (holder[KEY] ??= { table: [], freeIds: [], names: [], writers: [], holds: [], pending: [], errno: { value: 0 }, dispatcher: false });
