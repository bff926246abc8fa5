import type { SqlReader } from '../charts/sqlReader';
import type { MetricsStore } from '../store/store';

/**
 * `pypi_downloads_history` (migration 4), as functions over the store like archiveStore.ts: ClickPy's
 * daily downloads per package, dimension and category, upserted (a day asked again replaces its count).
 */
export interface PypiHistoryRow {
  date: string;
  package: string;
  dimension: string;
  category: string;
  downloads: number;
}

export function upsertPypiHistory(store: MetricsStore, rows: readonly PypiHistoryRow[], source: string, now: Date): number {
  const at = now.toISOString();
  const st = store.db.prepare(
    `INSERT INTO pypi_downloads_history (date, package, dimension, category, downloads, source, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (package, dimension, category, date) DO UPDATE SET downloads = excluded.downloads, source = excluded.source, fetched_at = excluded.fetched_at`,
  );
  try {
    for (const r of rows) st.run([r.date, r.package, r.dimension, r.category, r.downloads, source, at]);
  } finally {
    st.free();
  }
  return rows.length;
}

/** The last day stored per package and dimension, keyed `package\0dimension`. */
export function latestHistoryDays(store: MetricsStore, packages: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (packages.length === 0) return out;
  for (const r of store.all<{ package: string; dimension: string; d: string }>(
    'SELECT package, dimension, MAX(date) AS d FROM pypi_downloads_history WHERE package IN (SELECT value FROM json_each(?)) GROUP BY package, dimension',
    [JSON.stringify(packages)],
  )) {
    out.set(`${r.package}\u0000${r.dimension}`, r.d);
  }
  return out;
}

/**
 * Installers grouped by who runs them. Mirrors copy all of PyPI (a download is not a user); other
 * tools (plain HTTP clients, unknown user agents) are mostly CI and bots; installers people run
 * count as people. CI also runs pip, so "people" is an upper bound.
 */
const MIRRORS = new Set(['bandersnatch', 'z3c.pypimirror', 'devpi', 'artifactory', 'nexus', 'pep381client', 'pypi-mirror', 'proxpi', 'pulp']);
const INSTALLERS = new Set(['pip', 'uv', 'poetry', 'pdm', 'pipenv', 'setuptools', 'distribute', 'conda', 'browser', 'pex', 'hatch', 'pipx', 'rye', 'bazel', 'homebrew']);

export type InstallerGroup = 'mirror' | 'installer' | 'other';

export function installerGroup(installer: string): InstallerGroup {
  const k = installer.trim().toLowerCase();
  if (MIRRORS.has(k)) return 'mirror';
  if (INSTALLERS.has(k)) return 'installer';
  return 'other';
}

export interface InstallerShare {
  from: string;
  to: string;
  total: number;
  mirror: number;
  installer: number;
  other: number;
  /** The largest installers of each group, most downloads first. */
  top: Array<{ installer: string; group: InstallerGroup; downloads: number }>;
}

/** Downloads by installer group over the `days` days ending at the package's last day with data. */
export function installerShare(db: SqlReader, pkg: string, days = 30): InstallerShare | undefined {
  const end = db.all<{ d: string | null }>("SELECT MAX(date) AS d FROM pypi_downloads_history WHERE package = ? AND dimension = 'installer'", [pkg])[0]?.d;
  if (!end) return undefined;
  const start = new Date(Date.parse(`${end}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  const rows = db.all<{ installer: string; downloads: number }>(
    "SELECT category AS installer, SUM(downloads) AS downloads FROM pypi_downloads_history WHERE package = ? AND dimension = 'installer' AND date BETWEEN ? AND ? GROUP BY category ORDER BY downloads DESC",
    [pkg, start, end],
  );
  const share: InstallerShare = { from: start, to: end, total: 0, mirror: 0, installer: 0, other: 0, top: [] };
  for (const r of rows) {
    const g = installerGroup(String(r.installer));
    const n = Number(r.downloads);
    share[g] += n;
    share.total += n;
    share.top.push({ installer: String(r.installer) || '(none)', group: g, downloads: n });
  }
  share.top = share.top.slice(0, 6);
  return share.total > 0 ? share : undefined;
}

export interface VersionAdoptionYear {
  year: string;
  total: number;
  /** Release series (major.minor) by share of the year's downloads, largest first. */
  series: Array<{ series: string; downloads: number; share: number }>;
}

/** Version adoption over years: per calendar year, the share of downloads of each major.minor series. */
export function versionAdoptionByYear(db: SqlReader, pkg: string, top = 4): VersionAdoptionYear[] {
  const rows = db.all<{ year: string; version: string; downloads: number }>(
    `SELECT substr(date, 1, 4) AS year, category AS version, SUM(downloads) AS downloads
       FROM pypi_downloads_merged WHERE package = ? AND dimension = 'version' GROUP BY year, version`,
    [pkg],
  );
  const years = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const m = /^(\d+)(?:\.(\d+))?/.exec(String(r.version));
    const s = m ? `${m[1]}.${m[2] ?? '0'}` : String(r.version);
    const y = years.get(r.year) ?? new Map<string, number>();
    y.set(s, (y.get(s) ?? 0) + Number(r.downloads));
    years.set(r.year, y);
  }
  return [...years.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([year, m]) => {
      const total = [...m.values()].reduce((a, b) => a + b, 0);
      const series = [...m.entries()]
        .map(([s, downloads]) => ({ series: s, downloads, share: total ? downloads / total : 0 }))
        .sort((a, b) => b.downloads - a.downloads)
        .slice(0, top);
      return { year, total, series };
    });
}
