// The Node majors we claim (engines >=20): runs the test suite on the latest release of each,
// fetched from npm into .cache/node/ (scripts/node-dist.mjs).
//   node scripts/node-versions.mjs bin <major>         prints that node's path (fetches if needed)
//   node scripts/node-versions.mjs test [major[:subset]]...
//        runs the suite on each (default: MATRIX below) and prints pass/fail/duration per version
// Subsets are named lists of test-file substrings (SUBSETS); without one, the whole suite runs.
import { execFileSync, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBin } from './node-dist.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));

/**
 * A core subset for the extra majors: the paths that touch V8 and N-API behaviour, which is what
 * changes between majors (calls, callbacks from C and from threads, memory, the --jitless and
 * MDWE runs, the CLI and the README). Layout, parser and ABI-table tests and the tsc checks are
 * plain TS over data and give the same answer on every major: they run on 20 (npm test) and 26.
 */
const SUBSETS = {
  core: ['call-', 'callback-', 'memory-', 'trampolines-', 'real-', 'types-values', 'cli', 'readme-samples', 'dual-package'],
};
/** What `test` runs when no major is named: the newest major in full, the two between as core. */
const MATRIX = ['22:core', '24:core', '26'];

/** Runs scripts/run-tests.mjs under `bin`, echoing its output; resolves to the summary counts. */
function runSuite(bin, only) {
  // PATH first: children that run `node` or `npm` (shebang `env node`) get the same version.
  const env = { ...process.env, PATH: `${dirname(bin)}:${process.env.PATH}` };
  for (const k of Object.keys(env)) if (k.startsWith('npm_') || k === 'NODE') delete env[k];
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(bin, [join(repo, 'scripts', 'run-tests.mjs'), ...only], { cwd: repo, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
    child.on('close', (status) => {
      // The final summary of node:test (tap "# pass 3", spec "ℹ pass 3").
      const count = (what) => Number([...out.matchAll(new RegExp(`^[#ℹ] ${what} (\\d+)$`, 'gm'))].at(-1)?.[1] ?? NaN);
      resolve({ status, pass: count('pass'), fail: count('fail'), seconds: (Date.now() - t0) / 1000 });
    });
  });
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'bin' && args.length === 1) {
  console.log(nodeBin(args[0]));
} else if (cmd === 'test') {
  const rows = [];
  for (const spec of args.length ? args : MATRIX) {
    const [major, subset] = spec.split(':');
    if (subset && !SUBSETS[subset]) throw new Error(`unknown subset ${subset}; known: ${Object.keys(SUBSETS).join(', ')}`);
    const bin = nodeBin(major);
    const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
    console.log(`\n=== ${version}: ${subset ? `subset ${subset}` : 'full suite'} ===`);
    rows.push({ version, what: subset ?? 'full', ...(await runSuite(bin, subset ? SUBSETS[subset] : [])) });
  }
  console.log('\nversion    tests  pass  fail  seconds');
  for (const r of rows) console.log(`${r.version.padEnd(10)} ${r.what.padEnd(5)} ${String(r.pass).padStart(5)} ${String(r.fail).padStart(5)} ${r.seconds.toFixed(0).padStart(8)}`);
  process.exit(rows.every((r) => r.status === 0) ? 0 : 1);
} else {
  console.error('usage: node scripts/node-versions.mjs bin <major> | test [major[:subset]]...');
  process.exit(2);
}
