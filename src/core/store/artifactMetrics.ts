import { GHARCHIVE_METRIC_KEY } from '../charts/gharchiveMetric';
import type { ProjectConfig } from '../config/projectConfig';
import type { SqlValue } from 'sql.js';
import type { MetricsStore } from './store';
import { trafficSummaries } from './trafficSummary';
import { artifactCoverage } from '../coverage/coverage';
import type { SeriesCoverage } from '../coverage/coverage';

/** One metric of an artifact, as the tree shows it: latest value and its change over 7 and 30 days. */
export interface MetricSummary {
  key: string;
  label: string;
  /** What the number really counts (DOMAIN.md: label every series honestly). */
  description: string;
  latest?: number;
  /** When the latest value was taken (snapshot timestamp) or the day it counts (daily series). */
  latestAt?: string;
  /** latest − the value 7 (30) days earlier; absent while the history is shorter than that. */
  change7d?: number;
  change30d?: number;
}

export interface ArtifactSummary {
  project: string;
  source: 'github' | 'pypi' | 'npm' | 'docker' | 'slack';
  /** `source:name`, as in refresh results. */
  artifact: string;
  name: string;
  metrics: MetricSummary[];
  /** The kept series that have gaps (days not observed), when any has. */
  coverage?: SeriesCoverage[];
}

interface Point {
  t: string;
  v: number;
}

const DAY_MS = 86_400_000;

/**
 * For every artifact of the configuration, its metrics from the store. Snapshot series (stars, pulls)
 * are read as step functions: the value at a time is the latest snapshot at or before it, since a
 * refresh that got a 304 writes no row. Daily series (downloads, messages) compare days.
 */
export function artifactMetrics(store: MetricsStore, config: ProjectConfig, now: Date = new Date()): ArtifactSummary[] {
  const out: ArtifactSummary[] = [];
  const q = (sql: string, params: SqlValue[]) => store.all<Point>(sql, params);
  for (const p of config.projects) {
    for (const r of p.github) {
      const snap = (col: string) => q(`SELECT timestamp AS t, ${col} AS v FROM github_repo_snapshots WHERE repo = ? AND ${col} IS NOT NULL ORDER BY timestamp`, [r.fullName]);
      out.push({
        project: p.name,
        source: 'github',
        artifact: `github:${r.fullName}`,
        name: r.fullName,
        metrics: [
          snapshotMetric('stars', 'Stars', 'stargazers_count at each refresh', q('SELECT timestamp AS t, stars AS v FROM github_stars WHERE project = ? ORDER BY timestamp', [r.fullName]), now),
          snapshotMetric('forks', 'Forks', 'forks_count at each refresh', snap('forks'), now),
          snapshotMetric('watchers', 'Watchers', 'subscribers_count (people watching the repository)', snap('subscribers'), now),
          snapshotMetric('open_issues', 'Open issues and PRs', 'open_issues_count (issues and pull requests)', snap('open_issues'), now),
          rollingMetric(
            'issues_opened_30d',
            'Issues and PRs opened, last 30 days',
            'issues and pull requests created in the 30 days to the latest day',
            q("SELECT substr(created_at, 1, 10) AS t, COUNT(*) AS v FROM github_issues WHERE repo = ? GROUP BY 1 ORDER BY 1", [r.fullName]),
            now,
          ),
          ...gharchiveMetric(store, r.fullName),
          ...trafficSummaries(store, r.fullName),
        ],
      });
    }
    for (const pkg of p.pypi ?? []) {
      const daily = q("SELECT date AS t, downloads AS v FROM pypi_downloads_daily WHERE package = ? AND category_type = 'overall' AND category = 'without_mirrors' ORDER BY date", [pkg.name]);
      const recent = q('SELECT timestamp AS t, last_month AS v FROM pypi_recent WHERE package = ? AND last_month IS NOT NULL ORDER BY timestamp', [pkg.name]);
      out.push({
        project: p.name,
        source: 'pypi',
        artifact: `pypi:${pkg.name}`,
        name: pkg.name,
        metrics: [
          dailyMetric('downloads_daily', 'Downloads per day', 'pypistats overall, without mirrors, latest day', daily),
          // pypistats' own last_month when a refresh read it; else the 30-day sum of the daily rows
          // (never "Downloads, last month: no data yet" beside a daily series that has the data).
          recent.length > 0 || daily.length === 0
            ? snapshotMetric('downloads_last_month', 'Downloads, last month', 'pypistats recent last_month, without mirrors', recent, now)
            : rollingMetric('downloads_30d', 'Downloads, last 30 days', 'downloads in the 30 days to the latest day counted (pypistats overall, without mirrors)', daily, undefined),
        ],
      });
    }
    for (const pkg of p.npm ?? []) {
      const daily = q('SELECT date AS t, downloads AS v FROM npm_downloads_daily WHERE package = ? ORDER BY date', [pkg.name]);
      out.push({
        project: p.name,
        source: 'npm',
        artifact: `npm:${pkg.name}`,
        name: pkg.name,
        metrics: [
          dailyMetric('downloads_daily', 'Downloads per day', 'npm downloads on the latest day counted', daily),
          rollingMetric('downloads_30d', 'Downloads, last 30 days', 'npm downloads in the 30 days to the latest day counted', daily, undefined),
        ],
      });
    }
    for (const image of p.docker ?? []) {
      out.push({
        project: p.name,
        source: 'docker',
        artifact: `docker:${image.fullName}`,
        name: image.fullName,
        metrics: [
          snapshotMetric('pulls', 'Pulls', 'Docker Hub pull_count at each refresh (approximate, cumulative)', q('SELECT timestamp AS t, pull_count AS v FROM dockerhub_pulls WHERE image = ? ORDER BY timestamp', [image.fullName]), now),
          snapshotMetric('stars', 'Stars', 'Docker Hub star_count at each refresh', q('SELECT timestamp AS t, star_count AS v FROM dockerhub_snapshots WHERE image = ? AND star_count IS NOT NULL ORDER BY timestamp', [image.fullName]), now),
        ],
      });
    }
    for (const ws of p.slack ?? []) {
      const daily = q('SELECT substr(message_time, 1, 10) AS t, COUNT(*) AS v FROM slack_messages WHERE domain = ? GROUP BY 1 ORDER BY 1', [ws.domain]);
      out.push({
        project: p.name,
        source: 'slack',
        artifact: `slack:${ws.domain}`,
        name: ws.domain,
        metrics: [rollingMetric('messages_30d', 'Messages, last 30 days', 'public messages in the 30 days to today', daily, now)],
      });
    }
  }
  for (const a of out) {
    const gaps = artifactCoverage(store, a.source, a.name, now).filter((c) => c.gaps.length > 0);
    if (gaps.length > 0) a.coverage = gaps;
  }
  return out;
}

/**
 * GH Archive events of a repository, listed only once some were imported for it, from the day totals
 * (gharchive/dayTotals.ts): one row a day, a few files a year for every repository at once, so the
 * tree reads the whole history (and a GH Archive chart opened next finds it in memory).
 */
function gharchiveMetric(store: MetricsStore, repo: string): MetricSummary[] {
  const days = store.all<{ t: string; v: number; h: number }>('SELECT day AS t, events AS v, hours AS h FROM gharchive_day_totals WHERE repo = ? ORDER BY day', [repo.toLowerCase()]);
  if (days.length === 0) return [];
  return [coveredDailyMetric(GHARCHIVE_METRIC_KEY, 'GH Archive events', 'GH Archive events of every type', days)];
}

/**
 * A per-day count read by the hour (GH Archive): only days with at least one hour read are given.
 * The latest day read in full is shown (the latest partial one when none is complete, saying so), and
 * it is compared with the day 7 (30) days before only when that day was read in full too: a day not
 * imported is unknown, not 0, and a partial day would make any change look like a drop.
 */
export function coveredDailyMetric(key: string, label: string, what: string, days: Array<Point & { h: number }>): MetricSummary {
  const full = days.filter((d) => d.h >= 24);
  const last = full.at(-1) ?? days.at(-1);
  if (!last) return { key, label, description: `${what}: no hour imported yet` };
  const day = last.t.slice(0, 10);
  const m: MetricSummary = {
    key, label,
    description: last.h >= 24
      ? `${what} on the latest day imported in full (${day})`
      : `${what} on ${day}, a partial day: only ${last.h} of its 24 hours imported`,
    latest: last.v,
    latestAt: day,
  };
  const byDay = new Map(full.map((d) => [d.t.slice(0, 10), d.v]));
  const at = (n: number) => (last.h >= 24 ? byDay.get(new Date(Date.parse(`${day}T00:00:00Z`) - n * DAY_MS).toISOString().slice(0, 10)) : undefined);
  const week = at(7);
  const month = at(30);
  if (week !== undefined) m.change7d = last.v - week;
  if (month !== undefined) m.change30d = last.v - month;
  return m;
}

/** The value of a step function at time t: the latest point at or before it. */
function valueAt(points: Point[], t: number): number | undefined {
  let value: number | undefined;
  for (const p of points) {
    if (Date.parse(p.t) <= t) value = p.v;
    else break;
  }
  return value;
}

export function snapshotMetric(key: string, label: string, description: string, points: Point[], now: Date): MetricSummary {
  const m: MetricSummary = { key, label, description };
  const last = points.at(-1);
  if (!last) return m;
  m.latest = last.v;
  m.latestAt = last.t;
  const week = valueAt(points, now.getTime() - 7 * DAY_MS);
  const month = valueAt(points, now.getTime() - 30 * DAY_MS);
  if (week !== undefined) m.change7d = last.v - week;
  if (month !== undefined) m.change30d = last.v - month;
  return m;
}

/** A per-day series: the latest day against the same series 7 and 30 days before it (missing days count 0). */
export function dailyMetric(key: string, label: string, description: string, points: Point[]): MetricSummary {
  const m: MetricSummary = { key, label, description };
  const last = points.at(-1);
  if (!last) return m;
  m.latest = last.v;
  m.latestAt = last.t;
  const first = Date.parse(points[0]?.t ?? last.t);
  const byDay = new Map(points.map((p) => [p.t.slice(0, 10), p.v]));
  const at = (days: number) => {
    const t = Date.parse(last.t) - days * DAY_MS;
    return t < first ? undefined : (byDay.get(new Date(t).toISOString().slice(0, 10)) ?? 0);
  };
  const week = at(7);
  const month = at(30);
  if (week !== undefined) m.change7d = last.v - week;
  if (month !== undefined) m.change30d = last.v - month;
  return m;
}

/** The 30-day total of a per-day series, ending at `now` (or its latest day), and its change over 7 and 30 days. */
export function rollingMetric(key: string, label: string, description: string, points: Point[], now: Date | undefined): MetricSummary {
  const m: MetricSummary = { key, label, description };
  const last = points.at(-1);
  if (!last) return m;
  // With a clock, the window ends on the last complete day (yesterday, UTC): today's few hours
  // against 30 whole days would read as a fall that is only the day not being over.
  const endDay = (now ? new Date(Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`) - DAY_MS).toISOString() : last.t).slice(0, 10);
  const end = Date.parse(`${endDay}T00:00:00Z`);
  const first = Date.parse(`${(points[0] as Point).t.slice(0, 10)}T00:00:00Z`);
  const sum = (endMs: number) => {
    let s = 0;
    for (const p of points) {
      const t = Date.parse(`${p.t.slice(0, 10)}T00:00:00Z`);
      if (t <= endMs && t > endMs - 30 * DAY_MS) s += p.v;
    }
    return s;
  };
  m.latest = sum(end);
  m.latestAt = endDay;
  // A window reaching before the first counted day would compare against missing data.
  if (end - 7 * DAY_MS - 29 * DAY_MS >= first) m.change7d = m.latest - sum(end - 7 * DAY_MS);
  if (end - 30 * DAY_MS - 29 * DAY_MS >= first) m.change30d = m.latest - sum(end - 30 * DAY_MS);
  return m;
}
