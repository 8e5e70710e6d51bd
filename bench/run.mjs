// npm run bench: builds and runs every benchmark in bench/, peers in the same process run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'trampfd-bench-'));
const gcc = (args) => execFileSync('gcc', args, { stdio: 'inherit' });

// Allocator: the same sources as the addon, as a plain shared library.
const lib = join(dir, 'libtrampfd-bench.so');
gcc(['-std=c11', '-O2', '-fPIC', '-shared', '-fcf-protection', '-Wl,-z,max-page-size=0x10000', '-o', lib,
  join(repo, 'native/tramp.c'), join(repo, 'native/arch/x86_64-sysv-tramp.S'), '-lpthread']);
const exe = join(dir, 'tramp-vs-libffi');
gcc(['-O2', '-o', exe, join(repo, 'bench/tramp-vs-libffi.c'), '-L', dir, '-ltrampfd-bench', `-Wl,-rpath,${dir}`, '-lffi']);
process.stdout.write(execFileSync(exe, [process.argv[2] ?? '20000'], { encoding: 'utf8' }));

// Sealed data pages (opt-in): what tramp_set costs with them, against plain pages.
const seal = join(dir, 'tramp-seal');
gcc(['-O2', '-o', seal, join(repo, 'bench/tramp-seal.c'), '-L', dir, '-ltrampfd-bench', `-Wl,-rpath,${dir}`]);
const ns = (mode) => {
  const out = execFileSync(seal, [mode], { encoding: 'utf8' });
  process.stdout.write(out);
  return Number(/set ([\d.]+) ns/.exec(out)[1]);
};
const plain = ns('off');
console.log(`sealed/plain set ratio ${(ns('on') / plain).toFixed(1)}`);
