// Runs the compiled test files with node:test; extra node flags come from TRAMPFD_TEST_NODE_FLAGS.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const dir = new URL('../build-test/', import.meta.url);
// Arguments select files by substring; one starting with '!' leaves out the files that contain the rest.
const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('!'));
const except = args.filter((a) => a.startsWith('!')).map((a) => a.slice(1));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.test.js'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .filter((f) => !except.some((o) => f.includes(o)))
  .sort()
  .map((f) => new URL(f, dir).pathname);
const flags = (process.env.TRAMPFD_TEST_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const r = spawnSync(process.execPath, [...flags, '--test', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
