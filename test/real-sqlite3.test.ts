// Area: library/call path, end to end. Purpose: SQLite (libsqlite3.so.0) through load(): opaque
// handles returned through `sqlite3 **` / `sqlite3_stmt **` out-pointers, bound ints, doubles,
// int64s and text, column values read back (char * via memory.string), error codes and messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cdef, load, memory } from '../dist/index.js';

const SQLITE_OK = 0, SQLITE_ERROR = 1, SQLITE_CONSTRAINT = 19, SQLITE_MISUSE = 21, SQLITE_ROW = 100, SQLITE_DONE = 101;
const SQLITE_TRANSIENT = -1; // destructor constant ((sqlite3_destructor_type)-1): SQLite copies the text

cdef('typedef struct sqlite3 sqlite3; typedef struct sqlite3_stmt sqlite3_stmt;');
const lib = load('libsqlite3.so.0');
const sq = {
  libversion: lib.func('const char *sqlite3_libversion(void)'),
  open: lib.func('int sqlite3_open(const char *filename, sqlite3 **ppDb)'),
  close: lib.func('int sqlite3_close(sqlite3 *db)'),
  exec: lib.func('int sqlite3_exec(sqlite3 *db, const char *sql, void *callback, void *arg, char **errmsg)'),
  free: lib.func('void sqlite3_free(void *p)'),
  errmsg: lib.func('const char *sqlite3_errmsg(sqlite3 *db)'),
  errcode: lib.func('int sqlite3_errcode(sqlite3 *db)'),
  prepare: lib.func('int sqlite3_prepare_v2(sqlite3 *db, const char *sql, int nByte, sqlite3_stmt **ppStmt, const char **pzTail)'),
  bindInt: lib.func('int sqlite3_bind_int(sqlite3_stmt *stmt, int i, int value)'),
  bindInt64: lib.func('int sqlite3_bind_int64(sqlite3_stmt *stmt, int i, int64_t value)'),
  bindDouble: lib.func('int sqlite3_bind_double(sqlite3_stmt *stmt, int i, double value)'),
  bindText: lib.func('int sqlite3_bind_text(sqlite3_stmt *stmt, int i, const char *text, int n, intptr_t destructor)'),
  bindNull: lib.func('int sqlite3_bind_null(sqlite3_stmt *stmt, int i)'),
  step: lib.func('int sqlite3_step(sqlite3_stmt *stmt)'),
  reset: lib.func('int sqlite3_reset(sqlite3_stmt *stmt)'),
  columnCount: lib.func('int sqlite3_column_count(sqlite3_stmt *stmt)'),
  columnName: lib.func('const char *sqlite3_column_name(sqlite3_stmt *stmt, int i)'),
  columnType: lib.func('int sqlite3_column_type(sqlite3_stmt *stmt, int i)'),
  columnInt: lib.func('int sqlite3_column_int(sqlite3_stmt *stmt, int i)'),
  columnInt64: lib.func('int64_t sqlite3_column_int64(sqlite3_stmt *stmt, int i)'),
  columnDouble: lib.func('double sqlite3_column_double(sqlite3_stmt *stmt, int i)'),
  columnText: lib.func('const unsigned char *sqlite3_column_text(sqlite3_stmt *stmt, int i)'),
  columnBytes: lib.func('int sqlite3_column_bytes(sqlite3_stmt *stmt, int i)'),
  finalize: lib.func('int sqlite3_finalize(sqlite3_stmt *stmt)'),
  changes: lib.func('int sqlite3_changes(sqlite3 *db)'),
  lastInsertRowid: lib.func('int64_t sqlite3_last_insert_rowid(sqlite3 *db)'),
};

/** A pointer-sized out-parameter: memory.alloc(8), read back as a pointer after the call. */
function outPointer<T>(fn: (slot: number) => T): [T, number] {
  const slot = memory.alloc(8);
  try {
    const r = fn(slot);
    return [r, memory.read(slot, 'void *') as number];
  } finally {
    memory.free(slot);
  }
}

function openMemory(): number {
  const [rc, db] = outPointer((pp) => sq.open(':memory:', pp));
  assert.equal(rc, SQLITE_OK);
  assert.ok(Number.isSafeInteger(db) && db > 0);
  return db;
}

function prepare(db: number, sql: string): number {
  const [rc, stmt] = outPointer((pp) => sq.prepare(db, sql, -1, pp, null));
  assert.equal(rc, SQLITE_OK, memory.string(sq.errmsg(db) as number));
  return stmt;
}

function exec(db: number, sql: string): void {
  const [rc, err] = outPointer((pp) => sq.exec(db, sql, null, null, pp));
  const msg = err ? memory.string(err) : '';
  sq.free(err);
  assert.equal(rc, SQLITE_OK, msg);
}

test('sqlite3_libversion: a returned const char *', () => {
  assert.match(memory.string(sq.libversion() as number), /^3\.\d+\.\d+$/);
});

test('open :memory:, DDL, insert with every bind kind, select back every column kind', () => {
  const db = openMemory();
  try {
    exec(db, 'CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, big INTEGER, x REAL, s TEXT)');
    const ins = prepare(db, 'INSERT INTO t (n, big, x, s) VALUES (?1, ?2, ?3, ?4)');
    const rows: [number, bigint, number, string][] = [
      [1, 2n ** 40n, 1.5, 'one'],
      [-2147483648, -(2n ** 63n), -0.25, 'héllo wörld ✓'],
      [2147483647, 2n ** 63n - 1n, 1e300, ''],
    ];
    for (const [n, big, x, s] of rows) {
      assert.equal(sq.bindInt(ins, 1, n), SQLITE_OK);
      assert.equal(sq.bindInt64(ins, 2, big), SQLITE_OK);
      assert.equal(sq.bindDouble(ins, 3, x), SQLITE_OK);
      // The JS string lives only for the call: SQLITE_TRANSIENT makes SQLite take a copy.
      assert.equal(sq.bindText(ins, 4, s, -1, SQLITE_TRANSIENT), SQLITE_OK);
      assert.equal(sq.step(ins), SQLITE_DONE);
      assert.equal(sq.changes(db), 1);
      assert.equal(sq.reset(ins), SQLITE_OK);
    }
    assert.equal(sq.lastInsertRowid(db), 3n);
    assert.equal(sq.finalize(ins), SQLITE_OK);

    const sel = prepare(db, 'SELECT id, n, big, x, s FROM t WHERE id >= ? ORDER BY id');
    assert.equal(sq.columnCount(sel), 5);
    assert.deepEqual([0, 1, 2, 3, 4].map((i) => memory.string(sq.columnName(sel, i) as number)), ['id', 'n', 'big', 'x', 's']);
    assert.equal(sq.bindInt(sel, 1, 1), SQLITE_OK);
    const got: unknown[] = [];
    let rc: number;
    while ((rc = sq.step(sel) as number) === SQLITE_ROW) {
      const text = sq.columnText(sel, 4) as number;
      got.push([sq.columnInt(sel, 0), sq.columnInt(sel, 1), sq.columnInt64(sel, 2), sq.columnDouble(sel, 3),
        memory.string(text), sq.columnBytes(sel, 4)]);
    }
    assert.equal(rc, SQLITE_DONE);
    assert.deepEqual(got, rows.map(([n, big, x, s], i) => [i + 1, n, big, x, s, Buffer.byteLength(s)]));
    assert.equal(sq.finalize(sel), SQLITE_OK);
  } finally {
    assert.equal(sq.close(db), SQLITE_OK);
  }
});

test('NULL columns and binds: column_text returns 0', () => {
  const db = openMemory();
  try {
    const st = prepare(db, 'SELECT ?1, typeof(?1)');
    assert.equal(sq.bindNull(st, 1), SQLITE_OK);
    assert.equal(sq.step(st), SQLITE_ROW);
    assert.equal(sq.columnType(st, 0), 5 /* SQLITE_NULL */);
    assert.equal(sq.columnText(st, 0), 0);
    assert.equal(memory.string(sq.columnText(st, 1) as number), 'null');
    assert.equal(sq.finalize(st), SQLITE_OK);
  } finally {
    sq.close(db);
  }
});

test('errors come back as codes, and sqlite3_errmsg / the exec error string explain them', () => {
  const db = openMemory();
  try {
    const [rc, stmt] = outPointer((pp) => sq.prepare(db, 'SELEKT 1', -1, pp, null));
    assert.equal(rc, SQLITE_ERROR);
    assert.equal(stmt, 0, 'no statement on error');
    assert.equal(sq.errcode(db), SQLITE_ERROR);
    assert.match(memory.string(sq.errmsg(db) as number), /near "SELEKT": syntax error/);
    const [rc2, err] = outPointer((pp) => sq.exec(db, 'SELECT * FROM missing_table', null, null, pp));
    assert.equal(rc2, SQLITE_ERROR);
    assert.ok(err > 0);
    assert.equal(memory.string(err), 'no such table: missing_table');
    sq.free(err);

    exec(db, 'CREATE TABLE u (k TEXT UNIQUE NOT NULL)');
    exec(db, "INSERT INTO u VALUES ('a')");
    const ins = prepare(db, 'INSERT INTO u VALUES (?)');
    sq.bindText(ins, 1, 'a', -1, SQLITE_TRANSIENT);
    assert.equal(sq.step(ins), SQLITE_CONSTRAINT);
    assert.match(memory.string(sq.errmsg(db) as number), /UNIQUE constraint failed: u\.k/);
    sq.finalize(ins);
    assert.equal(sq.bindInt(0, 1, 1), SQLITE_MISUSE, 'a NULL statement is refused by SQLite, not a crash');
  } finally {
    assert.equal(sq.close(db), SQLITE_OK);
  }
});

test('pzTail: a const char ** out-pointer into a Buffer holding several statements', () => {
  const db = openMemory();
  try {
    const sql = Buffer.from('SELECT 1; SELECT 2;\0');
    const tail = memory.alloc(8);
    const pp = memory.alloc(8);
    try {
      assert.equal(sq.prepare(db, sql, -1, pp, tail), SQLITE_OK);
      const st = memory.read(pp, 'sqlite3_stmt *') as number;
      assert.equal((memory.read(tail, 'const char *') as number) - memory.address(sql), 9);
      assert.equal(memory.string(memory.read(tail, 'const char *') as number), ' SELECT 2;');
      assert.equal(sq.step(st), SQLITE_ROW);
      assert.equal(sq.columnInt(st, 0), 1);
      sq.finalize(st);
    } finally {
      memory.free(tail);
      memory.free(pp);
    }
  } finally {
    sq.close(db);
  }
});
