import type { ChartPayload } from './chartPayload';
import { CHART_DATASET, VEGA_LITE_SCHEMA } from './chartPayload';
import { metricChart } from './metricChart';
import { metricSeries } from './metricSeries';
import { releaseEvents } from './releaseEvents';
import type { MetricSeries, SeriesPoint } from './metricSeries';
import type { ViewArtifact, ViewRange } from './seedViews';
import type { SqlReader } from './sqlReader';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const TOP_REFERRERS = 6;
const TOP_VERSIONS = 8;
const DAY_MS = 86_400_000;
const shift = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

function within(range: ViewRange, col: string): string {
  return [range.from && DAY.test(range.from) ? `${col} >= '${range.from}'` : '', range.to && DAY.test(range.to) ? `${col} <= '${range.to}'` : ''].filter(Boolean).join(' AND ') || '1';
}

/**
 * Views and clones per day (GitHub traffic kept past GitHub's 14 days), with the repository's
 * releases drawn as rules on the same time axis: does a release bring visitors? Days no refresh
 * observed are gaps (metricSeries), never 0.
 */
export function trafficChart(db: SqlReader, a: ViewArtifact, range: ViewRange): ChartPayload | undefined {
  const series = ['traffic_views', 'traffic_clones']
    .map((k) => metricSeries(db, a.artifact, k, { grain: 'day', mode: 'total', ...range }))
    .filter((s) => s.points.length > 0);
  if (series.length === 0) return undefined;
  const periods = series.flatMap((s) => s.points.map((p) => p.period)).sort();
  const first = periods[0] as string;
  const last = periods.at(-1) as string;
  // The repository's releases on the same time axis, drawn like every time chart's (metricChart).
  const events = releaseEvents(db, [a.name]).filter((e) => e.day >= first && e.day <= last);
  const chart = metricChart(series, { title: `${a.name}: views and clones per day (GitHub traffic), releases marked`, events });
  chart.id = `traffic:${a.artifact}`;
  if (events.length) chart.summary += ` Releases in the period (dashed rules): ${events.map((e) => `${e.label} on ${e.day}`).join(', ')}.`;
  return chart;
}

/**
 * Top referrers over time: for each dated snapshot, the unique visitors each referrer brought in
 * the 14 days before it. A day without a snapshot, or a referrer outside that day's top 10, is a
 * gap: GitHub says nothing about it.
 */
export function referrersChart(db: SqlReader, a: ViewArtifact, range: ViewRange): ChartPayload | undefined {
  const rows = db.all<{ day: string; referrer: string; uniques: number }>(
    `WITH r AS (SELECT snapshot_day AS day, referrer, uniques FROM github_traffic_referrers WHERE repo = ? AND ${within(range, 'snapshot_day')}),
       top AS (SELECT referrer FROM r GROUP BY referrer ORDER BY MAX(uniques) DESC, referrer LIMIT ${TOP_REFERRERS})
     SELECT day, referrer, uniques FROM r WHERE referrer IN (SELECT referrer FROM top) ORDER BY day`,
    [a.name],
  );
  if (rows.length === 0) return undefined;
  const first = rows[0]?.day as string;
  const last = rows.at(-1)?.day as string;
  const calendar: string[] = [];
  for (let d = first; d <= last; d = shift(d, 1)) calendar.push(d);
  const byReferrer = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const m = byReferrer.get(r.referrer) ?? new Map<string, number>();
    m.set(r.day, Number(r.uniques));
    byReferrer.set(r.referrer, m);
  }
  const counts = "unique visitors from this referrer in the 14 days to each snapshot (GitHub's top 10 referrers)";
  const series: MetricSeries[] = [...byReferrer].map(([referrer, m]) => ({
    artifactId: a.artifact,
    metricKey: `referrer:${referrer}`,
    name: referrer,
    label: `${referrer}: ${counts}`,
    counts,
    unit: 'unique visitors',
    axisTitle: 'unique visitors, 14 days to the snapshot',
    kind: 'level',
    mode: 'total',
    grain: 'day',
    points: calendar.map((period): SeriesPoint => ({ period, value: m.get(period) ?? null })),
  }));
  const chart = metricChart(series, { title: `${a.name}: top referrers over time (unique visitors in each 14-day window)` });
  chart.id = `traffic-referrers:${a.artifact}`;
  return chart;
}

/**
 * npm version adoption, like PyPI's: each daily snapshot's downloads of the last 7 days split by
 * version, as shares (top versions, the rest as "other"). One bar per snapshot day, so a day no
 * refresh took a snapshot is an empty slot on the time axis, never 0 and never interpolated.
 */
export function npmVersionAdoption(db: SqlReader, pkg: string, range: ViewRange): ChartPayload | undefined {
  const rows = db.all<{ day: string; version: string; downloads: number }>(
    `WITH d AS (SELECT snapshot_day AS day, version, downloads FROM npm_version_downloads WHERE package = ? AND ${within(range, 'snapshot_day')}),
       top AS (SELECT version FROM d GROUP BY version ORDER BY SUM(downloads) DESC LIMIT ${TOP_VERSIONS})
     SELECT day, CASE WHEN version IN (SELECT version FROM top) THEN version ELSE 'other' END AS version, SUM(downloads) AS downloads
       FROM d GROUP BY 1, 2 ORDER BY 1, 2`,
    [pkg],
  );
  if (rows.length === 0) return undefined;
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.day, (totals.get(r.day) ?? 0) + r.downloads);
  const values = rows.map((r) => ({ day: r.day, version: r.version, downloads: r.downloads, share: Math.round((r.downloads / (totals.get(r.day) || 1)) * 10000) / 100 }));
  const versions = [...new Set(rows.map((r) => r.version))];
  const days = [...totals.keys()];
  const lastDay = days.at(-1);
  const leader = values.filter((v) => v.day === lastDay).sort((x, y) => y.share - x.share)[0];
  const spanDays = Math.round((Date.parse(`${lastDay}T00:00:00Z`) - Date.parse(`${days[0]}T00:00:00Z`)) / DAY_MS) + 1;
  const missing = spanDays - days.length;
  return {
    id: `npm-version-adoption:${pkg}`,
    title: `${pkg}: downloads by version, daily snapshots of the last 7 days`,
    spec: {
      $schema: VEGA_LITE_SCHEMA, width: 'container', height: 280, autosize: { type: 'fit', contains: 'padding', resize: true }, data: { name: CHART_DATASET },
      description: `Share of the last 7 days' npm downloads of ${pkg} by version, at each daily snapshot`,
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'day', type: 'temporal', timeUnit: 'utcyearmonthdate', title: 'snapshot day (UTC)', axis: { format: '%Y-%m-%d', labelOverlap: true } },
        y: { field: 'downloads', type: 'quantitative', stack: 'normalize', title: 'share of the 7 days’ downloads', axis: { format: '%' } },
        color: { field: 'version', type: 'nominal', title: 'version', sort: versions },
        tooltip: [{ field: 'day', type: 'temporal', timeUnit: 'utcyearmonthdate', title: 'snapshot' }, { field: 'version', type: 'nominal' }, { field: 'share', type: 'quantitative', title: '% of 7 days' }, { field: 'downloads', type: 'quantitative', format: ',d' }],
      },
    },
    dataset: CHART_DATASET,
    values,
    columns: ['day', 'version', 'downloads', 'share'],
    summary: `${pkg}: ${days.length} daily snapshots of npm's per-version downloads of the last 7 days, from ${days[0]} to ${lastDay}` +
      (missing > 0 ? `; ${missing} day${missing === 1 ? '' : 's'} without a snapshot, left empty` : '') + '.' +
      (leader ? ` On ${lastDay}, ${leader.version} had the largest share, ${leader.share}%.` : ''),
    series: versions,
  };
}
