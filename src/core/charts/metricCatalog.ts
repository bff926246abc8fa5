import type { SqlValue } from 'sql.js';
import type { ArtifactSummary } from '../store/artifactMetrics';
import { GHARCHIVE_DAILY_SQL, GHARCHIVE_METRIC_KEY, gharchiveCounts, gharchiveParams } from './gharchiveMetric';
import type { SqlReader } from './sqlReader';
import { TRAFFIC_ALIASES, TRAFFIC_DEFINITIONS } from './trafficMetric';

export type ArtifactSource = ArtifactSummary['source'];

/**
 * How a series behaves over time. A `level` is a value read at a moment (stars held, cumulative
 * pulls, open issues): a period shows its last reading, and "new per period" is a difference of
 * readings. A `flow` is a count of things that happened on a day (downloads, messages, issues
 * opened): a period shows their sum, and "cumulative" is a running sum.
 */
export type SeriesKind = 'level' | 'flow';

export interface MetricDefinition {
  source: ArtifactSource;
  key: string;
  kind: SeriesKind;
  /** What one unit of the series really is (DOMAIN.md: label every series honestly). */
  counts: string;
  /** Unit for axes and summaries, plural. */
  unit: string;
  /**
   * For flows counted from event rows (messages, issues), a day without a row truly had none, so
   * an empty period inside the data's span is 0. For daily tables fed by an API (downloads), a
   * missing day is missing data and stays a gap.
   */
  emptyIsZero: boolean;
  /** One row per day with data: `day` (YYYY-MM-DD) and `v`; one parameter, the artifact's name (see `params`). */
  dailySql: string;
  /** The parameters of `dailySql` when they are not just the artifact's name (filters, spellings). */
  params?: (db: SqlReader, name: string, filter: SeriesFilter) => SqlValue[];
  /** `counts` for a filter, when the filter changes what is counted. */
  countsFor?: (filter: SeriesFilter) => string;
  /**
   * `dailySql` also returns `h`, the hours of the day that were read (GH Archive imports by hour):
   * a period with fewer hours read than it has is partial, and the series says so.
   */
  hourCoverage?: boolean;
}

/** Options that narrow what a series counts. */
export interface SeriesFilter {
  /** GH Archive: one event type (`WatchEvent`); absent for every type. */
  eventType?: string;
}

/** The last reading of each day, for level series stored as timestamped snapshots. */
const lastOfDay = (table: string, tsCol: string, valueExpr: string, keyCol: string) => `
  SELECT day, v FROM (
    SELECT substr(${tsCol}, 1, 10) AS day, ${valueExpr} AS v,
           ROW_NUMBER() OVER (PARTITION BY substr(${tsCol}, 1, 10) ORDER BY ${tsCol} DESC) AS rn
      FROM ${table} WHERE ${keyCol} = ? AND ${valueExpr} IS NOT NULL
  ) WHERE rn = 1`;

const countPerDay = (table: string, tsCol: string, keyCol: string, where = '') => `
  SELECT substr(${tsCol}, 1, 10) AS day, COUNT(*) AS v FROM ${table}
   WHERE ${keyCol} = ? AND ${tsCol} IS NOT NULL ${where} GROUP BY 1`;

const DEFINITIONS: MetricDefinition[] = [
  {
    source: 'github', key: 'stars', kind: 'flow', unit: 'stars', emptyIsZero: true,
    counts: 'stars still held, by day given',
    // /stargazers/history is preferred; the listing ('stargazers') only where history is absent.
    dailySql: `SELECT day, stars AS v FROM github_star_history h WHERE repo = ?1
                 AND source = (SELECT CASE WHEN EXISTS (SELECT 1 FROM github_star_history WHERE repo = ?1 AND source = 'history') THEN 'history' ELSE 'stargazers' END)`,
  },
  {
    source: 'github', key: 'stars_snapshots', kind: 'level', unit: 'stars', emptyIsZero: false,
    counts: 'stargazers_count at the last refresh of the period',
    dailySql: lastOfDay('github_stars', 'timestamp', 'stars', 'project'),
  },
  { source: 'github', key: 'forks', kind: 'level', unit: 'forks', emptyIsZero: false, counts: 'forks_count at the last refresh of the period', dailySql: lastOfDay('github_repo_snapshots', 'timestamp', 'forks', 'repo') },
  { source: 'github', key: 'watchers', kind: 'level', unit: 'watchers', emptyIsZero: false, counts: 'subscribers_count (people watching) at the last refresh of the period', dailySql: lastOfDay('github_repo_snapshots', 'timestamp', 'subscribers', 'repo') },
  { source: 'github', key: 'open_issues', kind: 'level', unit: 'open issues and PRs', emptyIsZero: false, counts: 'open_issues_count (issues and pull requests) at the last refresh of the period', dailySql: lastOfDay('github_repo_snapshots', 'timestamp', 'open_issues', 'repo') },
  { source: 'github', key: 'issues_opened', kind: 'flow', unit: 'issues and PRs', emptyIsZero: true, counts: 'issues and pull requests opened (by creation day)', dailySql: countPerDay('github_issues', 'created_at', 'repo') },
  { source: 'github', key: 'issues_closed', kind: 'flow', unit: 'issues and PRs', emptyIsZero: true, counts: 'issues and pull requests closed (by closing day)', dailySql: countPerDay('github_issues', 'closed_at', 'repo') },
  { source: 'github', key: 'commits', kind: 'flow', unit: 'commits', emptyIsZero: true, counts: 'commits fetched from the REST API, by author date', dailySql: countPerDay('github_commits', 'author_date', 'repo') },
  {
    source: 'pypi', key: 'downloads_daily', kind: 'flow', unit: 'downloads', emptyIsZero: false,
    counts: 'downloads per pypistats, mirrors excluded',
    dailySql: "SELECT date AS day, downloads AS v FROM pypi_downloads_daily WHERE package = ? AND category_type = 'overall' AND category = 'without_mirrors'",
  },
  { source: 'pypi', key: 'downloads_last_month', kind: 'level', unit: 'downloads', emptyIsZero: false, counts: "pypistats' last_month figure at the last refresh of the period", dailySql: lastOfDay('pypi_recent', 'timestamp', 'last_month', 'package') },
  { source: 'npm', key: 'downloads_daily', kind: 'flow', unit: 'downloads', emptyIsZero: false, counts: 'npm downloads (api.npmjs.org, all versions)', dailySql: 'SELECT date AS day, downloads AS v FROM npm_downloads_daily WHERE package = ?' },
  { source: 'docker', key: 'pulls', kind: 'level', unit: 'pulls', emptyIsZero: false, counts: 'approximate pulls, Docker Hub pull_count (cumulative) at the last refresh of the period', dailySql: lastOfDay('dockerhub_pulls', 'timestamp', 'pull_count', 'image') },
  { source: 'docker', key: 'stars', kind: 'level', unit: 'stars', emptyIsZero: false, counts: 'Docker Hub star_count at the last refresh of the period', dailySql: lastOfDay('dockerhub_snapshots', 'timestamp', 'star_count', 'image') },
  {
    // Days with imported hours but no event are 0 (in the SQL); days without an imported hour are gaps.
    source: 'github', key: GHARCHIVE_METRIC_KEY, kind: 'flow', unit: 'events', emptyIsZero: false, hourCoverage: true,
    counts: gharchiveCounts(undefined),
    countsFor: (f) => gharchiveCounts(f.eventType),
    dailySql: GHARCHIVE_DAILY_SQL,
    params: (_db, name, f) => gharchiveParams(name, f.eventType),
  },
  {
    source: 'slack', key: 'messages', kind: 'flow', unit: 'messages', emptyIsZero: true, counts: 'public messages stored from the export or API',
    dailySql: countPerDay('slack_messages', 'message_time', 'domain'),
  },
  ...TRAFFIC_DEFINITIONS,
];

/** Tree metric keys that are rolling windows of a daily series: the chart shows the daily series. */
const ALIASES: Record<string, string> = {
  'github:issues_opened_30d': 'issues_opened',
  'npm:downloads_30d': 'downloads_daily',
  'pypi:downloads_30d': 'downloads_daily',
  'slack:messages_30d': 'messages',
  ...TRAFFIC_ALIASES,
};

export function metricDefinitions(source?: ArtifactSource): MetricDefinition[] {
  return DEFINITIONS.filter((d) => !source || d.source === source);
}

/**
 * The definition for a tree metric of an artifact. GitHub stars come from the star history when the
 * store has one for the repository, else from the refresh snapshots: the label says which.
 */
export function resolveMetric(db: SqlReader, source: ArtifactSource, key: string, name: string): MetricDefinition | undefined {
  const k = ALIASES[`${source}:${key}`] ?? key;
  if (source === 'github' && k === 'stars') {
    const has = db.all<{ n: number }>('SELECT COUNT(*) AS n FROM github_star_history WHERE repo = ?', [name])[0]?.n ?? 0;
    return DEFINITIONS.find((d) => d.source === 'github' && d.key === (has > 0 ? 'stars' : 'stars_snapshots'));
  }
  return DEFINITIONS.find((d) => d.source === source && d.key === k);
}

/** `source:name` → its parts (names may contain ':' only after the first). */
export function parseArtifactId(id: string): { source: ArtifactSource; name: string } | undefined {
  const i = id.indexOf(':');
  if (i < 0) return undefined;
  const source = id.slice(0, i) as ArtifactSource;
  if (!['github', 'pypi', 'npm', 'docker', 'slack'].includes(source)) return undefined;
  return { source, name: id.slice(i + 1) };
}
