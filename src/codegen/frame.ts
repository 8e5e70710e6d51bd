// Typed views over the shared frame buffer, and the control words that stack frames in it.
import { addon } from '../native/addon.js';
import { CONTROL, FRAME, FRAME_BUFFER_SIZE } from '../native/frame-layout.js';

const buf = addon.frameBuffer;

/** Every view a marshaller needs; indices are byte offsets shifted by the element size. */
export const views = Object.freeze({
  u8: new Uint8Array(buf),
  i8: new Int8Array(buf),
  u16: new Uint16Array(buf),
  i16: new Int16Array(buf),
  u32: new Uint32Array(buf),
  i32: new Int32Array(buf),
  f32: new Float32Array(buf),
  f64: new Float64Array(buf),
  i64: new BigInt64Array(buf),
  u64: new BigUint64Array(buf),
  dv: new DataView(buf),
});

/** Native address of byte 0 of the frame buffer. */
export const frameBase: number = addon.frameBase;

/**
 * Index of the TOP control word in the u32 view: where the next frame starts. While a call's
 * arguments are converted it is also where that call puts variable-size data (strings).
 */
export const TOP_WORD = CONTROL.TOP >> 2;
export const FRAME_WORD = CONTROL.FRAME >> 2;
export const PENDING_WORD = CONTROL.PENDING >> 2;

/** Frames end here; past it a call reports that nesting or arguments grew too large. */
export const FRAME_LIMIT = FRAME_BUFFER_SIZE - 4096;

// Native init set both control words; a second build of the package loading later (even in the
// middle of a call) must not reset them.

export { FRAME };
