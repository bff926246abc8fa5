import type { Database } from 'sql.js';
import type { RunForLineage } from './openLineageEvents';

/**
 * The latest run recorded in the store (the engine's _cm_runs / _cm_run_results), in the shape the
 * OpenLineage events need: lets `lineage --openlineage-url` send a run made earlier, by cron or the
 * editor. Undefined when the store has no runs.
 */
export function latestStoredRun(db: Database): RunForLineage | undefined {
  const exists = db.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_cm_runs'");
  if (!exists[0]?.values.length) return undefined;
  const run = db.exec('SELECT run_id, command, started_at, completed_at, success FROM _cm_runs ORDER BY completed_at DESC LIMIT 1')[0]?.values[0];
  if (!run) return undefined;
  const [runId, command, startedAt, completedAt, success] = run;
  const stmt = db.prepare('SELECT unique_id, status, message, rows_affected, started_at, completed_at FROM _cm_run_results WHERE run_id = ? ORDER BY started_at, unique_id');
  const results: RunForLineage['results'] = [];
  try {
    stmt.bind([String(runId)]);
    while (stmt.step()) {
      const [uniqueId, status, message, rows, s, c] = stmt.get();
      const r: RunForLineage['results'][number] = { uniqueId: String(uniqueId), status: String(status), message: String(message ?? ''), startedAt: String(s), completedAt: String(c) };
      if (rows !== null && rows !== undefined) r.rowsAffected = Number(rows);
      results.push(r);
    }
  } finally {
    stmt.free();
  }
  return { runId: String(runId), command: String(command), startedAt: String(startedAt), completedAt: String(completedAt), success: Number(success) === 1, results };
}
