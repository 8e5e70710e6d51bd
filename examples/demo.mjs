// npm run demo: trampfd on real C libraries (libc qsort and pthreads, SQLite, zlib), in this
// process and then again in a child where the kernel refuses W+X memory (PR_SET_MDWE) and
// Node runs JIT-less. Each step checks its own result; the exit status says whether all passed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { callback, load, memory, trampolines } from '../dist/index.js';
import { mdweExecPath } from '../dist/native/load.cjs';

const hardened = process.argv.includes('--hardened-child');
const jitless = process.execArgv.includes('--jitless');
const results = [];

/** Runs one step; a thrown error or a false check is a failure, reported on its line. */
async function step(name, fn) {
  try {
    const { ok, text } = await fn();
    results.push(ok);
    console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${name.padEnd(9)} ${text}`);
  } catch (e) {
    results.push(false);
    console.log(`  FAIL ${name.padEnd(9)} ${e instanceof Error ? e.message : e}`);
  }
}

const libc = load('libc.so.6');

console.log(hardened
  ? `[child: PR_SET_MDWE set by trampfd-mdwe-exec, node${jitless ? ' --jitless' : ', JIT on'}]`
  : `[this process: node ${process.version}${jitless ? ' --jitless' : ', JIT on'}]`);

// 1. libc qsort calls a JS comparator for every comparison.
await step('qsort', () => {
  const qsort = libc.func('void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *a, const void *b))');
  const words = 'the quick brown fox jumps over the lazy dog while static trampolines keep memory never writable and executable at once'.split(' ');
  const values = new Int32Array(10_000).map((_, i) => (i * 7919) % 10_007 - 5000);
  let calls = 0;
  const base = memory.address(values); // C passes addresses inside `values`: index it directly
  const t0 = performance.now();
  qsort(values, values.length, 4, (a, b) => {
    calls++;
    return values[(a - base) >> 2] - values[(b - base) >> 2];
  });
  const ms = performance.now() - t0;
  const sorted = values.every((v, i) => i === 0 || values[i - 1] <= v);
  // An array of C strings, sorted by a comparator that reads them through char **.
  const strings = words.map((w) => Buffer.from(w + '\0'));
  const ptrs = new BigUint64Array(strings.map((b) => BigInt(memory.address(b))));
  const byLength = callback('int cmp(const void *a, const void *b)', (a, b) => {
    const x = memory.string(memory.read(a, 'char *')), y = memory.string(memory.read(b, 'char *'));
    return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
  });
  qsort(ptrs, ptrs.length, 8, byLength);
  byLength.free();
  const out = [...ptrs].map((p) => memory.string(Number(p)));
  const want = [...words].sort((x, y) => x.length - y.length || (x < y ? -1 : x > y ? 1 : 0));
  return {
    ok: sorted && out.join() === want.join(),
    text: `10,000 ints sorted by a JS comparator: ${calls.toLocaleString('en')} calls from C in ${ms.toFixed(1)} ms; ` +
      `${words.length} C strings by length: ${out.slice(0, 4).join(', ')}, … ${out.at(-1)}`,
  };
});

// 2. SQLite calls a JS row callback from sqlite3_exec.
await step('sqlite3', () => {
  const sqlite = load('libsqlite3.so.0');
  const open = sqlite.func('int sqlite3_open(const char *filename, void **db)');
  const exec = sqlite.func('int sqlite3_exec(void *db, const char *sql, int (*row)(void *arg, int n, char **values, char **names), void *arg, char **errmsg)');
  const close = sqlite.func('int sqlite3_close(void *db)');
  const version = memory.string(sqlite.func('const char *sqlite3_libversion(void)')());
  const slot = new BigUint64Array(1);
  if (open(':memory:', slot) !== 0) throw new Error('sqlite3_open failed');
  const db = Number(slot[0]);
  const rows = [];
  const onRow = (arg, n, values, names) => {
    const row = {};
    for (let i = 0; i < n; i++) {
      const v = memory.read(values + 8 * i, 'char *');
      row[memory.string(memory.read(names + 8 * i, 'char *'))] = v === 0 ? null : memory.string(v);
    }
    rows.push(row);
    return 0;
  };
  const rc = exec(db, `
    CREATE TABLE ffi (name TEXT, callbacks TEXT, wx TEXT);
    INSERT INTO ffi VALUES ('trampfd', 'static trampolines, no cap', 'never'),
                           ('koffi', 'static trampolines, 8192 max', 'never'),
                           ('ffi-napi', 'libffi closures', 'depends on libffi');
    SELECT name, callbacks FROM ffi WHERE wx = 'never' ORDER BY name DESC;`, onRow, null, null);
  close(db);
  return {
    ok: rc === 0 && rows.length === 2 && rows[0].name === 'trampfd',
    text: `SQLite ${version}, row callback got ${rows.map((r) => `${r.name} (${r.callbacks})`).join('; ')}`,
  };
});

// 3. zlib: compress2 and uncompress through caller-owned Buffers. The node binary exports its own
// zlib, and a plain load's internal calls (compress2 -> deflate) would bind to node's copy:
// { deep: true } (RTLD_DEEPBIND) makes libz.so.1 do the work that its version string claims.
await step('zlib', () => {
  const z = load('libz.so.1', { deep: true });
  const compressBound = z.func('unsigned long compressBound(unsigned long sourceLen)');
  const compress2 = z.func('int compress2(unsigned char *dest, unsigned long *destLen, const unsigned char *source, unsigned long sourceLen, int level)');
  const uncompress = z.func('int uncompress(unsigned char *dest, unsigned long *destLen, const unsigned char *source, unsigned long sourceLen)');
  const input = Buffer.from('A trampoline is a fixed code slot that jumps to its target. '.repeat(64));
  const packed = Buffer.alloc(compressBound(input.length));
  const len = new BigUint64Array([BigInt(packed.length)]);
  if (compress2(packed, len, input, input.length, 9) !== 0) throw new Error('compress2 failed');
  const packedLen = Number(len[0]);
  const back = Buffer.alloc(input.length);
  len[0] = BigInt(back.length);
  const rc = uncompress(back, len, packed, packedLen);
  const version = memory.string(z.func('const char *zlibVersion(void)')());
  return {
    ok: rc === 0 && back.equals(input) && z.interposed.length === 0,
    text: `zlib ${version}, deep-bound (${z.interposed.length} calls to node's copy): ${input.length} bytes -> ${packedLen} -> ${Number(len[0])}, round trip ${back.equals(input) ? 'exact' : 'WRONG'}`,
  };
});

// 4. Callbacks from foreign threads: pthread_create runs a JS start routine on a new thread.
// The thread waits while the JS thread runs it: during a { blocking: true } call (pthread_join)
// or from the event loop while JS is idle.
await step('threads', async () => {
  const create = libc.func('int pthread_create(void **thread, const void *attr, void *(*start)(void *arg), void *arg)');
  const join = libc.func('int pthread_join(void *thread, void **result)', { blocking: true });
  const self = libc.func('void *pthread_self(void)');
  const mainThread = self();
  const seen = new Set();
  const start = callback('void *start(void *arg)', (arg) => {
    seen.add(arg);
    return arg * 10;
  });
  const ids = new BigUint64Array(4);
  for (let i = 0; i < ids.length; i++) {
    if (create(ids.subarray(i, i + 1), null, start, i + 1) !== 0) throw new Error('pthread_create failed');
  }
  const returned = [];
  const result = new BigUint64Array(1);
  for (const id of ids) {
    if (join(Number(id), result) !== 0) throw new Error('pthread_join failed');
    returned.push(Number(result[0]));
  }
  start.free(); // every thread that could call it has been joined
  // Served from the event loop: nothing blocks; a timer keeps the loop alive meanwhile.
  let arrived;
  const fromLoop = new Promise((resolve) => (arrived = resolve));
  const keepAlive = setInterval(() => {}, 1000);
  const notify = callback('void *start(void *arg)', (arg) => {
    arrived(arg);
    return 0;
  });
  const one = new BigUint64Array(1);
  if (create(one, null, notify, 99) !== 0) throw new Error('pthread_create failed');
  const got = await fromLoop;
  clearInterval(keepAlive);
  join(Number(one[0]), null);
  notify.free();
  const foreign = [...ids, one[0]].every((id) => Number(id) !== mainThread);
  return {
    ok: foreign && returned.join() === '10,20,30,40' && seen.size === 4 && got === 99,
    text: `4 pthreads ran a JS start routine during pthread_join({ blocking: true }) -> ${returned.join(', ')}; ` +
      `a 5th was served from the event loop -> ${got}`,
  };
});

// 5. No cap on live callbacks, and no W+X memory for any of them.
await step('no cap', () => {
  const qsort = libc.func('void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *a, const void *b))');
  const n = 20_000;
  const hits = new Uint32Array(n);
  const many = [];
  for (let i = 0; i < n; i++) many.push(callback('int cmp(const void *a, const void *b)', () => (hits[i]++, 0)));
  const s = trampolines.stats();
  for (const i of [0, 8191, 8192, n - 1]) qsort(new Int32Array(2), 2, 4, many[i]); // C calls #i
  for (const c of many) c.free();
  const called = hits[0] > 0 && hits[8191] > 0 && hits[8192] > 0 && hits[n - 1] > 0;
  const wx = readFileSync('/proc/self/maps', 'utf8').split('\n').filter((l) => /^\S+ .wx/.test(l)).length;
  return {
    ok: called && s.live >= n && (!hardened || wx === 0),
    text: `${n.toLocaleString('en')} live callbacks (koffi stops at 8,192) in ${s.tables} ${s.mode === 'file' ? 'file-mapped' : 'in-image'} table(s), ` +
      `#1, #8,192, #8,193 and #20,000 called from C; writable+executable mappings: ${wx}${wx > 0 ? ' (V8\'s JIT, not trampfd)' : ''}`,
  };
});

let ok = results.every(Boolean);
if (!hardened) {
  console.log();
  if (!existsSync(mdweExecPath)) {
    console.log(`(no hardened run: ${mdweExecPath} is missing; build it with npx node-gyp rebuild)`);
  } else {
    const r = spawnSync(mdweExecPath, [process.execPath, '--jitless', fileURLToPath(import.meta.url), '--hardened-child'], { encoding: 'utf8' });
    process.stdout.write(r.stdout);
    if (r.status === 125) {
      console.log(`(no hardened run: ${r.stderr.trim()})`);
    } else if (r.status !== 0) {
      process.stdout.write(r.stderr);
      ok = false;
    }
  }
  console.log(ok ? '\nall steps passed' : '\nsome steps FAILED');
}
process.exitCode = ok ? 0 : 1;
