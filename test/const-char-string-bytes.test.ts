// Area: values, strings. Purpose: a JS string passed for `const char *` reaches C as exactly its
// UTF-8 bytes and a NUL (a lone surrogate as U+FFFD's EF BF BD), on every path that makes the
// copy — the JIT'd JS marshaller's inline loop, C's encoder called from JS, the native
// marshaller, `.async`'s heap copy — for seeded random strings of every shape V8 stores (flat
// one-byte and two-byte, concatenations, slices) and lengths 0 to 1 MiB; an embedded NUL is the
// same TrampfdTypeError everywhere. The way back: memory.string of C bytes, and a callback given
// a `const char *`, give the string TextDecoder makes of those bytes. The C fixture checks its
// own input.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callback, load, memory } from '../dist/index.js';
import { nativeOpsSettings } from '../dist/codegen/native-ops.js';
import { gcc, scratchDir } from './support-native.js';
import { SEED, rng } from './support-rng.js';
import { decode, findNul } from '../dist/types/strings.js';

const source = `#include <stddef.h>
#include <stdlib.h>
#include <string.h>
/* -1 when s holds exactly the n bytes of want and then a NUL, else the first index that differs. */
long cs_check(const char *s, const unsigned char *want, size_t n) {
  for (size_t i = 0; i < n; i++) if ((unsigned char)s[i] != want[i]) return (long)i;
  return s[n] == 0 ? -1 : (long)n;
}
/* The same check with a number in front, so the string is not the first argument. */
long cs_check2(int k, const char *s, const unsigned char *want, size_t n) { return k == 7 ? cs_check(s, want, n) : -2; }
static char *held;
/* A C string of the n bytes given (NUL-terminated), valid until the next call. */
const char *cs_make(const unsigned char *bytes, size_t n) {
  free(held);
  held = malloc(n + 1);
  memcpy(held, bytes, n);
  held[n] = 0;
  return held;
}
/* Calls f with a C string of the n bytes given; returns what f returns. */
long cs_give(long (*f)(const char *), const unsigned char *bytes, size_t n) { return f(cs_make(bytes, n)); }
`;
const file = join(scratchDir(), 'cstring-bytes.c');
const so = join(scratchDir(), 'libcstring-bytes.so');
writeFileSync(file, source);
gcc(['-std=c11', '-O2', '-shared', '-fPIC', '-o', so, file]);
const lib = load(so);

const saved = { ...nativeOpsSettings };
type Fn = (...a: unknown[]) => unknown;
/** The paths that copy a string, each as a function of the same declaration. */
function paths(decl: string): [string, Fn][] {
  const made: [string, Fn][] = [];
  const declare = (name: string, mode: 'on' | 'off', jitless: boolean): void => {
    nativeOpsSettings.mode = mode;
    nativeOpsSettings.jitless = jitless;
    try {
      const f = lib.func(decl) as unknown as Fn;
      assert.equal(/\{ \[native code\] \}$/.test(Function.prototype.toString.call(f)), mode === 'on', `${name}: ${decl}`);
      // The JS marshaller reads `jitless` per call (the inline loop is for JIT'd code only).
      made.push([name, (...a) => { nativeOpsSettings.jitless = jitless; try { return f(...a); } finally { nativeOpsSettings.jitless = saved.jitless; } }]);
    } finally {
      Object.assign(nativeOpsSettings, saved);
    }
  };
  declare('JS marshaller', 'off', false);
  declare('JS marshaller, C encoder', 'off', true);
  declare('native marshaller', 'on', saved.jitless);
  return made;
}

// Characters of every encoded width, and the lone surrogates that become U+FFFD.
const ALPHABET = ['a', 'Z', ' ', '~', '\x01', '\x7f', '\x80', 'é', '\xff', 'Ł', '✓', '\uffff', '😀', '\ud800', '\udfff'];
const ASCII = ALPHABET.filter((c) => c.charCodeAt(0) < 0x80);
// Non-ASCII characters whose UTF-16 units have an ASCII low byte: what a narrowing shortcut that
// looked at low bytes only would get wrong.
const ALPHABETS = [ALPHABET, ASCII, [...ASCII, 'Ł', '\u0100', '\u4141', '\u7f01']];
const LENGTHS = [0, 1, 2, 7, 8, 9, 15, 16, 17, 30, 31, 255, 256, 257, 4096, 1 << 20];

/** A random string of `n` UTF-16 units from `chars`, in one of the shapes V8 keeps strings in. */
function randomString(r: () => number, n: number, chars: readonly string[]): string {
  let s = '';
  while (s.length < n) s += chars[Math.floor(r() * chars.length)]!;
  s = s.slice(0, n); // may split a surrogate pair: a lone surrogate
  switch (Math.floor(r() * 4)) {
    case 0: return s; // flat
    case 1: { const k = Math.floor(r() * (n + 1)); return s.slice(0, k) + s.slice(k); } // a concatenation
    case 2: return ('✓' + s).slice(1); // a slice of a two-byte string: two-byte even when ASCII
    default: return (s + 'abcdefghijklmnopqrstuvwxyz').slice(0, n); // a slice of a one-byte or two-byte one
  }
}

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8'); // lone surrogates: EF BF BD, as TextEncoder

test(`strings reach C as their UTF-8 bytes on every path, all shapes and lengths (seed ${SEED})`, async () => {
  const r = rng(SEED + 15);
  const check = paths('long cs_check(const char *s, const unsigned char *want, size_t n)');
  const check2 = paths('long cs_check2(int k, const char *s, const unsigned char *want, size_t n)');
  let tried = 0;
  for (let i = 0; i < 400; i++) {
    const n = i < LENGTHS.length * 2 ? LENGTHS[i % LENGTHS.length]! : Math.floor(r() ** 3 * 600);
    const s = randomString(r, n, ALPHABETS[i % 3]!);
    const want = utf8(s);
    const calls: [string, () => unknown][] = [
      ...check.map(([name, f]): [string, () => unknown] => [name, () => f(s, want, want.length)]),
      ...check2.map(([name, f]): [string, () => unknown] => [`${name}, second argument`, () => f(7, s, want, want.length)]),
    ];
    for (const [name, call] of calls) {
      const got = call();
      assert.equal(got, -1, `${name}: ${JSON.stringify(s.slice(0, 40))} (${n} units) differs from its UTF-8 at byte ${got}`);
      tried++;
    }
    if (n <= 4096 && i % 8 === 0) {
      const fn = lib.func('long cs_check(const char *s, const unsigned char *want, size_t n)');
      assert.equal(await fn.async(s, want, want.length), -1, `.async: ${JSON.stringify(s.slice(0, 40))}`);
    }
  }
  assert.ok(tried > 2000);
});

test(`an embedded NUL is the same error on every path, wherever it is (seed ${SEED})`, () => {
  const r = rng(SEED + 16);
  const check = paths('long cs_check(const char *s, const unsigned char *want, size_t n)');
  for (let i = 0; i < 90; i++) {
    const n = 1 + (i < LENGTHS.length * 2 ? LENGTHS[i % LENGTHS.length]! : Math.floor(r() * 5000));
    const s = randomString(r, n, ALPHABETS[i % 3]!);
    const at = [0, s.length, Math.floor(r() * s.length)][i % 3]!;
    const bad = s.slice(0, at) + '\0' + s.slice(at);
    for (const [name, f] of check) {
      assert.throws(() => f(bad, Buffer.alloc(0), 0), (e: Error & { code?: string }) =>
        e.constructor.name === 'TrampfdTypeError' && e.code === 'ERR_TRAMPFD_VALUE_TYPE' &&
        e.message === 'cs_check: argument 1 (s): string contains a NUL character; C would see it cut short', `${name}: NUL at ${at} of ${bad.length}`);
    }
  }
});

/** Random bytes: mostly UTF-8 of random strings, sometimes malformed sequences, never a NUL. */
function randomBytes(r: () => number, n: number): Buffer {
  if (r() < 0.7) return utf8(randomString(r, n, ALPHABET)).subarray(0, Math.max(n, 0));
  const junk = [0x41, 0x80, 0xbf, 0xc0, 0xc3, 0xe2, 0xed, 0xa0, 0xf0, 0x9f, 0xf4, 0x90, 0xf8, 0xfe, 0xff];
  return Buffer.from(Array.from({ length: n }, () => junk[Math.floor(r() * junk.length)]!));
}

test(`memory.string, const char * results and callback arguments read C bytes as TextDecoder does (seed ${SEED})`, () => {
  const r = rng(SEED + 17);
  const decoder = new TextDecoder();
  const make = lib.func('const char *cs_make(const unsigned char *bytes, size_t n)');
  const give = paths('long cs_give(long (*f)(const char *), const unsigned char *bytes, size_t n)');
  for (let i = 0; i < 300; i++) {
    const n = i < LENGTHS.length ? LENGTHS[i]! : Math.floor(r() ** 3 * 5000);
    const bytes = randomBytes(r, n);
    const want = decoder.decode(bytes);
    const p = make(bytes, bytes.length) as number;
    assert.equal(memory.string(p), want, `memory.string of ${bytes.length} bytes ${bytes.subarray(0, 16).toString('hex')}`);
    assert.equal(memory.string(p, { length: bytes.length + 1 }), want, 'with a length past the NUL');
    if (i % 10 === 0) {
      for (const [name, f] of give) {
        for (const runner of ['on', 'off'] as const) { // the native callback runner, the JS one
          let seen: string | undefined;
          nativeOpsSettings.mode = runner;
          const cb = callback('long f(const char *s)', (s) => { seen = memory.string(s as number); return 5; });
          nativeOpsSettings.mode = saved.mode;
          try {
            assert.equal(f(cb, bytes, bytes.length), 5);
          } finally {
            cb.free();
          }
          assert.equal(seen, want, `${name}, ${runner === 'on' ? 'native' : 'JS'} callback runner: the callback's argument`);
        }
      }
    }
  }
});

test(`memory.string with a length or a wide encoding decodes as the type model's decoder does (seed ${SEED})`, () => {
  const r = rng(SEED + 18);
  for (let i = 0; i < 400; i++) {
    const encoding = (['utf8', 'utf16', 'utf32', 'wchar'] as const)[i % 4]!;
    const unit = encoding === 'utf8' ? 1 : encoding === 'utf16' ? 2 : 4;
    const n = i < LENGTHS.length * 4 ? LENGTHS[(i >> 2) % LENGTHS.length]! : Math.floor(r() ** 3 * 3000);
    // Units: mostly text, sometimes anything (lone surrogates, beyond U+10FFFF), now and then a NUL.
    const text = randomString(r, n, ALPHABETS[i % 3]!);
    const units: number[] = unit === 1 ? [...randomBytes(r, n)] : unit === 2 ? Array.from(text, (_, k) => text.charCodeAt(k))
      : [...text].map((c) => c.codePointAt(0)!);
    for (let k = 0; k < units.length; k++) {
      const x = r();
      if (x < 0.01) units[k] = 0;
      else if (x < 0.03) units[k] = Math.floor(r() * (unit === 1 ? 256 : unit === 2 ? 0x10000 : 0x120000));
      else if (unit === 1 && units[k] === 0) units[k] = 0x41;
    }
    const bytes = new Uint8Array((units.length + 1) * unit);
    const view = new DataView(bytes.buffer);
    units.forEach((u, k) => (unit === 1 ? view.setUint8(k, u) : unit === 2 ? view.setUint16(k * 2, u, true) : view.setUint32(k * 4, u, true)));
    const p = memory.alloc(bytes.length);
    try {
      memory.view(p, bytes.length).set(bytes);
      const nul = findNul(bytes, units.length, unit);
      const want = decode(bytes, nul < 0 ? units.length : nul, encoding);
      assert.equal(memory.string(p, { encoding }), want, `${encoding}, ${units.length} units`);
      const length = Math.floor(r() * (units.length + 2));
      const nulIn = findNul(bytes, length, unit);
      const bounded = length === 0 ? '' : decode(bytes, nulIn < 0 ? length : nulIn, encoding);
      assert.equal(memory.string(p, { encoding, length }), bounded, `${encoding}, ${units.length} units, length ${length}`);
    } finally {
      memory.free(p);
    }
  }
});
