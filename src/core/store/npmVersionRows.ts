import type { MetricsStore } from './store';

/** One snapshot of npm's `/versions/{package}/last-week`: downloads per version in the 7 days before it. */
export interface NpmVersionSnapshot {
  package: string;
  snapshotDay: string;
  fetchedAt: string;
  versions: { version: string; downloads: number }[];
}

/** Replaces the day's snapshot (a later fetch the same day wins), so a repeated refresh never adds to it. */
export function replaceNpmVersionSnapshot(store: MetricsStore, s: NpmVersionSnapshot): void {
  store.db.run('DELETE FROM npm_version_downloads WHERE package = ? AND snapshot_day = ?', [s.package, s.snapshotDay]);
  // The snapshot itself, so that a day whose answer listed no version still counts as observed.
  store.db.run(
    `INSERT INTO npm_version_snapshots (package, snapshot_day, versions, downloads, fetched_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (package, snapshot_day) DO UPDATE SET versions = excluded.versions, downloads = excluded.downloads, fetched_at = excluded.fetched_at`,
    [s.package, s.snapshotDay, s.versions.length, s.versions.reduce((n, v) => n + v.downloads, 0), s.fetchedAt],
  );
  for (const v of s.versions) {
    store.db.run(
      `INSERT INTO npm_version_downloads (package, snapshot_day, version, downloads, fetched_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (package, snapshot_day, version) DO UPDATE SET downloads = excluded.downloads, fetched_at = excluded.fetched_at`,
      [s.package, s.snapshotDay, v.version, v.downloads, s.fetchedAt],
    );
  }
}
