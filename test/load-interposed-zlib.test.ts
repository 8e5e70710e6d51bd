// Area: library loading. Purpose: libz.so.1 streamed (deflateInit_/deflate/inflateInit_/inflate in
// chunks over a cdef'd z_stream) through load(path, { deep: true }), and the plain load, whose own
// calls bind to the zlib node exports: it must warn (TRAMPFD_INTERPOSED, lib.interposed) or be
// safe. Each case runs in a child: the first load of a library fixes its binding, and a wrong
// binding crashes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { load, LoadError } from '../dist/index.js';
import { repo } from './support-native.js';

const INDEX = JSON.stringify(join(repo, 'dist/index.js'));

/** A module that streams through `lib` (a libz Library) and prints a JSON report as its last line. */
const STREAMING = `
import { cdef, load, memory } from ${INDEX};
import * as nodeZlib from 'node:zlib';
import { randomBytes } from 'node:crypto';
cdef(\`typedef struct z_stream_s {
  const unsigned char *next_in; unsigned int avail_in; unsigned long total_in;
  unsigned char *next_out; unsigned int avail_out; unsigned long total_out;
  const char *msg; void *state;
  void *(*zalloc)(void *opaque, unsigned int items, unsigned int size);
  void (*zfree)(void *opaque, void *address);
  void *opaque; int data_type; unsigned long adler; unsigned long reserved;
} z_stream;\`);
const Z_NO_FLUSH = 0, Z_FINISH = 4, Z_OK = 0, Z_STREAM_END = 1, Z_BUF_ERROR = -5;
const warnings = [];
process.on('warning', (w) => warnings.push({ code: w.code, message: w.message }));

/** Pushes \`input\` through step() in \`inChunk\`-byte pieces with an \`outChunk\`-byte window. */
function stream(lib, kind, input, inChunk, outChunk) {
  const version = lib.func('const char *zlibVersion(void)')();
  const size = memory.sizeof('z_stream');
  const init = kind === 'deflate'
    ? lib.func('int deflateInit_(z_stream *strm, int level, const char *version, int stream_size)')
    : lib.func('int inflateInit_(z_stream *strm, const char *version, int stream_size)');
  const step = lib.func(\`int \${kind}(z_stream *strm, int flush)\`);
  const end = lib.func(\`int \${kind}End(z_stream *strm)\`);
  const s = memory.alloc(size);
  const rc = kind === 'deflate' ? init(s, 6, version, size) : init(s, version, size);
  if (rc !== Z_OK) throw new Error(kind + 'Init_ returned ' + rc);
  const window = Buffer.alloc(outChunk);
  const out = [];
  let done = false;
  for (let at = 0; !done; ) {
    const piece = input.subarray(at, at + inChunk);
    at += piece.length;
    const last = at >= input.length;
    memory.write(s, 'z_stream', { ...memory.read(s, 'z_stream'), next_in: piece.length ? memory.address(piece) : 0, avail_in: piece.length });
    for (;;) {
      memory.write(s, 'z_stream', { ...memory.read(s, 'z_stream'), next_out: memory.address(window), avail_out: outChunk });
      const r = step(s, last ? Z_FINISH : Z_NO_FLUSH);
      if (r !== Z_OK && r !== Z_STREAM_END && r !== Z_BUF_ERROR) throw new Error(kind + ' returned ' + r);
      const z = memory.read(s, 'z_stream');
      out.push(Buffer.from(window.subarray(0, outChunk - z.avail_out)));
      if (r === Z_STREAM_END) { done = true; break; }
      if (z.avail_out !== 0) break; // this piece is consumed; the next one follows
    }
    if (last && !done && kind === 'inflate') throw new Error('inflate: input ended before the stream');
  }
  const totals = memory.read(s, 'z_stream');
  if (end(s) !== Z_OK) throw new Error(kind + 'End failed');
  memory.free(s);
  return { data: Buffer.concat(out), totalIn: totals.total_in, totalOut: totals.total_out };
}

function roundTrip(lib) {
  const input = Buffer.concat(Array.from({ length: 64 }, (_, i) => Buffer.concat([Buffer.from('line ' + i + ' of text '.repeat(i % 7)), randomBytes(i % 5)])));
  const big = Buffer.concat([input, input, input, input]);
  const packed = stream(lib, 'deflate', big, 777, 256);
  const byNode = nodeZlib.inflateSync(packed.data);
  const fromNode = nodeZlib.deflateSync(big, { level: 9 });
  const back = stream(lib, 'inflate', fromNode, 100, 333);
  return {
    deflateOk: byNode.equals(big) && packed.totalIn === big.length && packed.totalOut === packed.data.length,
    inflateOk: back.data.equals(big) && back.totalOut === big.length,
  };
}
`;

function child(body: string): { status: number | null; signal: string | null; report: any; stderr: string } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', STREAMING + body], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_TEST_CONTEXT: undefined },
  });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let report: any;
  try {
    report = JSON.parse(last);
  } catch {
    report = undefined;
  }
  return { status: r.status, signal: r.signal, report, stderr: r.stderr };
}

test('streaming deflate and inflate in chunks through load("libz.so.1", { deep: true })', () => {
  const r = child(`
    const lib = load('libz.so.1', { deep: true });
    console.log(JSON.stringify({ interposed: lib.interposed, ...roundTrip(lib), warnings }));`);
  assert.equal(r.signal, null, r.stderr);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.report, { interposed: [], deflateOk: true, inflateOk: true, warnings: [] });
});

test('the plain load of libz.so.1 is either safe or warned about, naming the functions and the fix', () => {
  const probe = child(`
    const lib = load('libz.so.1');
    await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    console.log(JSON.stringify({ interposed: lib.interposed, warnings }));`);
  assert.equal(probe.status, 0, probe.stderr);
  const { interposed, warnings } = probe.report;
  if (interposed.length === 0) {
    // This node does not export zlib (a build against a shared libz): plain streaming must work.
    const r = child(`console.log(JSON.stringify(roundTrip(load('libz.so.1'))));`);
    assert.deepEqual(r.report, { deflateOk: true, inflateOk: true }, r.stderr);
    return;
  }
  // Node exports its own zlib (deflateInit2_, deflate...): libz's deflateInit_ calls node's.
  assert.ok(interposed.includes('deflateInit2_'), `interposed: ${interposed.join(', ')}`);
  assert.equal(warnings.length, 1, 'one warning for the library');
  assert.equal(warnings[0].code, 'TRAMPFD_INTERPOSED');
  assert.match(warnings[0].message, /libz\.so\.1/);
  assert.match(warnings[0].message, /deflateInit2_|inflateInit2_/);
  assert.match(warnings[0].message, /\{ deep: true \}/);
  // Loading it again warns no more.
  const again = child(`load('libz.so.1'); load('libz.so.1'); await new Promise((r) => setImmediate(r));
    console.log(JSON.stringify({ count: warnings.length }));`);
  assert.deepEqual(again.report, { count: 1 });
});

test('{ deep: true } after a plain load of the same library cannot rebind it: a LoadError, not a silent plain binding', () => {
  const r = child(`
    const plain = load('libz.so.1');
    let error;
    try { load('libz.so.1', { deep: true }); } catch (e) { error = { name: e.name, code: e.code, message: e.message }; }
    console.log(JSON.stringify({ interposed: plain.interposed.length, error }));`);
  assert.equal(r.status, 0, r.stderr);
  if (r.report.interposed === 0) return; // nothing to rebind on this node
  assert.equal(r.report.error?.code, 'ERR_TRAMPFD_LOAD');
  assert.match(r.report.error.message, /already loaded without deep binding/);
});

test('a library node does not interpose loads with an empty interposed list and no warning', () => {
  for (const name of ['libc.so.6', 'libm.so.6', 'libsqlite3.so.0']) assert.deepEqual(load(name).interposed, [], name);
  assert.deepEqual(load(null).interposed, []);
});

test('load() options: { global } exports the library to later lookups; { lazy } loads; others are errors', () => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `
    import { load } from ${INDEX};
    const before = (() => { try { return load(null).symbol('sqlite3_libversion'); } catch { return 0; } })();
    load('libsqlite3.so.0', { global: true, lazy: true });
    console.log(JSON.stringify({ before, after: load(null).symbol('sqlite3_libversion') > 0 }));`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { before: 0, after: true });
  const cos = load('libm.so.6', { lazy: true, deep: false, global: undefined }).func('double cos(double)');
  assert.equal(cos(0), 1);
  for (const bad of [{ deeep: true }, { deep: 1 }, { lazy: 'yes' }, null, 'deep', [], 5]) {
    assert.throws(() => load('libm.so.6', bad as never), (e: unknown) => e instanceof LoadError && e.code === 'ERR_TRAMPFD_LOAD' &&
      /options/.test(e.message), JSON.stringify(bad));
  }
  assert.throws(() => load('libm.so.6', { deeep: true } as never), /unknown option 'deeep'/);
});
