// Shared by the benchmarks: compiling C fixtures and the hand-written N-API peers.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = dirname(fileURLToPath(import.meta.url));
export const require = createRequire(import.meta.url);
export const gcc = (args) => execFileSync('gcc', args, { stdio: 'inherit' });

function nodeInclude() {
  const candidates = [
    resolve(dirname(process.execPath), '..', 'include', 'node'),
    join(process.env.HOME ?? '', '.cache', 'node-gyp', process.versions.node, 'include', 'node'),
  ];
  return candidates.find((d) => existsSync(join(d, 'node_api.h')));
}

/** Compiles bench/<source> into a shared library in a fresh temporary folder. */
export function buildLib(prefix, source, name) {
  const out = join(mkdtempSync(join(tmpdir(), prefix)), name);
  gcc(['-O2', '-fPIC', '-shared', '-o', out, join(here, source)]);
  return out;
}

/** Builds and loads the N-API peer in bench/<dir> (gcc with Node's headers, else node-gyp). */
export function loadNapiPeer(dir, name, extraSources = []) {
  const napiDir = join(here, dir);
  const out = join(napiDir, 'build', 'Release', `${name}.node`);
  const inc = nodeInclude();
  if (inc) {
    mkdirSync(dirname(out), { recursive: true });
    gcc(['-O2', '-fPIC', '-shared', '-I', inc, '-o', out, join(napiDir, 'addon.c'), ...extraSources.map((s) => join(here, s))]);
  } else {
    execFileSync('npx', ['node-gyp', 'rebuild', '--directory', napiDir], { stdio: 'inherit' });
  }
  return require(out);
}

const median = (xs) => { const a = [...xs].sort((p, q) => p - q); return a[a.length >> 1]; };

/**
 * Runs each peer's timer (a function returning ns/op) `rounds` times, rotating the order every
 * round so no peer always runs right after another's GC debt; median and best per peer.
 */
export function interleave(timers, rounds) {
  const times = Object.fromEntries(Object.keys(timers).map((p) => [p, []]));
  for (let r = 0; r < rounds; r++) {
    const order = Object.keys(timers);
    for (let k = 0; k < r % order.length; k++) order.push(order.shift());
    for (const p of order) times[p].push(timers[p]());
  }
  const m = Object.fromEntries(Object.entries(times).map(([p, t]) => [p, median(t)]));
  const best = Object.fromEntries(Object.entries(times).map(([p, t]) => [p, Math.min(...t)]));
  return { m, best };
}

/** The peers in table order, with their column names. node:ffi exists on Node 26+ only. */
export const PEERS = { trampfd: 'trampfd', koffi: 'koffi', napi: 'N-API', ffi: 'node:ffi' };

/** Node's own FFI (node:ffi, Node 26+), or undefined where this Node has none. */
export const nodeFfi = process.getBuiltinModule?.('node:ffi');

/** `[--json] [rounds] [filter]`: JSON prints one line for bench/matrix.mjs instead of the table. */
export function benchArgs(defaultRounds) {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const [rounds, filter] = args.filter((a) => a !== '--json');
  return { json, rounds: Number(rounds ?? defaultRounds), filter: filter ?? '' };
}

/** How this process runs: node version and whether V8 has its JIT. */
export function configName() {
  return `node ${process.version}${process.execArgv.includes('--jitless') ? ' --jitless' : ''}`;
}

export const ratio = (a, b) => (a === undefined || b === undefined ? '—' : (a / b).toFixed(2));

/** The results: ns/op per peer (median, best in brackets) and trampfd's ratios, or one JSON line. */
export function report(args, koffiVersion, results, width) {
  if (args.json) {
    console.log(JSON.stringify({ config: configName(), koffi: koffiVersion, rounds: args.rounds, results }));
    return;
  }
  const pad = (s, n) => String(s).padStart(n);
  const cell = (m, best, p) => (m[p] === undefined ? '—' : `${m[p].toFixed(1)} (${best[p].toFixed(1)})`);
  const others = Object.keys(PEERS).filter((p) => p !== 'trampfd');
  console.log(`${configName()}, koffi ${koffiVersion}, ${args.rounds} rounds, median ns/op (best in brackets)`);
  console.log(`${'case'.padEnd(width)}${Object.values(PEERS).map((n) => pad(n, 18)).join('')}` +
    others.map((p) => pad(`t/${PEERS[p]}`, 11)).join(''));
  for (const { name, m, best } of results) {
    console.log(`${name.padEnd(width)}${Object.keys(PEERS).map((p) => pad(cell(m, best, p), 18)).join('')}` +
      others.map((p) => pad(ratio(m.trampfd, m[p]), 11)).join(''));
  }
}
