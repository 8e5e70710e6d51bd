// Test support: the lifecycle fixture library (test/c/lifecycle-fixtures.c), compiled on first use.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gcc, repo, scratchDir } from './support-native.js';

export function lifecycleFixtures(): string {
  const out = join(scratchDir(), 'liblifecycle-fixtures.so');
  if (!existsSync(out)) {
    gcc(['-std=gnu11', '-O2', '-g', '-Wall', '-Wextra', '-Werror', '-fPIC', '-shared', '-o', out,
      join(repo, 'test/c/lifecycle-fixtures.c'), '-lpthread']);
  }
  return out;
}
