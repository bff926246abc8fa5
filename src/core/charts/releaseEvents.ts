import type { ChartEvent } from './metricChart';
import type { SqlReader } from './sqlReader';

/**
 * The published, non-draft GitHub releases of `repos` as chart events (day and tag), oldest first;
 * pre-releases only when no full release is stored. With several repositories, the tag says which.
 */
export function releaseEvents(db: SqlReader, repos: readonly string[], limit = 200): ChartEvent[] {
  if (repos.length === 0) return [];
  const marks = repos.map(() => '?').join(', ');
  const rows = db.all<{ repo: string; day: string | null; tag: string | null; prerelease: number }>(
    `SELECT repo, substr(COALESCE(published_at, created_at), 1, 10) AS day, COALESCE(NULLIF(tag_name, ''), name) AS tag, prerelease
       FROM github_releases WHERE repo IN (${marks}) AND draft = 0 AND COALESCE(published_at, created_at) IS NOT NULL
      ORDER BY day DESC, tag DESC LIMIT ${Math.max(1, Math.floor(limit)) * 2}`,
    [...repos],
  );
  const full = rows.filter((r) => !r.prerelease);
  const chosen = (full.length ? full : rows).slice(0, limit).reverse();
  return chosen
    .filter((r): r is typeof r & { day: string } => typeof r.day === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(r.day))
    .map((r) => ({ day: r.day, label: repos.length > 1 ? `${r.repo.split('/')[1] ?? r.repo} ${r.tag ?? ''}`.trim() : (r.tag ?? 'release') }));
}
