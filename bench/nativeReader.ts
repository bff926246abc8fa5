import Sqlite from 'better-sqlite3';
import type { SqlReader } from '../src/core/charts/sqlReader';

/** A database image on native SQLite (better-sqlite3), read through the interface the chart and insight SQL use. */
export function nativeReader(bytes: Uint8Array): { reader: SqlReader; db: Sqlite.Database; close: () => void } {
  const db = new Sqlite(Buffer.from(bytes));
  // better-sqlite3 binds numbered parameters (?1) by name: {1: …}; anonymous ones (?) by position.
  const all = <T>(sql: string, params: unknown[] = []) =>
    (/\?\d/.test(sql) ? db.prepare(sql).all(Object.fromEntries(params.map((v, i) => [i + 1, v]))) : db.prepare(sql).all(...params)) as T[];
  return { reader: { all }, db, close: () => db.close() };
}
