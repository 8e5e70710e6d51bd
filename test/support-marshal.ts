// Test support: the marshaller fixture library (test/c/marshal-fixtures.c), compiled on first use.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gcc, repo, scratchDir } from './support-native.js';

export function marshalFixtures(): string {
  const out = join(scratchDir(), 'libmarshal-fixtures.so');
  if (!existsSync(out)) {
    gcc(['-std=c11', '-O2', '-g', '-Wall', '-Wextra', '-Werror', '-fPIC', '-shared', '-o', out,
      join(repo, 'test/c/marshal-fixtures.c')]);
  }
  return out;
}
