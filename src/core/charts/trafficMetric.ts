import type { MetricDefinition } from './metricCatalog';

/**
 * GitHub traffic as daily series. A day inside the 14-day window of some stored fetch was observed:
 * GitHub lists only days with traffic, so such a day without a row had none (0). A day outside every
 * stored window was never observed (the refresh did not run for 14 days): it has no row and is drawn
 * as a gap. Parameter ?1: the repository.
 */
const OFFSETS = `[${Array.from({ length: 41 }, (_, i) => i).join(',')}]`;

export function trafficDailySql(kind: 'views' | 'clones', column: 'count' | 'uniques'): string {
  return `
  SELECT day, SUM(v) AS v FROM (
    SELECT date(w.window_start, '+' || j.value || ' days') AS day, 0 AS v
      FROM github_traffic_windows w, json_each('${OFFSETS}') j
     WHERE w.repo = ?1 AND w.kind = '${kind}' AND date(w.window_start, '+' || j.value || ' days') <= w.window_end
    UNION ALL
    SELECT day, ${column} AS v FROM github_traffic_daily WHERE repo = ?1 AND kind = '${kind}'
  ) GROUP BY day`;
}

const KEPT = 'GitHub traffic, which GitHub keeps 14 days';

export const TRAFFIC_DEFINITIONS: MetricDefinition[] = [
  { source: 'github', key: 'traffic_views', kind: 'flow', unit: 'views', emptyIsZero: false, counts: `views of the repository's pages on GitHub (${KEPT})`, dailySql: trafficDailySql('views', 'count') },
  {
    source: 'github', key: 'traffic_visitors', kind: 'flow', unit: 'visitors', emptyIsZero: false,
    counts: `unique visitors per day (${KEPT}); over a week or month, a visitor counts once per day visited`,
    dailySql: trafficDailySql('views', 'uniques'),
  },
  { source: 'github', key: 'traffic_clones', kind: 'flow', unit: 'clones', emptyIsZero: false, counts: `git clones of the repository (${KEPT})`, dailySql: trafficDailySql('clones', 'count') },
  {
    source: 'github', key: 'traffic_cloners', kind: 'flow', unit: 'cloners', emptyIsZero: false,
    counts: `unique cloners per day (${KEPT}); over a week or month, a cloner counts once per day`,
    dailySql: trafficDailySql('clones', 'uniques'),
  },
];

/** Tree keys of the 14-day totals, charted as the daily series. */
export const TRAFFIC_ALIASES: Record<string, string> = {
  'github:traffic_views_14d': 'traffic_views',
  'github:traffic_clones_14d': 'traffic_clones',
};
