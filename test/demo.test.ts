// Area: examples/demo.mjs (`npm run demo`). Purpose: the newcomer's scenario passes every step —
// qsort with a JS comparator, SQLite's row callback, zlib, callbacks from pthreads, 20,000 live
// callbacks — in this process and again in a child under PR_SET_MDWE with node --jitless.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { mdweUnavailable, repo } from './support-native.js';

const STEPS = ['qsort', 'sqlite3', 'zlib', 'threads', 'no cap'];

test('npm run demo: every step passes here and under PR_SET_MDWE + node --jitless', { timeout: 120_000 }, (t) => {
  const r = spawnSync(process.execPath, [join(repo, 'examples', 'demo.mjs')], { cwd: repo, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /FAIL/);
  const [here, child] = r.stdout.split(/^\[child: /m);
  assert.match(here!, /^\[this process: node v\d+/);
  for (const s of STEPS) assert.match(here!, new RegExp(`^  ok   ${s} `, 'm'), `${s} here`);
  // libz.so.1 itself compressed, not the zlib copy inside the node binary (see load-interposed-zlib).
  assert.match(here!, /^  ok   zlib      zlib 1\.\d+\.\d+[^,]*, deep-bound \(0 calls to node's copy\)/m);
  assert.doesNotMatch(r.stderr, /TRAMPFD_INTERPOSED/);
  assert.match(here!, /4 pthreads ran a JS start routine .* -> 10, 20, 30, 40; a 5th was served from the event loop -> 99/);
  if (child === undefined) {
    const why = mdweUnavailable();
    assert.ok(why, 'only where PR_SET_MDWE is refused may the demo skip its hardened run');
    assert.match(r.stdout, /no hardened run: .*PR_SET_MDWE\) failed/);
    t.skip(why);
    return;
  }
  assert.match(child, /^PR_SET_MDWE set by trampfd-mdwe-exec, node --jitless\]/);
  for (const s of STEPS) assert.match(child, new RegExp(`^  ok   ${s} `, 'm'), `${s} in the hardened child`);
  assert.match(child, /writable\+executable mappings: 0$/m);
  assert.match(r.stdout, /\nall steps passed\n$/);
});
