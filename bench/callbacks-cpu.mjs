// The loop case of callbacks.mjs timed in thread CPU time (process.cpuUsage), for loaded machines
// where wall time counts preemption. Usage: node [--jitless] bench/callbacks-cpu.mjs [rounds=15]
// Peers interleaved with rotating order; prints min / lower quartile / median ns per callback.
import { buildLib, loadNapiPeer, require } from './support.mjs';
import { callback, load } from '../dist/index.js';

const rounds = Number(process.argv[2] ?? 15);
const koffi = require('koffi');
const cbLib = buildLib('trampfd-cpu-cb-', 'callback-lib.c', 'libbench-callbacks.so');
const napi = loadNapiPeer('napi-callback', 'napi_callback', []);
const tLoop = load(cbLib).func('long long bench_cb_loop(int (*f)(int), int n)');
const kProto = koffi.proto('int bench_cb(int x)');
const kLoop = koffi.load(cbLib).func('int64_t bench_cb_loop(bench_cb *f, int n)');
const makeF = () => new Function('return function f(x) { return x + 1; }')();
const tCb = callback('int bench_cb(int x)', makeF());
const kCb = koffi.register(makeF(), koffi.pointer(kProto));
const nF = makeF();
const N = 100000;
const peers = { trampfd: () => Number(tLoop(tCb, N)), koffi: () => Number(kLoop(kCb, N)), napi: () => napi.loop(nF, N) };
const t = {};
for (const k in peers) { t[k] = []; for (let i = 0; i < 3; i++) peers[k](); }
for (let r = 0; r < rounds; r++) {
  const keys = Object.keys(peers); for (let i = 0; i < r % 3; i++) keys.push(keys.shift());
  for (const k of keys) { const c0 = process.cpuUsage(); peers[k](); const c = process.cpuUsage(c0); t[k].push((c.user + c.system) * 1000 / N); }
}
const q = (a, p) => a.slice().sort((x, y) => x - y)[Math.floor(a.length * p)];
const m = {}; for (const k in t) m[k] = { min: Math.min(...t[k]), q25: q(t[k], 0.25), med: q(t[k], 0.5) };
const f = (x) => x.toFixed(1);
console.log(`${process.version} ${process.execArgv.join(' ')}: ns cpu/callback min/q25/med trampfd ${f(m.trampfd.min)}/${f(m.trampfd.q25)}/${f(m.trampfd.med)} koffi ${f(m.koffi.min)}/${f(m.koffi.q25)}/${f(m.koffi.med)} napi ${f(m.napi.min)}/${f(m.napi.q25)}/${f(m.napi.med)}` +
  ` | t/koffi min ${(m.trampfd.min / m.koffi.min).toFixed(2)} q25 ${(m.trampfd.q25 / m.koffi.q25).toFixed(2)} med ${(m.trampfd.med / m.koffi.med).toFixed(2)} | t/napi min ${(m.trampfd.min / m.napi.min).toFixed(2)} q25 ${(m.trampfd.q25 / m.napi.q25).toFixed(2)}`);
