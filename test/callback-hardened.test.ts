// Area: callbacks under W^X enforced by the kernel. Purpose: the callback suite (real libc and
// SQLite callers, threads and call modes, lifetimes and traps) passes inside PR_SET_MDWE under
// node --jitless, where any FFI that writes or JITs its trampolines dies.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIXTURE_ENV, callbackFixtures } from './support-callbacks.js';
import { mdweExec, mdweUnavailable, repo } from './support-native.js';

/** Calls per thread in callback-threads under --jitless (the suite's default is 100,000). */
const HARDENED_THREAD_ITERS = 10_000;

test('the callback suite passes inside PR_SET_MDWE under node --jitless', { skip: mdweUnavailable() ?? false }, () => {
  const files = ['callback-libc', 'callback-threads', 'callback-lifecycle'].map((f) => join(repo, 'build-test', `${f}.test.js`));
  const r = spawnSync(mdweExec, [process.execPath, '--jitless', '--test', '--test-reporter=tap', ...files], {
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...process.env,
      NODE_TEST_CONTEXT: undefined,
      [FIXTURE_ENV]: callbackFixtures(), // built here, outside the restricted child
      TRAMPFD_CALLBACK_THREAD_ITERS: String(HARDENED_THREAD_ITERS),
    },
  });
  const failed = r.stdout.split('\n').filter((l) => /^\s*not ok /.test(l));
  assert.equal(r.status, 0, `${failed.join('\n')}\n\n${r.stdout.slice(-6000)}${r.stderr}`);
  assert.match(r.stdout, /# fail 0/);
  assert.match(r.stdout, /# pass [1-9]/);
});
