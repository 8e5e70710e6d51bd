// The allocator's JS API: 100,000 live trampolines, what they deliver, and bad input.
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trampolines, Trampoline, TrampolineError } from '../dist/index.js';
import { addonPath, mappingOf, parseMaps, testSupport, writableExecutableMappings } from './support-native.js';

const native = testSupport();
const targets = native.targets();
/** A context is a pointer: 64 bits here, or 32 on a 32-bit target (i386). */
const POINTER_BITS = process.arch === 'ia32' ? 32 : 64;
const contextOf = (i: number): bigint => BigInt.asUintN(POINTER_BITS, BigInt(i) * 1000003n + 7n);

test('100,000 live trampolines: distinct addresses, a sample delivers the right context', () => {
  const n = 100_000;
  const all: Trampoline[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    const t = trampolines.alloc();
    t.set(i % 2 ? targets.mix : targets.context, contextOf(i));
    seen.add(t.address);
    all.push(t);
  }
  assert.equal(seen.size, n);
  const stats = trampolines.stats();
  assert.ok(stats.live >= n, `live ${stats.live}`);
  for (let i = 0; i < n; i += 97) {
    const ctx = contextOf(i);
    if (i % 2) assert.equal(native.call(all[i]!.address, 1, 5n), ctx * 3n + 5n, `slot ${i}`);
    else assert.equal(native.call(all[i]!.address, 0, 0n), ctx, `slot ${i}`);
  }
  // Arguments on the stack reach the target untouched.
  all[0]!.set(targets.stack, 11n);
  assert.equal(native.call(all[0]!.address, 10, 40n), 40n * 1000n + 41n + 11n);
  // Every slot's code is a read+execute copy of our own file; its data page is never executable.
  const text = readFileSync('/proc/self/maps', 'utf8');
  const maps = parseMaps(text);
  for (let i = 0; i < n; i += 101) {
    const code = mappingOf(maps, all[i]!.address);
    const data = mappingOf(maps, all[i]!.address + 65536);
    assert.equal(code?.perms, 'r-xp', `slot ${i} code`);
    assert.equal(code?.path, addonPath, `slot ${i} is mapped from the addon file`);
    assert.equal(data?.perms, 'rw-p', `slot ${i} data`);
  }
  // V8 keeps W+X pages for its JIT unless it runs --jitless; then there must be none at all.
  const wx = writableExecutableMappings(text);
  if (process.execArgv.includes('--jitless')) assert.deepEqual(wx, []);
  for (const t of all) assert.ok(!wx.some((l) => l.startsWith(t.address.toString(16))));
  for (const t of all) t.free();
  assert.equal(trampolines.stats().live, stats.live - n);
});

test('contexts span all 64 bits, from numbers and bigints', { skip: POINTER_BITS !== 64 && 'a 32-bit target' }, () => {
  using t = trampolines.alloc();
  for (const ctx of [0n, 1n, 0xffffffffffffffffn, 0x8000000000000000n, 2n ** 53n + 1n]) {
    t.set(targets.context, ctx);
    assert.equal(native.call(t.address, 0, 0n), ctx);
  }
  t.set(targets.context, Number.MAX_SAFE_INTEGER);
  assert.equal(native.call(t.address, 0, 0n), BigInt(Number.MAX_SAFE_INTEGER));
});

test('on a 32-bit target contexts span all 32 bits, and wider ones are refused, never truncated',
  { skip: POINTER_BITS !== 32 && 'a 64-bit target' }, () => {
    using t = trampolines.alloc();
    for (const ctx of [0n, 1n, 0xffffffffn, 0x80000000n]) {
      t.set(targets.context, ctx);
      assert.equal(native.call(t.address, 0, 0n), ctx);
    }
    t.set(targets.context, 2 ** 32 - 1);
    assert.equal(native.call(t.address, 0, 0n), 0xffffffffn);
    for (const wide of [2 ** 32, 2 ** 32 + 5, 1n << 32n, 0xffffffffffffffffn]) {
      assert.throws(() => t.set(targets.context, wide), /context must fit in 32 unsigned bits, got /);
      assert.throws(() => t.set(2 ** 32 + targets.context, 1), /target must fit in 32 unsigned bits/);
    }
    assert.equal(native.call(t.address, 0, 0n), 0xffffffffn, 'a refused set leaves the trampoline as it was');
  });

test('stats report the mode, tables and per-slot sizes', () => {
  const s = trampolines.stats();
  assert.equal(s.mode, 'file');
  assert.ok(s.tables >= 1);
  assert.equal(s.fallbackReason, null);
  assert.equal(s.codeBytesPerSlot, 32);
  assert.equal(s.capacity, s.tables * 2048);
});

test('bad input throws errors that say what was wrong', () => {
  const t = trampolines.alloc();
  const bad: [() => unknown, RegExp][] = [
    [() => t.set(0, 1), /target must be a code address, got 0/],
    [() => t.set(-1, 1), /target must be a non-negative safe integer or a bigint, got -1/],
    [() => t.set(1.5, 1), /target must be a non-negative safe integer/],
    [() => t.set(2 ** 60, 1), /target must be a non-negative safe integer/],
    [() => t.set(targets.context, -1n), new RegExp(`context must fit in ${POINTER_BITS} unsigned bits`)],
    [() => t.set(targets.context, 1n << BigInt(POINTER_BITS)), new RegExp(`context must fit in ${POINTER_BITS} unsigned bits`)],
    [() => t.set(targets.context, 1n << 64n), new RegExp(`context must fit in ${POINTER_BITS} unsigned bits`)],
    [() => t.set('0x1000' as never, 1), /target must be a number or a bigint, got string/],
    [() => t.set(targets.context, null as never), /context must be a number or a bigint, got null/],
    [() => trampolines.free({} as never), /free expects a Trampoline/],
    [() => trampolines.set(42 as never, 1, 1), /set expects a Trampoline/],
    [() => new (Trampoline as any)(Symbol('x'), 1), /use trampolines.alloc\(\)/],
  ];
  for (const [f, msg] of bad) assert.throws(f, (e: unknown) => e instanceof TrampolineError && msg.test((e as Error).message));
  t.free();
  assert.throws(() => t.free(), /cannot free a freed trampoline/);
  assert.throws(() => t.address, /cannot use the address of a freed trampoline/);
  assert.throws(() => t.set(targets.context, 1), /cannot set a freed trampoline/);
  assert.equal(t.freed, true);
});

test('the native layer refuses handles that are not live trampolines', async () => {
  const { addon } = await import('../dist/native/addon.js');
  const h = addon.trampAlloc();
  addon.trampFree(h);
  for (const bad of [h, h + 8, 0, 4096, 2 ** 52, -5, 1.5, 2n ** 70n])
    assert.throws(() => addon.trampFree(bad as number), /not a live trampoline|must be|must fit/);
  assert.throws(() => addon.trampSet(addon.trampAlloc(), 0, 0), /got 0/);
  assert.throws(() => (addon.trampSet as any)(1), /takes 3 arguments/);
});
