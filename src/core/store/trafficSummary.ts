import { trafficDailySql } from '../charts/trafficMetric';
import type { SqlReader } from '../charts/sqlReader';
import type { MetricSummary } from './artifactMetrics';

const DAY_MS = 86_400_000;
const WINDOW = 14;
const shift = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/**
 * The 14-day totals GitHub shows on its traffic page, kept past GitHub's 14 days: views and clones
 * in the 14 observed days to the latest one, and their change against the 14 days ending 7 and 30
 * days earlier — given only when every day of that earlier window was observed (a day the refresh
 * never saw is unknown, not 0). Listed only for repositories whose traffic the token could read.
 */
export function trafficSummaries(db: SqlReader, repo: string): MetricSummary[] {
  const out: MetricSummary[] = [];
  // The latest release beside the traffic: did it bring visitors? (the dashboard draws every release)
  const release = db.all<{ tag: string; day: string }>(
    `SELECT COALESCE(tag_name, name) AS tag, substr(COALESCE(published_at, created_at), 1, 10) AS day FROM github_releases
      WHERE repo = ? AND draft = 0 AND COALESCE(published_at, created_at) IS NOT NULL ORDER BY COALESCE(published_at, created_at) DESC LIMIT 1`,
    [repo],
  )[0];
  const releaseNote = release ? `; latest release ${release.tag ?? '(untitled)'} on ${release.day}` : '';
  for (const [kind, key, label, unit] of [['views', 'traffic_views_14d', 'Views, last 14 days', 'views'], ['clones', 'traffic_clones_14d', 'Clones, last 14 days', 'clones']] as const) {
    const days = db.all<{ day: string; v: number }>(`SELECT day, v FROM (${trafficDailySql(kind, 'count')}) ORDER BY day`, [repo]);
    const last = days.at(-1);
    if (!last) continue;
    const byDay = new Map(days.map((d) => [d.day, Number(d.v)]));
    const total = (end: string): number | undefined => {
      let s = 0;
      for (let i = 0; i < WINDOW; i++) {
        const v = byDay.get(shift(end, -i));
        if (v === undefined) return undefined;
        s += v;
      }
      return s;
    };
    // The latest window may reach before the first observed day: sum what was observed.
    let latest = 0;
    for (let i = 0; i < WINDOW; i++) latest += byDay.get(shift(last.day, -i)) ?? 0;
    const m: MetricSummary = {
      key, label,
      description: `${unit} of the repository on GitHub in the 14 days to ${last.day} (GitHub traffic, kept here past GitHub's 14 days)${releaseNote}`,
      latest,
      latestAt: last.day,
    };
    const week = total(shift(last.day, -7));
    const month = total(shift(last.day, -30));
    if (week !== undefined) m.change7d = latest - week;
    if (month !== undefined) m.change30d = latest - month;
    out.push(m);
  }
  return out;
}
