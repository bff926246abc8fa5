import type { Database } from 'sql.js';

/**
 * Run bookkeeping kept in the store itself, for the lineage graph and hovers: one row per run and
 * one per node result (`_cm_runs`, `_cm_run_results`), and the relations that models own
 * (`_cm_relations`) so that a model never replaces a raw table the sources wrote.
 * Created on demand by the engine, not by the store's migrations (the store belongs to the sources).
 */
export const RUN_TABLES_SQL = `
CREATE TABLE IF NOT EXISTS _cm_runs (
  run_id       TEXT PRIMARY KEY,
  command      TEXT NOT NULL,
  selector     TEXT,
  started_at   TEXT NOT NULL,
  completed_at TEXT NOT NULL,
  elapsed_ms   REAL NOT NULL,
  success      INTEGER NOT NULL,
  cancelled    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS _cm_run_results (
  run_id        TEXT NOT NULL,
  unique_id     TEXT NOT NULL,
  name          TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  materialized  TEXT,
  status        TEXT NOT NULL,
  message       TEXT,
  rows_affected INTEGER,
  failures      INTEGER,
  started_at    TEXT NOT NULL,
  completed_at  TEXT NOT NULL,
  duration_ms   REAL NOT NULL,
  PRIMARY KEY (run_id, unique_id)
);
CREATE INDEX IF NOT EXISTS _cm_run_results_node ON _cm_run_results (unique_id, completed_at);
CREATE TABLE IF NOT EXISTS _cm_relations (
  name         TEXT PRIMARY KEY,
  unique_id    TEXT NOT NULL,
  materialized TEXT NOT NULL,
  updated_at   TEXT NOT NULL
);
`;

export function ensureRunTables(db: Database): void {
  db.exec(RUN_TABLES_SQL);
}

export interface RecordedResult {
  uniqueId: string;
  name: string;
  resourceType: string;
  materialized?: string;
  status: string;
  message: string;
  rowsAffected?: number;
  failures?: number;
  startedAt: string;
  completedAt: string;
  durationMs: number;
}

export interface RecordedRun {
  runId: string;
  command: string;
  selector: string;
  startedAt: string;
  completedAt: string;
  elapsedMs: number;
  success: boolean;
  cancelled: boolean;
  results: RecordedResult[];
}

export function recordRun(db: Database, run: RecordedRun): void {
  ensureRunTables(db);
  db.run('INSERT OR REPLACE INTO _cm_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
    run.runId, run.command, run.selector, run.startedAt, run.completedAt, run.elapsedMs, run.success ? 1 : 0, run.cancelled ? 1 : 0,
  ]);
  const stmt = db.prepare('INSERT OR REPLACE INTO _cm_run_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  try {
    for (const r of run.results) {
      stmt.run([run.runId, r.uniqueId, r.name, r.resourceType, r.materialized ?? null, r.status, r.message, r.rowsAffected ?? null, r.failures ?? null, r.startedAt, r.completedAt, r.durationMs]);
    }
  } finally {
    stmt.free();
  }
}

/** The latest recorded result of each node (for hovers: "last run 3 min ago, 1,204 rows"). */
export function latestResults(db: Database): Map<string, RecordedResult> {
  ensureRunTables(db);
  const out = new Map<string, RecordedResult>();
  const res = db.exec(`
    SELECT unique_id, name, resource_type, materialized, status, message, rows_affected, failures, started_at, completed_at, duration_ms
      FROM _cm_run_results r
     WHERE completed_at = (SELECT MAX(completed_at) FROM _cm_run_results WHERE unique_id = r.unique_id)`);
  for (const row of res[0]?.values ?? []) {
    const [uniqueId, name, resourceType, materialized, status, message, rows, failures, startedAt, completedAt, durationMs] = row;
    const r: RecordedResult = {
      uniqueId: String(uniqueId), name: String(name), resourceType: String(resourceType), status: String(status), message: String(message ?? ''),
      startedAt: String(startedAt), completedAt: String(completedAt), durationMs: Number(durationMs),
    };
    if (materialized !== null) r.materialized = String(materialized);
    if (rows !== null) r.rowsAffected = Number(rows);
    if (failures !== null) r.failures = Number(failures);
    out.set(r.uniqueId, r);
  }
  return out;
}
