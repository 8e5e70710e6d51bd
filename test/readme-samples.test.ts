// Area: README.md. Purpose: every code sample in the README runs. Each ```js block runs as an
// ES module (or as CommonJS when it uses require and no import), each ```ts block after
// TypeScript's transpileModule, in its own node process with 'trampfd' pointing at this build;
// it must exit 0, and when it has `// prints: ...` comments its output must be exactly those
// lines in order. Lines of ```sh blocks that run `trampfd ...` run the bin, and their
// `# prints: ...` comments are checked the same way. A sample may state another output for one CPU
// (`(ia32: ...)`) or say it does not apply there (`// not on ia32: why`), which skips it there.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { repo } from './support-native.js';

interface Sample { lang: string; code: string; line: number }

const readme = readFileSync(join(repo, 'README.md'), 'utf8');
const samples: Sample[] = [];
for (const m of readme.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)) {
  samples.push({ lang: m[1]!, code: m[2]!, line: readme.slice(0, m.index).split('\n').length });
}
const work = mkdtempSync(join(tmpdir(), 'trampfd-readme-'));
after(() => rmSync(work, { recursive: true, force: true }));
const esmEntry = pathToFileURL(join(repo, 'dist', 'index.js')).href;
const cjsEntry = join(repo, 'dist', 'cjs', 'index.js');

/**
 * The `// prints:` (or `# prints:`) comments of a sample, in order. A line may give another
 * output for one CPU, as `// prints: 8 8 (ia32: 4 4)` (keyed by process.arch).
 */
function expectedOutput(code: string, marker: RegExp): string[] {
  return code.split('\n').flatMap((l) => {
    const m = marker.exec(l);
    if (!m) return [];
    const alt = /^(.*?) \((\w+): (.*)\)$/.exec(m[1]!.trim());
    return [alt ? (alt[2] === process.arch ? alt[3]! : alt[1]!) : m[1]!.trim()];
  });
}

/** Why a sample does not apply on this CPU: its `// not on <arch>: <reason>` line. */
function notHere(code: string): string | undefined {
  return new RegExp(`// not on ${process.arch}: (.*)$`, 'm').exec(code)?.[1];
}

function checkOutput(stdout: string, expected: string[], where: string): void {
  if (expected.length === 0) return;
  assert.deepEqual(stdout.trimEnd().split('\n').map((l) => l.trimEnd()), expected, `${where}: output`);
}

test('the README has samples of every kind this test runs', () => {
  const kinds = new Set(samples.map((s) => s.lang));
  for (const k of ['js', 'ts', 'sh']) assert.ok(kinds.has(k), `a \`\`\`${k} block`);
  assert.ok(samples.filter((s) => s.lang === 'js').length >= 10);
  assert.ok(samples.every((s) => ['js', 'ts', 'sh', 'text'].includes(s.lang)), 'every block is js, ts, sh or text');
});

for (const [i, s] of samples.entries()) {
  if (s.lang !== 'js' && s.lang !== 'ts') continue;
  const where = `README.md:${s.line} (${s.lang})`;
  test(`sample at ${where} runs`, { skip: notHere(s.code) }, () => {
    const cjs = /\brequire\(/.test(s.code) && !/^import /m.test(s.code);
    let code = s.code
      .replace(/from 'trampfd'/g, `from '${esmEntry}'`)
      .replace(/require\('trampfd'\)/g, `require(${JSON.stringify(cjsEntry)})`);
    assert.ok(!/'trampfd'/.test(code), 'every reference to the package was rewritten');
    if (s.lang === 'ts') {
      code = ts.transpileModule(code, {
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
        reportDiagnostics: false,
      }).outputText;
    }
    const file = join(work, `sample-${i}.${cjs ? 'cjs' : 'mjs'}`);
    writeFileSync(file, code);
    const r = spawnSync(process.execPath, [file], { cwd: work, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `${where} exited ${r.status ?? r.signal}:\n${r.stdout}${r.stderr}`);
    checkOutput(r.stdout, expectedOutput(s.code, /\/\/ prints: (.*)$/), where);
  });
}

test('the README\'s `trampfd ...` command lines run and print what they say', () => {
  const bin = join(work, 'bin');
  mkdirSync(bin, { recursive: true });
  symlinkSync(join(repo, 'bin', 'trampfd.mjs'), join(bin, 'trampfd'));
  let ran = 0;
  for (const s of samples.filter((x) => x.lang === 'sh')) {
    for (const line of s.code.split('\n').filter((l) => l.startsWith('trampfd '))) {
      const r = spawnSync('sh', ['-c', line], {
        encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, timeout: 60_000,
      });
      assert.equal(r.status, 0, `${line}\n${r.stdout}${r.stderr}`);
      checkOutput(r.stdout, expectedOutput(line, /# prints: (.*)$/), line);
      ran++;
    }
  }
  assert.ok(ran >= 4, `ran ${ran} command lines`);
});

test('the README\'s npm commands name scripts that exist', () => {
  const scripts = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).scripts as Record<string, string>;
  for (const m of readme.matchAll(/npm run ([\w:-]+)/g)) assert.ok(scripts[m[1]!], `npm run ${m[1]}`);
  assert.ok(scripts.test && scripts.install && scripts.demo);
});
