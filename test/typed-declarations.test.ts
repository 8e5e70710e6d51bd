// Area: typed declarations (src/typed.ts). Purpose: the type-level tests in test/typecheck/ pass
// under tsc; every @ts-expect-error there is live (removing it makes tsc report an error on the
// line below it, and nowhere else); 200 declarations in one file compile in reasonable time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const typecheck = join(root, 'test/typecheck');
/** The compiler options of test/typecheck/tsconfig.json, for files outside that folder. */
const OPTIONS = [
  '--noEmit', '--strict', '--skipLibCheck', '--pretty', 'false', '--target', 'ES2022',
  '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--types', 'node',
  '--typeRoots', join(root, 'node_modules/@types'),
];

function run(args: string[]): { status: number | null; output: string; ms: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [tsc, ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}`, ms: performance.now() - t0 };
}

/** A scratch folder whose files import the built package by absolute path. */
function scratch(files: Record<string, string>): { dir: string; paths: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'trampfd-typed-'));
  const dist = JSON.stringify(join(root, 'dist/index.js'));
  const paths = Object.entries(files).map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text.replaceAll("'../../dist/index.js'", dist));
    return path;
  });
  return { dir, paths };
}

test('test/typecheck passes tsc (positive forms and @ts-expect-error lines)', () => {
  const r = run(['-p', join(typecheck, 'tsconfig.json'), '--pretty', 'false']);
  assert.equal(r.status, 0, r.output);
});

test('every @ts-expect-error in declarations.ts is live: without it, tsc fails on exactly that line', () => {
  const source = readFileSync(join(typecheck, 'declarations.ts'), 'utf8');
  const lines = source.split('\n');
  const expected = new Set<number>();
  const stripped = lines.map((line, i) => {
    if (!/^\s*\/\/ @ts-expect-error/.test(line)) return line;
    expected.add(i + 2); // 1-based number of the line below
    return '//';
  });
  assert.ok(expected.size >= 30, `only ${expected.size} @ts-expect-error lines`);
  const { dir, paths } = scratch({ 'declarations.ts': stripped.join('\n') });
  try {
    const r = run([...OPTIONS, ...paths]);
    assert.notEqual(r.status, 0);
    const got = new Set([...r.output.matchAll(/declarations\.ts\((\d+),\d+\): error TS\d+/g)].map((m) => Number(m[1])));
    const missing = [...expected].filter((l) => !got.has(l));
    const extra = [...got].filter((l) => !expected.has(l));
    assert.deepEqual(missing, [], `no error where one was expected:\n${missing.map((l) => `${l}: ${lines[l - 1]}`).join('\n')}`);
    assert.deepEqual(extra, [], `unexpected errors:\n${r.output}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a wrong call fails to compile and the right one compiles (the harness can see failures)', () => {
  const head = "import { load } from '../../dist/index.js';\nconst add = load(null).func('int add(int a, int b)');\n";
  const { dir, paths } = scratch({ 'good.ts': `${head}export const n: number = add(1, 2);\n` });
  const bad = scratch({ 'bad.ts': `${head}export const n: number = add('1', 2);\n` });
  try {
    const ok = run([...OPTIONS, ...paths]);
    assert.equal(ok.status, 0, ok.output);
    const wrong = run([...OPTIONS, ...bad.paths]);
    assert.notEqual(wrong.status, 0);
    assert.match(wrong.output, /bad\.ts\(3,\d+\): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(bad.dir, { recursive: true, force: true });
  }
});

test('200 typed declarations in one file compile within a bounded number of type instantiations', (t) => {
  const file = join(typecheck, 'many-declarations.ts');
  const count = (readFileSync(file, 'utf8').match(/lib\.func\('/g) ?? []).length;
  assert.equal(count, 200);
  // The same compile without the file's declarations is the baseline (loading lib and @types/node).
  const { dir, paths } = scratch({ 'baseline.ts': "import { load } from '../../dist/index.js';\nexport const lib = load(null);\n" });
  try {
    const base = run([...OPTIONS, ...paths]);
    assert.equal(base.status, 0, base.output);
    const r = run([...OPTIONS, '--extendedDiagnostics', file]);
    assert.equal(r.status, 0, r.output);
    const check = /Check time:\s+([\d.]+)s/.exec(r.output)?.[1];
    const inst = /Instantiations:\s+(\d+)/.exec(r.output)?.[1];
    const report = `200 declarations: tsc ${(r.ms / 1000).toFixed(1)} s wall (baseline ${(base.ms / 1000).toFixed(1)} s), ` +
      `check time ${check} s, ${inst} type instantiations`;
    t.diagnostic(report);
    console.log(report);
    // Wall time depends on the machine's load; the instantiation count does not (about 0.5 M
    // today): a blow-up in the type-level parser shows here at once.
    assert.ok(inst !== undefined && Number(inst) < 1_500_000, report);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
