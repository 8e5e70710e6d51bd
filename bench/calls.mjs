// Call overhead, ns per call: trampfd vs koffi vs a hand-written N-API addon vs node:ffi (Node 26+),
// in one process. Usage: node bench/calls.mjs [--json] [rounds] [filter]   (after npm run build; gcc)
// Method (bench/README.md): one generated loop per peer and case (no shared call sites), a
// warm-up, then `rounds` rounds that interleave the peers; the median round is reported.
import { benchArgs, buildLib, interleave, loadNapiPeer, nodeFfi, report, require } from './support.mjs';
import { cdef, load, memory } from '../dist/index.js';

const koffi = require('koffi');
const args = benchArgs(15);

// ---- the peers' bindings ----------------------------------------------------------------
const benchLib = buildLib('trampfd-bench-calls-', 'bench-lib.c', 'libbench.so');
const napi = loadNapiPeer('napi-baseline', 'napi_baseline', ['bench-lib.c']);

cdef(`typedef struct { double x, y; } bench_s16;
      typedef struct { double a, b, c, d, e; } bench_s40;`);
const tlib = load(benchLib);
const tlibc = load(null);
const trampfd = {
  nop: tlib.func('void bench_nop(void)'),
  add: tlib.func('int bench_add(int a, int b)'),
  f3: tlib.func('double bench_f3(double a, int b, double c)'),
  memset: tlibc.func('void *memset(void *s, int c, size_t n)'),
  strlen: tlibc.func('size_t strlen(const char *s)'),
  s16: tlib.func('bench_s16 bench_s16_swap(bench_s16 s)'),
  s40: tlib.func('bench_s40 bench_s40_rotate(bench_s40 s)'),
};

const klib = koffi.load(benchLib);
const klibc = koffi.load('libc.so.6');
koffi.struct('bench_s16', { x: 'double', y: 'double' });
koffi.struct('bench_s40', { a: 'double', b: 'double', c: 'double', d: 'double', e: 'double' });
const kof = {
  nop: klib.func('void bench_nop(void)'),
  add: klib.func('int bench_add(int a, int b)'),
  f3: klib.func('double bench_f3(double a, int b, double c)'),
  memset: klibc.func('void *memset(void *s, int c, size_t n)'),
  strlen: klibc.func('size_t strlen(const char *s)'),
  s16: klib.func('bench_s16 bench_s16_swap(bench_s16 s)'),
  s40: klib.func('bench_s40 bench_s40_rotate(bench_s40 s)'),
};

// A 30-byte C string each peer reads back: memory.string, koffi.decode(ptr, 'char', -1) and
// node:ffi's toString, the three's way to turn a char * into a JS string.
const str30 = 'the quick brown fox jumps over'; // 30 ASCII characters
const cstr30 = memory.alloc(31);
memory.view(cstr30, 31).set(Buffer.from(`${str30}\0`));
trampfd.string = memory.string;
kof.string = (p) => koffi.decode(p, 'char', -1);

const nap = {
  nop: napi.nop,
  add: napi.add,
  f3: napi.f3,
  memset: (buf, v) => napi.memsetBuf(buf, v),
  strlen: napi.strlenStr,
  s16: napi.s16,
  s40: napi.s40,
};

// node:ffi has no struct type, so no struct cases; size_t comes back as a bigint.
const ffi = nodeFfi && {
  ...nodeFfi.dlopen(benchLib, {
    bench_nop: { arguments: [], return: 'void' },
    bench_add: { arguments: ['int32', 'int32'], return: 'int32' },
    bench_f3: { arguments: ['double', 'int32', 'double'], return: 'double' },
  }).functions,
  ...nodeFfi.dlopen(null, {
    memset: { arguments: ['buffer', 'int32', 'uint64'], return: 'pointer' },
    strlen: { arguments: ['string'], return: 'uint64' },
  }).functions,
};
const ffiPeer = ffi && {
  nop: ffi.bench_nop, add: ffi.bench_add, f3: ffi.bench_f3, memset: ffi.memset, strlen: ffi.strlen, string: nodeFfi.toString,
};

// ---- the cases ----------------------------------------------------------------------------------
// `body` is the loop body as source: `fn` is the peer's function, `i` the counter, `s` the sink;
// `napiBody`/`ffiBody` replace it for a peer whose function takes or returns something else.
const buf4k = Buffer.alloc(4096);
const str4k = 'the quick brown fox jumps over the lazy dog. '.repeat(92).slice(0, 4096);
const p16 = { x: 1.5, y: 2.5 };
const p40 = { a: 1, b: 2, c: 3, d: 4, e: 5.5 };
const cases = [
  { name: 'nop()', iters: 400_000, body: 'fn(); s++;', check: (fn) => fn() === undefined },
  { name: 'add(int, int)', iters: 400_000, body: 's += fn(i, 7);', check: (fn) => fn(2, 3) === 5 },
  { name: 'f3(double, int, double)', iters: 400_000, body: 's += fn(i * 0.5, i, 1.25);', check: (fn) => fn(1.5, 2, 0.25) === 3.25 },
  {
    name: 'memset 4 KiB Buffer', iters: 200_000, ctx: buf4k,
    body: 'fn(ctx, i & 255, 4096); s += ctx[7];', napiBody: 'fn(ctx, i & 255); s += ctx[7];',
    check: (fn, peer) => (buf4k.fill(0), peer === 'napi' ? fn(buf4k, 9) : fn(buf4k, 9, 4096), buf4k.every((b) => b === 9)),
  },
  {
    name: 'strlen 30-char JS string', iters: 300_000, ctx: str30, body: 's += fn(ctx);', ffiBody: 's += Number(fn(ctx));',
    check: (fn) => Number(fn(str30)) === 30,
  },
  {
    // The N-API peer copies into a 256-byte stack buffer, so it has no 4 KiB row.
    name: 'strlen 4 KiB JS string', iters: 50_000, ctx: str4k, body: 's += fn(ctx);', ffiBody: 's += Number(fn(ctx));',
    check: (fn) => Number(fn(str4k)) === 4096,
  },
  {
    // Pointers are numbers for trampfd, bigints for koffi 3 and node:ffi.
    name: 'memory.string of a 30-byte C string', iters: 300_000, ctx: cstr30, koffiCtx: BigInt(cstr30), ffiCtx: BigInt(cstr30),
    body: 's += fn(ctx).length;',
    check: (fn, peer) => fn(peer === 'trampfd' ? cstr30 : BigInt(cstr30)) === str30,
  },
  {
    name: 'struct 16 B by value', iters: 200_000, ctx: p16, body: 'const r = fn(ctx); s += r.x;',
    check: (fn) => { const r = fn(p16); return r.x === 2.5 && r.y === 1.5; },
  },
  {
    name: 'struct 40 B by value', iters: 200_000, ctx: p40, body: 'const r = fn(ctx); s += r.a;',
    check: (fn) => { const r = fn(p40); return r.a === 5.5 && r.b === 1 && r.e === 4; },
  },
];
const peers = { trampfd, koffi: kof, napi: nap, ffi: ffiPeer ?? {} };
const key = { 'nop()': 'nop', 'add(int, int)': 'add', 'f3(double, int, double)': 'f3', 'memset 4 KiB Buffer': 'memset',
  'strlen 30-char JS string': 'strlen', 'strlen 4 KiB JS string': 'strlen4k', 'memory.string of a 30-byte C string': 'string',
  'struct 16 B by value': 's16', 'struct 40 B by value': 's40' };
for (const p of [trampfd, kof, ffiPeer]) if (p) p.strlen4k = p.strlen;

/** A fresh function per peer and case, so each call site stays monomorphic. */
function makeLoop(body) {
  return new Function('fn', 'ctx', 'n', `let s = 0; for (let i = 0; i < n; i++) { ${body} } return s;`);
}

function timeOnce(loop, fn, ctx, n) {
  const t0 = process.hrtime.bigint();
  const s = loop(fn, ctx, n);
  const t1 = process.hrtime.bigint();
  if (s !== s) throw new Error('NaN sink'); // keep the result alive
  return Number(t1 - t0) / n;
}

const results = [];
for (const c of cases) {
  if (args.filter && !c.name.includes(args.filter)) continue;
  const timers = {};
  for (const [peer, fns] of Object.entries(peers)) {
    const fn = fns[key[c.name]];
    if (fn === undefined) continue; // this peer cannot express the case
    if (!c.check(fn, peer)) throw new Error(`${peer}: wrong result for ${c.name}`);
    const body = c[`${peer}Body`] ?? c.body;
    const ctx = c[`${peer}Ctx`] ?? c.ctx;
    const loop = makeLoop(body);
    for (let w = 0; w < 3; w++) loop(fn, ctx, c.iters); // warm up: tier up to optimised code
    timers[peer] = () => timeOnce(loop, fn, ctx, c.iters);
  }
  results.push({ name: c.name, ...interleave(timers, args.rounds) });
}
report(args, koffi.version, results, 36);
