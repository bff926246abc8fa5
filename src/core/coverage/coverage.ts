import type { ArtifactSource } from '../charts/metricCatalog';
import type { SqlReader } from '../charts/sqlReader';
import { trafficDailySql } from '../charts/trafficMetric';
import type { ProjectConfig } from '../config/projectConfig';

/**
 * Coverage: the days each kept series was observed, and the days it was not. Docker Hub keeps no
 * pull history, GitHub keeps 14 days of traffic and npm 7 days of per-version counts: a day the
 * refresh did not run is lost for them, and this says so instead of letting a chart hide it.
 */

/** How a series is kept, which decides what a day without data means. */
type Kind =
  /** A reading taken at a refresh: a day without one is lost for ever. */
  | 'snapshot'
  /** Days covered by a window the service returns (GitHub traffic): lost once older than the window. */
  | 'window'
  /** Daily counts the service returns for past days (npm, pypistats): missing days are fetched again by the next refresh while the service keeps them. */
  | 'backfilled';

interface SeriesDef {
  source: ArtifactSource;
  key: string;
  /** As the user reads it: "Docker Hub pulls". */
  label: string;
  kind: Kind;
  /** Days the service keeps (window and backfilled series). */
  keptDays?: number;
  /** Distinct observed days (`day`, YYYY-MM-DD); parameter ?1 the artifact's name. */
  daysSql: string;
  /** Listed only once the store has any day of it (traffic needs push access; pepy a key). */
  optional?: boolean;
}

const DEFS: SeriesDef[] = [
  { source: 'github', key: 'repository', label: 'GitHub stars, forks and watchers', kind: 'snapshot', daysSql: 'SELECT DISTINCT substr(timestamp, 1, 10) AS day FROM github_stars WHERE project = ?1' },
  { source: 'github', key: 'traffic_views', label: 'GitHub traffic views', kind: 'window', keptDays: 14, optional: true, daysSql: `SELECT day FROM (${trafficDailySql('views', 'count')})` },
  { source: 'github', key: 'traffic_clones', label: 'GitHub traffic clones', kind: 'window', keptDays: 14, optional: true, daysSql: `SELECT day FROM (${trafficDailySql('clones', 'count')})` },
  { source: 'github', key: 'traffic_referrers', label: 'GitHub top referrers and paths', kind: 'snapshot', optional: true, daysSql: "SELECT DISTINCT snapshot_day AS day FROM github_traffic_windows WHERE repo = ?1 AND kind IN ('referrers', 'paths')" },
  { source: 'pypi', key: 'downloads_daily', label: 'PyPI downloads (pypistats)', kind: 'backfilled', keptDays: 180, optional: true, daysSql: "SELECT DISTINCT date AS day FROM pypi_downloads_daily WHERE package = ?1 AND category_type = 'overall'" },
  { source: 'pypi', key: 'version_downloads', label: 'PyPI downloads by version (pepy.tech)', kind: 'backfilled', keptDays: 90, optional: true, daysSql: 'SELECT DISTINCT date AS day FROM pypi_version_downloads_daily WHERE package = ?1' },
  { source: 'npm', key: 'downloads_daily', label: 'npm downloads', kind: 'backfilled', optional: true, daysSql: 'SELECT DISTINCT date AS day FROM npm_downloads_daily WHERE package = ?1' },
  { source: 'npm', key: 'version_downloads', label: 'npm downloads by version', kind: 'snapshot', optional: true, daysSql: 'SELECT snapshot_day AS day FROM npm_version_snapshots WHERE package = ?1' },
  { source: 'docker', key: 'pulls', label: 'Docker Hub pulls', kind: 'snapshot', daysSql: 'SELECT DISTINCT substr(timestamp, 1, 10) AS day FROM dockerhub_pulls WHERE image = ?1' },
];

export interface CoverageGap {
  /** First and last day not observed (inclusive). */
  from: string;
  to: string;
  days: number;
  /** Runs up to yesterday: the refresh has not observed the series since the day before `from`. */
  open: boolean;
  /** Days of the gap the service still has: a refresh by `until` recovers them (the earliest first). */
  recoverable?: { days: number; until: string };
  /** One line: "Docker Hub pulls: no snapshot on 2026-11-03 … 2026-11-05 (3 days)". */
  message: string;
}

export interface SeriesCoverage {
  artifactId: string;
  source: ArtifactSource;
  name: string;
  series: string;
  label: string;
  kind: Kind;
  first?: string;
  last?: string;
  observedDays: number;
  gaps: CoverageGap[];
}

const DAY_MS = 86_400_000;
const shift = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const between = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);

/** The artifacts of the configuration, as coverage reads them. */
export function coverageArtifacts(config: ProjectConfig): { artifactId: string; source: ArtifactSource; name: string; project: string }[] {
  const out: { artifactId: string; source: ArtifactSource; name: string; project: string }[] = [];
  const seen = new Set<string>();
  const add = (source: ArtifactSource, name: string, project: string) => {
    const artifactId = `${source}:${name}`;
    if (seen.has(artifactId)) return;
    seen.add(artifactId);
    out.push({ artifactId, source, name, project });
  };
  for (const p of config.projects) {
    for (const r of p.github) add('github', r.fullName, p.name);
    for (const x of p.pypi ?? []) add('pypi', x.name, p.name);
    for (const x of p.npm ?? []) add('npm', x.name, p.name);
    for (const x of p.docker ?? []) add('docker', x.fullName, p.name);
  }
  return out;
}

/**
 * Every kept series of an artifact with the days it was observed and its gaps up to yesterday
 * (today is not over: not seeing it yet is no gap). Backfilled series list only the days between
 * their first and last observed day: the days after are fetched by the next refresh.
 */
export function artifactCoverage(db: SqlReader, source: ArtifactSource, name: string, now: Date = new Date()): SeriesCoverage[] {
  const today = now.toISOString().slice(0, 10);
  const yesterday = shift(today, -1);
  const out: SeriesCoverage[] = [];
  for (const def of DEFS) {
    if (def.source !== source) continue;
    const days = db.all<{ day: string | null }>(`SELECT day FROM (${def.daysSql}) WHERE day IS NOT NULL AND day < ? ORDER BY day`, [name, today])
      .map((r) => String(r.day).slice(0, 10));
    if (days.length === 0 && def.optional) continue;
    const c: SeriesCoverage = { artifactId: `${source}:${name}`, source, name, series: def.key, label: def.label, kind: def.kind, observedDays: days.length, gaps: [] };
    if (days.length === 0) {
      out.push(c);
      continue;
    }
    c.first = days[0];
    c.last = days.at(-1);
    const noun = def.kind === 'snapshot' ? 'no snapshot' : 'no data';
    const push = (from: string, to: string, open: boolean) => {
      const gap: CoverageGap = { from, to, days: between(from, to) + 1, open, message: '' };
      if (def.keptDays !== undefined) {
        // The service still has the days no older than keptDays - 1 days before today.
        const earliestKept = shift(today, -(def.keptDays - 1));
        const firstKept = from >= earliestKept ? from : to >= earliestKept ? earliestKept : undefined;
        if (firstKept) gap.recoverable = { days: between(firstKept, to) + 1, until: shift(firstKept, def.keptDays - 1) };
      }
      const span = from === to ? `on ${from}` : `on ${from} … ${to}`;
      const parts = [`${gap.days} day${gap.days === 1 ? '' : 's'}`];
      if (open) parts.push(`nothing since ${shift(from, -1)}`);
      let message = `${def.label}: ${noun} ${span} (${parts.join('; ')})`;
      if (gap.recoverable) {
        const service = def.source === 'github' ? 'GitHub' : def.source === 'pypi' ? 'The service' : 'npm';
        message += `; ${service} still has ${gap.recoverable.days === gap.days ? (gap.days === 1 ? 'it' : 'them') : `${gap.recoverable.days} of them`}: refresh by ${gap.recoverable.until}`;
      } else if (def.kind !== 'backfilled') {
        message += '; lost';
      }
      gap.message = message;
      c.gaps.push(gap);
    };
    for (let i = 1; i < days.length; i++) {
      const prev = days[i - 1] as string;
      const cur = days[i] as string;
      if (between(prev, cur) > 1) push(shift(prev, 1), shift(cur, -1), false);
    }
    if (def.kind !== 'backfilled' && (c.last as string) < yesterday) push(shift(c.last as string, 1), yesterday, true);
    out.push(c);
  }
  return out;
}

/** Coverage of every configured artifact's kept series. */
export function storeCoverage(db: SqlReader, config: ProjectConfig, now: Date = new Date()): SeriesCoverage[] {
  return coverageArtifacts(config).flatMap((a) => artifactCoverage(db, a.source, a.name, now));
}

/** The open gaps longer than `maxDays`: series the refresh has not observed for more than that. */
export function staleSeries(coverage: readonly SeriesCoverage[], maxDays: number): { coverage: SeriesCoverage; gap: CoverageGap }[] {
  const out: { coverage: SeriesCoverage; gap: CoverageGap }[] = [];
  for (const c of coverage) for (const g of c.gaps) if (g.open && g.days > maxDays) out.push({ coverage: c, gap: g });
  return out;
}
