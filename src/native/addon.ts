// The native addon's functions, typed; the single place that loads it.
import { loadAddon } from './load.cjs';

export interface NativeTrampStats {
  mode: 'file' | 'image' | 'unset';
  tables: number;
  live: number;
  quarantined: number;
  capacity: number;
  imageUsed: number;
  imageCapacity: number;
  codeBytesPerSlot: number;
  dataBytesPerSlot: number;
  fallbackReason: string | null;
}

export interface Addon {
  trampAlloc(): number;
  trampSet(handle: number, target: number | bigint, context: number | bigint): void;
  trampAddress(handle: number): number;
  trampFree(handle: number): void;
  trampStats(): NativeTrampStats;
  trampForceImageMode(): void;
  trampSelfTest(): { ok: boolean; address: number };
}

export const addon = loadAddon() as Addon;
