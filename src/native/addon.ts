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
  /** File tables' data pages are read-only outside the allocator's own writes. */
  sealed: boolean;
}

export interface Addon {
  /** The shared frame buffer (native/js-call.c) and its native address. */
  frameBuffer: ArrayBuffer;
  frameBase: number;
  /** Performs the call described by the frame at CONTROL.FRAME. */
  call(): void;
  /** The same on a helper thread, serving callbacks from other threads meanwhile. */
  callBlocking(): void;
  /** Runs the frame (`size` bytes) on the libuv pool; onDone runs with it copied to CONTROL.TOP. */
  callAsync(size: number, onDone: (ok: boolean) => void): void;
  /** Callbacks: the dispatcher runs the callback whose frame is at CONTROL.TOP; onOverflow is
   * told when callback `id` found no room on the frame stack (C got zeros). */
  cbInit(dispatcher: () => void, onOverflow: (id: number, detached: boolean) => void): void;
  /** Native runners (native/js-cb-ops.c): onError gets what a callback threw, writeBack a result C
   * did not accept, each with its frame; released(id) when a callback freed while it ran ends. */
  cbOpsInit(onError: (e: unknown, f: number) => void, writeBack: (v: unknown, f: number) => void, released: (id: number) => void): void;
  /** A callback type's native-runner records (native/js-cb-ops.c), checked and kept in C: a handle for cbCreate. */
  cbShape(record: Int32Array): object;
  /** A new closure for runner `id`: its trampoline's code address. With a shape (cbShape), C runs
   * `fn` itself. */
  cbCreate(id: number, stackBytes: number, frameBytes: number, retSlot: number): number;
  cbCreate(id: number, stackBytes: number, frameBytes: number, retSlot: number, shape: object, fn: Function): number;
  /** Frees the closure whose trampoline is at `address`; true: it is running natively, and that
   * run reports its id free (cbOpsInit's released). */
  cbFree(address: number): boolean;
  /** dlopen with DL_* mode bits (src/library.ts); `loaded`: the object was in the process already. */
  dlopen(path: string | null, mode: number): { handle: number; loaded: boolean };
  /** Native marshallers (native/js-ops.c): store names by code, and the marshaller for a record. */
  opsStores: readonly string[];
  nativeFunction(name: string, record: Int32Array, fallback: Function, slowReturn: (f: number) => unknown,
    afterCallbacks: (mark: number) => void, errnoState: { value: number }): (...args: unknown[]) => unknown;
  /** A `const char *` copy of `s` at CONTROL.TOP, which moves past it: its address, or -1 when it
   * does not fit below `limit` or contains a NUL. */
  stringToFrame(s: string, limit: number): number;
  dlsym(handle: number, name: string): number | undefined;
  /** Exported functions of the library that the global scope resolves to another definition. */
  dlInterposed(handle: number): string[];
  memAlloc(size: number): number;
  memFree(pointer: number): void;
  memView(pointer: number, length: number): ArrayBuffer;
  memCString(pointer: number): string;
  /** The string in `unit`-byte code units (1 UTF-8, 2 UTF-16, 4 UTF-32) at `pointer`, up to a NUL
   * unit or `max` units (-1: no bound); lone surrogates and code points past U+10FFFF as U+FFFD. */
  memString(pointer: number, unit: 1 | 2 | 4, max: number): string;
  /** A native function that reads a UTF-8 C string at a plain address itself and hands any other
   * call to `fallback`, which does the same in JS. */
  stringFunction<F extends (ptr: number, ...rest: never[]) => string>(fallback: F): F;
  /** Copy `length` bytes from `pointer` to the frame buffer at CONTROL.TOP (memLoad), or back (memStore). */
  memLoad(pointer: number, length: number): void;
  memStore(pointer: number, length: number): void;
  bufferAddress(view: ArrayBufferView | ArrayBuffer): number;
  /** Whether the buffer behind a view (or an ArrayBuffer) is detached. */
  bufferDetached(view: ArrayBufferView | ArrayBufferLike): boolean;
  trampAlloc(): number;
  trampSet(handle: number, target: number | bigint, context: number | bigint): void;
  trampAddress(handle: number): number;
  trampFree(handle: number): void;
  trampStats(): NativeTrampStats;
  trampForceImageMode(): void;
  trampSeal(): void;
  trampSelfTest(): { ok: boolean; address: number };
  /** Branch protections in force (native/tramp-arch.h): on AArch64 "bti pac", "bti", "pac" or "". */
  archFeatures: string;
}

export const addon = loadAddon() as Addon;
