// W^X enforced by the kernel: the call suites pass under PR_SET_MDWE with node --jitless.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mdweExec, mdweUnavailable, repo } from './support-native.js';

const suites = ['abi-conformance-calls', 'call-scalar-edge-values', 'call-struct-fast-path', 'call-bad-input',
  'real-libc', 'real-zlib', 'real-sqlite3', 'memory-read-write'];

test('the call suites pass inside PR_SET_MDWE under node --jitless', { skip: mdweUnavailable() ?? false }, () => {
  const files = suites.map((s) => join(repo, 'build-test', `${s}.test.js`));
  const r = spawnSync(mdweExec, [process.execPath, '--jitless', '--test', '--test-reporter=tap', ...files], {
    encoding: 'utf8',
    env: { ...process.env, NODE_TEST_CONTEXT: undefined, TRAMPFD_SEED: process.env.TRAMPFD_SEED ?? '7' },
    timeout: 300_000,
  });
  assert.equal(r.status, 0, r.stdout.split('\n').filter((l) => /^not ok|^# (pass|fail)/.test(l)).join('\n') + r.stderr);
  assert.match(r.stdout, /# fail 0/);
  const pass = Number(/# pass (\d+)/.exec(r.stdout)?.[1]);
  assert.ok(pass >= 40, `only ${pass} tests ran`);
});
