import type { Database, SqlJsStatic } from 'sql.js';

/**
 * Page-level copies between sql.js connections of one module, through SQLite's online backup API.
 * This sql.js build does not expose its file system, so bytes reach a schema of the live connection
 * only this way: open a connection on the bytes, back it up into an attached schema (and the reverse
 * to get a schema's bytes out). `export()` is never called on the live connection: in sql.js 1.16 it
 * closes and reopens the database, dropping registered functions, temp objects and attachments.
 */
interface BackupApi {
  _sqlite3_backup_init(dest: number, destName: number, src: number, srcName: number): number;
  _sqlite3_backup_step(backup: number, pages: number): number;
  _sqlite3_backup_finish(backup: number): number;
  stringToNewUTF8(s: string): number;
  _free(ptr: number): void;
}

const SQLITE_DONE = 101;

function handle(db: Database): number {
  return (db as unknown as { db: number }).db;
}

/** Replaces schema `destName` of `dest` with a copy of schema `srcName` of `src`. */
export function backupInto(SQL: SqlJsStatic, dest: Database, destName: string, src: Database, srcName: string): void {
  const api = SQL as unknown as BackupApi;
  const d = api.stringToNewUTF8(destName);
  const s = api.stringToNewUTF8(srcName);
  try {
    const b = api._sqlite3_backup_init(handle(dest), d, handle(src), s);
    if (!b) throw new Error(`SQLite refused to copy ${srcName} into ${destName}`);
    const step = api._sqlite3_backup_step(b, -1);
    const finish = api._sqlite3_backup_finish(b);
    if (step !== SQLITE_DONE || finish !== 0) throw new Error(`copying ${srcName} into ${destName} failed (SQLite codes ${step}, ${finish})`);
  } finally {
    api._free(d);
    api._free(s);
  }
}

/** The bytes of one schema of a live connection, as a standalone SQLite file image. */
export function schemaBytes(SQL: SqlJsStatic, db: Database, schema: string, finish?: (out: Database) => void): Uint8Array {
  const out = new SQL.Database();
  try {
    backupInto(SQL, out, 'main', db, schema);
    // Objects that must be created where their schema is `main` (views naming "main"."x").
    finish?.(out);
    return out.export();
  } finally {
    out.close();
  }
}

/** Attaches `bytes` (a SQLite file image) to `db` as an in-memory schema named `schema`. */
export function attachBytes(SQL: SqlJsStatic, db: Database, schema: string, bytes: Uint8Array): void {
  const src = new SQL.Database(bytes);
  try {
    db.exec(`ATTACH ':memory:' AS ${schema}`);
    try {
      backupInto(SQL, db, schema, src, 'main');
    } catch (err) {
      db.exec(`DETACH ${schema}`);
      throw err;
    }
  } finally {
    src.close();
  }
}
