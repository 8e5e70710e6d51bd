// Area: the ABI conformance generator (test/support-abi-gen.ts). Purpose: coverage is built in, not
// left to luck: for hundreds of seeds (the one that once missed it first), the leading
// signatures alone pass and return every scalar, spill integer and float registers, and use
// 1-byte, > 48-byte, union and packed records returned in registers and in memory. Generation
// only: nothing is compiled or called.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, coverageGaps, coveringSignatures, generateSuite, seedFromEnv } from './support-abi-gen.js';

const SEEDS = 200;

test(`the first ${coveringSignatures()} generated signatures cover what the conformance issue asks for, for ${SEEDS} seeds`, (t) => {
  const base = seedFromEnv();
  const rng = new Rng(base);
  const seeds = [2448446892, 0, 0xffffffff, ...Array.from({ length: SEEDS - 3 }, () => rng.u32())];
  const count = coveringSignatures();
  const started = performance.now();
  const failures: string[] = [];
  for (const seed of seeds) {
    const gaps = coverageGaps(generateSuite({ seed, count, variadic: 0 }));
    if (gaps.length) failures.push(`seed ${seed}: ${gaps.join('; ')}`);
  }
  t.diagnostic(`${seeds.length} seeds (others from TRAMPFD_SEED=${base}) in ${(performance.now() - started).toFixed(0)} ms`);
  assert.deepEqual(failures, []);
});

test('a suite of the default size keeps that coverage, and a seed still reproduces its suite', () => {
  const suite = generateSuite({ seed: 2448446892, count: 600, variadic: 60 });
  assert.deepEqual(coverageGaps(suite), []);
  assert.deepEqual(generateSuite({ seed: 2448446892, count: 600, variadic: 60 }).units, suite.units);
});

test('the coverage check itself sees gaps (a suite too small to hold them)', () => {
  const gaps = coverageGaps(generateSuite({ seed: 1, count: 10, variadic: 0 }));
  assert.ok(gaps.some((g) => /no parameter of type/.test(g)) && gaps.some((g) => /more than 8 float/.test(g)), gaps.join('; '));
});
