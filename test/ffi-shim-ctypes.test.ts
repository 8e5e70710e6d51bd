// Area: libtrampfd-ffi.so under CPython's ctypes (Debian's python3.11 and its testsuite
// package; under qemu the arm64 sysroot's python3.13 and its). Purpose: `python -m test
// test_ctypes` gives the same result for every test with the shim preloaded as without, plain
// and under PR_SET_MDWE (where it can be set); and inside a running ctypes callback the process
// has no writable+executable mapping and no writable alias of code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mdweModes, mdweSkip, run, shimPath, shimSkip } from './support-ffi-shim.js';
import { cc, mdweExec, repo, scratchDir } from './support-native.js';

// Debian's interpreter, whatever else is first on PATH (pyenv shims, say): its ctypes uses the
// system libffi. Under qemu (scripts/cross-tests.mjs) the sysroot's python3.13 (Debian 13 has no
// 3.11), which binfmt runs like the sysroot's node; it finds its stdlib beside itself.
const sysroot = process.env.TRAMPFD_EMULATED ? process.env.QEMU_LD_PREFIX ?? '' : '';
const version = sysroot ? '3.13' : '3.11';
const python = join(sysroot || '/', 'usr', 'bin', `python${version}`);
// 3.11 has test_ctypes.py (over ctypes.test), 3.13 the package test/test_ctypes.
const testsuite = join(sysroot || '/', 'usr', 'lib', `python${version}`, 'test', sysroot ? 'test_ctypes' : 'test_ctypes.py');
const install = sysroot ? 'scripts/cross-setup.sh unpacks python3.13 and libpython3.13-testsuite into the sysroot'
  : `apt-get install python${version} libpython${version}-testsuite (.ci/run does)`;

function requirePython(): void {
  assert.ok(existsSync(python), `${python} is missing: ${install}`);
  assert.ok(existsSync(testsuite), `${testsuite} is missing: ${install}`);
}

/**
 * PATH for regrtest: under qemu its gcc, ld and objdump are the target's, for test_dlerror and
 * test_find, which build a shared library with gcc, then load it or look it up with ld and objdump
 * (the host's tools make or accept x86-64 files only).
 */
function regrtestPath(): string | undefined {
  if (!sysroot) return process.env.PATH;
  const bin = join(scratchDir(), 'target-tools');
  mkdirSync(bin, { recursive: true });
  for (const tool of ['gcc', 'ld', 'objdump']) {
    writeFileSync(join(bin, tool), `#!/bin/sh\nexec ${cc.replace(/gcc$/, tool)} "$@"\n`, { mode: 0o755 });
  }
  return `${bin}:${process.env.PATH}`;
}

// Under qemu the host's programs regrtest starts (sh, gcc, ldconfig) inherit LD_PRELOAD too, and
// their ld.so says, anywhere in the output, that it cannot load an arm64 library into them.
const HOST_PRELOAD_NOISE = /ERROR: ld\.so: object '[^']*' from LD_PRELOAD cannot be preloaded \([^)]*\): ignored\.\n/g;

const OUTCOME = /^(ok|FAIL|ERROR|skipped.*|expected failure|unexpected success)$/;

/** Each unittest's outcome from regrtest's verbose output. */
function outcomes(output: string): Map<string, string> {
  const lines = output.split('\n');
  const out = new Map<string, string>();
  lines.forEach((l, i) => {
    const m = /^(test\S* \([\w.]+\)) \.\.\. (.*)$/.exec(l);
    if (!m) return;
    const rest = OUTCOME.test(m[2]!) ? m[2]! : lines.slice(i + 1).find((x) => OUTCOME.test(x)) ?? '?';
    out.set(m[1]!, rest);
  });
  return out;
}

function regrtest(shim: boolean, mdwe: boolean): Promise<{ code: number | null; output: string }> {
  const cwd = join(scratchDir(), `regrtest-${shim}-${mdwe}`);
  mkdirSync(cwd, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: regrtestPath() };
  delete env.LD_PRELOAD;
  if (shim) Object.assign(env, { LD_PRELOAD: shimPath, TRAMPFD_FFI_DEBUG: '1' }); // says it served
  const argv = [...(mdwe ? [mdweExec] : []), python, '-m', 'test', '-v', 'test_ctypes'];
  return new Promise((resolve) => {
    const p = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    p.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    p.on('close', (code) => resolve({ code, output: output.replace(HOST_PRELOAD_NOISE, '') }));
  });
}

test(`python${version} -m test test_ctypes: the same outcome for every test with the shim as without, plain and under PR_SET_MDWE`, { skip: shimSkip }, async (t) => {
  requirePython();
  const [sys, shim] = await Promise.all([regrtest(false, false), regrtest(true, false)]);
  const runs: Record<string, { code: number | null; output: string }> = { system: sys, shim };
  if (mdweSkip) t.diagnostic(`no PR_SET_MDWE runs: ${mdweSkip}`);
  else [runs['system+MDWE'], runs['shim+MDWE']] = await Promise.all([regrtest(false, true), regrtest(true, true)]);
  const parsed = Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, outcomes(r.output)]));
  const summary = (name: string): string => {
    const o = [...parsed[name]!.values()];
    return `${name}: exit ${runs[name]!.code}, ${o.length} tests, ${o.filter((x) => x === 'ok').length} ok, ` +
      `${o.filter((x) => x.startsWith('skipped')).length} skipped, ${o.filter((x) => x === 'FAIL' || x === 'ERROR').length} failed`;
  };
  for (const k of Object.keys(runs)) t.diagnostic(summary(k));
  assert.ok(parsed.system!.size >= 400, `regrtest ran the ctypes tests (${parsed.system!.size} found):\n${sys.output.slice(-2000)}`);
  const pairs = [['system', 'shim'], ['system+MDWE', 'shim+MDWE'], ['system', 'system+MDWE']].filter(([, o]) => runs[o!]);
  for (const [base, other] of pairs as [string, string][]) {
    assert.deepEqual(Object.fromEntries(parsed[other]!), Object.fromEntries(parsed[base]!), `${other} vs ${base}`);
    assert.equal(runs[other]!.code, runs[base]!.code, `${other} exit status`);
  }
  assert.match(shim.output, /Tests result: SUCCESS/);
  for (const k of ['shim', 'shim+MDWE'].filter((n) => runs[n])) {
    assert.match(runs[k]!.output, /trampfd-ffi: closures run on trampfd trampolines \(file mode\)/, k);
  }
});

interface MapsReport { sorted: number[]; violations: string[]; code: string | null; shim: { active?: boolean; mode?: number; live?: number } }

function mapsReport(shim: boolean, mdwe: boolean): MapsReport {
  const r = run([python, join(repo, 'test', 'py', 'ffi-shim-maps.py')], { shim, mdwe });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return JSON.parse(r.stdout) as MapsReport;
}

test('inside a ctypes callback: no W+X mapping and no writable alias of code with the shim; the code is a trampfd slot', { skip: shimSkip }, () => {
  requirePython();
  for (const mdwe of mdweModes) {
    const r = mapsReport(true, mdwe);
    assert.deepEqual(r.sorted, [1, 3, 5, 7, 9], 'the qsort callback ran');
    assert.deepEqual(r.violations, [], `no W+X and no writable alias${mdwe ? ' under PR_SET_MDWE' : ''}`);
    assert.match(r.code ?? '', /^\S+ r-xp \S+ \S+ \S+\s+\S*\/libtrampfd-ffi\.so$/, 'the callback\'s code is a table of the shim\'s own file');
    assert.equal(r.shim.active, true);
    assert.equal(r.shim.mode, 1, 'file mode');
    assert.ok((r.shim.live ?? 0) >= 1, 'the callback\'s trampoline is live');
  }
});

test('the same check finds the system libffi\'s rwx page, and its memfd alias under PR_SET_MDWE (the check is not blind)', { skip: shimSkip }, (t) => {
  requirePython();
  const plain = mapsReport(false, false);
  assert.deepEqual(plain.sorted, [1, 3, 5, 7, 9]);
  assert.ok(plain.violations.some((l) => / rwxp /.test(l)), plain.violations.join('\n'));
  if (mdweSkip) return void t.diagnostic(`no PR_SET_MDWE run: ${mdweSkip}`);
  const mdwe = mapsReport(false, true);
  assert.ok(mdwe.violations.some((l) => / rw-s .*memfd/.test(l)) && mdwe.violations.some((l) => / r-xs .*memfd/.test(l)),
    mdwe.violations.join('\n'));
});

test('the README\'s libffi programs sample runs, on the shim, and prints what it says', { skip: shimSkip }, () => {
  requirePython();
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## libffi programs'));
  const block = /^```sh\n([\s\S]*?)^```$/m.exec(section)?.[1];
  assert.ok(block?.includes('python3'), 'the section has its sh sample');
  const bin = join(scratchDir(), 'readme-bin');
  mkdirSync(bin, { recursive: true });
  if (!existsSync(join(bin, 'trampfd'))) symlinkSync(join(repo, 'bin', 'trampfd.mjs'), join(bin, 'trampfd'));
  // The sample's python3 is Debian's; under qemu the sysroot's, and node the target's (first on PATH there).
  if (sysroot && !existsSync(join(bin, 'python3'))) symlinkSync(python, join(bin, 'python3'));
  const path = sysroot ? `${bin}:${process.env.PATH}` : `${bin}:/usr/bin:${process.env.PATH}`;
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: path, TRAMPFD_FFI_DEBUG: '1' };
  delete env.LD_PRELOAD;
  const r = spawnSync('sh', ['-e', '-c', block!], { env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const expected = [...block!.matchAll(/# prints: (.*)$/gm)].map((m) => m[1]!.trim());
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^libffi shim +.*LD_PRELOAD=\/\S+\/libtrampfd-ffi\.so <program>$/);
  assert.deepEqual(lines.slice(1), expected);
  assert.match(r.stderr, /trampfd-ffi: closures run on trampfd trampolines \(file mode\)/);
});
