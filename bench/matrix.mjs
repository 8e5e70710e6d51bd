// npm run bench:matrix: the call and callback benchmarks on each Node major, with the JIT and with
// --jitless, one process per configuration and benchmark (peers interleaved inside it), then one
// table of trampfd's ratios. Usage: node bench/matrix.mjs [rounds=15] [majors=20,26] [filter] [benches]
// (`npm run bench:strings` is `15 20,26 string calls.mjs`: the strings table.)
// Majors other than this process's own are fetched from npm into .cache/node/ (scripts/node-dist.mjs).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PEERS, here, ratio } from './support.mjs';
import { nodeBin } from '../scripts/node-dist.mjs';

const [rounds = '15', majors = '20,26', filter = '', only = 'calls.mjs,callbacks.mjs'] = process.argv.slice(2);
const benches = only.split(',');

const rows = [];
const configs = [];
for (const major of majors.split(',')) {
  const bin = nodeBin(major);
  for (const flags of [[], ['--jitless']]) {
    for (const bench of benches) {
      const argv = [...flags, '--disable-warning=ExperimentalWarning', join(here, bench), '--json', rounds, ...(filter ? [filter] : [])];
      console.error(`${bin} ${argv.join(' ')}`);
      const out = JSON.parse(execFileSync(bin, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').at(-1));
      if (!configs.includes(out.config)) configs.push(out.config);
      for (const r of out.results) rows.push({ ...r, config: out.config, koffi: out.koffi });
    }
  }
}

// One table: a row per case and configuration, grouped by case, so the configurations line up.
const others = Object.keys(PEERS).filter((p) => p !== 'trampfd');
const ns = (v) => (v === undefined ? '—' : v.toFixed(1));
console.log(`\nkoffi ${rows[0]?.koffi}, ${rounds} rounds per configuration; median ns/op, and trampfd's time as a ratio of each peer's`);
console.log(`| case | config | ${Object.values(PEERS).join(' | ')} | ${others.map((p) => `t/${PEERS[p]}`).join(' | ')} |`);
console.log(`|---|---|${Object.keys(PEERS).map(() => '--:').join('|')}|${others.map(() => '--:').join('|')}|`);
for (const name of [...new Set(rows.map((r) => r.name))]) {
  for (const config of configs) {
    const r = rows.find((x) => x.name === name && x.config === config);
    if (!r) continue;
    console.log(`| ${name} | ${config.replace(/^node v/, 'Node ').replace(/(\d)$/, '$1 JIT')} | ${Object.keys(PEERS).map((p) => ns(r.m[p])).join(' | ')} | ` +
      `${others.map((p) => ratio(r.m.trampfd, r.m[p])).join(' | ')} |`);
  }
}
