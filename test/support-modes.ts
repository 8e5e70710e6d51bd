// Test support: runs test files in child processes once per marshaller mode — interpreted
// (TRAMPFD_INTERPRET=1), under --jitless, and with code generation from strings disallowed.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repo } from './support-native.js';
import { seedFromEnv } from './support-abi-gen.js';

/** `expect`: the path the child's label names (calls default to native under --jitless). */
export interface Mode { name: string; flags: string[]; env: Record<string, string>; expect: 'generated' | 'interpreted' | 'native' }
export const DEFAULT_MODES: readonly Mode[] = [
  { name: 'TRAMPFD_INTERPRET=1', flags: [], env: { TRAMPFD_INTERPRET: '1' }, expect: 'interpreted' },
  { name: 'node --jitless', flags: ['--jitless'], env: {}, expect: 'generated' },
  { name: 'node --disallow-code-generation-from-strings', flags: ['--disallow-code-generation-from-strings'], env: {}, expect: 'interpreted' },
];

interface Run { status: number | null; signal: string | null; out: string; ms: number }

export interface ModeSuite {
  /** 'call' or 'callback': names the tests. */
  readonly area: string;
  /** Compiled test files (in build-test/) to run. */
  readonly files: readonly string[];
  /** The diagnostic the files print to say which path ran: `<label>: generated|interpreted`. */
  readonly label: string;
  /** Lines of a failed child's report worth showing. */
  readonly failureLines: RegExp;
  /** The modes to run (default DEFAULT_MODES). */
  readonly modes?: readonly Mode[];
}

/** Registers one test per mode; each child runs the same seed as this process. */
export function defineModeTests(suite: ModeSuite): void {
  const seed = seedFromEnv();
  const modes = suite.modes ?? DEFAULT_MODES;
  const files = suite.files.map((f) => join(repo, 'build-test', f));
  const run = (mode: Mode): Promise<Run> => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...mode.env, TRAMPFD_SEED: String(seed) };
    delete env.NODE_TEST_CONTEXT; // otherwise the child reports to this runner instead of running its tests
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [...mode.flags, '--test', '--test-reporter=tap', ...files], { cwd: repo, env });
      let out = '';
      child.stdout.on('data', (d) => { out += d; });
      child.stderr.on('data', (d) => { out += d; });
      child.on('error', reject);
      child.on('close', (status, signal) => resolve({ status, signal, out, ms: Date.now() - started }));
    });
  };
  const failures = (out: string): string => {
    const lines = out.split('\n');
    const keep = lines.filter((l) => suite.failureLines.test(l));
    return (keep.length ? keep : lines.slice(-40)).slice(0, 60).join('\n');
  };
  // The first mode compiles the seed's fixture; the others then reuse it, concurrently.
  const first = run(modes[0]!);
  const rest = first.then(() => modes.slice(1).map(run));
  const runs: Promise<Run>[] = [first, ...modes.slice(1).map((_, i) => rest.then((r) => r[i]!))];
  modes.forEach((mode, i) => {
    test(`${suite.area} tests pass with ${mode.name} (seed ${seed})`, async (t) => {
      const r = await runs[i]!;
      t.diagnostic(`${mode.name}: ${r.ms} ms; reproduce with TRAMPFD_SEED=${seed}`);
      assert.ok(r.status === 0 && r.signal === null,
        `${mode.name} (TRAMPFD_SEED=${seed}) exited with ${r.signal ?? r.status}:\n${failures(r.out)}`);
      assert.match(r.out, new RegExp(`${suite.label}: ${mode.expect}`), 'the mode took effect');
    });
  });
}
