import type { ChartPayload } from './chartPayload';
import { CHART_DATASET, VEGA_LITE_SCHEMA } from './chartPayload';
import type { ArtifactSource } from './metricCatalog';
import { metricChart } from './metricChart';
import { metricSeries } from './metricSeries';
import type { SqlReader } from './sqlReader';
import { npmVersionAdoption, referrersChart, trafficChart } from './trafficViews';

/** The seed article's Superset views, ready-made, each over SQL aggregates of the store. */
export interface ViewArtifact {
  artifact: string;
  source: ArtifactSource;
  name: string;
  project: string;
}

export interface ViewRange {
  from?: string;
  to?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** A date bound as SQL text; anything but YYYY-MM-DD is ignored rather than put in a query. */
const bound = (col: string, r: ViewRange) =>
  [r.from && DAY.test(r.from) ? `${col} >= '${r.from}'` : '', r.to && DAY.test(r.to) ? `${col} <= '${r.to}'` : ''].filter(Boolean).join(' AND ') || '1';

const TOP_VERSIONS = 8;
const TOP_PEOPLE = 10;

function payload(id: string, title: string, spec: Record<string, unknown>, values: ChartPayload['values'], columns: string[], summary: string, series: string[]): ChartPayload {
  return { id, title, spec: { $schema: VEGA_LITE_SCHEMA, width: 'container', height: 280, autosize: { type: 'fit', contains: 'padding', resize: true }, data: { name: CHART_DATASET }, ...spec }, dataset: CHART_DATASET, values, columns, summary, series };
}

const monthAxis = { field: 'month', type: 'temporal', title: 'month (UTC)', scale: { type: 'utc' }, axis: { tickCount: 'month', format: '%b %Y', labelOverlap: true } };

/** Version adoption: each month's downloads split by version, as shares (top versions, the rest as "other"). */
export function versionAdoption(db: SqlReader, pkg: string, range: ViewRange): ChartPayload | undefined {
  const rows = db.all<{ month: string; version: string; downloads: number }>(
    `WITH d AS (SELECT date(date, 'start of month') AS month, version, downloads FROM pypi_version_downloads_daily WHERE package = ? AND ${bound('date', range)}),
     top AS (SELECT version FROM d GROUP BY version ORDER BY SUM(downloads) DESC LIMIT ${TOP_VERSIONS})
     SELECT month, CASE WHEN version IN (SELECT version FROM top) THEN version ELSE 'other' END AS version, SUM(downloads) AS downloads
       FROM d GROUP BY 1, 2 ORDER BY 1, 2`,
    [pkg],
  );
  if (rows.length === 0) return undefined;
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.month, (totals.get(r.month) ?? 0) + r.downloads);
  const values = rows.map((r) => ({ month: r.month, version: r.version, downloads: r.downloads, share: Math.round((r.downloads / (totals.get(r.month) || 1)) * 10000) / 100 }));
  const versions = [...new Set(rows.map((r) => r.version))];
  const lastMonth = rows[rows.length - 1]?.month;
  const leader = values.filter((v) => v.month === lastMonth).sort((a, b) => b.share - a.share)[0];
  return payload(`version-adoption:${pkg}`, `${pkg}: downloads by version, monthly shares`, {
    description: `Share of each month's downloads of ${pkg} by version (pepy.tech, mirrors included)`,
    mark: { type: 'area' },
    encoding: {
      x: monthAxis,
      y: { field: 'downloads', type: 'quantitative', stack: 'normalize', title: 'share of the month’s downloads', axis: { format: '%' } },
      color: { field: 'version', type: 'nominal', title: 'version', sort: versions },
      tooltip: [{ field: 'version', type: 'nominal' }, { field: 'share', type: 'quantitative', title: '% of month' }, { field: 'downloads', type: 'quantitative', format: ',d' }],
    },
  }, values, ['month', 'version', 'downloads', 'share'], `${pkg}: ${new Set(rows.map((r) => r.month)).size} months of downloads by version (pepy.tech, mirrors included).` + (leader ? ` In ${lastMonth}, ${leader.version} had the largest share, ${leader.share}%.` : ''), versions);
}

/** Package migration: the monthly share of downloads of each package of a project (e.g. marquez-airflow → openlineage-airflow). */
export function packageShare(db: SqlReader, project: string, packages: string[], range: ViewRange): ChartPayload | undefined {
  if (packages.length < 2) return undefined;
  const marks = packages.map(() => '?').join(', ');
  const rows = db.all<{ month: string; package: string; downloads: number }>(
    `SELECT date(date, 'start of month') AS month, package, SUM(downloads) AS downloads FROM pypi_downloads_daily
      WHERE package IN (${marks}) AND category_type = 'overall' AND category = 'without_mirrors' AND ${bound('date', range)}
      GROUP BY 1, 2 ORDER BY 1, 2`,
    packages,
  );
  if (new Set(rows.map((r) => r.package)).size < 2) return undefined;
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.month, (totals.get(r.month) ?? 0) + r.downloads);
  const values = rows.map((r) => ({ month: r.month, package: r.package, downloads: r.downloads, share: Math.round((r.downloads / (totals.get(r.month) || 1)) * 10000) / 100 }));
  const last = rows[rows.length - 1]?.month;
  const parts = values.filter((v) => v.month === last).map((v) => `${v.package} ${v.share}%`).join(', ');
  return payload(`package-share:${project}`, `${project}: share of downloads by package (migration)`, {
    description: `Monthly share of PyPI downloads (pypistats, mirrors excluded) between ${packages.join(', ')}`,
    mark: { type: 'area' },
    encoding: {
      x: monthAxis,
      y: { field: 'downloads', type: 'quantitative', stack: 'normalize', title: 'share of the project’s downloads', axis: { format: '%' } },
      color: { field: 'package', type: 'nominal', title: 'package' },
      tooltip: [{ field: 'package', type: 'nominal' }, { field: 'share', type: 'quantitative', title: '% of month' }, { field: 'downloads', type: 'quantitative', format: ',d' }],
    },
  }, values, ['month', 'package', 'downloads', 'share'], `${project}: monthly share of PyPI downloads (mirrors excluded) by package.${last ? ` In ${last}: ${parts}.` : ''}`, packages);
}

/** Top-N active people: Slack members by messages, or commit authors, over the range (or all data). */
export function topActive(db: SqlReader, a: ViewArtifact, range: ViewRange): ChartPayload | undefined {
  const q = a.source === 'slack'
    ? `SELECT COALESCE(NULLIF(realname, ''), username) AS person, COUNT(*) AS count FROM slack_messages WHERE domain = ? AND username IS NOT NULL AND ${bound('substr(message_time, 1, 10)', range)} GROUP BY 1`
    : `SELECT COALESCE(author_login, author_name) AS person, COUNT(*) AS count FROM github_commits WHERE repo = ? AND ${bound('substr(author_date, 1, 10)', range)} GROUP BY 1`;
  const rows = db.all<{ person: string | null; count: number }>(`${q} ORDER BY count DESC, person LIMIT ${TOP_PEOPLE}`, [a.name]).filter((r) => r.person);
  if (rows.length === 0) return undefined;
  const what = a.source === 'slack' ? 'messages' : 'commits';
  const values = rows.map((r) => ({ person: r.person as string, count: r.count }));
  return payload(`top-active:${a.artifact}`, `${a.name}: most active ${a.source === 'slack' ? 'members' : 'commit authors'}`, {
    description: `Top ${rows.length} people by ${what}`,
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'person', type: 'nominal', sort: '-x', title: null },
      x: { field: 'count', type: 'quantitative', title: what },
      tooltip: [{ field: 'person', type: 'nominal' }, { field: 'count', type: 'quantitative' }],
    },
  }, values, ['person', 'count'], `${a.name}: top ${rows.length} by ${what}: ${values.slice(0, 3).map((v) => `${v.person} ${v.count}`).join(', ')}.`, values.map((v) => v.person));
}

/** Issues and pull requests opened vs closed per week, and the mean days to close of those closed each month. */
export function issuesFlow(db: SqlReader, repo: string, range: ViewRange): ChartPayload[] {
  const flow = db.all<{ week: string; what: string; n: number }>(
    `WITH e AS (
       SELECT date(substr(created_at, 1, 10), '-6 days', 'weekday 1') AS week, 'opened' AS what FROM github_issues WHERE repo = ?1 AND ${bound('substr(created_at, 1, 10)', range)}
       UNION ALL
       SELECT date(substr(closed_at, 1, 10), '-6 days', 'weekday 1'), 'closed' FROM github_issues WHERE repo = ?1 AND closed_at IS NOT NULL AND ${bound('substr(closed_at, 1, 10)', range)})
     SELECT week, what, COUNT(*) AS n FROM e GROUP BY 1, 2 ORDER BY 1, 2`,
    [repo],
  );
  if (flow.length === 0) return [];
  const out: ChartPayload[] = [];
  const opened = flow.filter((f) => f.what === 'opened').reduce((s, f) => s + f.n, 0);
  const closed = flow.filter((f) => f.what === 'closed').reduce((s, f) => s + f.n, 0);
  out.push(payload(`issues-flow:${repo}`, `${repo}: issues and PRs opened vs closed per week`, {
    description: 'Issues and pull requests opened (by creation week) and closed (by closing week)',
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'week', type: 'temporal', title: 'week (UTC, from Monday)', scale: { type: 'utc' } },
      y: { field: 'n', type: 'quantitative', title: 'issues and PRs' },
      color: { field: 'what', type: 'nominal', title: null },
      tooltip: [{ field: 'week', type: 'temporal', format: '%Y-%m-%d' }, { field: 'what', type: 'nominal' }, { field: 'n', type: 'quantitative' }],
    },
  }, flow.map((f) => ({ week: f.week, what: f.what, n: f.n })), ['week', 'what', 'n'], `${repo}: ${opened} issues and PRs opened and ${closed} closed in the weeks shown.`, ['opened', 'closed']));
  const close = db.all<{ month: string; days: number; n: number }>(
    `SELECT date(substr(closed_at, 1, 10), 'start of month') AS month, ROUND(AVG(julianday(closed_at) - julianday(created_at)), 1) AS days, COUNT(*) AS n
       FROM github_issues WHERE repo = ? AND closed_at IS NOT NULL AND ${bound('substr(closed_at, 1, 10)', range)} GROUP BY 1 ORDER BY 1`,
    [repo],
  );
  if (close.length) {
    out.push(payload(`time-to-close:${repo}`, `${repo}: mean days to close, by month closed`, {
      description: 'Mean time from opening to closing of the issues and PRs closed each month',
      mark: { type: 'bar' },
      encoding: {
        x: monthAxis,
        y: { field: 'days', type: 'quantitative', title: 'mean days to close' },
        tooltip: [{ field: 'month', type: 'temporal', format: '%Y-%m' }, { field: 'days', type: 'quantitative' }, { field: 'n', type: 'quantitative', title: 'closed' }],
      },
    }, close.map((c) => ({ month: c.month, days: c.days, n: c.n })), ['month', 'days', 'n'], `${repo}: mean days to close of the issues and PRs closed each month; latest ${close[close.length - 1]?.days} days over ${close[close.length - 1]?.n} closed.`, ['mean days to close']));
  }
  return out;
}

/**
 * Issues and PRs opened over the last 7 days of data, cumulative by day. With a date range, the 7
 * days end at the range's end (or the last data before it) and never start before the range.
 */
export function issuesLast7Days(db: SqlReader, repo: string, range: ViewRange = {}): ChartPayload | undefined {
  const to = range.to && DAY.test(range.to) ? range.to : undefined;
  const from = range.from && DAY.test(range.from) ? range.from : undefined;
  const rows = db.all<{ day: string; n: number; total: number }>(
    `WITH RECURSIVE e AS (SELECT MAX(substr(created_at, 1, 10)) AS last FROM github_issues WHERE repo = ?1${to ? ` AND substr(created_at, 1, 10) <= '${to}'` : ''}),
     b AS (SELECT last, ${from ? `MAX('${from}', date(last, '-6 days'))` : `date(last, '-6 days')`} AS first FROM e WHERE last IS NOT NULL${from ? ` AND last >= '${from}'` : ''}),
     days(day) AS (SELECT first FROM b UNION ALL SELECT date(day, '+1 day') FROM days, b WHERE day < b.last),
     c AS (SELECT days.day, (SELECT COUNT(*) FROM github_issues WHERE repo = ?1 AND substr(created_at, 1, 10) = days.day) AS n FROM days)
     SELECT day, n, SUM(n) OVER (ORDER BY day) AS total FROM c ORDER BY day`,
    [repo],
  );
  if (rows.length === 0) return undefined;
  return payload(`issues-7d:${repo}`, `${repo}: issues and PRs opened, cumulative over the last 7 days`, {
    description: 'Running total of issues and pull requests opened in the last 7 days of data',
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'day', type: 'temporal', title: 'day (UTC)', scale: { type: 'utc' }, axis: { format: '%Y-%m-%d' } },
      y: { field: 'total', type: 'quantitative', title: 'opened so far' },
      tooltip: [{ field: 'day', type: 'temporal', format: '%Y-%m-%d' }, { field: 'n', type: 'quantitative', title: 'opened that day' }, { field: 'total', type: 'quantitative' }],
    },
  }, rows.map((r) => ({ day: r.day, n: r.n, total: r.total })), ['day', 'n', 'total'], `${repo}: ${rows[rows.length - 1]?.total} issues and PRs opened in the ${rows.length} days to ${rows[rows.length - 1]?.day}.`, ['opened so far']);
}

/** Every ready-made view that the store has data for, artifact by artifact. */
export function seedViews(db: SqlReader, artifacts: readonly ViewArtifact[], range: ViewRange): ChartPayload[] {
  const out: ChartPayload[] = [];
  const push = (p: ChartPayload | undefined) => {
    if (p && p.values.length) out.push(p);
  };
  const byProject = new Map<string, string[]>();
  for (const a of artifacts) {
    if (a.source === 'pypi') byProject.set(a.project, [...(byProject.get(a.project) ?? []), a.name]);
  }
  for (const [project, pkgs] of byProject) push(packageShare(db, project, pkgs, range));
  for (const a of artifacts) {
    const opts = { grain: 'month' as const, mode: 'pct' as const, ...range };
    if (a.source === 'pypi') {
      push(versionAdoption(db, a.name, range));
      push(metricChart([metricSeries(db, a.artifact, 'downloads_daily', opts)], { title: `${a.name}: % change of downloads, month on month` }));
    }
    if (a.source === 'npm') {
      push(npmVersionAdoption(db, a.name, range));
      push(metricChart([metricSeries(db, a.artifact, 'downloads_daily', opts)], { title: `${a.name}: % change of downloads, month on month` }));
    }
    if (a.source === 'docker') push(metricChart([metricSeries(db, a.artifact, 'pulls', { grain: 'day', mode: 'new', ...range })], { title: `${a.name}: pulls per day (from cumulative snapshots)` }));
    if (a.source === 'github') {
      for (const p of issuesFlow(db, a.name, range)) push(p);
      push(issuesLast7Days(db, a.name, range));
      push(topActive(db, a, range));
      push(trafficChart(db, a, range));
      push(referrersChart(db, a, range));
    }
    if (a.source === 'slack') push(topActive(db, a, range));
  }
  return out;
}
