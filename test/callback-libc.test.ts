// Area: callbacks, end to end with real C callers. Purpose: glibc's qsort and bsearch with JS
// comparators (callback() objects and plain JS functions made transient per call) over 10,000
// ints and 10,000 structs; SQLite's sqlite3_exec with a row callback that reads char ** column
// names and values, and aborts the exec by returning nonzero.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callback, cdef, load, memory, trampolines } from '../dist/index.js';

const libc = load(null);
const qsort = libc.func('void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))');
const bsearch = libc.func(
  'void *bsearch(const void *key, const void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))');

cdef('struct cbl_rec { int key; double weight; char tag[8]; };');
const REC = memory.sizeof('struct cbl_rec');

/** Deterministic pseudo-random ints (xorshift32), with duplicates and negatives. */
function randomInts(n: number, seed = 0x9e3779b9): Int32Array {
  const out = new Int32Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = (x % 20001) - 10000;
  }
  return out;
}

/** A comparator over an Int32Array's own bytes: C passes addresses inside `arr`. */
function intComparator(arr: Int32Array, counter: { n: number }): (a: number, b: number) => number {
  const base = memory.address(arr);
  return (a, b) => {
    counter.n++;
    const x = arr[(a - base) >> 2]!, y = arr[(b - base) >> 2]!;
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

test('qsort sorts 10,000 ints with a callback() comparator', () => {
  const arr = randomInts(10_000);
  const want = Int32Array.from(arr).sort();
  const counter = { n: 0 };
  const live = trampolines.stats().live;
  using cmp = callback('int cmp(const void *a, const void *b)', intComparator(arr, counter));
  assert.equal(trampolines.stats().live, live + 1);
  qsort(arr, arr.length, 4, cmp);
  assert.deepEqual(arr, want);
  assert.ok(counter.n >= 10_000, `comparator called ${counter.n} times`);
  assert.equal(cmp.freed, false, 'a callback() object outlives the call');
  qsort(arr.subarray(0, 100).reverse(), 100, 4, cmp.pointer); // the raw pointer works too
  assert.deepEqual(arr.subarray(0, 100), want.subarray(0, 100));
});

test('qsort sorts 10,000 ints with a plain JS function; its transient callback is freed after the call', () => {
  const arr = randomInts(10_000, 12345);
  const want = Int32Array.from(arr).sort();
  const counter = { n: 0 };
  const before = trampolines.stats().live;
  let liveDuring = -1;
  const cmp = intComparator(arr, counter);
  qsort(arr, arr.length, 4, (a: number, b: number) => {
    if (liveDuring < 0) liveDuring = trampolines.stats().live;
    return cmp(a, b);
  });
  assert.deepEqual(arr, want);
  assert.equal(liveDuring, before + 1, 'one trampoline for the call');
  assert.equal(trampolines.stats().live, before, 'released when the call returned');
  // Descending, through the function-pointer type form of the declaration.
  qsort(arr, arr.length, 4, callback('int (*)(const void *, const void *)', (a: number, b: number) => -cmp(a, b)));
  assert.deepEqual(arr, Int32Array.from(want).reverse());
});

test('qsort sorts 10,000 structs by key then weight, reading them with memory.read', () => {
  const n = 10_000;
  const keys = randomInts(n, 777);
  const buf = Buffer.alloc(n * REC);
  const base = memory.address(buf);
  for (let i = 0; i < n; i++) {
    memory.write(base + i * REC, 'struct cbl_rec', { key: keys[i]! & 127, weight: i / 7, tag: [...Buffer.from(`r${i}`.padEnd(8, '\0'))] });
  }
  type Rec = { key: number; weight: number; tag: number[] };
  let calls = 0;
  using byKey = callback('int by_key(const void *a, const void *b)', (a: number, b: number) => {
    calls++;
    const x = memory.read(a, 'struct cbl_rec') as Rec, y = memory.read(b, 'struct cbl_rec') as Rec;
    return x.key - y.key || (x.weight < y.weight ? -1 : x.weight > y.weight ? 1 : 0);
  });
  qsort(buf, n, REC, byKey);
  assert.ok(calls > n);
  let prev: Rec | undefined;
  const tags = new Set<string>();
  for (let i = 0; i < n; i++) {
    const r = memory.read(base + i * REC, 'struct cbl_rec') as Rec;
    if (prev) assert.ok(prev.key < r.key || (prev.key === r.key && prev.weight < r.weight), `order at ${i}`);
    const original = Math.round(r.weight * 7);
    assert.equal(r.key, keys[original]! & 127, 'key and weight stayed together');
    tags.add(Buffer.from(r.tag).toString().replace(/\0+$/, ''));
    prev = r;
  }
  assert.equal(tags.size, n, 'every record is still there once');
  assert.equal(buf.length, n * REC); // keeps `buf` alive while `base` is read above
});

test('bsearch finds every one of 10,000 sorted ints and returns NULL for absent keys', () => {
  const arr = Int32Array.from({ length: 10_000 }, (_, i) => i * 3 - 15_000);
  const base = memory.address(arr);
  const key = new Int32Array(1);
  const keyAddr = memory.address(key);
  let calls = 0;
  using cmp = callback('int cmp(const void *k, const void *e)', (k: number, e: number) => {
    calls++;
    assert.equal(k, keyAddr, 'bsearch passes the key first');
    const x = key[0]!, y = arr[(e - base) >> 2]!;
    return x < y ? -1 : x > y ? 1 : 0;
  });
  for (let i = 0; i < arr.length; i++) {
    key[0] = arr[i]!;
    const p = bsearch(key, arr, arr.length, 4, cmp) as number;
    assert.equal((p - base) / 4, i);
  }
  assert.ok(calls < arr.length * 15, `log-time: ${calls} comparisons`);
  for (const absent of [-15_001, -14_999, 0 + 1, 29_986, 1e6]) {
    key[0] = absent;
    assert.equal(bsearch(key, arr, arr.length, 4, cmp), 0, `absent ${absent}`);
  }
  // A plain JS function, transient for each call.
  key[0] = arr[1234]!;
  const p = bsearch(key, arr, arr.length, 4, (_k: number, e: number) => key[0]! - (memory.read(e, 'int') as number)) as number;
  assert.equal((p - base) / 4, 1234);
});

test('a comparator that throws: qsort finishes, the call rethrows, nothing leaks', () => {
  const arr = randomInts(1000, 99);
  const before = trampolines.stats().live;
  let calls = 0;
  assert.throws(() => qsort(arr, arr.length, 4, () => {
    if (++calls === 10) throw new RangeError('comparator gave up');
    return 0;
  }), { name: 'RangeError', message: 'comparator gave up' });
  assert.ok(calls > 10, 'C kept calling (it got 0) until qsort returned');
  assert.equal(trampolines.stats().live, before);
});

// ---- SQLite ---------------------------------------------------------------------------------

const SQLITE_OK = 0, SQLITE_ABORT = 4;
cdef('typedef struct cbl_sqlite3 cbl_sqlite3;');
const sqlite = load('libsqlite3.so.0');
const open = sqlite.func('int sqlite3_open(const char *filename, cbl_sqlite3 **db)');
const close = sqlite.func('int sqlite3_close(cbl_sqlite3 *db)');
const sqliteFree = sqlite.func('void sqlite3_free(void *p)');
const exec = sqlite.func('int sqlite3_exec(cbl_sqlite3 *db, const char *sql, ' +
  'int (*callback)(void *arg, int ncols, char **values, char **names), void *arg, char **errmsg)');
const ROW_DECL = 'int row(void *arg, int ncols, char **values, char **names)';

/** A pointer's size: 8 bytes (LP64) or 4 (ILP32, i386), the stride of a `char **` array. */
const PTR = memory.sizeof('void *');
/** The pointer C stored in an out-parameter slot (a Buffer of 8 zeroed bytes, enough on either). */
const slotPointer = (slot: Buffer): number => (PTR === 8 ? Number(slot.readBigUInt64LE()) : slot.readUInt32LE());

/** The i-th `char *` of a `char **` array, as a JS string (null for NULL). */
function stringAt(array: number, i: number): string | null {
  const p = memory.read(array + PTR * i, 'char *') as number;
  return p === 0 ? null : memory.string(p);
}

function withDb<T>(fn: (db: number) => T): T {
  const slot = Buffer.alloc(8);
  assert.equal(open(':memory:', slot), SQLITE_OK);
  const db = slotPointer(slot);
  try {
    return fn(db);
  } finally {
    assert.equal(close(db), SQLITE_OK);
  }
}

/** sqlite3_exec; returns [rc, error message]. */
function run(db: number, sql: string, cb: unknown = null, arg: number | null = null): [number, string | null] {
  const err = Buffer.alloc(8);
  const rc = exec(db, sql, cb, arg, err) as number;
  const p = slotPointer(err);
  const msg = p ? memory.string(p) : null;
  sqliteFree(p);
  return [rc, msg];
}

test('sqlite3_exec: the row callback reads column names and values (char **), NULL as a NULL pointer', () => {
  withDb((db) => {
    assert.deepEqual(run(db, `CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL);
      INSERT INTO t (name, score) VALUES ('ada', 9.5), ('bob', NULL), ('çé ✓', -1);`), [SQLITE_OK, null]);
    const rows: Record<string, string | null>[] = [];
    const argBuf = Buffer.from('ctx');
    using row = callback(ROW_DECL, (arg: number, n: number, values: number, names: number) => {
      assert.equal(arg, memory.address(argBuf), 'the void * argument comes through');
      const r: Record<string, string | null> = {};
      for (let i = 0; i < n; i++) r[stringAt(names, i)!] = stringAt(values, i);
      rows.push(r);
      return 0;
    });
    assert.deepEqual(run(db, 'SELECT id, name, score FROM t ORDER BY id', row, memory.address(argBuf)), [SQLITE_OK, null]);
    assert.deepEqual(rows, [
      { id: '1', name: 'ada', score: '9.5' },
      { id: '2', name: 'bob', score: null },
      { id: '3', name: 'çé ✓', score: '-1.0' },
    ]);
    // A plain JS function for the callback parameter, over more rows.
    let count = 0;
    let sum = 0;
    assert.deepEqual(run(db, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000)
      SELECT x, x * x FROM c`, (_a: number, n: number, values: number) => {
      assert.equal(n, 2);
      count++;
      sum += Number(stringAt(values, 1));
      return 0;
    }), [SQLITE_OK, null]);
    assert.equal(count, 5000);
    assert.equal(sum, (5000 * 5001 * 10001) / 6);
  });
});

test('sqlite3_exec: a nonzero return from the row callback aborts the exec with SQLITE_ABORT', () => {
  withDb((db) => {
    run(db, 'CREATE TABLE t (x); INSERT INTO t VALUES (1), (2), (3), (4);');
    const seen: string[] = [];
    using stopAtTwo = callback(ROW_DECL, (_a: number, _n: number, values: number) => {
      seen.push(stringAt(values, 0)!);
      return seen.length === 2 ? 1 : 0;
    });
    const [rc, msg] = run(db, 'SELECT x FROM t ORDER BY x; INSERT INTO t VALUES (99);', stopAtTwo);
    assert.equal(rc, SQLITE_ABORT);
    assert.equal(msg, 'query aborted');
    assert.deepEqual(seen, ['1', '2']);
    seen.length = 0;
    using all = callback(ROW_DECL, (_a: number, _n: number, values: number) => (seen.push(stringAt(values, 0)!), 0));
    run(db, 'SELECT count(*) FROM t WHERE x = 99', all);
    assert.deepEqual(seen, ['0'], 'the statements after the aborted one did not run');
  });
});

test('sqlite3_exec: a row callback that throws: SQLite receives 0 (go on), the exec call rethrows every exception, in order', () => {
  withDb((db) => {
    run(db, 'CREATE TABLE t (x); INSERT INTO t VALUES (1), (2), (3);');
    let calls = 0;
    assert.throws(() => run(db, 'SELECT x FROM t', () => {
      calls++;
      throw new Error(`row callback failed ${calls}`);
    }), (e: unknown) => {
      assert.ok(e instanceof AggregateError);
      assert.equal(e.message, 'sqlite3_exec: 3 callbacks threw during the call');
      assert.deepEqual(e.errors.map((x: Error) => x.message), ['row callback failed 1', 'row callback failed 2', 'row callback failed 3']);
      return true;
    });
    assert.equal(calls, 3, 'C received 0 (continue) for each row');
  });
});
