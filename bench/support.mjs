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
