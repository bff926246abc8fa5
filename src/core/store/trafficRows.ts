import type { MetricsStore } from './store';

/**
 * Rows of GitHub's traffic (views, clones, popular referrers and paths), written as idempotent
 * upserts: a repeated refresh replaces a day's count or a day's top-10 snapshot, never adds to it.
 */

export type TrafficKind = 'views' | 'clones';

export interface TrafficDay {
  day: string;
  count: number;
  uniques: number;
}

/** One fetch of `/traffic/views` or `/traffic/clones`: the window it covered, its totals and its days. */
export interface TrafficCounts {
  repo: string;
  kind: TrafficKind;
  snapshotDay: string;
  windowStart: string;
  windowEnd: string;
  count: number | null;
  uniques: number | null;
  fetchedAt: string;
  days: TrafficDay[];
}

export interface PopularEntry {
  /** The referrer (`Google`, `news.ycombinator.com`) or the path (`/owner/repo/blob/main/README.md`). */
  name: string;
  /** Page title, for paths. */
  title?: string | null;
  count: number;
  uniques: number;
}

/** One fetch of `/traffic/popular/referrers` or `/traffic/popular/paths`: the top 10 of a 14-day window. */
export interface PopularSnapshot {
  repo: string;
  kind: 'referrers' | 'paths';
  snapshotDay: string;
  windowStart: string;
  windowEnd: string;
  fetchedAt: string;
  entries: PopularEntry[];
}

export function upsertTrafficCounts(store: MetricsStore, t: TrafficCounts): void {
  store.db.run(
    `INSERT INTO github_traffic_windows (repo, kind, snapshot_day, window_start, window_end, count, uniques, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (repo, kind, snapshot_day) DO UPDATE SET window_start = MIN(window_start, excluded.window_start), window_end = MAX(window_end, excluded.window_end),
       count = excluded.count, uniques = excluded.uniques, fetched_at = excluded.fetched_at`,
    [t.repo, t.kind, t.snapshotDay, t.windowStart, t.windowEnd, t.count, t.uniques, t.fetchedAt],
  );
  for (const d of t.days) {
    store.db.run(
      `INSERT INTO github_traffic_daily (repo, kind, day, count, uniques, fetched_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (repo, kind, day) DO UPDATE SET count = excluded.count, uniques = excluded.uniques, fetched_at = excluded.fetched_at`,
      [t.repo, t.kind, d.day, d.count, d.uniques, t.fetchedAt],
    );
  }
}

/** Replaces the day's snapshot: a referrer that left the top 10 since the day's earlier fetch goes with it. */
export function replacePopularSnapshot(store: MetricsStore, s: PopularSnapshot): void {
  const table = s.kind === 'referrers' ? 'github_traffic_referrers' : 'github_traffic_paths';
  store.db.run(`DELETE FROM ${table} WHERE repo = ? AND snapshot_day = ?`, [s.repo, s.snapshotDay]);
  store.db.run(
    `INSERT INTO github_traffic_windows (repo, kind, snapshot_day, window_start, window_end, count, uniques, fetched_at) VALUES (?, ?, ?, ?, ?, NULL, NULL, ?)
     ON CONFLICT (repo, kind, snapshot_day) DO UPDATE SET window_start = excluded.window_start, window_end = excluded.window_end, fetched_at = excluded.fetched_at`,
    [s.repo, s.kind, s.snapshotDay, s.windowStart, s.windowEnd, s.fetchedAt],
  );
  for (const e of s.entries) {
    if (s.kind === 'referrers') {
      store.db.run(
        `INSERT INTO github_traffic_referrers (repo, snapshot_day, window_start, window_end, referrer, count, uniques, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (repo, snapshot_day, referrer) DO UPDATE SET count = excluded.count, uniques = excluded.uniques`,
        [s.repo, s.snapshotDay, s.windowStart, s.windowEnd, e.name, e.count, e.uniques, s.fetchedAt],
      );
    } else {
      store.db.run(
        `INSERT INTO github_traffic_paths (repo, snapshot_day, window_start, window_end, path, title, count, uniques, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (repo, snapshot_day, path) DO UPDATE SET title = excluded.title, count = excluded.count, uniques = excluded.uniques`,
        [s.repo, s.snapshotDay, s.windowStart, s.windowEnd, e.name, e.title ?? null, e.count, e.uniques, s.fetchedAt],
      );
    }
  }
}

/** Whether a fetch of this kind was stored for the day already. */
export function hasTrafficWindow(store: MetricsStore, repo: string, kind: string, snapshotDay: string): boolean {
  return store.all('SELECT 1 FROM github_traffic_windows WHERE repo = ? AND kind = ? AND snapshot_day = ? LIMIT 1', [repo, kind, snapshotDay]).length > 0;
}

/**
 * A 304 for views or clones: GitHub's list is as it was, so the days of the new window that it does
 * not list had none. Records the window (with the last totals); the daily rows stand.
 */
export function carryForwardTrafficWindow(store: MetricsStore, repo: string, kind: TrafficKind, snapshotDay: string, windowStart: string, windowEnd: string, fetchedAt: string): void {
  store.db.run(
    `INSERT OR IGNORE INTO github_traffic_windows (repo, kind, snapshot_day, window_start, window_end, count, uniques, fetched_at)
       SELECT ?1, ?2, ?3, ?4, ?5, count, uniques, ?6 FROM github_traffic_windows WHERE repo = ?1 AND kind = ?2 ORDER BY snapshot_day DESC LIMIT 1`,
    [repo, kind, snapshotDay, windowStart, windowEnd, fetchedAt],
  );
}

/** The last top-10 snapshot of referrers or paths, carried forward to `day` (an unchanged 304 answer). */
export function carryForwardPopular(s: MetricsStore, repo: string, kind: 'referrers' | 'paths', day: string, windowStart: string, at: string): void {
  const table = kind === 'referrers' ? 'github_traffic_referrers' : 'github_traffic_paths';
  const last = s.all<{ d: string | null }>(`SELECT MAX(snapshot_day) AS d FROM ${table} WHERE repo = ?`, [repo])[0]?.d;
  if (!last) return;
  const key = kind === 'referrers' ? 'referrer' : 'path';
  const rows = s.all<{ name: string; title: string | null; count: number; uniques: number }>(
    `SELECT ${key} AS name, ${kind === 'paths' ? 'title' : 'NULL'} AS title, count, uniques FROM ${table} WHERE repo = ? AND snapshot_day = ?`,
    [repo, last],
  );
  replacePopularSnapshot(s, { repo, kind, snapshotDay: day, windowStart, windowEnd: day, fetchedAt: at, entries: rows });
}
