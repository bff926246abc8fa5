import type { SqlReader } from '../charts/sqlReader';
import type { Insight } from './insight';
import { fmt } from './insight';
import { median } from './robustStats';

export interface PopularRow {
  day: string;
  name: string;
  count: number;
  uniques: number;
}

export interface NewTrafficSource {
  name: string;
  count: number;
  uniques: number;
  /** Median unique visitors of the entries seen in earlier snapshots (0 when none). */
  usual: number;
  day: string;
  earlierSnapshots: number;
  since: string;
  /** Other new entries of the same snapshot that also qualify, largest first. */
  others: string[];
}

export interface NewSourceOptions {
  /** At least this many unique visitors in the 14-day window. */
  minUniques?: number;
  /** And at least this many times the usual entry's visitors. */
  factor?: number;
}

/**
 * A referrer (or path) in the latest top-10 snapshot that no earlier snapshot listed, and that brought
 * many more unique visitors than the entries seen before usually do. Needs an earlier snapshot: on
 * the first one, everything is new and nothing is news.
 */
export function detectNewTrafficSource(rows: readonly PopularRow[], options: NewSourceOptions = {}): NewTrafficSource | undefined {
  const minUniques = options.minUniques ?? 10;
  const factor = options.factor ?? 2;
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const latest = days.at(-1);
  if (!latest || days.length < 2) return undefined;
  const earlier = rows.filter((r) => r.day < latest);
  const seen = new Set(earlier.map((r) => r.name));
  const best = new Map<string, number>();
  for (const r of earlier) best.set(r.name, Math.max(best.get(r.name) ?? 0, r.uniques));
  const usual = best.size > 0 ? median([...best.values()]) : 0;
  const fresh = rows
    .filter((r) => r.day === latest && !seen.has(r.name) && r.uniques >= minUniques && r.uniques >= factor * usual)
    .sort((a, b) => b.uniques - a.uniques || a.name.localeCompare(b.name));
  const top = fresh[0];
  if (!top) return undefined;
  return { name: top.name, count: top.count, uniques: top.uniques, usual, day: latest, earlierSnapshots: days.length - 1, since: days[0] as string, others: fresh.slice(1, 4).map((r) => r.name) };
}

export function newTrafficSourceInsight(artifactId: string, repo: string, what: 'referrer' | 'path', d: NewTrafficSource): Insight {
  const others = d.others.length ? ` Also new: ${d.others.join(', ')}.` : '';
  return {
    kind: 'new-traffic-source',
    artifactId,
    title: `New ${what} ${d.name} brought ${fmt(d.uniques)} visitors`,
    explanation:
      `${repo}: ${d.name} is in GitHub's top 10 ${what}s of the 14 days to ${d.day} with ${fmt(d.uniques)} unique visitors (${fmt(d.count)} views), ` +
      `and in none of the ${d.earlierSnapshots} earlier snapshots since ${d.since}, where a listed ${what} usually brought ${fmt(d.usual)} ` +
      `(median of their best 14-day counts).${others}`,
    chart: { artifactId, metricKey: 'traffic_visitors', grain: 'day', mode: 'total' },
  };
}

/** The new-referrer and new-path flags of a GitHub repository, from its stored snapshots. */
export function newTrafficSourceInsights(db: SqlReader, a: { artifact: string; source: string; name: string }): Insight[] {
  if (a.source !== 'github') return [];
  const out: Insight[] = [];
  for (const [what, table, col] of [['referrer', 'github_traffic_referrers', 'referrer'], ['path', 'github_traffic_paths', 'path']] as const) {
    const rows = db.all<PopularRow>(`SELECT snapshot_day AS day, ${col} AS name, count, uniques FROM ${table} WHERE repo = ? ORDER BY snapshot_day`, [a.name]);
    const d = detectNewTrafficSource(rows);
    if (d) out.push(newTrafficSourceInsight(a.artifact, a.name, what, d));
  }
  return out;
}
