import type { SqlReader } from '../charts/sqlReader';
import type { VersionDownloads } from './oldVersionShare';

/**
 * The latest daily snapshot of npm's per-version downloads (the 7 days before it): npm keeps no
 * per-version history, so the old-version share is judged on the newest week the store kept.
 */
export function latestNpmVersions(db: SqlReader, pkg: string): { day: string; rows: VersionDownloads[] } | undefined {
  const day = db.all<{ d: string | null }>('SELECT MAX(snapshot_day) AS d FROM npm_version_downloads WHERE package = ?', [pkg])[0]?.d;
  if (!day) return undefined;
  const rows = db.all<VersionDownloads>('SELECT version, downloads FROM npm_version_downloads WHERE package = ? AND snapshot_day = ?', [pkg, day]);
  return { day, rows };
}
