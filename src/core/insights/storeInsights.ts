import type { ProjectConfig } from '../config/projectConfig';
import { metricSeries } from '../charts/metricSeries';
import type { SqlReader } from '../charts/sqlReader';
import type { ArtifactSource } from '../charts/metricCatalog';
import { concentrationInsight, detectConcentration } from './activityConcentration';
import type { PersonActivity } from './activityConcentration';
import type { Insight } from './insight';
import { detectOldVersionShare, oldVersionInsight } from './oldVersionShare';
import type { VersionDownloads } from './oldVersionShare';
import { detectRateDrop, rateDropInsight } from './rateDrop';
import { detectStarTrend, starTrendInsight } from './starTrend';
import { latestNpmVersions } from './npmVersionShare';
import { newTrafficSourceInsights } from './newTrafficSource';
import { installerShare } from '../clickhouse/pypiHistoryStore';
import { detectInstallerShare, installerShareInsight } from './installerShare';

export interface InsightArtifact {
  /** `source:name` */
  artifact: string;
  source: ArtifactSource;
  name: string;
}

export interface InsightOptions {
  /** Per package (name or `pypi:name`): the version the user marked; older ones are flagged. */
  markedVersions?: Record<string, string>;
  /** Window of "recent" activity for concentration, in days. */
  activityDays?: number;
  /** Window of version downloads, in days. */
  versionDays?: number;
  /** Today (`YYYY-MM-DD`, UTC): a day or week holding it is not over, so it is never judged. */
  asOf?: string;
}

/** The versions marked in community-metrics.yml (`marked_version:`), by artifact id. */
export function markedVersionsOf(config: ProjectConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of config.projects) {
    for (const pkg of p.pypi ?? []) if (pkg.markedVersion) out[`pypi:${pkg.name}`] = pkg.markedVersion;
    for (const pkg of p.npm ?? []) if (pkg.markedVersion) out[`npm:${pkg.name}`] = pkg.markedVersion;
  }
  return out;
}

const shiftDay = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * Runs the four detectors over what the store holds for each artifact. Series come from the same
 * SQL as the charts, so a flag and the chart it opens agree. Each windowed detector ends at the
 * artifact's own latest data, not at today: a store not refreshed for a week is not "a drop".
 */
export function storeInsights(db: SqlReader, artifacts: readonly InsightArtifact[], options: InsightOptions = {}): Insight[] {
  const out: Insight[] = [];
  const activityDays = options.activityDays ?? 90;
  for (const a of artifacts) {
    const rate = (metricKey: string, unit: string) => {
      const s = metricSeries(db, a.artifact, metricKey, { grain: 'day', mode: 'new', ...(options.asOf ? { asOf: options.asOf } : {}) });
      // A day not over (pulls read this morning against whole days) is not judged: it is no drop.
      const done = s.points.filter((p) => !p.soFar);
      const d = detectRateDrop(done.map((p) => ({ day: p.period, value: p.value })));
      if (d) out.push(rateDropInsight(a.artifact, a.name, unit, metricKey, d));
    };
    if (a.source === 'pypi' || a.source === 'npm') rate('downloads_daily', 'downloads');
    if (a.source === 'docker') rate('pulls', 'pulls');
    if (a.source === 'pypi') {
      const who = detectInstallerShare(installerShare(db, a.name));
      if (who) out.push(installerShareInsight(a.artifact, a.name, who));
      const marked = options.markedVersions?.[a.artifact] ?? options.markedVersions?.[a.name];
      if (marked) {
        const days = options.versionDays ?? 30;
        const end = db.all<{ d: string | null }>('SELECT MAX(date) AS d FROM pypi_version_downloads_daily WHERE package = ?', [a.name])[0]?.d;
        if (end) {
          const rows = db.all<VersionDownloads>(
            'SELECT version, SUM(downloads) AS downloads FROM pypi_version_downloads_daily WHERE package = ? AND date > ? AND date <= ? GROUP BY version',
            [a.name, shiftDay(end, -days), end],
          );
          const r = detectOldVersionShare(rows, marked);
          if (r) out.push(oldVersionInsight(a.artifact, a.name, marked, days, end, r));
        }
      }
    }
    if (a.source === 'npm') {
      const marked = options.markedVersions?.[a.artifact] ?? options.markedVersions?.[a.name];
      const latest = marked ? latestNpmVersions(db, a.name) : undefined;
      const r = latest && marked ? detectOldVersionShare(latest.rows, marked) : undefined;
      if (r && latest && marked) out.push(oldVersionInsight(a.artifact, a.name, marked, 7, latest.day, r, 'npm'));
    }
    for (const i of newTrafficSourceInsights(db, a)) out.push(i);
    if (a.source === 'github') {
      const weekly = metricSeries(db, a.artifact, 'stars', { grain: 'week', mode: 'new', ...(options.asOf ? { asOf: options.asOf } : {}) });
      // The running week is not judged: it would read every partial week as a slowdown. Without a
      // clock, the last week is taken to be running.
      const complete = (options.asOf ? weekly.points.filter((p) => !p.soFar) : weekly.points.slice(0, -1)).map((p) => p.value ?? 0);
      const t = detectStarTrend(complete);
      if (t) out.push(starTrendInsight(a.artifact, a.name, weekly.counts, t));
      concentration(db, a, activityDays, out, 'commits', 'commits',
        `SELECT COALESCE(author_login, author_name, author_email) AS person, substr(author_date, 1, 10) AS day FROM github_commits WHERE repo = ? AND author_date IS NOT NULL`);
    }
    if (a.source === 'slack') {
      concentration(db, a, activityDays, out, 'messages', 'messages_30d',
        `SELECT COALESCE(NULLIF(realname, ''), username) AS person, substr(message_time, 1, 10) AS day FROM slack_messages WHERE domain = ? AND username IS NOT NULL`);
    }
  }
  return out;
}

function concentration(db: SqlReader, a: InsightArtifact, days: number, out: Insight[], what: string, metricKey: string, rowsSql: string): void {
  const rows = db.all<PersonActivity & { end: string }>(
    `WITH a AS (${rowsSql}), e AS (SELECT MAX(day) AS end FROM a)
     SELECT person, COUNT(*) AS count, e.end AS end FROM a, e WHERE person IS NOT NULL AND day > date(e.end, '-${days} days') GROUP BY person`,
    [a.name],
  );
  const c = detectConcentration(rows);
  if (c) out.push(concentrationInsight(a.artifact, a.name, what, days, rows[0]?.end ?? '', metricKey, c));
}
