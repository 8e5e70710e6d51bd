// Area: trampoline tables (C API and JS). Purpose: tables whose slots are all free and past
// quarantine are given back — stats, /proc/self/maps and RSS return near the baseline after a
// million are freed, and allocating again works; a stale pointer into a table given back faults
// instead of running anything; running out of mappings (vm.max_map_count, reached for real with
// small mappings) is an error naming the limit, in C and as a TrampolineError in JS.
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOST } from '../dist/targets/index.js';
import { trampCheck } from './support-native.js';
import { distUrl, runChild } from './support-callbacks.js';

/**
 * Why running out of mappings cannot be tested here, or undefined when it can: under qemu-user the
 * emulator's own allocations (glib, its translator) share the guest process's vm.max_map_count,
 * so using up the mappings stops qemu itself (seen in CI: "GSlice: failed to allocate ... Cannot
 * allocate memory", then SIGSEGV), whatever trampfd does.
 */
const noMapLimit = process.env.TRAMPFD_EMULATED
  ? 'qemu-user shares the mapping limit with the emulated process: exhausting it stops the emulator itself'
  : undefined;

function run(args: string[]) {
  const r = spawnSync(trampCheck().exe, args, { encoding: 'utf8' });
  return { status: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

test('1,000,000 allocated and freed, twice: tables, mappings and RSS go back near the baseline', () => {
  const r = run(['reclaim', '1000000']);
  assert.equal(r.status, 0, `${r.signal ?? r.status}\n${r.out}${r.err}`);
  const rounds = [...r.out.matchAll(/^round (\d) tables (\d+) -> (\d+) -> (\d+) maps (\d+) -> (\d+) -> (\d+) rss (\d+) -> (\d+) -> (\d+) KiB$/gm)]
    .map((m) => m.slice(2).map(Number));
  assert.equal(rounds.length, 2, r.out);
  for (const [t0, tPeak, tEnd, m0, mPeak, mEnd, rss0, rssPeak, rssEnd] of rounds as number[][]) {
    assert.ok(tPeak! >= 489, `peak tables ${tPeak}`);
    // Hysteresis: the table being carved, one spare, and those holding the last 8,192 frees
    // (a thread's own quarantine ring) stay.
    assert.ok(tEnd! <= t0! + 8, `tables after free: ${tEnd} (baseline ${t0})`);
    // Two per table, less one where a table's data at an arena's top end merges with an anonymous
    // mapping above the arena (seen on i386).
    assert.ok(mPeak! >= m0! + 2 * 488 - 1, `peak mappings ${mPeak}`);
    assert.ok(mEnd! <= m0! + 2 * 8 + 4, `mappings after free: ${mEnd} (baseline ${m0})`);
    assert.ok(rssPeak! - rss0! > 30_000, `peak RSS grew by ${rssPeak! - rss0!} KiB`);
    assert.ok(rssEnd! - rss0! < 4_000, `RSS after free is ${rssEnd! - rss0!} KiB above the baseline`);
  }
  assert.match(r.out, /ok reclaim mode=file .* live=0 /);
});

test('a stale pointer into a table that was given back faults (SIGSEGV), never runs code', () => {
  const r = run(['stale']);
  assert.match(r.out, /^tables 16 -> \d$/m);
  assert.match(r.out, /^calling 0x[0-9a-f]+$/m);
  assert.equal(r.signal, 'SIGSEGV', `${r.status}\n${r.out}${r.err}`);
  assert.doesNotMatch(r.out, /still alive/);
});

test('out of mappings: the C API reports vm.max_map_count and its value; freed mappings make it work again', { skip: noMapLimit }, () => {
  const r = run(['maxmap']);
  assert.equal(r.status, 0, `${r.signal ?? r.status}\n${r.out}${r.err}`);
  assert.match(r.out, /^error after \d+: cannot map a trampoline table: out of memory, or the process reached its limit of memory mappings \(vm\.max_map_count = \d+; free trampolines or raise it\)$/m);
  assert.match(r.out, /ok maxmap mode=file/);
});

/**
 * The child's addresses, as a signed integer of the pointer's size so that MAP_FAILED reads -1
 * exactly: int64_t (a bigint) on LP64, int32_t (a number) on ILP32, where an int64_t result would
 * read edx as its high half and an int64_t argument would take two stack words.
 */
const ADDR = HOST.model.sizes.pointer === 8
  ? { c: 'int64_t', array: 'BigInt64Array', failed: '-1n' }
  : { c: 'int32_t', array: 'Int32Array', failed: '-1' };

test('out of mappings: trampolines.alloc() throws a TrampolineError naming vm.max_map_count', { skip: noMapLimit }, () => {
  const r = runChild(`
    import { load, trampolines } from ${JSON.stringify(distUrl)};
    const libc = load('libc.so.6');
    // Addresses as ${ADDR.c}: MAP_FAILED is ${ADDR.failed}.
    const mmap = libc.func('${ADDR.c} mmap(void *addr, size_t len, int prot, int flags, int fd, long off)');
    const munmap = libc.func('int munmap(${ADDR.c} addr, size_t len)');
    const t = trampolines.alloc();
    t.free();
    try { t.free(); } catch {} // the TrampolineError path, compiled before mappings run out
    trampolines.alloc();
    // Once the mappings are used up, V8 cannot map memory either: the child runs --jitless (no
    // compiler zones), everything it runs is compiled above, and nothing allocated from here on
    // may survive a scavenge (the addresses go to a preallocated array, the trampolines' handles
    // are dropped at once: they stay allocated in C all the same).
    const fill = new ${ADDR.array}(200000);
    let filled = 0;
    for (; filled < fill.length; filled++) { // PROT_NONE / PROT_READ alternately (no merging), MAP_PRIVATE | MAP_ANONYMOUS
      const p = mmap(null, 4096, filled % 2, 0x22, -1, 0);
      if (p === ${ADDR.failed}) break;
      fill[filled] = p;
    }
    let error;
    try { for (let i = 0; i < 3 * 2048; i++) trampolines.alloc(); } catch (e) { error = e; }
    for (let i = 0; i < filled; i++) munmap(fill[i], 4096);
    const again = trampolines.alloc();
    console.log(JSON.stringify({ filled, name: error?.name, code: error?.code, message: error?.message,
      again: typeof again.address }));
  `, ['--jitless']);
  assert.equal(r.status, 0, `${r.signal ?? r.status}\n${r.stdout}\n${r.stderr}`);
  const got = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  assert.ok(got.filled > 1000, JSON.stringify(got));
  assert.equal(got.name, 'TrampolineError', JSON.stringify(got));
  assert.equal(got.code, 'ERR_TRAMPFD_EXHAUSTED');
  assert.match(got.message, /vm\.max_map_count = \d+/);
  assert.equal(got.again, 'number');
});
