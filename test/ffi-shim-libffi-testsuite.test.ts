// Area: libtrampfd-ffi.so. Purpose: libffi's own closure tests (testsuite/libffi.closures from
// `apt-get source libffi`, at the installed version), each compiled once against the system
// libffi and run without and with the shim, plain and under PR_SET_MDWE: every test that passes
// without the shim passes with it, printing the same. A test passes when it exits 0 and its
// output matches its dg-output lines, as DejaGnu checks them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { debianSource, libffiFlags, mdweSkip, shimPath, shimSkip } from './support-ffi-shim.js';
import { cc, mdweExec, scratchDir } from './support-native.js';

const execFileP = promisify(execFile);

/** DejaGnu's expected output: the dg-output strings after Tcl's backslash substitution, as one regex. */
function expectedOutput(source: string): RegExp | null {
  const parts = [...source.matchAll(/\{\s*dg-output\s+"((?:[^"\\]|\\.)*)"/g)].map((m) =>
    m[1]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c)));
  return parts.length ? new RegExp(parts.join(''), 's') : null;
}

interface Outcome { pass: boolean; status: string; stdout: string }

async function runOne(exe: string, shim: boolean, mdwe: boolean, expected: RegExp | null): Promise<Outcome> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.LD_PRELOAD;
  if (shim) env.LD_PRELOAD = shimPath;
  const argv = mdwe ? [mdweExec, exe] : [exe];
  try {
    const { stdout } = await execFileP(argv[0]!, argv.slice(1), { env, encoding: 'utf8', timeout: 30_000 });
    return { pass: expected ? expected.test(stdout) : true, status: 'exit 0', stdout };
  } catch (e) {
    const err = e as { code?: number; signal?: string; stdout?: string };
    return { pass: false, status: err.signal ?? `exit ${err.code}`, stdout: err.stdout ?? '' };
  }
}

/** Runs `jobs` two at a time (the machine has two cores). */
async function pool<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => { while (next < jobs.length) { const i = next++; out[i] = await jobs[i]!(); } };
  await Promise.all([worker(), worker()]);
  return out;
}

test('libffi\'s closure tests pass with the shim wherever they pass without it, plain and under PR_SET_MDWE', { skip: shimSkip }, async (t) => {
  const src = join(debianSource('libffi8'), 'testsuite');
  const dir = join(scratchDir(), 'libffi-closures');
  mkdirSync(dir, { recursive: true });
  // What Debian's configure put in fficonfig.h that the tests read: built without static trampolines.
  writeFileSync(join(dir, 'fficonfig.h'), '#define HAVE_STDINT_H 1\n#define HAVE_INTTYPES_H 1\n#define HAVE_MMAP_ANON 1\n');
  const tests = readdirSync(join(src, 'libffi.closures')).filter((f) => f.endsWith('.c')).sort();
  assert.ok(tests.length >= 90, `libffi.closures has its ${tests.length} C tests`);
  // closure_loc_fn0 checks that the code address shows the closure's bytes (a double mapping);
  // libffi skips that check for static trampolines, which is what the shim gives: build it so too.
  const builds = [...tests.map((f) => ({ name: f.replace(/\.c$/, ''), file: f, flags: [] as string[] })),
    { name: 'closure_loc_fn0+static-tramp', file: 'closure_loc_fn0.c', flags: ['-DFFI_EXEC_STATIC_TRAMP'] }];
  await pool(builds.map((b) => async () => {
    await execFileP(cc, ['-O2', '-w', ...b.flags, '-I', dir, '-I', join(src, 'libffi.closures'), ...libffiFlags,
      '-o', join(dir, b.name), join(src, 'libffi.closures', b.file), '-lffi', '-lm']);
  }));

  const configs = [
    { name: 'system', shim: false, mdwe: false }, { name: 'shim', shim: true, mdwe: false },
    ...(mdweSkip ? [] : [{ name: 'system+MDWE', shim: false, mdwe: true }, { name: 'shim+MDWE', shim: true, mdwe: true }]),
  ];
  if (mdweSkip) t.diagnostic(`no PR_SET_MDWE runs: ${mdweSkip}`);
  const results = new Map<string, Outcome[]>();
  for (const b of builds) results.set(b.name, []);
  for (const c of configs) {
    const outs = await pool(builds.map((b) => () =>
      runOne(join(dir, b.name), c.shim, c.mdwe, expectedOutput(readFileSync(join(src, 'libffi.closures', b.file), 'utf8')))));
    outs.forEach((o, i) => results.get(builds[i]!.name)!.push(o));
  }

  const counts = configs.map((_, i) => [...results.values()].filter((r) => r[i]!.pass).length);
  t.diagnostic(`libffi ${src.split('/').at(-2)} testsuite/libffi.closures, ${builds.length} programs`);
  t.diagnostic(configs.map((c, i) => `${c.name}: ${counts[i]} passed`).join(' | '));
  const problems: string[] = [];
  for (const [name, r] of results) {
    const line = configs.map((c, i) => `${c.name} ${r[i]!.pass ? 'pass' : `FAIL (${r[i]!.status})`}`).join(', ');
    if (r.some((o) => !o.pass)) t.diagnostic(`${name}: ${line}`);
    for (const [sys, shim] of ([[0, 1], [2, 3]] as const).filter(([i]) => i < configs.length)) {
      if (name === 'closure_loc_fn0') continue; // checked below
      if (r[sys]!.pass && !r[shim]!.pass) problems.push(`${name} passes with ${configs[sys]!.name}, not with ${configs[shim]!.name}: ${line}\n${r[shim]!.stdout}`);
      if (r[sys]!.pass && r[sys]!.stdout !== r[shim]!.stdout) problems.push(`${name} prints differently with ${configs[shim]!.name}`);
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(counts[0]! >= builds.length - 3 && counts[1]! >= builds.length - 3, 'nearly all pass on this machine');
  // Without the static-trampoline setting, closure_loc_fn0 may fail only at that alias check
  // (rerun with stdout unbuffered, by a constructor: abort() drops a pipe's buffered output;
  // stdbuf's preloaded library would be the host's under qemu).
  const fn0 = results.get('closure_loc_fn0')!;
  const unbuffered = join(dir, 'closure_loc_fn0+unbuffered');
  writeFileSync(`${unbuffered}.h`, '#include <stdio.h>\n__attribute__((constructor)) static void unbuffered(void) { setvbuf(stdout, NULL, _IONBF, 0); }\n');
  await execFileP(cc, ['-O2', '-w', '-include', `${unbuffered}.h`, '-I', dir, '-I', join(src, 'libffi.closures'), ...libffiFlags,
    '-o', unbuffered, join(src, 'libffi.closures', 'closure_loc_fn0.c'), '-lffi', '-lm']);
  for (const mdwe of mdweSkip ? [false] : [false, true]) {
    if (fn0[mdwe ? 3 : 1]!.pass) continue;
    const argv = [...(mdwe ? [mdweExec] : []), unbuffered];
    const r = spawnSync(argv[0]!, argv.slice(1), { env: { ...process.env, LD_PRELOAD: shimPath }, encoding: 'utf8' });
    // 3.4.4 compares with codeloc, 3.4.8 with FFI_CL(codeloc) (ffi.h: codeloc itself, but on PA-RISC)
    assert.match(r.stdout, /Check failed:\nmemcmp\(pcl, (?:codeloc|FFI_CL\(codeloc\)), sizeof\(\*pcl\)\) == 0\n$/);
  }
  // And the shim really served them: its debug line, from one of these programs.
  const served = spawnSync(join(dir, 'closure_fn0'), [], { env: { ...process.env, LD_PRELOAD: shimPath, TRAMPFD_FFI_DEBUG: '1' }, encoding: 'utf8' });
  assert.match(served.stderr, /^trampfd-ffi: closures run on trampfd trampolines/m);
  const shims = [1, 3].filter((i) => i < configs.length).map((i) => `${configs[i]!.name}: ${[...results.values()].filter((r) => r[i]!.pass).length}`);
  t.diagnostic(`with the shim: ${shims.join(', ')} of ${builds.length}`);
});
