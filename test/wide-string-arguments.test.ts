// Area: values. Purpose: `const wchar_t *`, `const char32_t *` (UTF-32) and `const char16_t *`
// (UTF-16) parameters take JS strings, NUL-terminated and valid for the call, lone surrogates
// as U+FFFD; memory.string reads them back with an encoding. Real libc (wcslen, wcscmp,
// mbstowcs, wcstombs, swprintf) and char16_t fixtures that check their input.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load, memory } from '../dist/index.js';
import { gcc, scratchDir } from './support-native.js';

const source = `#include <uchar.h>
#include <stddef.h>
/* 1 if s holds exactly the n UTF-16 units in want, then a NUL. */
int ws_eq16(const char16_t *s, const char16_t *want, int n) {
  for (int i = 0; i < n; i++) if (s[i] != want[i]) return 0;
  return s[n] == 0;
}
size_t ws_len16(const char16_t *s) { size_t n = 0; while (s[n]) n++; return n; }
size_t ws_len32(const char32_t *s) { size_t n = 0; while (s[n]) n++; return n; }
char32_t ws_at32(const char32_t *s, int i) { return s[i]; }
char16_t ws_at16(const char16_t *s, int i) { return s[i]; }
static char16_t hello16[] = u"h\\u00e9llo \\U0001F600";
const char16_t *ws_hello16(void) { return hello16; }
`;
const file = join(scratchDir(), 'wide-strings.c');
const so = join(scratchDir(), 'libwide-strings.so');
writeFileSync(file, source);
gcc(['-std=gnu11', '-O2', '-shared', '-fPIC', '-o', so, file]);
const lib = load(so);
const libc = load(null);

/** Strings with every width of code point, and an empty one. */
const SAMPLES = ['', 'a', 'héllo', '日本語', 'emoji 😀 and 𝄞', 'x'.repeat(5000), '😀'.repeat(3000)];

test('const wchar_t * takes a JS string: wcslen, wcscmp agree with the code points', () => {
  const wcslen = libc.func('size_t wcslen(const wchar_t *s)');
  const wcscmp = libc.func('int wcscmp(const wchar_t *a, const wchar_t *b)');
  for (const s of SAMPLES) {
    assert.equal(wcslen(s), [...s].length, `wcslen of ${s.slice(0, 20)}`);
    assert.equal(wcscmp(s, s), 0);
  }
  assert.ok(wcscmp('abd', 'abc') > 0);
  assert.ok(wcscmp('😀', '\uffff') > 0, 'U+1F600 is one unit above U+FFFF, not a surrogate pair');
});

test('mbstowcs and wcstombs round-trip through memory.string with an encoding', () => {
  const setlocale = libc.func('char *setlocale(int category, const char *locale)');
  assert.notEqual(setlocale(6 /* LC_ALL */, 'C.UTF-8'), 0);
  const mbstowcs = libc.func('size_t mbstowcs(wchar_t *dst, const char *src, size_t n)');
  const wcstombs = libc.func('size_t wcstombs(char *dst, const wchar_t *src, size_t n)');
  for (const s of SAMPLES.slice(0, 5)) {
    const wide = new Uint32Array(64);
    assert.equal(mbstowcs(wide, s, 64), [...s].length);
    assert.equal(memory.string(memory.address(wide), { encoding: 'wchar' }), s);
    assert.equal(memory.string(memory.address(wide), { encoding: 'utf32' }), s);
    const out = Buffer.alloc(256);
    assert.equal(wcstombs(out, s, 256), Buffer.byteLength(s));
    assert.equal(memory.string(memory.address(out)), s);
  }
});

test('swprintf formats into a wchar_t buffer from a wide format string', () => {
  const swprintf = libc.func('int swprintf(wchar_t *buf, size_t n, const wchar_t *format, ...)');
  const buf = new Uint32Array(64);
  const n = swprintf(buf, 64, 'n=%d s=%ls é', 42, ['const wchar_t *', 'wide😀']);
  assert.equal(memory.string(memory.address(buf), { encoding: 'wchar' }), 'n=42 s=wide😀 é');
  assert.equal(n, [...'n=42 s=wide😀 é'].length);
});

test('const char16_t * takes a JS string as UTF-16 units; char32_t as UTF-32', () => {
  const eq16 = lib.func('int ws_eq16(const char16_t *s, const char16_t *want, int n)');
  const len16 = lib.func('size_t ws_len16(const char16_t *s)');
  const len32 = lib.func('size_t ws_len32(const char32_t *s)');
  for (const s of SAMPLES) {
    const units = Uint16Array.from({ length: s.length }, (_, i) => s.charCodeAt(i));
    assert.equal(eq16(s, units, units.length), 1, `UTF-16 of ${s.slice(0, 20)}`);
    assert.equal(len16(s), s.length);
    assert.equal(len32(s), [...s].length);
  }
  assert.equal(memory.string(lib.func('const char16_t *ws_hello16(void)')(), { encoding: 'utf16' }), 'héllo 😀');
});

test('lone surrogates are passed as U+FFFD; a NUL inside is an error', () => {
  const at32 = lib.func('char32_t ws_at32(const char32_t *s, int i)');
  const at16 = lib.func('char16_t ws_at16(const char16_t *s, int i)');
  assert.equal(at32('a\ud800b', 1), 0xfffd);
  assert.equal(at32('a\udc00', 1), 0xfffd);
  assert.equal(at32('a\ud83d\ude00', 1), 0x1f600);
  assert.equal(at16('\udc00\ud800', 0), 0xfffd);
  assert.equal(at16('\udc00\ud800', 1), 0xfffd);
  assert.equal(at16('\ud83d\ude00', 1), 0xde00, 'a valid pair is kept');
  assert.throws(() => lib.func('size_t ws_len32(const char32_t *s)')('a\0b'), /ws_len32: argument 1 \(s\): string contains a NUL/);
  assert.throws(() => lib.func('size_t ws_len32(char32_t *s)' as string)('a'), /a string is accepted only for/);
});

test('wide strings work in async calls (copied, alive until the promise settles)', async () => {
  const wcslen = libc.func('size_t wcslen(const wchar_t *s)');
  assert.equal(await wcslen.async('async 😀'), 7);
});

test('memory.string reads across page boundaries and stops at length', () => {
  const page = 4096;
  const p = memory.alloc(3 * page);
  try {
    const start = (Math.ceil(p / page) * page) + page - 8; // 2 units before a page boundary
    const units = new Uint32Array(memory.view(start, 40).buffer, memory.view(start, 40).byteOffset, 10);
    units.set([...'abcdefghi'].map((c) => c.codePointAt(0)!).concat(0));
    assert.equal(memory.string(start, { encoding: 'utf32' }), 'abcdefghi');
    assert.equal(memory.string(start, { encoding: 'utf32', length: 3 }), 'abc');
    assert.throws(() => memory.string(start + 1, { encoding: 'utf32' }), /must be 4-byte aligned/);
    assert.throws(() => memory.string(start, { encoding: 'ucs2' as 'utf8' }), /encoding must be/);
  } finally {
    memory.free(p);
  }
});
