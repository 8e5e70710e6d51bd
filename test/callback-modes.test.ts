// Area: callbacks. Purpose: the callback conformance suite passes in every runner mode — interpreted
// (TRAMPFD_INTERPRET=1), under --jitless, and with code generation from strings disallowed — each in
// a child process running the same seed as this one.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repo } from './support-native.js';
import { seedFromEnv } from './support-abi-gen.js';

const seed = seedFromEnv();
const FILES = ['abi-conformance-callbacks.test.js'].map((f) => join(repo, 'build-test', f));

interface Mode { name: string; flags: string[]; env: Record<string, string>; runners: 'interpreted' | 'generated' }
const MODES: readonly Mode[] = [
  { name: 'TRAMPFD_INTERPRET=1', flags: [], env: { TRAMPFD_INTERPRET: '1' }, runners: 'interpreted' },
  { name: 'node --jitless', flags: ['--jitless'], env: {}, runners: 'generated' },
  { name: 'node --disallow-code-generation-from-strings', flags: ['--disallow-code-generation-from-strings'], env: {}, runners: 'interpreted' },
];

interface Run { status: number | null; signal: string | null; out: string; ms: number }

function run(mode: Mode): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...mode.env, TRAMPFD_SEED: String(seed) };
  delete env.NODE_TEST_CONTEXT; // otherwise the child reports to this runner instead of running its tests
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...mode.flags, '--test', '--test-reporter=tap', ...FILES], { cwd: repo, env });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, out, ms: Date.now() - started }));
  });
}

/** The lines of a TAP report that say what failed. */
function failures(out: string): string {
  const lines = out.split('\n');
  const keep = lines.filter((l) => /^\s*not ok|signatures failed|^\s{4,}\S.*\[.*\]$|threw|C driver|JS callback|error:|Error|signal|abort/.test(l));
  return (keep.length ? keep : lines.slice(-40)).slice(0, 60).join('\n');
}

// The first mode compiles the seed's fixture; the others then reuse it, concurrently.
const first = run(MODES[0]!);
const rest = first.then(() => MODES.slice(1).map(run));
const runs: Promise<Run>[] = [first, ...MODES.slice(1).map((_, i) => rest.then((r) => r[i]!))];

MODES.forEach((mode, i) => {
  test(`callback tests pass with ${mode.name} (seed ${seed})`, async (t) => {
    const r = await runs[i]!;
    t.diagnostic(`${mode.name}: ${r.ms} ms; reproduce with TRAMPFD_SEED=${seed}`);
    assert.ok(r.status === 0 && r.signal === null,
      `${mode.name} (TRAMPFD_SEED=${seed}) exited with ${r.signal ?? r.status}:\n${failures(r.out)}`);
    assert.match(r.out, new RegExp(`runners: ${mode.runners}`), 'the mode took effect');
  });
});
