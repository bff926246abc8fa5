import type { SqlJsStatic } from 'sql.js';
import { alreadyImported } from '../gharchive/archiveStore';
import type { EventRow } from '../gharchive/eventRow';
import { HOUR, HourRangeError, hourKey, parseHour } from '../gharchive/hours';
import type { HttpClient } from '../http/client';
import { CancelledError } from '../http/errors';
import type { Logger } from '../log';
import { noteMovedAside, withStoreClient } from '../store/api/client';
import type { StoreClient } from '../store/api/client';
import { EVENT_SELECT, clickHouseEventRow, isoDay } from './archiveRows';
import type { ClickHouseEvent, DailyCount } from './archiveRows';
import { ClickHouseClient, ClickHouseError, int, literal, text } from './client';
import type { ClickHouseStats } from './client';
import type { ClickHouseConnection } from './connection';
import { checkConnection } from './connection';

const DAY = 24 * HOUR;

/** At most this many days in one import (a typo in a year must not queue a century). */
export const MAX_DAYS_PER_CLICKHOUSE_IMPORT = 366 * 20;

export interface ClickHouseArchiveProgress {
  /** First and last day of the chunk (YYYY-MM-DD). */
  from: string;
  to: string;
  phase: 'querying' | 'stored' | 'skipped';
  chunksDone: number;
  chunksTotal: number;
  events?: number;
}

export interface ClickHouseArchiveOptions {
  /** Where the rows go: the extension's store worker, or the CLI's store in-process. */
  store?: StoreClient;
  /** Without `store`: the store file, opened in this process for this import. */
  SQL?: SqlJsStatic;
  storeFile?: string;
  logger: Logger;
  http: HttpClient;
  connection: ClickHouseConnection;
  /** Tracked repositories as `owner/name`. */
  repos: readonly string[];
  /** First and last day (or hour: its day is taken whole). */
  from: string;
  to: string;
  /** The table name inside the connection's database. Default `github_events`. */
  table?: string;
  /** Days per query (each chunk is asked and stored whole). Default 31. */
  daysPerQuery?: number;
  /**
   * Hours younger than this are not trusted to be in the table yet (it is loaded from GH Archive with
   * a delay): they are recorded as missing and asked again next time. Default 3 hours.
   */
  settleMs?: number;
  /** Ask again for days whose hours are all imported already. */
  force?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: ClickHouseArchiveProgress) => void;
  now?: () => Date;
  /** The HTTP client's timeout, quoted in a timeout message. */
  timeoutMs?: number;
}

export interface ClickHouseArchiveResult {
  days: number;
  /** Days that needed nothing (all their hours imported already for these repositories). */
  skippedDays: number;
  chunks: number;
  hoursImported: number;
  hoursMissing: number;
  /** Events new to the store, and daily count rows written. */
  added: number;
  counts: number;
  cancelled: boolean;
  /** The first chunk that failed, in words; earlier chunks are stored, later ones were not asked. */
  failed?: string;
  failure?: ClickHouseError;
  stats: ClickHouseStats;
  movedAside?: string;
}

/**
 * GH Archive for the tracked repositories through ClickHouse's `github_events`: the server filters
 * to those repositories and counts per day, event type and distinct actors; only that comes back.
 * Days are asked in chunks; a chunk is stored whole (events, daily counts, hour coverage in one
 * transaction) only after all its queries succeeded, so a quota, a timeout, a dropped connection or
 * a malformed row stores nothing of that chunk and stops the import with its message.
 *
 * Incremental: a day whose 24 hours are all imported for every repository (by this path or from the
 * hourly files) is not asked again. Events of hours already imported from the hourly files are not
 * stored twice (the table has no event ids to match them by).
 */
export async function importGhArchiveViaClickHouse(options: ClickHouseArchiveOptions): Promise<ClickHouseArchiveResult> {
  return withStoreClient('importGhArchiveViaClickHouse', options, (store) => importWith(options, store));
}

async function importWith(options: ClickHouseArchiveOptions, store: StoreClient): Promise<ClickHouseArchiveResult> {
  const repos = [...new Set(options.repos.map((r) => r.trim()).filter(Boolean))];
  if (repos.length === 0) throw new Error('No GitHub repository is tracked: list some under `github:` in community-metrics.yml.');
  const connection = checkConnection(options.connection, 'ClickHouse (GH Archive)');
  const table = options.table ?? 'github_events';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) throw new HourRangeError(`'${table}' is not a plain table name`);
  const now = options.now ?? (() => new Date());
  const firstDay = Math.floor(parseHour(options.from, 'from') / DAY) * DAY;
  const lastDay = Math.floor(parseHour(options.to, 'to') / DAY) * DAY;
  if (lastDay < firstDay) throw new HourRangeError(`The range ends (${isoDay(lastDay / DAY)}) before it starts (${isoDay(firstDay / DAY)})`);
  const dayCount = (lastDay - firstDay) / DAY + 1;
  if (dayCount > MAX_DAYS_PER_CLICKHOUSE_IMPORT) throw new HourRangeError(`${dayCount} days is more than one import handles (${MAX_DAYS_PER_CLICKHOUSE_IMPORT}); split the range`);
  const settled = Math.floor((now().getTime() - (options.settleMs ?? 3 * HOUR)) / HOUR) * HOUR;
  const label = `GH Archive on ClickHouse (${connection.url})`;
  const client = new ClickHouseClient({ http: options.http, connection, logger: options.logger, label, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });

  // Read the store once, without the lock: the network phase holds no lock.
  return noteMovedAside(store, () => importChunks(options, store, { repos, connection, table, now, firstDay, lastDay, dayCount, settled, label, client }));
}

interface ImportPlan {
  repos: string[];
  connection: ClickHouseConnection;
  table: string;
  now: () => Date;
  firstDay: number;
  lastDay: number;
  dayCount: number;
  settled: number;
  label: string;
  client: ClickHouseClient;
}

async function importChunks(options: ClickHouseArchiveOptions, store: StoreClient, plan: ImportPlan): Promise<ClickHouseArchiveResult> {
  const { repos, connection, table, now, firstDay, lastDay, dayCount, settled, label, client } = plan;
  const { state, names } = await store.call('clickHouseArchiveState', { repos });

  const needed: number[] = [];
  let skippedDays = 0;
  for (let d = firstDay; d <= lastDay; d += DAY) {
    if (d > settled) break; // the future: nothing to ask
    const complete = Array.from({ length: 24 }, (_, h) => hourKey(d + h * HOUR)).every((h) => alreadyImported(state, h, repos));
    if (complete && !options.force) skippedDays++;
    else needed.push(d);
  }
  const chunks = splitRuns(needed, options.daysPerQuery ?? 31);
  const result: ClickHouseArchiveResult = { days: dayCount, skippedDays, chunks: chunks.length, hoursImported: 0, hoursMissing: 0, added: 0, counts: 0, cancelled: false, stats: client.stats };

  // Every spelling the repository had in the archive maps to the configured name.
  const nameToTracked = new Map<string, string>();
  for (const r of repos) for (const n of names.get(r.toLowerCase()) ?? [r]) nameToTracked.set(n, r);
  const nameList = [...nameToTracked.keys()].sort();
  const inList = nameList.map(literal).join(', ');
  const trackedOf = `transform(repo_name, [${nameList.map(literal).join(', ')}], [${nameList.map((n) => literal((nameToTracked.get(n) ?? n).toLowerCase())).join(', ')}], '')`;

  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i] as { start: number; end: number };
    const from = isoDay(chunk.start / DAY);
    const to = isoDay((chunk.end - DAY) / DAY);
    if (options.signal?.aborted) {
      result.cancelled = true;
      break;
    }
    options.onProgress?.({ from, to, phase: 'querying', chunksDone: i, chunksTotal: chunks.length });
    const lo = chunk.start / 1000;
    const hi = chunk.end / 1000;
    // file_time (the archive hour) decides the day, but it is not in the table's sort key (event_type,
    // repo_name, created_at): the created_at bounds, two days wider, let the server skip the
    // repository's other years instead of reading all of its rows for every chunk.
    const where =
      `repo_name IN (${inList}) AND created_at >= toDateTime(${lo - 2 * 86_400}) AND created_at < toDateTime(${hi + 2 * 86_400})` +
      ` AND file_time >= toDateTime(${lo}) AND file_time < toDateTime(${hi})`;
    let events: EventRow[];
    let counts: DailyCount[];
    try {
      // Day = whole UTC days of the archive hour (file_time), counted without the server's time zone.
      const countRows = await client.query<Record<string, unknown>>(
        `SELECT intDiv(toUInt32(file_time), 86400) AS day, ${trackedOf} AS repo, toString(event_type) AS type_name,
                count() AS events, uniqExact(actor_login) AS actors
           FROM ${table} WHERE ${where}
          GROUP BY day, repo, type_name ORDER BY day, repo, type_name`,
        options.signal,
      );
      counts = countRows.map((r) => ({
        day: isoDay(int(r.day, 'day', label)),
        repo: text(r.repo, 'repo', label),
        eventType: text(r.type_name, 'event_type', label),
        events: int(r.events, 'events', label),
        actors: int(r.actors, 'actors', label),
      }));
      const rows = await client.query<ClickHouseEvent & Record<string, unknown>>(
        `SELECT ${EVENT_SELECT} FROM ${table} WHERE ${where} ORDER BY file_s, created_s, type_name, actor_login`,
        options.signal,
      );
      const seen = new Map<string, number>();
      events = rows.map((r) => {
        const tracked = nameToTracked.get(String(r.repo_name));
        if (!tracked) throw new ClickHouseError(`${label}: the answer holds repository ${JSON.stringify(r.repo_name)}, which was not asked for; nothing from this query was stored`, 'malformed');
        return clickHouseEventRow(r, tracked, seen, label);
      });
    } catch (err) {
      if (err instanceof CancelledError || options.signal?.aborted) {
        result.cancelled = true;
        break;
      }
      if (err instanceof ClickHouseError) {
        result.failure = err;
        result.failed = `${from}…${to}: ${err.message}`;
        options.logger.warn(`GH Archive via ClickHouse ${result.failed}`);
        break;
      }
      throw err;
    }
    const importedHours: string[] = [];
    const missingHours: string[] = [];
    for (let h = chunk.start; h < chunk.end; h += HOUR) (h < settled ? importedHours : missingHours).push(hourKey(h));
    const written = await store.call('clickHouseArchiveWrite', { events, counts, importedHours, missingHours, repos, source: `${connection.url} ${connection.database}.${table}`, now: now() });
    result.added += written.added;
    result.counts += written.counts;
    result.hoursImported += importedHours.length;
    result.hoursMissing += missingHours.length;
    options.logger.info(`GH Archive via ClickHouse ${from}…${to}: ${events.length} events, ${counts.length} daily counts (${written.added} new events)`);
    options.onProgress?.({ from, to, phase: 'stored', chunksDone: i + 1, chunksTotal: chunks.length, events: events.length });
  }
  return result;
}

/** Consecutive days grouped into runs of at most `max` days: [start, end) in ms. */
function splitRuns(days: number[], max: number): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  for (const d of days) {
    const last = out[out.length - 1];
    if (last && last.end === d && (last.end - last.start) / DAY < Math.max(1, max)) last.end = d + DAY;
    else out.push({ start: d, end: d + DAY });
  }
  return out;
}
