import type { Database } from 'sql.js';
import { DiagnosticError } from './diagnostics';
import { quoteIdent, relationKind, columnsOf, scalar } from './storeAccess';

/**
 * How each materialization is built on SQLite. Each runs inside the caller's transaction, so a
 * failure leaves the previous relation in place (no temp-table-and-rename: SQLite's RENAME checks
 * every view and would trip over a view whose table is being rebuilt).
 */
export interface MaterializeInput {
  relation: string;
  uniqueId: string;
  /** The SELECT, already rewritten for SQLite. */
  sql: string;
  materialized: 'view' | 'table' | 'incremental';
  incrementalExists: boolean;
  uniqueKey?: string[];
  /** Index the unique_key columns of incremental tables (the merge's DELETE looks them up). */
  indexKeys: boolean;
  /** Append-only incremental runs insert straight from the SELECT instead of through a temp table. */
  directAppend?: boolean;
}

export interface MaterializeOutput {
  rowsAffected?: number;
  message: string;
}

/** Refuses to replace a relation that models do not own (a raw table written by the sources). */
export function assertOwned(db: Database, relation: string, uniqueId: string): void {
  const kind = relationKind(db, relation);
  if (!kind) return;
  const owner = scalar(db, `SELECT unique_id FROM _cm_relations WHERE lower(name) = lower(${quoteLiteral(relation)})`);
  if (owner === undefined || owner === null) {
    throw new DiagnosticError({
      file: '', line: 1, column: 1, severity: 'error', code: 'relation',
      message: `The store already has a ${kind} named '${relation}' that no model built (a raw table?); rename the model or set config(alias='...') so it is not replaced`,
      uniqueId,
    });
  }
}

const quoteLiteral = (s: string) => `'${s.replace(/'/g, "''")}'`;

function dropExisting(db: Database, relation: string): void {
  const kind = relationKind(db, relation);
  if (kind === 'view') db.run(`DROP VIEW ${quoteIdent(relation)}`);
  else if (kind === 'table') db.run(`DROP TABLE ${quoteIdent(relation)}`);
}

/** The SQL prefix each materialization puts on the line before the model's SELECT. */
export function wrapperPrefix(input: MaterializeInput): string {
  if (input.materialized === 'view') return `CREATE VIEW ${quoteIdent(input.relation)} AS`;
  if (input.materialized === 'table' || !input.incrementalExists) return `CREATE TABLE ${quoteIdent(input.relation)} AS`;
  return `CREATE TEMP TABLE ${quoteIdent(`${input.relation}__cm_new`)} AS`;
}

export function materialize(db: Database, input: MaterializeInput): MaterializeOutput {
  const rel = quoteIdent(input.relation);
  const statement = `${wrapperPrefix(input)}\n${input.sql}\n`;
  if (input.materialized === 'view') {
    dropExisting(db, input.relation);
    db.run(statement);
    // SQLite checks a view only when it is used: compile it now so that errors surface here.
    db.prepare(`SELECT * FROM ${rel} LIMIT 0`).free();
    return { message: 'view created' };
  }
  if (input.materialized === 'table' || !input.incrementalExists) {
    dropExisting(db, input.relation);
    db.run(statement);
    const rows = Number(scalar(db, `SELECT count(*) FROM ${rel}`));
    if (input.materialized === 'incremental' && input.indexKeys && input.uniqueKey?.length) {
      db.run(`CREATE INDEX IF NOT EXISTS ${quoteIdent(`${input.relation}__cm_key`)} ON ${rel} (${input.uniqueKey.map(quoteIdent).join(', ')})`);
    }
    return { rowsAffected: rows, message: `${input.materialized === 'table' ? 'table' : 'incremental table'} created, ${rows} rows` };
  }
  if (input.directAppend && !input.uniqueKey?.length) {
    // Append-only: insert straight from the SELECT, without copying the new rows to a temp table.
    const stmt = db.prepare(`SELECT * FROM (\n${input.sql}\n) LIMIT 0`);
    let newCols: string[];
    try {
      newCols = stmt.getColumnNames();
    } finally {
      stmt.free();
    }
    const targetCols = columnsOf(db, input.relation);
    const cols = newCols.filter((c) => targetCols.some((t) => t.toLowerCase() === c.toLowerCase())).map(quoteIdent).join(', ');
    db.run(`INSERT INTO ${rel} (${cols}) SELECT ${cols} FROM (\n${input.sql}\n)`);
    const inserted = db.getRowsModified();
    return { rowsAffected: inserted, message: `appended ${inserted} rows` };
  }
  // Incremental: the new rows go to a temp table, then merge (delete + insert) or append.
  const tmpName = `${input.relation}__cm_new`;
  const tmp = quoteIdent(tmpName);
  db.run(`DROP TABLE IF EXISTS temp.${tmp}`);
  db.run(statement);
  try {
    const targetCols = columnsOf(db, input.relation);
    const newCols = (db.exec(`PRAGMA temp.table_info(${tmp})`)[0]?.values ?? []).map((r) => String(r[1]));
    // dbt's default on_schema_change is 'ignore': columns the target lacks are dropped.
    const cols = newCols.filter((c) => targetCols.some((t) => t.toLowerCase() === c.toLowerCase())).map(quoteIdent).join(', ');
    let deleted = 0;
    if (input.uniqueKey?.length) {
      const match = input.uniqueKey.map((k) => `${tmp}.${quoteIdent(k)} = ${rel}.${quoteIdent(k)}`).join(' AND ');
      db.run(`DELETE FROM ${rel} WHERE EXISTS (SELECT 1 FROM ${tmp} WHERE ${match})`);
      deleted = db.getRowsModified();
    }
    db.run(`INSERT INTO ${rel} (${cols}) SELECT ${cols} FROM ${tmp}`);
    const inserted = db.getRowsModified();
    return { rowsAffected: inserted, message: input.uniqueKey?.length ? `merged ${inserted} rows (${deleted} replaced)` : `appended ${inserted} rows` };
  } finally {
    db.run(`DROP TABLE IF EXISTS temp.${tmp}`);
  }
}

export function recordOwnership(db: Database, relation: string, uniqueId: string, materialized: string): void {
  db.run('INSERT OR REPLACE INTO _cm_relations VALUES (?, ?, ?, ?)', [relation, uniqueId, materialized, new Date().toISOString()]);
}
