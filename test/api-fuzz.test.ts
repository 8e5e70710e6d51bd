// Area: the whole public API. Purpose: a seeded fuzzer (test/support-api-fuzz.ts) throws random
// values, struct objects, memory operations, declarations, callbacks and trampoline calls at
// trampfd, each batch in its own child process so that a crash shows as a signal: 0 crashes,
// 0 silently wrong values, 0 internal errors, in every marshaller mode, within a time budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { gcc, repo, scratchDir } from './support-native.js';
import { SEED } from './support-rng.js';

const fixture = join(scratchDir(), 'libfuzz-fixtures.so');
gcc(['-std=c11', '-O2', '-Wall', '-shared', '-fPIC', '-o', fixture, join(repo, 'test/c/fuzz-fixtures.c')]);

/** Operations per batch; TRAMPFD_FUZZ_COUNT scales it (smaller under emulation or sanitizers). */
const COUNT = Number(process.env.TRAMPFD_FUZZ_COUNT ?? 3000);
const BUDGET_MS = 120_000;

const MODES: { name: string; flags: string[]; env: Record<string, string> }[] = [
  { name: 'generated', flags: [], env: {} },
  { name: 'interpreted', flags: [], env: { TRAMPFD_INTERPRET: '1' } },
  { name: 'node --jitless', flags: ['--jitless'], env: {} },
];

interface Batch { status: number | null; signal: string | null; out: string; err: string; ms: number }

function batch(seed: number, flags: string[], env: Record<string, string>): Promise<Batch> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, join(repo, 'build-test', 'support-api-fuzz.js'), String(seed), fixture, String(COUNT)],
      { cwd: repo, env: { ...process.env, ...env } });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), BUDGET_MS);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, out, err, ms: Date.now() - started });
    });
  });
}

MODES.forEach((mode, m) => {
  test(`API fuzzer, ${mode.name}: no crash, no wrong value, no internal error (seed ${SEED + m})`, async (t) => {
    const seed = SEED + m;
    const r = await batch(seed, mode.flags, mode.env);
    t.diagnostic(`${r.ms} ms; reproduce with TRAMPFD_SEED=${SEED} (batch seed ${seed})`);
    assert.equal(r.signal, null, `the batch died with ${r.signal} (seed ${seed}):\n${r.err.slice(-3000)}`);
    assert.equal(r.status, 0, `the batch exited with ${r.status} (seed ${seed}):\n${r.err.slice(-3000)}`);
    const report = JSON.parse(r.out.trim().split('\n').pop()!) as { ops: number; refused: number; accepted: number; findings: string[] };
    t.diagnostic(`${report.ops} operations: ${report.accepted} accepted, ${report.refused} refused`);
    assert.deepEqual(report.findings, [], `findings (seed ${seed}):\n${report.findings.join('\n')}`);
    assert.ok(report.accepted > report.ops / 5 && report.refused > report.ops / 10, 'the fuzzer exercises both outcomes');
    assert.ok(r.ms < BUDGET_MS, 'within the time budget');
  });
});
