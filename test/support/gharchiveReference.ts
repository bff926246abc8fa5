import type { MetricsStore } from '../../src/core/store/store';

/**
 * The GH Archive daily series as defined over the raw rows (`gharchive_events`, `gharchive_hours`):
 * the definition the kept day totals (src/core/gharchive/dayTotals.ts) must reproduce exactly. An
 * event counts only if its hour was imported for its repository; a day without such an hour is a gap
 * (no row); `h` is the number of such hours. Spellings: every case variant of the name stored.
 */
const REFERENCE_SQL = `
  SELECT day, SUM(v) AS v, SUM(h) AS h FROM (
    SELECT substr(hour, 1, 10) AS day, 0 AS v, 1 AS h FROM gharchive_hours
     WHERE status = 'imported' AND EXISTS (SELECT 1 FROM json_each(gharchive_hours.repos) WHERE value = ?1)
    UNION ALL
    SELECT substr(hour, 1, 10) AS day, 1 AS v, 0 AS h FROM gharchive_events
     WHERE lower(tracked_repo) = ?1 AND (?2 IS NULL OR type = ?2)
       AND hour IN (SELECT hour FROM gharchive_hours WHERE status = 'imported' AND EXISTS (SELECT 1 FROM json_each(gharchive_hours.repos) WHERE value = ?1))
  ) GROUP BY day ORDER BY day`;

export function referenceDays(store: MetricsStore, repo: string, type: string | null = null): Array<{ day: string; v: number; h: number }> {
  return store.all<{ day: string; v: number; h: number }>(REFERENCE_SQL, [repo.toLowerCase(), type]).map((r) => ({ day: r.day, v: Number(r.v), h: Number(r.h) }));
}
