import type { Database, SqlValue } from 'sql.js';
import type { MetricsStore } from '../store/store';

/**
 * `gharchive_day_totals` (migration 9): per tracked repository (lower case) and UTC day, how many of
 * the day's archive hours were imported for it, and its events in those hours, in all and per event
 * type. It is what the GH Archive charts and the tree read (gharchiveMetric.ts), instead of the events
 * themselves: a repository's whole history is a few thousand rows, where its events are millions, and
 * a first chart no longer loads every month of the events table (partitions.ts).
 *
 * The rule is GH Archive's coverage rule, kept exact: an event counts only if its archive hour was
 * imported *for its repository* (the hour's `repos`), and a day with no such hour has no row (a gap),
 * while a day with such hours and no event is a row with 0. The totals of a day are recomputed whole,
 * from that day's hours and events, by every write that changes either (archiveStore.ts,
 * archiveCountsStore.ts): they are a function of the stored rows, never added up incrementally.
 */

/** The next UTC day (`YYYY-MM-DD`), or month (`YYYY-MM`): the bound of a range of `hour` values. */
function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

interface TotalRow {
  repo: string;
  day: string;
  hours: number;
  events: number;
  types: string;
}

/**
 * The totals of the days in [from, to) (bounds compared with `hour`, e.g. `2026-03-01` and
 * `2026-04-01`), from `main`'s hours and the events of `schema` (main, or a partition file attached
 * for a scan). One pass over the range's hours and one over its events, by their hour index.
 */
function computeTotals(db: Database, schema: string, from: string, to: string): TotalRow[] {
  const stmt = db.prepare(dayTotalsSql(schema));
  try {
    stmt.bind([from, to] as SqlValue[]);
    const out: TotalRow[] = [];
    while (stmt.step()) out.push(stmt.getAsObject() as unknown as TotalRow);
    return out;
  } finally {
    stmt.free();
  }
}

/**
 * The query behind the totals: ?1 and ?2 bound the `hour` range; gives repo, day, hours, events and
 * types. Exported for the native baseline of bench/storeScale.ts (the same SQL on better-sqlite3).
 */
export function dayTotalsSql(schema: string): string {
  return `
    WITH cov AS MATERIALIZED (
      SELECT DISTINCT h.hour AS hour, j.value AS repo
        FROM main.gharchive_hours h, json_each(h.repos) j
       WHERE h.status = 'imported' AND h.hour >= ?1 AND h.hour < ?2 AND json_valid(h.repos) AND j.type = 'text'),
    hrs AS (SELECT substr(hour, 1, 10) AS day, repo, COUNT(*) AS hours FROM cov GROUP BY 1, 2),
    ev AS (
      SELECT substr(e.hour, 1, 10) AS day, lower(e.tracked_repo) AS repo, e.type AS type, COUNT(*) AS n
        FROM ${schema}.gharchive_events e
       WHERE e.hour >= ?1 AND e.hour < ?2
         AND EXISTS (SELECT 1 FROM cov WHERE cov.hour = e.hour AND cov.repo = lower(e.tracked_repo))
       GROUP BY 1, 2, 3),
    evd AS (SELECT day, repo, SUM(n) AS events, json_group_object(type, n) AS types FROM ev GROUP BY 1, 2)
    SELECT hrs.repo AS repo, hrs.day AS day, hrs.hours AS hours, IFNULL(evd.events, 0) AS events, IFNULL(evd.types, '{}') AS types
      FROM hrs LEFT JOIN evd ON evd.day = hrs.day AND evd.repo = hrs.repo`;
}

/** Replaces the stored totals of the days in [from, to) with these rows. */
function storeTotals(db: Database, from: string, to: string, rows: readonly TotalRow[]): void {
  // Coverage never shrinks (an imported hour is never downgraded, its repositories only grow), so a
  // day's rows are only ever replaced by rows at least as wide; the DELETE covers hand-made damage.
  db.run('DELETE FROM main.gharchive_day_totals WHERE day >= ? AND day < ?', [from.slice(0, 10), to.slice(0, 10)]);
  const st = db.prepare('INSERT OR REPLACE INTO main.gharchive_day_totals (repo, day, hours, events, types) VALUES (?, ?, ?, ?, ?)');
  try {
    for (const r of rows) st.run([r.repo, r.day, r.hours, r.events, r.types]);
  } finally {
    st.free();
  }
}

/**
 * Recomputes the totals of the UTC days these hours (`2026-03-01T05:00:00Z`, or days) fall on. The
 * caller's write has those days' hours, events and totals in memory (its declared needs: the months
 * of the hours it wrote).
 */
export function refreshDayTotals(store: MetricsStore, hours: Iterable<string>): void {
  const days = [...new Set([...hours].map((h) => h.slice(0, 10)).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)))].sort();
  for (const day of days) {
    const to = nextDay(day);
    storeTotals(store.db, day, to, computeTotals(store.db, 'main', day, to));
  }
}

/**
 * Fills the totals of a store that has none yet (a store written before migration 9), month by month:
 * from `main`'s own events rows where it holds them (a store from before partitions), else from the
 * month's partition file, attached for the scan and never loaded into the live table (`scanMonth`):
 * the first open after the upgrade reads each month once, without holding the whole history in memory.
 * The months are those of the imported hours; `listedEventMonths` are the events' months the partition
 * catalog lists.
 */
export function backfillDayTotals(
  store: MetricsStore,
  listedEventMonths: readonly string[],
  scanMonth: (month: string, fn: (schema: string) => void) => boolean,
): number {
  const db = store.db;
  const one = (sql: string): string[] => db.exec(sql)[0]?.values.map((v) => String(v[0])) ?? [];
  const months = one("SELECT DISTINCT substr(hour, 1, 7) FROM main.gharchive_hours WHERE status = 'imported' AND hour GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]*' ORDER BY 1");
  const inMain = new Set(one("SELECT DISTINCT substr(hour, 1, 7) FROM main.gharchive_events WHERE hour GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]*'"));
  const listed = new Set(listedEventMonths);
  let written = 0;
  for (const month of months) {
    const from = `${month}-01`;
    const to = `${nextMonth(month)}-01`;
    let rows: TotalRow[] | undefined;
    if (!inMain.has(month) && listed.has(month)) {
      // A month file that cannot be read gives that month no totals: its days read as gaps (unknown),
      // never as days without events; loading the month reports the file (partitions.ts), and a later
      // import of any of its hours recomputes the day.
      const ok = scanMonth(month, (schema) => {
        rows = computeTotals(db, schema, from, to);
      });
      if (!ok) continue;
    }
    rows ??= computeTotals(db, 'main', from, to);
    storeTotals(db, from, to, rows);
    written += rows.length;
  }
  return written;
}

/** The pending task that asks for a backfill (migration 9 sets it when the store has GH Archive hours). */
export const DAY_TOTALS_TASK = 'gharchive_day_totals';

/** Recomputes every day's totals from the rows in the live tables (a store whose rows are all in memory). */
export function rebuildDayTotals(store: MetricsStore): number {
  return backfillDayTotals(store, [], () => false);
}
