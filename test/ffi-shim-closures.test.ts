// Area: libtrampfd-ffi.so. Purpose: libffi programs get closures on trampfd trampolines, preloaded
// or linked before -lffi, plain, under PR_SET_MDWE and on the in-image pool; closures it did not
// allocate behave as with the system libffi; freed ones trap; and a system libffi whose closure
// entry does not check out makes the whole process fall back (TRAMPFD_FFI_DEBUG says why).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAgainstLibffi, libffiFlags, mdweModes, mdweSkip, objdump, readelf, run, selftestProbes, shimPath, shimSkip, systemLibffi } from './support-ffi-shim.js';
import { archCflags, archName, gcc, repo, scratchDir } from './support-native.js';

const checks = ['basic', 'foreign', 'threads', 'fork'];

function ok(r: ReturnType<typeof run>, what: string): string {
  assert.equal(r.status, 0, `${what} exited ${r.status ?? r.signal}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

test('the shim exports libffi\'s closure functions under libffi\'s own symbol version', { skip: shimSkip }, () => {
  const r = run([objdump, '-T', shimPath]);
  const out = ok(r, 'objdump');
  const exported = [...out.matchAll(/^\S+ g\s+DF \.text\s+\S+\s+(\S+)\s+(\S+)$/gm)].map((m) => `${m[2]}@${m[1]}`).sort();
  const names = ['ffi_closure_alloc', 'ffi_closure_free', 'ffi_prep_closure', 'ffi_prep_closure_loc',
    'ffi_prep_java_raw_closure', 'ffi_prep_java_raw_closure_loc', 'ffi_prep_raw_closure', 'ffi_prep_raw_closure_loc'];
  assert.deepEqual(exported, [...names.map((n) => `${n}@LIBFFI_CLOSURE_8.0`), 'trampfd_ffi_status@TRAMPFD_FFI_0.1'].sort(),
    'exactly these; the allocator\'s own symbols stay local');
  const sys = ok(run([objdump, '-T', systemLibffi]), 'objdump libffi');
  for (const n of names) assert.match(sys, new RegExp(`LIBFFI_CLOSURE_8\\.0\\s+${n}$`, 'm'), `the system libffi has ${n} too`);
});

test('on AArch64 the shim is marked BTI and PAC, so ld.so maps its code guarded (as it does Debian 13\'s libffi)', { skip: shimSkip || (archName !== 'aarch64' && 'AArch64 only') }, () => {
  // LTO and -nostartfiles (binding.gyp) must keep the note; the system libffi's entry, where the
  // trampoline tail-branches with br x16, then starts with bti c in a guarded page too.
  for (const path of [shimPath, systemLibffi]) {
    assert.match(ok(run([readelf, '-n', path]), `readelf ${path}`), /AArch64 feature: BTI, PAC$/m, path);
  }
});

for (const [how, linked] of [['preloaded', false], ['linked before -lffi', true]] as const) {
  for (const mdwe of [false, true]) {
    test(`closures work and come from trampfd (${how}${mdwe ? ', under PR_SET_MDWE' : ''})`, { skip: shimSkip || (mdwe && mdweSkip) }, () => {
      const exe = buildAgainstLibffi('ffi-shim-check.c', linked);
      for (const c of checks) {
        const out = ok(run([exe, c], { shim: !linked, mdwe }), c);
        assert.match(out, new RegExp(`^ok ${c}`, 'm'));
        if (c === 'basic') assert.match(out, /^shim active, mode file, live \d+$/m, 'the shim served the closures');
      }
    });
  }
}

test('the same checks pass with the system libffi alone (the driver is honest), and report no shim', { skip: shimSkip }, () => {
  const exe = buildAgainstLibffi('ffi-shim-check.c');
  for (const c of ['basic', 'foreign', 'threads']) ok(run([exe, c]), c);
  assert.equal(ok(run([exe, 'status']), 'status').trim(), 'no shim');
});

test('on the in-image pool (TRAMPFD_TRAMPOLINES=image) closures still work', { skip: shimSkip }, () => {
  const exe = buildAgainstLibffi('ffi-shim-check.c');
  for (const mdwe of mdweModes) {
    const out = ok(run([exe, 'basic'], { shim: true, mdwe, env: { TRAMPFD_TRAMPOLINES: 'image' } }), 'basic');
    assert.match(out, /^shim active, mode image, live \d+$/m);
  }
});

test('on sealed tables (TRAMPFD_SEAL=1) closures still work, and a freed one still traps', { skip: shimSkip }, () => {
  const exe = buildAgainstLibffi('ffi-shim-check.c');
  for (const c of ['basic', 'threads', 'fork']) ok(run([exe, c], { shim: true, env: { TRAMPFD_SEAL: '1' } }), c);
  const freed = run([exe, 'freed'], { shim: true, env: { TRAMPFD_SEAL: '1' } });
  assert.equal(freed.signal, 'SIGABRT', freed.stdout + freed.stderr);
  assert.match(freed.stderr, /trampfd: freed trampoline 0x[0-9a-f]+ was called/);
});

test('on an exhausted in-image pool ffi_closure_alloc returns NULL and says why, once; in file mode it does not run out', { skip: shimSkip }, () => {
  const exe = buildAgainstLibffi('ffi-shim-check.c');
  const image = run([exe, 'exhaust'], { shim: true, env: { TRAMPFD_TRAMPOLINES: 'image' } });
  const out = ok(image, 'exhaust');
  const n = Number(/^allocated (\d+)$/m.exec(out)?.[1]);
  assert.ok(n > 4000 && n <= 4096, `at most the pool's 4,096 slots: ${n}`);
  const told = image.stderr.match(/^trampfd-ffi: ffi_closure_alloc failed: the in-image trampoline pool is exhausted.*$/gm) ?? [];
  assert.equal(told.length, 1, image.stderr);
  const file = ok(run([exe, 'exhaust'], { shim: true }), 'exhaust (file mode)');
  assert.match(file, /^allocated 20000$/m);
});

test('a freed closure traps with trampfd\'s message; an unprepared one aborts with the shim\'s', { skip: shimSkip }, () => {
  const exe = buildAgainstLibffi('ffi-shim-check.c');
  const freed = run([exe, 'freed'], { shim: true, mdwe: !mdweSkip });
  assert.equal(freed.signal, 'SIGABRT', freed.stdout + freed.stderr);
  assert.match(freed.stderr, /trampfd: freed trampoline 0x[0-9a-f]+ was called/);
  assert.doesNotMatch(freed.stdout, /still alive/);
  const unprepared = run([exe, 'unprepared'], { shim: true });
  assert.equal(unprepared.signal, 'SIGABRT', unprepared.stdout + unprepared.stderr);
  assert.match(unprepared.stderr, /an ffi_closure was called before ffi_prep_closure_loc prepared it/);
});

test('TRAMPFD_FFI_DEBUG=1 says the shim is in use', { skip: shimSkip }, () => {
  const exe = buildAgainstLibffi('ffi-shim-check.c');
  const r = run([exe, 'status'], { shim: true, env: { TRAMPFD_FFI_DEBUG: '1' } });
  ok(r, 'status');
  const entries = selftestProbes.length; // one entry per probe on both targets
  assert.match(r.stderr, new RegExp(`^trampfd-ffi: closures run on trampfd trampolines \\(file mode\\); ${entries} libffi entries verified$`, 'm'));
  assert.match(r.stdout, /^shim active, mode file$/m);
});

/** A stand-in for the system ffi_prep_closure_loc that spoils its first result (the self-test's). */
function saboteur(): string {
  const dir = scratchDir();
  const lib = join(dir, 'libffi-saboteur.so');
  const map = join(dir, 'libffi-saboteur.map');
  writeFileSync(map, 'LIBFFI_CLOSURE_8.0 { global: ffi_prep_closure_loc; local: *; };\n');
  gcc(['-std=gnu11', '-O2', '-shared', '-fPIC', ...archCflags, ...libffiFlags, `-Wl,--version-script=${map}`, '-o', lib,
    join(repo, 'test', 'c', 'ffi-saboteur.c'), '-ldl']);
  return lib;
}

test('a closure entry that does not check out makes the whole process use the system libffi', { skip: shimSkip }, () => {
  const exe = buildAgainstLibffi('ffi-shim-check.c');
  const lib = saboteur();
  const first = selftestProbes[0]!;
  const expected: Record<string, RegExp> = {
    template: new RegExp(`using the system libffi's closures: ffi_prep_closure_loc wrote an unknown trampoline for the ${first} probe`),
    entry: new RegExp(`using the system libffi's closures: the ${first} probe returned 0 and 0 through a trampoline, not 122 and 222`),
  };
  for (const [how, why] of Object.entries(expected)) {
    for (const c of ['basic', 'threads']) {
      const r = run([exe, c], { shim: true, env: { LD_PRELOAD: lib, FFI_SABOTAGE: how, TRAMPFD_FFI_DEBUG: '1' } });
      const out = ok(r, `${how} ${c}`);
      assert.match(r.stderr, why, how);
      if (c === 'basic') assert.match(out, /^shim inactive, mode \w+, live \d+$/m);
    }
  }
});
