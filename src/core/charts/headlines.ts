import type { SqlReader } from './sqlReader';
import type { ViewArtifact } from './seedViews';

/**
 * The figures a maintainer reads first about a project, before any chart: stars and their growth
 * over 30 days, downloads per week and their trend, open issues and the time to a first response,
 * active contributors. Each from SQL over the store; a figure without data is left out, not shown
 * as zero. Windows end at the last day with data (downloads: the last complete 7 days), so a figure
 * never compares a running week with a full one.
 */
export interface HeadlineFigure {
  /** What is counted ("Stars"). */
  label: string;
  /** The number, formatted ("1,234"). */
  value: string;
  /** The change or context in words ("+56 in 30 days"). */
  detail: string;
  /** Up, down or flat, for the colour of the detail; undefined when not a trend. */
  trend?: 'up' | 'down' | 'flat';
}

const n = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 0 });
const pct = (now: number, before: number) => (before > 0 ? Math.round(((now - before) / before) * 1000) / 10 : undefined);
const trendOf = (d: number | undefined): HeadlineFigure['trend'] => (d === undefined ? undefined : d > 1 ? 'up' : d < -1 ? 'down' : 'flat');
const signed = (v: number) => `${v > 0 ? '+' : v < 0 ? '−' : '±'}${n(Math.abs(v))}`;
const marks = (xs: readonly unknown[]) => xs.map(() => '?').join(', ');

export function headlineFigures(db: SqlReader, artifacts: readonly ViewArtifact[]): HeadlineFigure[] {
  const out: HeadlineFigure[] = [];
  const repos = artifacts.filter((a) => a.source === 'github').map((a) => a.name);
  const pypi = artifacts.filter((a) => a.source === 'pypi').map((a) => a.name);
  const npm = artifacts.filter((a) => a.source === 'npm').map((a) => a.name);
  if (repos.length) {
    const stars = db.all<{ stars: number | null }>(
      `SELECT SUM(stars) AS stars FROM (SELECT repo, stars, ROW_NUMBER() OVER (PARTITION BY repo ORDER BY timestamp DESC) AS rn FROM github_repo_snapshots WHERE repo IN (${marks(repos)})) WHERE rn = 1`,
      repos,
    )[0]?.stars;
    const hist = db.all<{ last: string | null; recent: number | null; total: number | null }>(
      `WITH h AS (SELECT day, stars FROM github_star_history g WHERE g.repo IN (${marks(repos)})
                    AND g.source = CASE WHEN EXISTS (SELECT 1 FROM github_star_history x WHERE x.repo = g.repo AND x.source = 'history') THEN 'history' ELSE 'stargazers' END),
            e AS (SELECT MAX(day) AS last FROM h)
       SELECT e.last, (SELECT SUM(stars) FROM h WHERE day > date(e.last, '-30 days')) AS recent, (SELECT SUM(stars) FROM h) AS total FROM e`,
      repos,
    )[0];
    const total = stars ?? hist?.total ?? null;
    if (total !== null && total !== undefined) {
      const recent = hist?.last ? hist.recent ?? 0 : undefined;
      out.push({ label: 'Stars', value: n(total), detail: recent === undefined ? 'no star history yet' : `${signed(recent)} in the 30 days to ${hist?.last}`, ...(recent === undefined ? {} : { trend: recent > 0 ? 'up' as const : 'flat' as const }) });
    }
  }
  if (pypi.length || npm.length) {
    const parts: string[] = [];
    const params: string[] = [];
    if (pypi.length) {
      parts.push(`SELECT 'pypi:' || package AS a, date AS day, downloads FROM pypi_downloads_daily WHERE package IN (${marks(pypi)}) AND category_type = 'overall' AND category = 'without_mirrors'`);
      params.push(...pypi);
    }
    if (npm.length) {
      parts.push(`SELECT 'npm:' || package AS a, date AS day, downloads FROM npm_downloads_daily WHERE package IN (${marks(npm)})`);
      params.push(...npm);
    }
    // Each package's own last 7 days (the registries publish on different days), then summed.
    const w = db.all<{ last: string | null; week: number | null; before: number | null }>(
      `WITH d AS (${parts.join(' UNION ALL ')}), e AS (SELECT a, MAX(day) AS last FROM d GROUP BY a)
       SELECT MAX(e.last) AS last,
              SUM(CASE WHEN d.day > date(e.last, '-7 days') THEN d.downloads END) AS week,
              SUM(CASE WHEN d.day > date(e.last, '-14 days') AND d.day <= date(e.last, '-7 days') THEN d.downloads END) AS before
         FROM d JOIN e USING (a)`,
      params,
    )[0];
    if (w?.last && w.week !== null) {
      const change = w.before ? pct(w.week, w.before) : undefined;
      out.push({
        label: 'Downloads per week',
        value: n(w.week),
        detail: change === undefined ? `the last 7 days of data (to ${w.last})` : `${change > 0 ? '+' : ''}${change}% on the 7 days before (to ${w.last})`,
        ...(change === undefined ? {} : { trend: trendOf(change) }),
      });
    }
  }
  if (repos.length) {
    const issues = db.all<{ open: number; opened: number; median_h: number | null; last: string | null }>(
      `WITH i AS (SELECT * FROM github_issues WHERE repo IN (${marks(repos)})), e AS (SELECT MAX(substr(created_at, 1, 10)) AS last FROM i),
            r AS (SELECT (julianday(first_response_at) - julianday(created_at)) * 24 AS h FROM i, e
                   WHERE substr(created_at, 1, 10) > date(e.last, '-90 days') AND first_response_at IS NOT NULL AND author_is_bot = 0)
       SELECT (SELECT COUNT(*) FROM i WHERE state = 'open') AS open,
              (SELECT COUNT(*) FROM i, e WHERE substr(created_at, 1, 10) > date(e.last, '-90 days')) AS opened,
              (SELECT h FROM r ORDER BY h LIMIT 1 OFFSET (SELECT (COUNT(*) - 1) / 2 FROM r)) AS median_h,
              e.last FROM e`,
      repos,
    )[0];
    if (issues?.last) {
      const h = issues.median_h;
      const response = h === null ? 'no first responses recorded in 90 days' : `median first response ${h < 48 ? `${Math.round(h * 10) / 10} h` : `${Math.round((h / 24) * 10) / 10} days`} (opened in the last 90 days)`;
      out.push({ label: 'Open issues and PRs', value: n(issues.open), detail: response });
    }
    const people = db.all<{ active: number; last: string | null }>(
      `WITH c AS (SELECT COALESCE(author_login, author_email, author_name) AS who, substr(author_date, 1, 10) AS day FROM github_commits WHERE repo IN (${marks(repos)}) AND author_date IS NOT NULL),
            e AS (SELECT MAX(day) AS last FROM c)
       SELECT (SELECT COUNT(DISTINCT who) FROM c WHERE day > date(e.last, '-90 days')) AS active, e.last FROM e`,
      repos,
    )[0];
    if (people?.last) out.push({ label: 'Active contributors', value: n(people.active), detail: `commit authors in the 90 days to ${people.last}` });
  }
  return out;
}
