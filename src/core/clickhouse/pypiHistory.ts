import type { SqlJsStatic } from 'sql.js';
import type { HttpClient } from '../http/client';
import { CancelledError } from '../http/errors';
import type { Logger } from '../log';
import { noteMovedAside, withStoreClient } from '../store/api/client';
import type { StoreClient } from '../store/api/client';
import { ClickHouseClient, ClickHouseError, int, literal, text } from './client';
import type { ClickHouseStats } from './client';
import type { ClickHouseConnection } from './connection';
import { checkConnection } from './connection';
import type { PypiHistoryRow } from './pypiHistoryStore';

/**
 * PyPI downloads per day since a package's first release, from ClickPy's tables (ClickHouse/clickpy,
 * scripts/create_tables.sh). They are SummingMergeTree tables, so rows of one key may not be merged
 * yet: every query sums `count`. ClickPy counts every download BigQuery's `file_downloads` saw —
 * mirrors (bandersnatch), CI and bots included — like pypistats' `with_mirrors` and pepy.tech.
 */
export type PypiDimension = 'overall' | 'version' | 'installer' | 'python_minor' | 'system' | 'country';

export const PYPI_DIMENSIONS: ReadonlyArray<{ dimension: PypiDimension; table: string; column: string | null }> = [
  { dimension: 'overall', table: 'pypi_downloads_per_day', column: null },
  { dimension: 'version', table: 'pypi_downloads_per_day_by_version', column: 'version' },
  { dimension: 'installer', table: 'pypi_downloads_per_day_by_version_by_installer_by_type', column: 'installer' },
  { dimension: 'python_minor', table: 'pypi_downloads_per_day_by_version_by_python', column: 'python_minor' },
  { dimension: 'system', table: 'pypi_downloads_per_day_by_version_by_system', column: 'system' },
  { dimension: 'country', table: 'pypi_downloads_per_day_by_version_by_country', column: 'country_code' },
];

/** PEP 503: ClickPy keys projects by their normalized name. */
export function normalizePackage(name: string): string {
  return name.trim().toLowerCase().replace(/[-_.]+/g, '-');
}

export interface PypiHistoryOptions {
  /** Where the rows go: the extension's store worker, or the CLI's store in-process. */
  store?: StoreClient;
  /** Without `store`: the store file, opened in this process for this import. */
  SQL?: SqlJsStatic;
  storeFile?: string;
  logger: Logger;
  http: HttpClient;
  connection: ClickHouseConnection;
  /** Package names as configured. */
  packages: readonly string[];
  /** Ask the whole history again, not only from the last stored day. */
  force?: boolean;
  signal?: AbortSignal;
  now?: () => Date;
  timeoutMs?: number;
  onProgress?: (p: { package: string; phase: 'querying' | 'stored' | 'failed'; rows?: number; message?: string }) => void;
}

export interface PypiHistoryPackageResult {
  package: string;
  status: 'stored' | 'failed' | 'cancelled';
  rows: number;
  /** First and last day ClickPy has for the package. */
  first?: string;
  last?: string;
  message?: string;
}

export interface PypiHistoryResult {
  packages: PypiHistoryPackageResult[];
  cancelled: boolean;
  stats: ClickHouseStats;
  movedAside?: string;
}

/**
 * Per package, one query per dimension from the day after the last one stored (the last stored day
 * is asked again: ClickPy's newest day fills during the day), all six answered before one write,
 * so a package is stored whole or not at all. A quota error stops the run (the next packages would
 * hit it too); any other failure is that package's.
 */
export async function importPypiHistory(options: PypiHistoryOptions): Promise<PypiHistoryResult> {
  return withStoreClient('importPypiHistory', options, (store) => importWith(options, store));
}

function importWith(options: PypiHistoryOptions, store: StoreClient): Promise<PypiHistoryResult> {
  return noteMovedAside(store, () => importPackages(options, store));
}

async function importPackages(options: PypiHistoryOptions, store: StoreClient): Promise<PypiHistoryResult> {
  const connection = checkConnection(options.connection, 'ClickHouse (ClickPy)');
  const label = `ClickPy on ClickHouse (${connection.url})`;
  const client = new ClickHouseClient({ http: options.http, connection, logger: options.logger, label, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  const now = options.now ?? (() => new Date());
  const packages = [...new Set(options.packages.map((p) => p.trim()).filter(Boolean))];
  const latest = await store.call('pypiHistoryLatest', { packages });
  const out: PypiHistoryResult = { packages: [], cancelled: false, stats: client.stats };
  for (const pkg of packages) {
    if (options.signal?.aborted) {
      out.cancelled = true;
      break;
    }
    const project = normalizePackage(pkg);
    options.onProgress?.({ package: pkg, phase: 'querying' });
    const rows: PypiHistoryRow[] = [];
    try {
      for (const d of PYPI_DIMENSIONS) {
        const since = options.force ? undefined : latest.get(`${pkg}\u0000${d.dimension}`);
        const category = d.column ? `toString(${d.column})` : "''";
        const answer = await client.query<Record<string, unknown>>(
          `SELECT toString(date) AS day, ${category} AS category, sum(count) AS downloads
             FROM ${d.table}
            WHERE project = ${literal(project)}${since ? ` AND date >= toDate(${literal(since)})` : ''}
            GROUP BY day, category ORDER BY day, category`,
          options.signal,
        );
        for (const r of answer) {
          const date = text(r.day, 'date', label);
          if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new ClickHouseError(`${label}: date ${JSON.stringify(date)} is not YYYY-MM-DD; nothing of ${pkg} was stored`, 'malformed');
          rows.push({ date, package: pkg, dimension: d.dimension, category: text(r.category, 'category', label), downloads: int(r.downloads, 'downloads', label) });
        }
      }
    } catch (err) {
      if (err instanceof CancelledError || options.signal?.aborted) {
        out.cancelled = true;
        out.packages.push({ package: pkg, status: 'cancelled', rows: 0 });
        break;
      }
      if (!(err instanceof ClickHouseError)) throw err;
      out.packages.push({ package: pkg, status: 'failed', rows: 0, message: err.message });
      options.onProgress?.({ package: pkg, phase: 'failed', message: err.message });
      options.logger.warn(`PyPI history ${pkg}: ${err.message}`);
      if (err.kind === 'quota' || err.kind === 'auth') break;
      continue;
    }
    await store.call('pypiHistoryWrite', { rows, source: 'clickpy', now: now() });
    const days = rows.filter((r) => r.dimension === 'overall').map((r) => r.date);
    out.packages.push({ package: pkg, status: 'stored', rows: rows.length, ...(days.length ? { first: days[0] as string, last: days[days.length - 1] as string } : {}) });
    options.onProgress?.({ package: pkg, phase: 'stored', rows: rows.length });
    options.logger.info(`PyPI history ${pkg}: ${rows.length} rows from ClickPy`);
  }
  return out;
}
