// Runs every compiled test file with node:test; extra node flags come from TRAMPFD_TEST_NODE_FLAGS.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const dir = new URL('../build-test/', import.meta.url);
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.test.js'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort()
  .map((f) => new URL(f, dir).pathname);
const flags = (process.env.TRAMPFD_TEST_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const r = spawnSync(process.execPath, [...flags, '--test', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
