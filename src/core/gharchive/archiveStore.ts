import type { Needs } from '../store/partitions';
import type { MetricsStore } from '../store/store';
import { refreshDayTotals } from './dayTotals';
import { EVENT_COLUMNS } from './eventRow';
import { writeRawEvents } from './rawEvents';
import type { EventRow } from './eventRow';
import { HOUR } from './hours';
import { judgeHours } from './suspicious';

/**
 * What the import reads from and writes to the store: `gharchive_events` and `gharchive_hours`
 * (migration 3). Writes are idempotent: events are inserted once per event id, and an hour that was
 * imported is never downgraded by a later failed attempt, so no import can lose what is stored.
 */
export type HourStatus = 'imported' | 'missing' | 'corrupt';

export interface HourRecord {
  hour: string;
  status: HourStatus;
  /** Lines (events) in the file; for a corrupt file, those read before it broke. */
  events: number;
  badLines: number;
  /** Compressed bytes received. */
  bytes: number;
  /** Tracked repositories (lower case) this reading of the hour looked for. */
  repos: string[];
  message?: string;
}

export interface ArchiveState {
  /** Imported hours → the repositories (lower case) they were read for. */
  imported: Map<string, Set<string>>;
  /** Repository ids known for tracked names: from earlier events and from the GitHub source's snapshots. */
  knownIds: Array<{ tracked: string; repoId: number }>;
}

export function readArchiveState(store: MetricsStore, tracked: readonly string[]): ArchiveState {
  const imported = new Map<string, Set<string>>();
  for (const r of store.all<{ hour: string; repos: string }>("SELECT hour, repos FROM gharchive_hours WHERE status = 'imported'")) {
    imported.set(r.hour, new Set(parseRepos(r.repos)));
  }
  const wanted = new Map(tracked.map((t) => [t.toLowerCase(), t]));
  const knownIds: ArchiveState['knownIds'] = [];
  const add = (name: string, repoId: number) => {
    const t = wanted.get(name.toLowerCase());
    if (t) knownIds.push({ tracked: t, repoId });
  };
  for (const r of store.all<{ tracked_repo: string; repo_id: number }>('SELECT DISTINCT tracked_repo, repo_id FROM gharchive_repo_names WHERE repo_id != 0')) {
    add(r.tracked_repo, r.repo_id);
  }
  // The GitHub source records the id the API gave for a configured name: events from before a rename
  // (under the old name) then match from the first hour on.
  for (const r of store.all<{ repo: string; repo_id: number }>('SELECT DISTINCT repo, repo_id FROM github_repo_snapshots WHERE repo_id IS NOT NULL')) {
    add(r.repo, r.repo_id);
  }
  return { imported, knownIds };
}

/** Whether an hour needs reading for these repositories (it was imported for all of them already). */
export function alreadyImported(state: ArchiveState, hour: string, repos: readonly string[]): boolean {
  const done = state.imported.get(hour);
  return done !== undefined && repos.every((r) => done.has(r.toLowerCase()));
}

export interface BatchResult {
  /** Events that were not in the store before. */
  added: number;
  /** Hours now flagged as suspicious among those written. */
  suspicious: string[];
  /** Hours whose new status was not written because they were already imported. */
  kept: string[];
}

/** One write transaction's worth (the caller runs it inside `updateStore`). */
export function writeBatch(store: MetricsStore, events: readonly EventRow[], hours: readonly HourRecord[], now: Date): BatchResult {
  const db = store.db;
  let added = 0;
  const insert = db.prepare(`INSERT OR IGNORE INTO gharchive_events (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(', ')})`);
  try {
    for (const e of events) {
      insert.run(EVENT_COLUMNS.map((c) => e[c]));
      added += db.getRowsModified();
    }
  } finally {
    insert.free();
  }
  recordRepoNames(store, events);
  const at = now.toISOString();
  writeRawEvents(db, events.filter((e) => e.raw !== undefined).map((e) => ({ ...e, raw: e.raw as string })), at);

  const kept: string[] = [];
  for (const h of hours) {
    const previous = store.all<{ status: string; repos: string }>('SELECT status, repos FROM gharchive_hours WHERE hour = ?', [h.hour], {})[0];
    if (previous?.status === 'imported' && h.status !== 'imported') {
      // A later 404 or a damaged download says nothing against the copy read before.
      kept.push(h.hour);
      continue;
    }
    const repos = [...new Set([...(previous?.status === 'imported' ? parseRepos(previous.repos) : []), ...h.repos.map((r) => r.toLowerCase())])].sort();
    const matched = Number(db.exec('SELECT COUNT(*) FROM gharchive_events WHERE hour = ?', [h.hour])[0]?.values[0]?.[0] ?? 0);
    db.run(
      `INSERT OR REPLACE INTO gharchive_hours (hour, status, events, matched, suspicious, expected_events, bad_lines, bytes, repos, message, imported_at)
       VALUES (?, ?, ?, ?, 0, NULL, ?, ?, ?, ?, ?)`,
      [h.hour, h.status, h.status === 'missing' ? null : h.events, matched, h.badLines, h.bytes, JSON.stringify(repos), h.message ?? null, at],
    );
  }
  const suspicious = reflag(store, hours.map((h) => Date.parse(h.hour)));
  refreshDayTotals(store, [...hours.map((h) => h.hour), ...events.map((e) => e.hour)]);
  return { added, suspicious, kept };
}

/**
 * What a write of these hours and events reads and writes of the partitioned tables, loaded before it
 * runs: their months of the events, the hours and the day totals (dayTotals.ts), and the hours of the
 * two weeks before the first (the neighbours `reflag` judges an hour against).
 */
export function archiveWriteNeeds(hours: readonly string[]): Needs {
  const valid = hours.filter((h) => Number.isFinite(Date.parse(h))).sort();
  const first = valid[0];
  if (!first) return { gharchive_events: true, gharchive_day_totals: true, gharchive_hours: true };
  const before = new Date(Date.parse(first) - 2 * 7 * 24 * HOUR).toISOString();
  return { gharchive_events: first.slice(0, 7), gharchive_day_totals: first.slice(0, 7), gharchive_hours: before.slice(0, 7) };
}

/**
 * Recomputes the suspicious flag of the hours around those just written (a new neighbour changes the
 * reference of the hours near it). Only hours read in full (imported) count and are judged.
 */
function reflag(store: MetricsStore, written: number[]): string[] {
  const valid = written.filter(Number.isFinite);
  if (valid.length === 0) return [];
  const week = 7 * 24 * HOUR;
  const lo = new Date(Math.min(...valid) - 2 * week).toISOString().replace('.000Z', 'Z');
  const hi = new Date(Math.max(...valid) + 2 * week).toISOString().replace('.000Z', 'Z');
  const rows = store.all<{ hour: string; events: number }>(
    "SELECT hour, events FROM gharchive_hours WHERE status = 'imported' AND hour BETWEEN ? AND ? AND events IS NOT NULL",
    [lo, hi],
    {}, // loaded by the write's needs (archiveWriteNeeds)
  );
  const all = rows.map((r) => ({ ms: Date.parse(r.hour), events: r.events }));
  const targets = all.filter((h) => valid.some((w) => Math.abs(h.ms - w) <= week)).map((h) => h.ms);
  const flags = judgeHours(all, targets);
  const out: string[] = [];
  const writtenSet = new Set(valid);
  for (const [ms, s] of flags) {
    const hour = new Date(ms).toISOString().replace('.000Z', 'Z');
    store.db.run('UPDATE gharchive_hours SET suspicious = ?, expected_events = ? WHERE hour = ?', [s.suspicious ? 1 : 0, s.expected, hour]);
    if (s.suspicious && writtenSet.has(ms)) out.push(hour);
  }
  return out;
}

/** The repository list of a gharchive_hours row (JSON text); anything else is none. */
export function parseRepos(text: string): string[] {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** Keeps gharchive_repo_names (migration 8) up to date with the names and ids of these events. */
export function recordRepoNames(store: MetricsStore, events: readonly EventRow[]): void {
  const seen = new Set<string>();
  const st = store.db.prepare('INSERT OR IGNORE INTO gharchive_repo_names (tracked_repo, repo_name, repo_id) VALUES (?, ?, ?)');
  try {
    for (const e of events) {
      const row = [e.tracked_repo, e.repo_name, e.repo_id ?? 0] as const;
      const key = row.join('\u0000');
      if (seen.has(key)) continue;
      seen.add(key);
      st.run([...row]);
    }
  } finally {
    st.free();
  }
}
