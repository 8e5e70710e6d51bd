// W^X enforced by the kernel: the trampoline tests pass under PR_SET_MDWE with node --jitless.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mdweExec, mdweUnavailable, repo, testSupport } from './support-native.js';

test('the MDWE wrapper really makes the kernel refuse W+X: V8 with its JIT dies', { skip: mdweUnavailable() ?? false }, () => {
  const r = spawnSync(mdweExec, [process.execPath, '-e', 'for (let i = 0; i < 1e6; i++) Math.sqrt(i)'], { encoding: 'utf8' });
  assert.notEqual(r.status, 0, 'node with a JIT should not survive PR_SET_MDWE');
});

test('the trampoline JS suite passes inside PR_SET_MDWE under node --jitless', { skip: mdweUnavailable() ?? false }, () => {
  testSupport(); // built here, outside the restricted child
  const file = join(repo, 'build-test', 'trampolines-js-api.test.js');
  const r = spawnSync(mdweExec, [process.execPath, '--jitless', '--test', '--test-reporter=tap', file], {
    encoding: 'utf8',
    env: { ...process.env, NODE_TEST_CONTEXT: undefined },
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /# fail 0/);
  assert.match(r.stdout, /# pass [1-9]/);
});
