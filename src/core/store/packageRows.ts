import type { MetricsStore } from './store';

/** Rows of the package-registry raw tables (PyPI, npm, Docker Hub), written as idempotent upserts. */

export interface PypiDailyRow {
  date: string;
  package: string;
  categoryType: 'overall' | 'python_major' | 'python_minor' | 'system';
  category: string;
  downloads: number;
}

export interface PypiRecentRow {
  timestamp: string;
  package: string;
  lastDay: number | null;
  lastWeek: number | null;
  lastMonth: number | null;
}

export interface PypiVersionDailyRow {
  date: string;
  package: string;
  version: string;
  downloads: number;
}

export interface NpmDailyRow {
  date: string;
  package: string;
  downloads: number;
}

export interface DockerHubSnapshot {
  timestamp: string;
  image: string;
  pullCount: number;
  starCount: number | null;
  lastUpdated: string | null;
}

export function upsertPypiDaily(store: MetricsStore, rows: PypiDailyRow[]): void {
  // Upsert by (package, category_type, category, date): a day is replaced by its latest count, and
  // with_mirrors / without_mirrors stay two rows, never summed.
  for (const r of rows) {
    store.db.run(
      `INSERT INTO pypi_downloads_daily (date, package, category_type, category, downloads) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (package, category_type, category, date) DO UPDATE SET downloads = excluded.downloads`,
      [r.date, r.package, r.categoryType, r.category, r.downloads],
    );
  }
}

export function insertPypiRecent(store: MetricsStore, r: PypiRecentRow): void {
  store.db.run(
    'INSERT OR IGNORE INTO pypi_recent (timestamp, package, last_day, last_week, last_month) VALUES (?, ?, ?, ?, ?)',
    [r.timestamp, r.package, r.lastDay, r.lastWeek, r.lastMonth],
  );
}

export function upsertPypiVersionDaily(store: MetricsStore, rows: PypiVersionDailyRow[]): void {
  for (const r of rows) {
    store.db.run(
      `INSERT INTO pypi_version_downloads_daily (date, package, version, downloads) VALUES (?, ?, ?, ?)
       ON CONFLICT (package, version, date) DO UPDATE SET downloads = excluded.downloads`,
      [r.date, r.package, r.version, r.downloads],
    );
  }
}

export function upsertNpmDaily(store: MetricsStore, rows: NpmDailyRow[]): void {
  for (const r of rows) {
    store.db.run(
      `INSERT INTO npm_downloads_daily (date, package, downloads) VALUES (?, ?, ?)
       ON CONFLICT (package, date) DO UPDATE SET downloads = excluded.downloads`,
      [r.date, r.package, r.downloads],
    );
  }
}

/** One Docker Hub snapshot: the seed's `dockerhub_pulls` row and the fuller `dockerhub_snapshots` row. */
export function insertDockerHubSnapshot(store: MetricsStore, s: DockerHubSnapshot): void {
  store.db.run('INSERT OR IGNORE INTO dockerhub_pulls (timestamp, image, pull_count) VALUES (?, ?, ?)', [s.timestamp, s.image, s.pullCount]);
  store.db.run(
    'INSERT OR IGNORE INTO dockerhub_snapshots (timestamp, image, pull_count, star_count, last_updated) VALUES (?, ?, ?, ?, ?)',
    [s.timestamp, s.image, s.pullCount, s.starCount, s.lastUpdated],
  );
}

/** Whether an image has a snapshot on this UTC day (`YYYY-MM-DD`). */
export function hasDockerHubSnapshotOn(store: MetricsStore, image: string, day: string): boolean {
  return store.all('SELECT 1 FROM dockerhub_pulls WHERE image = ? AND substr(timestamp, 1, 10) = ? LIMIT 1', [image, day]).length > 0;
}

/**
 * A 304 says the image is as at its latest snapshot: record that value again at `timestamp`, so that
 * the day counts as observed (coverage) and a daily series has no hole where nothing changed.
 */
export function carryForwardDockerHubSnapshot(store: MetricsStore, image: string, timestamp: string): void {
  store.db.run('INSERT OR IGNORE INTO dockerhub_pulls (timestamp, image, pull_count) SELECT ?, image, pull_count FROM dockerhub_pulls WHERE image = ? ORDER BY timestamp DESC LIMIT 1', [timestamp, image]);
  store.db.run(
    `INSERT OR IGNORE INTO dockerhub_snapshots (timestamp, image, pull_count, star_count, last_updated)
       SELECT ?, image, pull_count, star_count, last_updated FROM dockerhub_snapshots WHERE image = ? ORDER BY timestamp DESC LIMIT 1`,
    [timestamp, image],
  );
}
