import type { Database, SqlJsStatic, SqlValue } from 'sql.js';

/** Every row of a query, as objects keyed by column name. */
export function selectRows<T>(db: Database, sql: string, params: SqlValue[] = []): T[] {
  const stmt = db.prepare(sql);
  try {
    stmt.bind(params);
    const out: T[] = [];
    while (stmt.step()) out.push(stmt.getAsObject() as T);
    return out;
  } finally {
    stmt.free();
  }
}

/**
 * A second connection's database attached to `db` by its path in sql.js's in-memory file system
 * (every sql.js connection of one module is a file there): no copy of the pages into SQLite's heap,
 * unlike a backup into an attached `:memory:` schema. With `bytes`, the file holds that image; without,
 * it starts empty (a staging file to fill, detach (`detachSchema`) and then `export()`). `detach()`
 * also closes the connection, which removes its file.
 */
export function attachFile(SQL: SqlJsStatic, db: Database, schema: string, bytes?: Uint8Array): { file: Database; detachSchema(): void; detach(): void } {
  const file = new SQL.Database(bytes);
  const name = (file as unknown as { filename: string }).filename;
  try {
    db.exec(`ATTACH '/${name.replace(/'/g, "''")}' AS ${schema}`);
  } catch (err) {
    file.close();
    throw err;
  }
  let attached = true;
  const detachSchema = () => {
    if (attached) db.exec(`DETACH ${schema}`);
    attached = false;
  };
  return {
    file,
    detachSchema,
    detach: () => {
      try {
        detachSchema();
      } finally {
        file.close();
      }
    },
  };
}
