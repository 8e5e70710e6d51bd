// Instructions per call, counted by valgrind (cachegrind), for the call and callback cases of
// calls.mjs and callbacks.mjs: trampfd vs koffi vs the hand-written N-API peers vs node:ffi (Node
// 26+). A count does not move with machine load, so this is the comparison to trust on a busy
// machine (time ratios need a quiet one); it does not see cache misses or branch mispredictions.
// Usage: node [--jitless] bench/instructions.mjs [case-filter]        (after npm run build; gcc, valgrind)
// Method: each peer × case runs in its own process, twice: N1 and N2 operations after the same
// warm-up (longer with the JIT); (instructions(N2) - instructions(N1)) / (N2 - N1) is the cost of one operation,
// including the JS loop around it (the same for every peer: `s = (s + f(...)) | 0`).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PEERS, buildLib, loadNapiPeer, nodeFfi, require } from './support.mjs';

const self = fileURLToPath(import.meta.url);
// With the JIT, the warm-up is long enough for TurboFan and the runs longer, so that compiler
// work landing at different moments weighs little against the loop's own instructions.
const jit = !process.execArgv.includes('--jitless');
const WARM = jit ? 300_000 : 1_000;
const N1 = 2_000;
const N2 = jit ? 1_002_000 : 302_000;
const STR30 = 'the quick brown fox jumps over'; // 30 ASCII characters

/** Each case: per peer, a function that makes `run(n)` (n operations, returns a checked sum). */
const CASES = {
  'nop()': { lib: 'calls', make: (b) => { const f = b.nop; return (n) => { let s = 0; for (let i = 0; i < n; i++) { f(); s++; } return s; }; } },
  'add(int, int)': { lib: 'calls', make: (b) => { const f = b.add; return (n) => { let s = 0; for (let i = 0; i < n; i++) s = (s + f(i & 1023, 7)) | 0; return s; }; } },
  'f3(double, int, double)': { lib: 'calls', make: (b) => { const f = b.f3; return (n) => { let s = 0; for (let i = 0; i < n; i++) s = (s + f(0.5, i & 1023, 1.25)) | 0; return s; }; } },
  'strlen of 30 chars': { lib: 'calls', make: (b) => { const f = b.strlen; return (n) => { let s = 0; for (let i = 0; i < n; i++) s = (s + f(STR30)) | 0; return s; }; } },
  'C loop → JS int f(int)': { lib: 'callbacks', make: (b) => (n) => b.loop(n) | 0 },
};

/** The peer's bindings for a case's library, in this (child) process. */
async function bindings(peer, lib) {
  const { callback, load } = await import('../dist/index.js');
  const koffi = require('koffi');
  if (lib === 'calls') {
    const path = buildLib('trampfd-bench-instr-', 'bench-lib.c', 'libbench.so');
    if (peer === 'trampfd') {
      const l = load(path), c = load(null);
      return { nop: l.func('void bench_nop(void)'), add: l.func('int bench_add(int a, int b)'),
        f3: l.func('double bench_f3(double a, int b, double c)'), strlen: c.func('size_t strlen(const char *s)') };
    }
    if (peer === 'koffi') {
      const l = koffi.load(path), c = koffi.load('libc.so.6');
      return { nop: l.func('void bench_nop(void)'), add: l.func('int bench_add(int a, int b)'),
        f3: l.func('double bench_f3(double a, int b, double c)'), strlen: c.func('size_t strlen(const char *s)') };
    }
    if (peer === 'napi') {
      const m = loadNapiPeer('napi-baseline', 'napi_baseline', ['bench-lib.c']);
      return { nop: m.nop, add: m.add, f3: m.f3, strlen: m.strlenStr };
    }
    const f = nodeFfi.dlopen(path, { bench_nop: { arguments: [], return: 'void' },
      bench_add: { arguments: ['int32', 'int32'], return: 'int32' },
      bench_f3: { arguments: ['double', 'int32', 'double'], return: 'double' } }).functions;
    const c = nodeFfi.dlopen(null, { strlen: { arguments: ['string'], return: 'uint64' } }).functions;
    return { nop: f.bench_nop, add: f.bench_add, f3: f.bench_f3, strlen: (s) => Number(c.strlen(s)) };
  }
  const path = buildLib('trampfd-bench-instr-', 'callback-lib.c', 'libbench-callbacks.so');
  const f = (x) => x + 1;
  if (peer === 'trampfd') {
    const loop = load(path).func('long long bench_cb_loop(int (*f)(int), int n)');
    const cb = callback('int bench_cb(int x)', f);
    return { loop: (n) => Number(loop(cb, n)) };
  }
  if (peer === 'koffi') {
    const proto = koffi.proto('int bench_cb(int x)');
    const loop = koffi.load(path).func('int64_t bench_cb_loop(bench_cb *f, int n)');
    const cb = koffi.register(f, koffi.pointer(proto));
    return { loop: (n) => Number(loop(cb, n)) };
  }
  if (peer === 'napi') {
    const m = loadNapiPeer('napi-callback', 'napi_callback', []);
    return { loop: (n) => m.loop(f, n) };
  }
  const l = nodeFfi.dlopen(path, { bench_cb_loop: { arguments: ['pointer', 'int32'], return: 'int64' } });
  const cb = l.lib.registerCallback({ arguments: ['int32'], return: 'int32' }, f);
  return { loop: (n) => Number(l.functions.bench_cb_loop(cb, n)) };
}

if (process.argv[2] === '--child') {
  const [, , , peer, name, n] = process.argv;
  const c = CASES[name];
  const run = c.make(await bindings(peer, c.lib));
  for (let w = 0; w < 3; w++) run(WARM); // warm-up: inline caches, first-call paths, tier-up
  console.log(`sum ${run(Number(n))}`);
  process.exit(0);
}

const flags = process.execArgv;
const filter = process.argv[2] ?? '';
const peers = Object.keys(PEERS).filter((p) => p !== 'ffi' || nodeFfi);

/** Instructions one run of the child makes. */
function count(peer, name, n) {
  const out = join(tmpdir(), `trampfd-instr-${process.pid}.out`);
  const r = spawnSync('valgrind', ['--tool=cachegrind', '--cache-sim=no', `--cachegrind-out-file=${out}`,
    process.execPath, ...flags, self, '--child', peer, name, String(n)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${peer} ${name}: ${r.stderr.slice(-2000)}`);
  const summary = readFileSync(out, 'utf8').match(/^summary: (\d+)/m);
  rmSync(out, { force: true });
  return Number(summary[1]);
}

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  console.error('bench/instructions.mjs needs valgrind (apt-get install valgrind)');
  process.exit(2);
}
console.log(`node ${process.version}${flags.length ? ' ' + flags.join(' ') : ''}: instructions per operation (valgrind)`);
console.log(['case'.padEnd(26), ...peers.map((p) => PEERS[p].padStart(9)), ...peers.slice(1).map((p) => `t/${PEERS[p]}`.padStart(11))].join(''));
for (const name of Object.keys(CASES)) {
  if (!name.includes(filter)) continue;
  const per = {};
  for (const p of peers) per[p] = (count(p, name, N2) - count(p, name, N1)) / (N2 - N1);
  console.log([name.padEnd(26), ...peers.map((p) => per[p].toFixed(0).padStart(9)),
    ...peers.slice(1).map((p) => (per.trampfd / per[p]).toFixed(2).padStart(11))].join(''));
}
