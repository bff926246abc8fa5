import { parseRepos, recordRepoNames } from '../gharchive/archiveStore';
import { refreshDayTotals } from '../gharchive/dayTotals';
import { EVENT_COLUMNS } from '../gharchive/eventRow';
import type { EventRow } from '../gharchive/eventRow';
import type { MetricsStore } from '../store/store';
import type { DailyCount } from './archiveRows';

/**
 * What the ClickHouse path of the GH Archive import reads from and writes to the store, as plain
 * functions over a MetricsStore (called inside `updateStore`, like archiveStore.ts), so they move with
 * the store wherever it runs. One call writes one chunk of days whole: its events, its daily counts
 * and the coverage of its hours, in the caller's transaction.
 */

/** Names the archive used for each tracked repository (lower case → stored repo_name values). */
export function knownRepoNames(store: MetricsStore, tracked: readonly string[]): Map<string, Set<string>> {
  const out = new Map(tracked.map((t) => [t.toLowerCase(), new Set<string>([t])]));
  for (const r of store.all<{ tracked_repo: string; repo_name: string }>('SELECT DISTINCT tracked_repo, repo_name FROM gharchive_repo_names')) {
    out.get(r.tracked_repo.toLowerCase())?.add(r.repo_name);
  }
  return out;
}

export interface ChunkWrite {
  events: readonly EventRow[];
  counts: readonly DailyCount[];
  /** Hours (ISO keys) the table holds, and hours asked but not yet in it. */
  importedHours: readonly string[];
  missingHours: readonly string[];
  repos: readonly string[];
  source: string;
  now: Date;
}

export interface ChunkWritten {
  added: number;
  counts: number;
}

export function writeClickHouseChunk(store: MetricsStore, w: ChunkWrite): ChunkWritten {
  const db = store.db;
  const lower = [...new Set(w.repos.map((r) => r.toLowerCase()))].sort();
  const at = w.now.toISOString();
  // Hours already imported for a repository (from the hourly files or an earlier run) keep their events.
  const done = new Map<string, Set<string>>();
  const all = [...w.importedHours, ...w.missingHours].sort();
  for (const r of store.all<{ hour: string; repos: string }>(
    "SELECT hour, repos FROM gharchive_hours WHERE status = 'imported' AND hour BETWEEN ? AND ?",
    [all[0] ?? '', all[all.length - 1] ?? ''],
    {}, // loaded by the write's needs (archiveWriteNeeds)
  )) {
    done.set(r.hour, new Set(parseRepos(r.repos)));
  }
  let added = 0;
  const insert = db.prepare(`INSERT OR IGNORE INTO gharchive_events (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(', ')})`);
  try {
    for (const e of w.events) {
      if (done.get(e.hour)?.has(e.tracked_repo.toLowerCase())) continue;
      insert.run(EVENT_COLUMNS.map((c) => e[c]));
      added += db.getRowsModified();
    }
  } finally {
    insert.free();
  }
  recordRepoNames(store, w.events);
  for (const c of w.counts) {
    db.run(
      `INSERT INTO gharchive_daily_counts (day, repo, event_type, events, actors, source, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (repo, day, event_type) DO UPDATE SET events = excluded.events, actors = excluded.actors, source = excluded.source, fetched_at = excluded.fetched_at`,
      [c.day, c.repo, c.eventType, c.events, c.actors, w.source, at],
    );
  }
  const message = `read through ClickHouse (${w.source}): events of the tracked repositories only`;
  for (const hour of w.importedHours) {
    const previous = done.get(hour);
    const repos = [...new Set([...(previous ?? []), ...lower])].sort();
    const matched = Number(db.exec('SELECT COUNT(*) FROM gharchive_events WHERE hour = ?', [hour])[0]?.values[0]?.[0] ?? 0);
    if (previous) {
      db.run('UPDATE gharchive_hours SET repos = ?, matched = ? WHERE hour = ?', [JSON.stringify(repos), matched, hour]);
    } else {
      db.run(
        `INSERT OR REPLACE INTO gharchive_hours (hour, status, events, matched, suspicious, expected_events, bad_lines, bytes, repos, message, imported_at)
         VALUES (?, 'imported', NULL, ?, 0, NULL, 0, NULL, ?, ?, ?)`,
        [hour, matched, JSON.stringify(repos), message, at],
      );
    }
  }
  for (const hour of w.missingHours) {
    if (done.has(hour)) continue;
    db.run(
      `INSERT INTO gharchive_hours (hour, status, events, matched, suspicious, expected_events, bad_lines, bytes, repos, message, imported_at)
       VALUES (?, 'missing', NULL, 0, 0, NULL, 0, NULL, ?, ?, ?)
       ON CONFLICT (hour) DO UPDATE SET message = excluded.message, imported_at = excluded.imported_at WHERE gharchive_hours.status != 'imported'`,
      [hour, JSON.stringify(lower), `not yet in the ClickHouse table (${w.source}); the next import asks again`, at],
    );
  }
  refreshDayTotals(store, [...w.importedHours, ...w.missingHours, ...w.events.map((e) => e.hour)]);
  return { added, counts: w.counts.length };
}
