// C string encodings: JS strings to and from UTF-8, UTF-16 (char16_t) and UTF-32 (char32_t,
// wchar_t on Linux) code units, NUL-terminated on the way in. A lone surrogate becomes U+FFFD.

/** How a C string's code units are encoded; 'wchar' is wchar_t: UTF-32 on Linux. */
export type StringEncoding = 'utf8' | 'utf16' | 'utf32' | 'wchar';

/** The encoding of a wide-character pointer's target, or undefined for any other. */
export type WideEncoding = 'utf16' | 'utf32';

/** Bytes per code unit. */
export function unitSize(e: StringEncoding): 1 | 2 | 4 {
  return e === 'utf8' ? 1 : e === 'utf16' ? 2 : 4;
}

/** Writes `s` as UTF-16 units plus a NUL at `out[at]`; `out` needs s.length + 1 units. */
export function encodeUtf16(s: string, out: Uint16Array, at: number): void {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        out[at + i] = c;
        out[at + ++i] = d;
      } else {
        out[at + i] = 0xfffd;
      }
      continue;
    }
    out[at + i] = c;
  }
  out[at + n] = 0;
}

/** Writes `s` as UTF-32 units plus a NUL at `out[at]`; returns the units written before the NUL. Needs s.length + 1 units. */
export function encodeUtf32(s: string, out: Uint32Array, at: number): number {
  const n = s.length;
  let k = at;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        out[k++] = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      } else {
        out[k++] = 0xfffd;
      }
      continue;
    }
    out[k++] = c;
  }
  out[k] = 0;
  return k - at;
}

const utf8 = new TextDecoder('utf-8');
const utf16 = new TextDecoder('utf-16le');

/** Decodes `count` code units at the start of `bytes` (invalid sequences and code points become U+FFFD). */
export function decode(bytes: Uint8Array, count: number, e: StringEncoding): string {
  if (e === 'utf8') return utf8.decode(bytes.subarray(0, count));
  if (e === 'utf16') return utf16.decode(bytes.subarray(0, count * 2));
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * 4);
  let out = '';
  for (let i = 0; i < count; i++) {
    const c = view.getUint32(i * 4, true);
    out += c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ? '\ufffd' : String.fromCodePoint(c);
  }
  return out;
}

/** Index of the first NUL code unit in the first `count` units of `bytes`, else -1. */
export function findNul(bytes: Uint8Array, count: number, unit: 1 | 2 | 4): number {
  if (unit === 1) return bytes.subarray(0, count).indexOf(0);
  for (let i = 0; i < count; i++) {
    let zero = true;
    for (let b = 0; b < unit; b++) if (bytes[i * unit + b] !== 0) { zero = false; break; }
    if (zero) return i;
  }
  return -1;
}
