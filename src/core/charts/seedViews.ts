import type { ChartPayload } from './chartPayload';
import { CHART_DATASET, VEGA_LITE_SCHEMA } from './chartPayload';
import type { ArtifactSource } from './metricCatalog';
import { PERIOD_FORMAT, countY, spanOf, timeX } from './axes';
import type { ChartGroup } from './chartPayload';
import { metricChart } from './metricChart';
import { metricSeries } from './metricSeries';
import type { MetricSeries } from './metricSeries';
import { releaseEvents } from './releaseEvents';
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
  /** Today (`YYYY-MM-DD`): the period holding it is still running, drawn as "so far". */
  asOf?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** A date bound as SQL text; anything but YYYY-MM-DD is ignored rather than put in a query. */
const bound = (col: string, r: ViewRange) =>
  [r.from && DAY.test(r.from) ? `${col} >= '${r.from}'` : '', r.to && DAY.test(r.to) ? `${col} <= '${r.to}'` : ''].filter(Boolean).join(' AND ') || '1';

const TOP_VERSIONS = 8;
const TOP_PEOPLE = 10;

function payload(id: string, title: string, spec: Record<string, unknown>, values: ChartPayload['values'], columns: string[], summary: string, series: string[]): ChartPayload {
  return { id, title, spec: { $schema: VEGA_LITE_SCHEMA, width: 'container', height: 'container', autosize: { type: 'fit', contains: 'padding', resize: true }, data: { name: CHART_DATASET }, ...spec }, dataset: CHART_DATASET, values, columns, summary, series };
}

/** The month axis of rows holding `month` (first days of months). */
const monthAxis = (rows: readonly Record<string, unknown>[]) => {
  const span = spanOf(rows, 'month');
  return timeX('month', 'month', span.first, span.last);
};
/** A period's end (exclusive), for bars that span their period. */
const periodEnd = (grain: 'week' | 'month', start: string) => {
  const d = new Date(`${start}T00:00:00Z`);
  if (grain === 'week') d.setUTCDate(d.getUTCDate() + 7);
  else d.setUTCMonth(d.getUTCMonth() + 1);
  return d.toISOString().slice(0, 10);
};
/** Whether the period starting at `start` holds `asOf` (is still running). */
const running = (grain: 'week' | 'month', start: string, asOf: string | undefined) => !!asOf && asOf >= start && asOf < periodEnd(grain, start);

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
      x: monthAxis(values),
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
      x: monthAxis(values),
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
      x: { field: 'count', type: 'quantitative', title: what, axis: { format: '~s', tickMinStep: 1 } },
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
  // Opened above the zero line, closed below it (as OSS Insight draws them): two series of bars
  // that never hide each other. More than a year of weeks is drawn by month.
  const weeks = new Set(flow.map((f) => f.week));
  const grain: 'week' | 'month' = weeks.size > 60 ? 'month' : 'week';
  const byPeriod = new Map<string, { period: string; what: string; n: number }>();
  for (const f of flow) {
    const period = grain === 'week' ? f.week : `${f.week.slice(0, 7)}-01`;
    const key = `${period}|${f.what}`;
    const cur = byPeriod.get(key) ?? { period, what: f.what, n: 0 };
    cur.n += f.n;
    byPeriod.set(key, cur);
  }
  const rows = [...byPeriod.values()].sort((a, b) => a.period.localeCompare(b.period) || a.what.localeCompare(b.what));
  const lastPeriod = rows[rows.length - 1]?.period;
  const flowValues = rows.map((r) => ({
    week: r.period, end: periodEnd(grain, r.period), what: r.what, n: r.n, signed: r.what === 'closed' ? -r.n : r.n,
    status: running(grain, r.period, range.asOf) ? 'so far' : 'complete',
  }));
  const span = spanOf(flowValues, 'week');
  const soFar = lastPeriod !== undefined && running(grain, lastPeriod, range.asOf);
  out.push(payload(`issues-flow:${repo}`, `${repo}: issues and PRs opened vs closed per ${grain}`, {
    description: 'Issues and pull requests opened (by creation week, above zero) and closed (by closing week, below zero)',
    layer: [
      {
        mark: { type: 'bar', cornerRadius: 1, clip: true },
        encoding: {
          x: timeX('week', grain, span.first, span.last, `${grain}${grain === 'week' ? ', from Monday' : ''}`),
          x2: { field: 'end' },
          // x to x2 and y to y2: a rect per period (with x2 alone Vega-Lite would draw a horizontal range bar).
          y2: { datum: 0 },
          y: { field: 'signed', type: 'quantitative', title: `issues and PRs per ${grain} (closed below zero)`, axis: { labelExpr: "format(abs(datum.value), '~s')", tickMinStep: 1, titleLimit: 0 } },
          color: { field: 'what', type: 'nominal', title: null, sort: ['opened', 'closed'], legend: { orient: 'top' } },
          // The running period: paler, and its tooltip says so.
          opacity: { condition: { test: "datum.status == 'so far'", value: 0.45 }, value: 1 },
          tooltip: [{ field: 'week', type: 'temporal', title: grain, format: grain === 'week' ? PERIOD_FORMAT.week : PERIOD_FORMAT.month, scale: { type: 'utc' } }, { field: 'what', type: 'nominal' }, { field: 'n', type: 'quantitative', title: 'count' }, { field: 'status', type: 'nominal', title: 'period' }],
        },
      },
      ...(soFar ? [{ transform: [{ filter: "datum.status == 'so far' && datum.what == 'opened'" }], mark: { type: 'text', text: 'so far', dy: -8, fontSize: 11 }, encoding: { x: { field: 'week', type: 'temporal' }, y: { field: 'signed', type: 'quantitative' } } }] : []),
    ],
  }, flowValues, ['week', 'what', 'n', 'status'], `${repo}: ${opened} issues and PRs opened and ${closed} closed in the ${grain}s shown${soFar ? `; the ${grain} of ${lastPeriod} is not over (paler, so far)` : ''}.`, ['opened', 'closed']));
  const close = db.all<{ month: string; days: number; n: number }>(
    `SELECT date(substr(closed_at, 1, 10), 'start of month') AS month, ROUND(AVG(julianday(closed_at) - julianday(created_at)), 1) AS days, COUNT(*) AS n
       FROM github_issues WHERE repo = ? AND closed_at IS NOT NULL AND ${bound('substr(closed_at, 1, 10)', range)} GROUP BY 1 ORDER BY 1`,
    [repo],
  );
  if (close.length) {
    out.push(payload(`time-to-close:${repo}`, `${repo}: mean days to close, by month closed`, {
      description: 'Mean time from opening to closing of the issues and PRs closed each month',
      // Bars that span their month (x to x2), not hairlines at its first instant.
      mark: { type: 'bar', cornerRadius: 1, clip: true },
      encoding: {
        x: monthAxis(close),
        x2: { field: 'end' },
        y2: { datum: 0 },
        y: { field: 'days', type: 'quantitative', title: 'mean days to close', scale: { zero: true } },
        opacity: { condition: { test: "datum.status == 'so far'", value: 0.45 }, value: 1 },
        tooltip: [{ field: 'month', type: 'temporal', format: PERIOD_FORMAT.month, scale: { type: 'utc' } }, { field: 'days', type: 'quantitative', title: 'mean days' }, { field: 'n', type: 'quantitative', title: 'closed' }, { field: 'status', type: 'nominal', title: 'period' }],
      },
    }, close.map((c) => ({ month: c.month, end: periodEnd('month', c.month), days: c.days, n: c.n, status: running('month', c.month, range.asOf) ? 'so far' : 'complete' })), ['month', 'days', 'n'], `${repo}: mean days to close of the issues and PRs closed each month; latest ${close[close.length - 1]?.days} days over ${close[close.length - 1]?.n} closed.`, ['mean days to close']));
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
      x: timeX('day', 'day', rows[0]?.day, rows[rows.length - 1]?.day),
      y: countY('total', 'issues and PRs opened, running total', { max: Math.max(0, ...rows.map((r) => r.total)) }),
      tooltip: [{ field: 'day', type: 'temporal', format: PERIOD_FORMAT.day, scale: { type: 'utc' } }, { field: 'n', type: 'quantitative', title: 'opened that day' }, { field: 'total', type: 'quantitative' }],
    },
  }, rows.map((r) => ({ day: r.day, n: r.n, total: r.total })), ['day', 'n', 'total'], `${repo}: ${rows[rows.length - 1]?.total} issues and PRs opened in the ${rows.length} days to ${rows[rows.length - 1]?.day}.`, ['opened so far']);
}

const fmtN = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 1 });

/** The last complete period's value of a series and its change on the one before, in words. */
function weekTakeaway(s: MetricSeries, what: string): string | undefined {
  const done = s.points.filter((p) => !p.soFar && p.value !== null);
  const last = done[done.length - 1];
  const prev = done[done.length - 2];
  const running = s.points[s.points.length - 1];
  if ((!last || last.value === null) && running?.soFar && running.value !== null) return `${fmtN(running.value)} ${what} so far in the ${s.grain} of ${running.period} (${running.soFar.days} of ${running.soFar.of} days).`;
  if (!last || last.value === null) return undefined;
  const change = prev?.value ? Math.round(((last.value - prev.value) / prev.value) * 1000) / 10 : undefined;
  return `${fmtN(last.value)} ${what} in the ${s.grain} of ${last.period}${change === undefined ? '' : `, ${change > 0 ? '+' : ''}${change}% on the ${s.grain} before`}.`;
}

/** The last complete period's % change, in words. */
function pctTakeaway(s: MetricSeries): string | undefined {
  const last = s.points.filter((p) => !p.soFar && p.value !== null).pop();
  if (!last || last.value === null) return undefined;
  return `Downloads in the ${s.grain} of ${last.period}: ${last.value > 0 ? '+' : ''}${fmtN(last.value)}% on the ${s.grain} before.`;
}

/** The growth of a running total over its last 4 periods, in words. */
function totalTakeaway(s: MetricSeries, what: string): string | undefined {
  const known = s.points.filter((p) => p.value !== null);
  const last = known[known.length - 1];
  const before = known[Math.max(0, known.length - 5)];
  if (!last || last.value === null || !before || before.value === null) return undefined;
  return `${fmtN(last.value)} ${what}, ${last.value - before.value >= 0 ? '+' : ''}${fmtN(last.value - before.value)} since the ${s.grain} of ${before.period}.`;
}

/** A chart on the dashboard: which question it answers, for which project, and what it shows in one line. */
function placed(p: ChartPayload | undefined, group: ChartGroup, project: string, takeaway?: string): ChartPayload | undefined {
  if (!p) return undefined;
  return { ...p, group, project, takeaway: takeaway ?? firstSentence(p.summary) };
}

const firstSentence = (text: string) => {
  const m = /^(.+?[.!?])(\s|$)/.exec(text);
  return m ? (m[1] as string) : text;
};

/** Weekly, or monthly when the range holds more weeks than a dashboard card has room for. */
const growthGrain = (db: SqlReader, artifact: string, metricKey: string, range: ViewRange) =>
  metricSeries(db, artifact, metricKey, { grain: 'week', mode: 'total', ...range, maxPoints: 160 });

/**
 * Every ready-made view that the store has data for, project by project and, within a project, by
 * the question it answers (growth, usage, community health), each with its one-line takeaway. Time
 * charts carry the project's releases as labelled rules.
 */
export function seedViews(db: SqlReader, artifacts: readonly ViewArtifact[], range: ViewRange): ChartPayload[] {
  const out: ChartPayload[] = [];
  // A chart whose every value is a gap says nothing: left out.
  const push = (p: ChartPayload | undefined) => {
    if (p && p.values.some((v) => Object.entries(v).some(([k, x]) => typeof x === 'number' && k !== 'offset'))) out.push(p);
  };
  const projects = [...new Set(artifacts.map((a) => a.project))];
  for (const project of projects) {
    const mine = artifacts.filter((a) => a.project === project);
    const events = releaseEvents(db, mine.filter((a) => a.source === 'github').map((a) => a.name));
    const pkgs = mine.filter((a) => a.source === 'pypi').map((a) => a.name);
    for (const a of mine) {
      if (a.source !== 'github') continue;
      const stars = metricSeries(db, a.artifact, 'stars', { grain: 'week', mode: 'cumulative', ...range, maxPoints: 160 });
      if (stars.points.some((p) => p.value)) push(placed(metricChart([stars], { title: `${a.name}: stars over time`, events }), 'growth', project, totalTakeaway(stars, 'stars')));
    }
    push(placed(packageShare(db, project, pkgs, range), 'usage', project));
    for (const a of mine) {
      const opts = { grain: 'month' as const, mode: 'pct' as const, ...range };
      if (a.source === 'pypi' || a.source === 'npm') {
        const weekly = growthGrain(db, a.artifact, 'downloads_daily', range);
        push(placed(metricChart([weekly], { title: `${a.name}: downloads per ${weekly.grain}`, events }), 'usage', project, weekTakeaway(weekly, 'downloads')));
        if (a.source === 'pypi') push(placed(versionAdoption(db, a.name, range), 'usage', project));
        if (a.source === 'npm') push(placed(npmVersionAdoption(db, a.name, range), 'usage', project));
        const monthly = metricSeries(db, a.artifact, 'downloads_daily', opts);
        push(placed(metricChart([monthly], { title: `${a.name}: % change of downloads, month on month` }), 'usage', project, pctTakeaway(monthly)));
      }
      if (a.source === 'docker') {
        const pulls = metricSeries(db, a.artifact, 'pulls', { grain: 'week', mode: 'new', ...range, maxPoints: 160 });
        push(placed(metricChart([pulls], { title: `${a.name}: pulls per ${pulls.grain} (from cumulative snapshots)`, events }), 'usage', project, weekTakeaway(pulls, 'pulls')));
      }
      if (a.source === 'github') {
        for (const p of issuesFlow(db, a.name, range)) push(placed(p, 'community', project));
        push(placed(issuesLast7Days(db, a.name, range), 'community', project));
        push(placed(topActive(db, a, range), 'community', project));
        push(placed(trafficChart(db, a, range), 'usage', project));
        push(placed(referrersChart(db, a, range), 'usage', project));
      }
      if (a.source === 'slack') push(placed(topActive(db, a, range), 'community', project));
    }
  }
  return out;
}
