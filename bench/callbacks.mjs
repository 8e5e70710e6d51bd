// Callback overhead, ns per op: trampfd vs koffi vs a hand-written N-API binding, in one process.
// Usage: node bench/callbacks.mjs [rounds] [filter]   (after npm run build; needs gcc)
// Method (bench/README.md, "callbacks.mjs"): the same C loop (callback-lib.c) calls each peer's
// JS `int f(int)`; a warm-up, then `rounds` rounds interleaving the peers; the median round.
import { buildLib, loadNapiPeer, require } from './support.mjs';
import { callback, load } from '../dist/index.js';

const koffi = require('koffi');
const rounds = Number(process.argv[2] ?? 15);
const filter = process.argv[3] ?? '';

// ---- the three peers' bindings ----------------------------------------------------------------
const cbLib = buildLib('trampfd-bench-callbacks-', 'callback-lib.c', 'libbench-callbacks.so');
const napi = loadNapiPeer('napi-callback', 'napi_callback', []);

const DECL = 'int bench_cb(int x)';
const tLoop = load(cbLib).func('long long bench_cb_loop(int (*f)(int), int n)');
const kProto = koffi.proto('int bench_cb(int x)');
const kLoop = koffi.load(cbLib).func('int64_t bench_cb_loop(bench_cb *f, int n)');

// Each peer gets its own JS function (same source, separate closures: no shared feedback).
const makeF = () => new Function('return function f(x) { return x + 1; }')();
const tCb = callback(DECL, makeF());
const kCb = koffi.register(makeF(), koffi.pointer(kProto));
const nF = makeF();

// ---- the cases ----------------------------------------------------------------------------------
// A case maps each peer to `run(n)`, doing n ops and returning a number that is checked.
const LOOP_N = 200_000;
const loopSum = (n) => (n * (n - 1)) / 2 + n;
const cases = [
  {
    name: 'C loop → JS int f(int)', iters: LOOP_N, want: loopSum,
    peers: {
      trampfd: (n) => Number(tLoop(tCb, n)),
      koffi: (n) => Number(kLoop(kCb, n)),
      napi: (n) => napi.loop(nF, n),
    },
  },
  {
    name: 'callback create + free', iters: 50_000, want: (n) => n,
    peers: {
      trampfd: (n) => { const f = makeF(); for (let i = 0; i < n; i++) callback(DECL, f).free(); return n; },
      koffi: (n) => { const f = makeF(); for (let i = 0; i < n; i++) koffi.unregister(koffi.register(f, koffi.pointer(kProto))); return n; },
    },
  },
  {
    name: 'call passing a JS fn, C calls it once', iters: 50_000, want: (n) => 2 * n,
    peers: {
      trampfd: (n) => { const f = makeF(); let s = 0; for (let i = 0; i < n; i++) s += Number(tLoop(f, 1)); return s + n; },
      koffi: (n) => { const f = makeF(); let s = 0; for (let i = 0; i < n; i++) s += Number(kLoop(f, 1)); return s + n; },
    },
  },
];

function timeOnce(run, n, want) {
  const t0 = process.hrtime.bigint();
  const s = run(n);
  const t1 = process.hrtime.bigint();
  if (s !== want) throw new Error(`wrong result ${s}, want ${want}`);
  return Number(t1 - t0) / n;
}

const median = (xs) => { const a = [...xs].sort((p, q) => p - q); return a[a.length >> 1]; };

const results = [];
for (const c of cases) {
  if (filter && !c.name.includes(filter)) continue;
  const runs = {};
  for (const [peer, run] of Object.entries(c.peers)) {
    runs[peer] = { run, times: [] };
    for (let w = 0; w < 3; w++) timeOnce(run, c.iters, c.want(c.iters)); // warm up: tier up
  }
  for (let r = 0; r < rounds; r++) {
    const order = Object.keys(runs);
    for (let k = 0; k < r % order.length; k++) order.push(order.shift());
    for (const peer of order) runs[peer].times.push(timeOnce(runs[peer].run, c.iters, c.want(c.iters)));
  }
  const m = Object.fromEntries(Object.entries(runs).map(([p, r]) => [p, median(r.times)]));
  const best = Object.fromEntries(Object.entries(runs).map(([p, r]) => [p, Math.min(...r.times)]));
  results.push({ name: c.name, m, best });
}

const pad = (s, n) => String(s).padStart(n);
const cell = (m, best, p) => (m[p] === undefined ? '—' : `${m[p].toFixed(1)} (${best[p].toFixed(1)})`);
const ratio = (a, b) => (a === undefined || b === undefined ? '—' : (a / b).toFixed(2));
console.log(`node ${process.version}, koffi ${koffi.version}, ${rounds} rounds, median ns/op (best in brackets)`);
console.log(`${'case'.padEnd(40)}${pad('trampfd', 16)}${pad('koffi', 16)}${pad('N-API', 16)}${pad('t/koffi', 9)}${pad('t/N-API', 9)}`);
for (const { name, m, best } of results) {
  console.log(`${name.padEnd(40)}${pad(cell(m, best, 'trampfd'), 16)}${pad(cell(m, best, 'koffi'), 16)}` +
    `${pad(cell(m, best, 'napi'), 16)}${pad(ratio(m.trampfd, m.koffi), 9)}${pad(ratio(m.trampfd, m.napi), 9)}`);
}
tCb.free();
koffi.unregister(kCb);
