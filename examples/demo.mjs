// npm run demo: trampfd at work, in this process and again under kernel-enforced W^X.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { trampolines } from '../dist/index.js';

const hardened = process.argv.includes('--hardened-child');
const where = hardened ? 'child: PR_SET_MDWE + node --jitless' : 'this process';

function report() {
  const self = trampolines.selfTest();
  const many = [];
  for (let i = 0; i < 10_000; i++) many.push(trampolines.alloc());
  const s = trampolines.stats();
  const wx = readFileSync('/proc/self/maps', 'utf8').split('\n')
    .filter((l) => /^\S+ .wx/.test(l)).length;
  for (const t of many) t.free();
  console.log(`[${where}]`);
  console.log(`  trampoline called from C: ${self.ok ? 'context delivered' : 'WRONG CONTEXT'} (slot 0x${self.address.toString(16)})`);
  console.log(`  mode: ${s.mode}${s.fallbackReason ? ` (${s.fallbackReason})` : ' (tables mapped again from our own .node file)'}`);
  console.log(`  10,000 live trampolines in ${s.tables} table(s) of ${s.capacity / s.tables} slots; ` +
    `${s.codeBytesPerSlot} B shared code + ${s.dataBytesPerSlot} B private data each`);
  console.log(`  writable+executable mappings: ${wx}${hardened ? '' : ' (V8\'s JIT; none of them ours)'}`);
  return self.ok;
}

let ok = report();
if (!hardened) {
  const wrapper = fileURLToPath(new URL('../build/Release/trampfd-mdwe-exec', import.meta.url));
  if (!existsSync(wrapper)) {
    console.log('(skipping the hardened run: build/Release/trampfd-mdwe-exec is missing)');
  } else {
    const r = spawnSync(wrapper, [process.execPath, '--jitless', fileURLToPath(import.meta.url), '--hardened-child'],
      { encoding: 'utf8' });
    process.stdout.write(r.stdout);
    if (r.status !== 0) {
      process.stdout.write(r.stderr);
      ok = false;
    }
  }
}
process.exitCode = ok ? 0 : 1;
