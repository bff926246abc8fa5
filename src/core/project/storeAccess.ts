import type { Database, SqlValue } from 'sql.js';
import type { QueryTable } from './jinjaRenderer';

/** Small read helpers over the store's database, shared by the runner and Jinja's run_query. */
export const quoteIdent = (id: string) => `"${id.replace(/"/g, '""')}"`;

export function relationKind(db: Database, name: string): 'table' | 'view' | undefined {
  const res = db.exec("SELECT type FROM sqlite_master WHERE lower(name) = lower(?) AND type IN ('table', 'view')", [name]);
  const t = res[0]?.values[0]?.[0];
  return t === 'table' || t === 'view' ? t : undefined;
}

export function columnsOf(db: Database, name: string): string[] {
  const res = db.exec(`PRAGMA table_info(${quoteIdent(name)})`);
  return (res[0]?.values ?? []).map((r) => String(r[1]));
}

export function query(db: Database, sql: string, params: SqlValue[] = []): QueryTable {
  const stmt = db.prepare(sql);
  try {
    stmt.bind(params);
    const rows: unknown[][] = [];
    while (stmt.step()) rows.push(stmt.get());
    return { columns: stmt.getColumnNames(), rows };
  } finally {
    stmt.free();
  }
}

export function scalar(db: Database, sql: string): unknown {
  return db.exec(sql)[0]?.values[0]?.[0];
}
