import type { SqlJsStatic } from 'sql.js';
import { Agent } from 'undici';
import { sleep } from '../http/client';
import { CancelledError, HttpError, describeError } from '../http/errors';
import type { Logger } from '../log';
import { withStoreClient } from '../store/api/client';
import type { StoreClient } from '../store/api/client';
import { alreadyImported } from './archiveStore';
import type { HourRecord } from './archiveStore';
import { CorruptHourError, downloadHour } from './download';
import { eventProblem, eventRepo, eventRow } from './eventRow';
import type { EventRow } from './eventRow';
import { hourKey, hourUrl, hoursBetween, parseHour } from './hours';
import { LineScanner } from './lineScanner';
import { RepoMatcher } from './repoMatcher';

export const DEFAULT_GHARCHIVE_URL = 'https://data.gharchive.org';

export type GhArchivePhase = 'started' | 'downloading' | 'imported' | 'skipped' | 'missing' | 'corrupt' | 'failed' | 'cancelled';

/** One step of an import, for a progress notification or a CLI line. */
export interface GhArchiveProgress {
  /** ISO start of the hour, e.g. `2015-01-01T12:00:00Z`. */
  hour: string;
  phase: GhArchivePhase;
  /** Hours finished (any outcome, skipped included) and in all. */
  hoursDone: number;
  hoursTotal: number;
  /** 'downloading': compressed bytes received, and the file's size when the server says it. */
  bytes?: number;
  totalBytes?: number;
  /** Lines read so far / in the file, and events of tracked repositories among them. */
  events?: number;
  matched?: number;
  /** For missing, corrupt and failed: what happened, in words. */
  message?: string;
}

export interface GhArchiveImportOptions {
  /** Where the events go: the extension's store worker, or the CLI's store in-process. */
  store?: StoreClient;
  /** Without `store`: the store file, opened in this process for this import. */
  SQL?: SqlJsStatic;
  storeFile?: string;
  logger: Logger;
  /** Tracked repositories as `owner/name` (case does not matter). */
  repos: readonly string[];
  /** First and last hour, both included: `2015-01-01T00`, an ISO time, a Date or ms since the epoch. */
  from: string | number | Date;
  to: string | number | Date;
  /** Default https://data.gharchive.org. */
  baseUrl?: string;
  /** Read hours again even if they were imported for these repositories already. */
  force?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: GhArchiveProgress) => void;
  /** Time allowed for the response headers and then between body chunks. Default 60 s. */
  timeoutMs?: number;
  /** Time allowed for one hour's whole download. Default: ten times `timeoutMs`, at least 10 minutes. */
  hourDeadlineMs?: number;
  /** Hours downloaded at the same time. Default 2: one downloads while another is scanned. */
  concurrency?: number;
  /** Retries of a dropped connection or a 5xx, per hour. Default 2. */
  retries?: number;
  retryBaseMs?: number;
  /** Imported hours are written at least this often (and at the end, and on cancel). Default 5 s. */
  flushIntervalMs?: number;
  /** Events held before a write even within an hour, to bound memory for very active repositories. */
  maxPendingEvents?: number;
  userAgent?: string;
  now?: () => Date;
}

export type GhArchiveHourStatus = 'imported' | 'skipped' | 'missing' | 'corrupt' | 'failed' | 'cancelled';

export interface GhArchiveHourResult {
  hour: string;
  status: GhArchiveHourStatus;
  /** Lines in the file (read before it broke, for a corrupt one). */
  events: number;
  /** Events of tracked repositories in this file. */
  matched: number;
  badLines: number;
  bytes: number;
  suspicious?: boolean;
  message?: string;
}

export interface GhArchiveImportResult {
  hours: GhArchiveHourResult[];
  imported: number;
  skipped: number;
  missing: number;
  corrupt: number;
  failed: number;
  /** Events that were new to the store. */
  added: number;
  cancelled: boolean;
  movedAside?: string;
}

interface PendingHour {
  record: HourRecord;
  result: GhArchiveHourResult;
}

/**
 * Imports GH Archive hours for the tracked repositories into the store. Hours already imported for
 * the same repositories are skipped (unless `force`); every other hour is streamed, filtered and
 * written, and a missing, corrupt or unreachable hour is reported without stopping the others.
 * Completed hours are written as the import goes, so an interrupted import resumes where it stopped.
 * Cancel through `signal`: the result then says `cancelled` and every finished hour is kept.
 */
export async function importGhArchive(options: GhArchiveImportOptions): Promise<GhArchiveImportResult> {
  return withStoreClient('importGhArchive', options, (store) => importWith(options, store));
}

async function importWith(options: GhArchiveImportOptions, store: StoreClient): Promise<GhArchiveImportResult> {
  const repos = [...new Set(options.repos.map((r) => r.trim()).filter(Boolean))];
  if (repos.length === 0) throw new Error('No GitHub repository is tracked: list some under `github:` in community-metrics.yml.');
  const hours = hoursBetween(toHour(options.from, 'from'), toHour(options.to, 'to'));
  const now = options.now ?? (() => new Date());
  const baseUrl = options.baseUrl ?? DEFAULT_GHARCHIVE_URL;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const retries = options.retries ?? 2;
  const retryBaseMs = options.retryBaseMs ?? 1_000;
  const flushIntervalMs = options.flushIntervalMs ?? 5_000;
  const maxPending = options.maxPendingEvents ?? 50_000;
  const { logger, signal } = options;

  // Read the store once, without the lock: the network phase holds no lock.
  let movedAside: string | undefined;
  const previousOnMovedAside = store.onMovedAside;
  store.onMovedAside = (aside) => {
    movedAside ??= aside;
    previousOnMovedAside?.(aside);
  };
  const state = await store.call('ghArchiveState', { repos });
  const matcher = new RepoMatcher(repos, state.knownIds);
  const lowerRepos = repos.map((r) => r.toLowerCase());

  const results = new Map<number, GhArchiveHourResult>();
  const total = hours.length;
  let done = 0;
  const report = (p: Omit<GhArchiveProgress, 'hoursDone' | 'hoursTotal'>) => options.onProgress?.({ ...p, hoursDone: done, hoursTotal: total });

  const queue: number[] = [];
  for (const ms of hours) {
    const key = hourKey(ms);
    if (!options.force && alreadyImported(state, key, repos)) {
      done++;
      results.set(ms, { hour: key, status: 'skipped', events: 0, matched: 0, badLines: 0, bytes: 0 });
      report({ hour: key, phase: 'skipped' });
    } else {
      queue.push(ms);
    }
  }

  // Writes: one at a time, each under the store's lock, merged into what the file holds by then.
  let pendingEvents: EventRow[] = [];
  let pendingHours: PendingHour[] = [];
  let added = 0;
  let lastFlush = Date.now();
  let writing: Promise<void> = Promise.resolve();
  let writeError: unknown;
  const flush = (): Promise<void> => {
    const events = pendingEvents;
    const finished = pendingHours;
    pendingEvents = [];
    pendingHours = [];
    lastFlush = Date.now();
    if (events.length === 0 && finished.length === 0) return writing;
    writing = writing.then(async () => {
      if (writeError) return;
      try {
        const result = await store.call('ghArchiveWrite', { events, hours: finished.map((f) => f.record), now: now() });
        added += result.added;
        for (const f of finished) f.result.suspicious = result.suspicious.includes(f.record.hour);
        for (const h of result.kept) logger.warn(`GH Archive ${h}: kept the earlier import; this attempt's problem is not recorded over it`);
      } catch (err) {
        writeError = err;
      }
    });
    return writing;
  };

  const agent = new Agent({ keepAliveTimeout: 10_000, connections: options.concurrency ?? 2, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connectTimeout: Math.min(timeoutMs, 10_000) });
  let cancelled = false;

  const importOne = async (ms: number): Promise<void> => {
    const key = hourKey(ms);
    const url = hourUrl(baseUrl, ms);
    report({ hour: key, phase: 'started' });
    let outcome: GhArchiveHourResult | undefined;
    for (let attempt = 0; ; attempt++) {
      // Per attempt: a retried download starts the hour again (its events are deduplicated by id).
      const events = new Map<string, EventRow>();
      let matched = 0;
      let badLines = 0;
      let firstBad: string | undefined;
      let lastReport = 0;
      const scanner = new LineScanner(() => matcher.prefilter, {
        candidate: ({ text, lineNo }) => {
          let event: Record<string, unknown>;
          try {
            event = JSON.parse(text) as Record<string, unknown>;
          } catch {
            badLines++;
            firstBad ??= `line ${lineNo}: ${JSON.stringify(text.slice(0, 60))}`;
            return false;
          }
          if (event === null || typeof event !== 'object' || Array.isArray(event)) {
            badLines++;
            firstBad ??= `line ${lineNo}: not a JSON object`;
            return false;
          }
          const repo = eventRepo(event);
          const m = repo && matcher.match(repo);
          if (!repo || !m) return false;
          const problem = eventProblem(event);
          if (problem) {
            // Not an event (an all-null line): a bad line of the hour, never a row with invented fields.
            badLines++;
            firstBad ??= `line ${lineNo}: ${problem}`;
            return false;
          }
          const row = eventRow(event, text, repo, m.tracked, key);
          if (!events.has(row.event_id)) matched++;
          events.set(row.event_id, row);
          if (events.size >= maxPending) {
            // A very active repository: hand the rows over now rather than holding the hour in memory.
            pendingEvents.push(...events.values());
            events.clear();
            void flush();
          }
          return m.learned;
        },
        badLine: (lineNo, excerpt) => {
          badLines++;
          firstBad ??= `line ${lineNo}: ${excerpt}`;
        },
      });
      try {
        const res = await downloadHour({
          url,
          dispatcher: agent,
          ...(signal ? { signal } : {}),
          timeoutMs,
          deadlineMs: options.hourDeadlineMs ?? Math.max(10 * 60_000, 10 * timeoutMs),
          userAgent: options.userAgent ?? 'community-metrics',
          onBytes: (received, size) => {
            const t = Date.now();
            if (t - lastReport < 250) return;
            lastReport = t;
            report({ hour: key, phase: 'downloading', bytes: received, ...(size !== undefined ? { totalBytes: size } : {}), events: scanner.lines, matched });
          },
          onChunk: (chunk) => scanner.push(chunk),
        });
        if (res.status === 'missing') {
          outcome = { hour: key, status: 'missing', events: 0, matched: 0, badLines: 0, bytes: 0, message: `${key}: not in the archive (HTTP ${res.httpStatus} for ${url})` };
          pendingHours.push({ record: { hour: key, status: 'missing', events: 0, badLines: 0, bytes: 0, repos: lowerRepos, message: outcome.message }, result: outcome });
          break;
        }
        scanner.end();
        pendingEvents.push(...events.values());
        const message = badLines > 0 ? `${key}: ${badLines} line${badLines === 1 ? ' is' : 's are'} not JSON events (first at ${firstBad}); the other lines were imported` : undefined;
        const status = badLines > 0 ? 'corrupt' : 'imported';
        outcome = { hour: key, status, events: scanner.lines, matched, badLines, bytes: res.bytes, ...(message ? { message } : {}) };
        pendingHours.push({ record: { hour: key, status, events: scanner.lines, badLines, bytes: res.bytes, repos: lowerRepos, ...(message ? { message } : {}) }, result: outcome });
        break;
      } catch (err) {
        if (err instanceof CancelledError || signal?.aborted) {
          cancelled = true;
          outcome = { hour: key, status: 'cancelled', events: scanner.lines, matched, badLines, bytes: 0 };
          break;
        }
        if (err instanceof CorruptHourError) {
          // What was read before the damage is real data: keep it, and say the hour is incomplete.
          pendingEvents.push(...events.values());
          const message = `${key}: the file is corrupt: ${err.message}, after ${scanner.lines} lines (${url})`;
          outcome = { hour: key, status: 'corrupt', events: scanner.lines, matched, badLines, bytes: err.bytes, message };
          pendingHours.push({ record: { hour: key, status: 'corrupt', events: scanner.lines, badLines, bytes: err.bytes, repos: lowerRepos, message }, result: outcome });
          break;
        }
        const retryable = err instanceof HttpError && err.retryable;
        if (!retryable || attempt >= retries) {
          outcome = { hour: key, status: 'failed', events: 0, matched: 0, badLines: 0, bytes: 0, message: `${key}: ${describeError(err)}` };
          break;
        }
        const delay = Math.random() * retryBaseMs * 2 ** attempt;
        logger.debug(`GH Archive ${key}: retrying in ${Math.round(delay)} ms: ${describeError(err)}`);
        try {
          await sleep(delay, signal);
        } catch {
          cancelled = true;
          outcome = { hour: key, status: 'cancelled', events: 0, matched: 0, badLines: 0, bytes: 0 };
          break;
        }
      }
    }
    results.set(ms, outcome);
    if (outcome.status !== 'cancelled') done++;
    if (outcome.message) logger.warn(`GH Archive ${outcome.message}`);
    else logger.info(`GH Archive ${key}: ${outcome.status}, ${outcome.matched} of ${outcome.events} events matched`);
    report({ hour: key, phase: outcome.status, events: outcome.events, matched: outcome.matched, ...(outcome.message ? { message: outcome.message } : {}) });
    if (Date.now() - lastFlush >= flushIntervalMs || pendingEvents.length >= maxPending) await flush();
  };

  try {
    const workers = Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 2, queue.length)) }, async () => {
      for (let ms = queue.shift(); ms !== undefined; ms = queue.shift()) {
        if (signal?.aborted || writeError) {
          cancelled ||= Boolean(signal?.aborted);
          break;
        }
        await importOne(ms);
      }
    });
    await Promise.all(workers);
  } finally {
    await flush();
    await agent.close().catch(() => undefined);
    store.onMovedAside = previousOnMovedAside;
  }
  if (writeError) throw writeError;

  const list = hours.map((ms) => results.get(ms)).filter((r): r is GhArchiveHourResult => r !== undefined);
  const count = (s: GhArchiveHourStatus) => list.filter((r) => r.status === s).length;
  return {
    hours: list,
    imported: count('imported'),
    skipped: count('skipped'),
    missing: count('missing'),
    corrupt: count('corrupt'),
    failed: count('failed'),
    added,
    cancelled: cancelled || Boolean(signal?.aborted),
    ...(movedAside ? { movedAside } : {}),
  };
}

function toHour(value: string | number | Date, end: 'from' | 'to'): number {
  if (typeof value === 'string') return parseHour(value, end);
  const ms = typeof value === 'number' ? value : value.getTime();
  // An instant inside an hour means that hour.
  return Math.floor(ms / 3_600_000) * 3_600_000;
}
