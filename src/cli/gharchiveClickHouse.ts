import { importGhArchiveViaClickHouse } from '../core/clickhouse/archiveImport';
import { CLICKHOUSE_MAX_ANSWER_BYTES, GITHUB_EVENTS_DEFAULTS } from '../core/clickhouse/connection';
import { HttpClient } from '../core/http/client';
import { describeError } from '../core/http/errors';
import type { Logger } from '../core/log';
import { loadSqlJs } from '../core/store/sqljs';

/** The `gharchive import --via clickhouse` options (merged into the command's parseArgs table). */
export const CLICKHOUSE_OPTIONS = {
  via: { type: 'string' },
  'clickhouse-url': { type: 'string' },
  'clickhouse-user': { type: 'string' },
  'clickhouse-database': { type: 'string' },
  'days-per-query': { type: 'string' },
} as const;

export const CLICKHOUSE_USAGE = `  --via files|clickhouse   where the events come from: the hourly files (default), or ClickHouse's
                           github_events table, which filters and counts on the server (whole UTC days;
                           any range since 2011; password from CLICKHOUSE_PASSWORD)
  --clickhouse-url URL     ClickHouse HTTP interface (default: ${GITHUB_EVENTS_DEFAULTS.url})
  --clickhouse-user USER   (default: ${GITHUB_EVENTS_DEFAULTS.user})
  --clickhouse-database DB database holding github_events (default: ${GITHUB_EVENTS_DEFAULTS.database})
  --days-per-query N       days asked and stored at once with --via clickhouse (default: 31)`;

export interface ViaClickHouseArgs {
  values: { from?: string; to?: string; force?: boolean; 'clickhouse-url'?: string; 'clickhouse-user'?: string; 'clickhouse-database'?: string; 'days-per-query'?: string };
  repos: string[];
  storeFile: string;
  logger: Logger;
  timeoutSeconds: number;
  wasmPath: string;
}

/**
 * The ClickHouse path of `gharchive import`: one line per chunk of days on stderr, a summary on stdout.
 * Exits 1 when a chunk failed (the message says why; the chunks before it are stored), 130 on Ctrl-C.
 */
export async function gharchiveViaClickHouse(a: ViaClickHouseArgs): Promise<number> {
  const days = Number(a.values['days-per-query'] ?? 31);
  if (!Number.isInteger(days) || days < 1 || days > 366) {
    process.stderr.write('--days-per-query must be a whole number from 1 to 366.\n');
    return 2;
  }
  const connection = {
    url: a.values['clickhouse-url'] ?? GITHUB_EVENTS_DEFAULTS.url,
    user: a.values['clickhouse-user'] ?? GITHUB_EVENTS_DEFAULTS.user,
    database: a.values['clickhouse-database'] ?? GITHUB_EVENTS_DEFAULTS.database,
    ...(process.env.CLICKHOUSE_PASSWORD ? { password: process.env.CLICKHOUSE_PASSWORD } : {}),
  };
  const timeoutMs = (Number.isFinite(a.timeoutSeconds) && a.timeoutSeconds > 0 ? a.timeoutSeconds : 300) * 1000;
  // The GitHub origin is never asked here; no token is given to this client at all.
  const http = new HttpClient({ githubApiUrl: 'https://api.github.com', timeoutMs, logger: a.logger, userAgent: 'community-metrics-cli', connectionsPerOrigin: 1, maxBodyBytes: CLICKHOUSE_MAX_ANSWER_BYTES });
  const abort = new AbortController();
  const onSigint = () => {
    process.stderr.write('Cancelling… (the days already stored are kept; run again to resume)\n');
    abort.abort();
  };
  process.once('SIGINT', onSigint);
  try {
    const SQL = await loadSqlJs(a.wasmPath);
    process.stderr.write(`GH Archive via ClickHouse ${connection.url} (${connection.database}.github_events) for ${a.repos.length} repositor${a.repos.length === 1 ? 'y' : 'ies'}\n`);
    const result = await importGhArchiveViaClickHouse({
      SQL,
      storeFile: a.storeFile,
      logger: a.logger,
      http,
      connection,
      repos: a.repos,
      from: a.values.from ?? '',
      to: a.values.to ?? '',
      daysPerQuery: days,
      force: a.values.force ?? false,
      signal: abort.signal,
      timeoutMs,
      onProgress: (p) => {
        if (p.phase === 'stored') process.stderr.write(`[${p.chunksDone}/${p.chunksTotal}] ${p.from}…${p.to}: ${p.events ?? 0} events stored\n`);
      },
    });
    if (result.movedAside) process.stderr.write(`warning: the old store was unreadable and was moved to ${result.movedAside}\n`);
    if (result.failed) process.stderr.write(`error: ${result.failed}\n`);
    const s = result.stats;
    process.stdout.write(
      `days ${result.days} (${result.skippedDays} already imported), hours imported ${result.hoursImported}, not yet in the table ${result.hoursMissing}; ` +
        `${result.added} new events, ${result.counts} daily counts; ${s.requests} queries, ${(s.bytes / 1e6).toFixed(2)} MB received` +
        `${result.cancelled ? ', cancelled' : ''} → ${a.storeFile}\n`,
    );
    if (result.cancelled) return 130;
    return result.failed ? 1 : 0;
  } catch (err) {
    process.stderr.write(`error: ${describeError(err)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
    await http.close().catch(() => undefined);
  }
}
