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

/** The results table: ns/op per peer (median, best in brackets) and trampfd's ratios. */
export function printTable(koffiVersion, rounds, results, width) {
  const pad = (s, n) => String(s).padStart(n);
  const cell = (m, best, p) => (m[p] === undefined ? '—' : `${m[p].toFixed(1)} (${best[p].toFixed(1)})`);
  const ratio = (a, b) => (a === undefined || b === undefined ? '—' : (a / b).toFixed(2));
  console.log(`node ${process.version}, koffi ${koffiVersion}, ${rounds} rounds, median ns/op (best in brackets)`);
  console.log(`${'case'.padEnd(width)}${pad('trampfd', 16)}${pad('koffi', 16)}${pad('N-API', 16)}${pad('t/koffi', 9)}${pad('t/N-API', 9)}`);
  for (const { name, m, best } of results) {
    console.log(`${name.padEnd(width)}${pad(cell(m, best, 'trampfd'), 16)}${pad(cell(m, best, 'koffi'), 16)}` +
      `${pad(cell(m, best, 'napi'), 16)}${pad(ratio(m.trampfd, m.koffi), 9)}${pad(ratio(m.trampfd, m.napi), 9)}`);
  }
}
