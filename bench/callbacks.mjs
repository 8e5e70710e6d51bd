// Callback overhead, ns per op: trampfd vs koffi vs a hand-written N-API binding vs node:ffi
// (Node 26+), in one process. Usage: node bench/callbacks.mjs [--json] [rounds] [filter]  (gcc)
// Method (bench/README.md, "callbacks.mjs"): the same C loop (callback-lib.c) calls each peer's
// JS `int f(int)`; a warm-up, then `rounds` rounds interleaving the peers; the median round.
import { benchArgs, buildLib, interleave, loadNapiPeer, nodeFfi, report, require } from './support.mjs';
import { callback, load } from '../dist/index.js';

const koffi = require('koffi');
const args = benchArgs(15);

// ---- the peers' bindings ----------------------------------------------------------------
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

// node:ffi: a registered callback is a bigint address; it cannot take a JS function for a pointer.
const FFI_SIG = { arguments: ['int32'], return: 'int32' };
const ffiLib = nodeFfi?.dlopen(cbLib, { bench_cb_loop: { arguments: ['pointer', 'int32'], return: 'int64' } });
const fCb = ffiLib?.lib.registerCallback(FFI_SIG, makeF());
const ffiPeer = (run) => (ffiLib ? { ffi: run } : {});

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
      ...ffiPeer((n) => Number(ffiLib.functions.bench_cb_loop(fCb, n))),
    },
  },
  {
    name: 'callback create + free', iters: 50_000, want: (n) => n,
    peers: {
      trampfd: (n) => { const f = makeF(); for (let i = 0; i < n; i++) callback(DECL, f).free(); return n; },
      koffi: (n) => { const f = makeF(); for (let i = 0; i < n; i++) koffi.unregister(koffi.register(f, koffi.pointer(kProto))); return n; },
      ...ffiPeer((n) => {
        const f = makeF();
        for (let i = 0; i < n; i++) ffiLib.lib.unregisterCallback(ffiLib.lib.registerCallback(FFI_SIG, f));
        return n;
      }),
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

const results = [];
for (const c of cases) {
  if (args.filter && !c.name.includes(args.filter)) continue;
  const timers = {};
  for (const [peer, run] of Object.entries(c.peers)) {
    for (let w = 0; w < 3; w++) timeOnce(run, c.iters, c.want(c.iters)); // warm up: tier up
    timers[peer] = () => timeOnce(run, c.iters, c.want(c.iters));
  }
  results.push({ name: c.name, ...interleave(timers, args.rounds) });
}
report(args, koffi.version, results, 40);
tCb.free();
koffi.unregister(kCb);
ffiLib?.lib.unregisterCallback(fCb);
