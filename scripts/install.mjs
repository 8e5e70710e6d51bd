// npm install hook: keeps the prebuilt addon when it loads on this machine, else builds the
// addon from source with node-gyp (needs python3, make and a C compiler).
// TRAMPFD_BUILD_FROM_SOURCE=1 or `npm install --build-from-source` skips the prebuilt.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const dir = `${root}prebuilds/${process.platform}-${process.arch}/`;
const candidates = [`trampfd.abi${process.versions.modules}.node`, 'trampfd.node'].map((f) => dir + f);
const fromSource = ['1', 'true'].includes(process.env.TRAMPFD_BUILD_FROM_SOURCE ?? '') ||
  process.env.npm_config_build_from_source === 'true';

/** Whether a fresh node process can load `file` (a crash or a missing symbol must not kill us). */
function loads(file) {
  const r = spawnSync(process.execPath, ['-e', 'process.dlopen({ exports: {} }, process.argv[1])', file], { encoding: 'utf8' });
  return { ok: r.status === 0, why: (r.stderr.trim().split('\n').find((l) => /Error/.test(l)) ?? `exit ${r.status ?? r.signal}`).trim() };
}

let reason = fromSource ? 'a source build was asked for' : `no prebuilt addon for ${process.platform}-${process.arch}`;
if (!fromSource) {
  for (const file of candidates.filter((f) => existsSync(f))) {
    const r = loads(file);
    if (r.ok) {
      console.log(`trampfd: using the prebuilt addon ${file.slice(root.length)}`);
      process.exit(0);
    }
    reason = `the prebuilt ${file.slice(root.length)} does not load here (${r.why})`;
  }
}

console.log(`trampfd: ${reason}; building from source with node-gyp`);
// While npm runs scripts, PATH has node_modules/.bin and npm's own node-gyp; npm_config_node_gyp
// names npm's copy too, for when PATH has none.
let r = spawnSync('node-gyp', ['rebuild'], { cwd: root, stdio: 'inherit' });
const gyp = process.env.npm_config_node_gyp;
if (r.error?.code === 'ENOENT' && gyp && existsSync(gyp)) {
  r = spawnSync(process.execPath, [gyp, 'rebuild'], { cwd: root, stdio: 'inherit' });
}
if (r.error) console.error(`trampfd: cannot run node-gyp (${r.error.message}); install it, or run \`npx node-gyp rebuild\` in ${root}`);
process.exit(r.status ?? 1);
