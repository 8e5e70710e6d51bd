// Test support for the callback suite: the C fixture library (test/c/callback-fixtures.c) and
// child Node processes for what must abort or must be observed from outside.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gcc, repo, scratchDir } from './support-native.js';

/** Set by callback-hardened.test.ts so the restricted child reuses a library built outside it. */
const FIXTURE_ENV = 'TRAMPFD_CALLBACK_FIXTURES';

/** The path of the fixture shared library, compiled on first use. */
export function callbackFixtures(): string {
  const given = process.env[FIXTURE_ENV];
  if (given && existsSync(given)) return given;
  const out = join(scratchDir(), 'libcallback-fixtures.so');
  if (!existsSync(out)) {
    gcc(['-std=gnu11', '-O2', '-g', '-Wall', '-Wextra', '-Werror', '-fPIC', '-shared', '-o', out,
      join(repo, 'test/c/callback-fixtures.c'), '-lpthread']);
  }
  return out;
}

export { FIXTURE_ENV };

/** `import ... from` specifier of the built package, for child scripts. */
export const distUrl = pathToFileURL(join(repo, 'dist', 'index.js')).href;

/** Node flags a child must share with this process (--jitless when run hardened). */
function inheritedFlags(): string[] {
  return process.execArgv.filter((a) => a === '--jitless' || a.startsWith('--disallow-code-generation'));
}

/** How much longer children may take under qemu-user (TRAMPFD_EMULATED): a node start alone takes 3-8 s there. */
export const EMULATION_SLOWDOWN = process.env.TRAMPFD_EMULATED ? 4 : 1;

/** Runs an ES module `source` in a fresh node; FIXTURES in it is the fixture library's path. */
export function runChild(source: string, flags: string[] = [], timeout = 30_000 * EMULATION_SLOWDOWN): SpawnSyncReturns<string> {
  const prelude = `const FIXTURES = ${JSON.stringify(callbackFixtures())};\n`;
  return spawnSync(process.execPath, [...inheritedFlags(), ...flags, '--input-type=module', '-e', prelude + source], {
    encoding: 'utf8',
    timeout,
    env: { ...process.env, NODE_TEST_CONTEXT: undefined },
  });
}

/** The last line of a child's stdout, parsed as JSON (the child's report). */
export function childReport(r: SpawnSyncReturns<string>): any {
  const lines = r.stdout.trim().split('\n');
  try {
    return JSON.parse(lines[lines.length - 1] ?? '');
  } catch {
    throw new Error(`child printed no report (status ${r.status}, signal ${r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
}
