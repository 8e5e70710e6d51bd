// AArch64 only: every slot of a mapped table works, BTI guards the slots (a branch past a slot's
// `bti c` faults), the addon's GNU property note says BTI and PAC, and doctor reports them.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trampolines } from '../dist/index.js';
import { addon } from '../dist/native/addon.js';
import { addonPath, mappingOf, parseMaps, repo, scratchDir, testSupport, trampCheck } from './support-native.js';

const arm64 = process.arch === 'arm64';
const notArm64 = !arm64 && 'AArch64 only: bti c slots, PROT_BTI and the AArch64 GNU property note';
const noBti = notArm64 || (!addon.archFeatures.split(' ').includes('bti') && 'this CPU has no BTI');

const SLOT = 32;
const TABLE = 65536;

test('every slot of freshly mapped tables is called and delivers its context', { skip: notArm64 }, () => {
  const native = testSupport();
  const targets = native.targets();
  const n = 3 * (TABLE / SLOT);
  const all = Array.from({ length: n }, (_, i) => {
    const t = trampolines.alloc();
    t.set(i % 2 ? targets.mix : targets.context, BigInt(i) * 977n + 3n);
    return t;
  });
  // Tables are 64 KiB mappings of the addon file (each beside its data, so they never merge).
  const maps = parseMaps(readFileSync('/proc/self/maps', 'utf8'));
  const byTable = new Map<number, Set<number>>();
  for (const t of all) {
    const m = mappingOf(maps, t.address);
    assert.ok(m && m.path === addonPath && m.end - m.start === TABLE, `slot ${t.address.toString(16)} in ${m?.path}`);
    const offsets = byTable.get(m.start) ?? new Set<number>();
    offsets.add(t.address - m.start);
    byTable.set(m.start, offsets);
  }
  const full = [...byTable.values()].filter((s) => s.size === TABLE / SLOT);
  assert.ok(full.length >= 2, `tables with all ${TABLE / SLOT} slots allocated: ${full.length}`);
  for (const s of full) for (let off = 0; off < TABLE; off += SLOT) assert.ok(s.has(off), `slot at offset ${off}`);
  all.forEach((t, i) => {
    const ctx = BigInt(i) * 977n + 3n;
    if (i % 2) assert.equal(native.call(t.address, 1, BigInt(i)), ctx * 3n + BigInt(i), `slot ${i} (mix)`);
    else assert.equal(native.call(t.address, 0, 0n), ctx, `slot ${i} (context)`);
  });
  all[0]!.set(targets.stack, 11n);
  assert.equal(native.call(all[0]!.address, 10, 40n), 40n * 1000n + 41n + 11n, 'stack arguments');
  for (const t of all) t.free();
});

interface Child { status: number | null; signal: NodeJS.Signals | null; out: string; err: string }

/** Runs a child node with `args` (several run at once: each start costs seconds under qemu). */
function child(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Child> {
  testSupport(); // built here, once, not by each child
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args,
      { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => { out += d; });
    p.stderr.on('data', (d: Buffer) => { err += d; });
    p.on('error', reject);
    p.on('close', (status, signal) => resolve({ status, signal, out, err }));
  });
}

/** A child that calls a slot at its start, then `offset` bytes into it (blr: BTYPE c). It loads
 * the addon and this process's test-support.node directly: cheaper under qemu than dist/. */
const intoSlot = (offset: number) => ['-e', `
  const load = (p) => { const m = { exports: {} }; process.dlopen(m, p); return m.exports; };
  const a = load(${JSON.stringify(addonPath)});
  const native = load(${JSON.stringify(join(scratchDir(), 'test-support.node'))});
  const h = a.trampAlloc(); a.trampSet(h, native.targets().context, 7); const addr = a.trampAddress(h);
  console.log('mode ' + a.trampStats().mode + ' start ' + native.call(addr, 0, 0n));
  native.call(addr + ${offset}, 0, 0n);
  console.log('survived');`];

// Offsets 4..16 are the slot's adr, ldar, ldr and br: valid code, so only BTI stops them (without
// PROT_BTI, +4 runs the slot and returns 7; the udf padding after +16 would fault anyway).
const cases: [string, number, NodeJS.ProcessEnv][] = [
  ...[4, 8, 12, 16].map((off): [string, number, NodeJS.ProcessEnv] => ['file', off, {}]),
  // The in-image pool lies in the addon's own text: ld.so guards it only because of the BTI note.
  ['image', 4, { TRAMPFD_TRAMPOLINES: 'image' }],
];

test('BTI: a branch into a slot past its bti c kills the process with SIGILL; the slot start works', { skip: noBti }, async () => {
  const results = await Promise.all(cases.map(([, off, env]) => child(intoSlot(off), env)));
  results.forEach((r, i) => {
    const [mode, off] = cases[i]!;
    const what = `${mode} slot + ${off}: ${r.signal ?? r.status}\n${r.out}${r.err}`;
    assert.match(r.out, new RegExp(`^mode ${mode} start 7$`, 'm'), what);
    assert.equal(r.signal, 'SIGILL', what);
    assert.doesNotMatch(r.out, /survived/, what);
  });
});

/** The GNU_PROPERTY_AARCH64_FEATURE_1_AND bits of an ELF64 little-endian file, or undefined. */
function aarch64Features(path: string): number | undefined {
  const f = readFileSync(path);
  assert.equal(f.readUInt32BE(0), 0x7f454c46, `${path}: not ELF`);
  assert.equal(f[4], 2, `${path}: not ELF64`);
  assert.equal(f.readUInt16LE(0x12), 183, `${path}: not EM_AARCH64`);
  const phoff = Number(f.readBigUInt64LE(0x20));
  const phentsize = f.readUInt16LE(0x36);
  for (let i = 0; i < f.readUInt16LE(0x38); i++) {
    const ph = phoff + i * phentsize;
    if (f.readUInt32LE(ph) !== 0x6474e553) continue; // PT_GNU_PROPERTY
    let at = Number(f.readBigUInt64LE(ph + 8));
    const end = at + Number(f.readBigUInt64LE(ph + 32));
    while (at + 12 <= end) { // notes, 8-aligned
      const namesz = f.readUInt32LE(at), descsz = f.readUInt32LE(at + 4), type = f.readUInt32LE(at + 8);
      const name = f.toString('latin1', at + 12, at + 12 + namesz);
      let p = at + ((12 + namesz + 7) & ~7); // the descriptor is 8-aligned too
      const descEnd = p + descsz;
      if (type === 5 && name === 'GNU\0') { // NT_GNU_PROPERTY_TYPE_0
        while (p + 8 <= descEnd) {
          const prType = f.readUInt32LE(p), size = f.readUInt32LE(p + 4);
          if (prType === 0xc0000000) return f.readUInt32LE(p + 8); // GNU_PROPERTY_AARCH64_FEATURE_1_AND
          p += 8 + ((size + 7) & ~7);
        }
      }
      at = descEnd + ((8 - (descEnd % 8)) % 8);
    }
  }
  return undefined;
}

test('the addon and the test copy of the allocator carry a GNU property note with BTI and PAC', { skip: notArm64 }, () => {
  for (const path of [addonPath, trampCheck().lib]) {
    const bits = aarch64Features(path);
    assert.ok(bits !== undefined, `${path}: no GNU_PROPERTY_AARCH64_FEATURE_1_AND`);
    assert.equal(bits & 1, 1, `${path}: no BTI bit (0x${bits.toString(16)})`);
    assert.equal(bits & 2, 2, `${path}: no PAC bit (0x${bits.toString(16)})`);
  }
});

test('doctor names the target and says whether BTI and PAC are in force', { skip: notArm64 }, async () => {
  const bin = join(repo, 'bin', 'trampfd.mjs');
  const [text, json] = await Promise.all([child([bin, 'doctor']), child([bin, 'doctor', '--json'])]);
  assert.equal(json.status, 0, json.err);
  const j = JSON.parse(json.out) as { target: string; branchProtection: string };
  assert.equal(j.target, 'aarch64');
  assert.equal(j.branchProtection, addon.archFeatures);
  assert.match(text.out, /^platform +linux arm64, kernel \S+, target aarch64$/m);
  const features = addon.archFeatures.split(' ');
  assert.match(text.out, new RegExp(`^BTI/PAC +BTI ${features.includes('bti') ? 'on' : 'off'}.*; PAC ${features.includes('pac') ? 'on' : 'off'}`, 'm'));
});
