import type { HttpClient } from '../http/client';
import { redact, sleep } from '../http/client';
import { CancelledError, HttpError } from '../http/errors';
import type { Logger } from '../log';
import type { ClickHouseConnection } from './connection';

/**
 * Queries over ClickHouse's HTTP interface through the project's HTTP client: the SQL is the POST
 * body, the answer `JSONEachRow` (one JSON object per line; 64-bit integers arrive as strings by
 * default, see `int`). Every answer is read whole and checked line by line before a caller sees a
 * row, so a result cut short, a ClickHouse exception written into the middle of a result, or a
 * malformed line fails the query and nothing of it is stored.
 */
export type ClickHouseFailure = 'quota' | 'limit' | 'timeout' | 'auth' | 'missing-table' | 'query' | 'network' | 'malformed' | 'busy';

export class ClickHouseError extends Error {
  constructor(
    message: string,
    readonly kind: ClickHouseFailure,
    /** ClickHouse's error code (201 quota, 159 timeout, 60 unknown table, …) when it gave one. */
    readonly code?: number,
  ) {
    super(message);
    this.name = 'ClickHouseError';
  }
}

export interface ClickHouseStats {
  requests: number;
  /** Bytes of answers received (what the service sent, uncompressed). */
  bytes: number;
  rows: number;
  /** Wall time spent waiting for answers. */
  ms: number;
}

export interface ClickHouseClientOptions {
  http: HttpClient;
  connection: ClickHouseConnection;
  logger: Logger;
  /** What the connection is for, in messages ("GH Archive on ClickHouse"). */
  label?: string;
  /** Retries of a dropped connection or a busy server (the query is a read: repeating it is safe). */
  retries?: number;
  retryBaseMs?: number;
  /** The HTTP client's timeout, to say it in a timeout message. */
  timeoutMs?: number;
}

/** ClickHouse error codes this client acts on. */
const QUOTA_EXCEEDED = 201;
const TIMEOUT_EXCEEDED = 159;
const UNKNOWN_TABLE = 60;
const UNKNOWN_DATABASE = 81;
const TOO_MANY_SIMULTANEOUS_QUERIES = 202;
/** Per-query complexity limits of the public users (TOO_MANY_ROWS, TOO_MANY_BYTES, TOO_MANY_ROWS_OR_BYTES, result limits). */
const COMPLEXITY = new Set([158, 307, 396, 397]);
const AUTH = new Set([192, 193, 194, 195, 516]);

export class ClickHouseClient {
  readonly stats: ClickHouseStats = { requests: 0, bytes: 0, rows: 0, ms: 0 };
  private readonly label: string;

  constructor(private readonly options: ClickHouseClientOptions) {
    this.label = options.label ?? `ClickHouse at ${options.connection.url}`;
  }

  get connection(): ClickHouseConnection {
    return this.options.connection;
  }

  /** Runs one SELECT (without FORMAT: `JSONEachRow` is added) and returns its rows. */
  async query<T extends Record<string, unknown>>(sql: string, signal?: AbortSignal): Promise<T[]> {
    const retries = this.options.retries ?? 2;
    const base = this.options.retryBaseMs ?? 500;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.queryOnce<T>(sql, signal);
      } catch (err) {
        if (signal?.aborted || err instanceof CancelledError) throw new CancelledError();
        const retryable = err instanceof ClickHouseError && (err.kind === 'network' || err.kind === 'busy');
        if (!retryable || attempt >= retries) throw err;
        const delay = Math.random() * base * 2 ** attempt;
        this.options.logger.debug(`${this.label}: retrying in ${Math.round(delay)} ms: ${err.message}`);
        await sleep(delay, signal);
      }
    }
  }

  private async queryOnce<T>(sql: string, signal?: AbortSignal): Promise<T[]> {
    const c = this.options.connection;
    const url = `${c.url}/?database=${encodeURIComponent(c.database)}`;
    const auth = `Basic ${Buffer.from(`${c.user}:${c.password ?? ''}`).toString('base64')}`;
    const started = Date.now();
    let res;
    try {
      this.stats.requests++;
      res = await this.options.http.postText(url, `${sql.trim()}\nFORMAT JSONEachRow`, {
        ...(signal ? { signal } : {}),
        credential: { url: c.url, header: 'authorization', value: auth },
      });
    } catch (err) {
      if (err instanceof CancelledError) throw err;
      if (err instanceof HttpError) {
        if (/timed out/.test(err.message)) {
          const s = this.options.timeoutMs ? ` within ${Math.round(this.options.timeoutMs / 1000)} s` : '';
          throw new ClickHouseError(`${this.label} did not answer${s} (query timeout); nothing from this query was stored. Import a shorter range, or raise the timeout.`, 'timeout');
        }
        if (/is larger than the .* limit/.test(err.message)) {
          throw new ClickHouseError(`${this.label}: the answer is larger than this client reads at once (${err.message}); ask for fewer days at once (--days-per-query). Nothing from this query was stored.`, 'limit');
        }
        if (/connection dropped/.test(err.message)) {
          throw new ClickHouseError(`${this.label} dropped the connection before the whole result arrived; nothing from this query was stored`, 'network');
        }
        throw new ClickHouseError(`${this.label}: ${err.message}`, 'network');
      }
      throw err;
    } finally {
      this.stats.ms += Date.now() - started;
    }
    this.stats.bytes += Buffer.byteLength(res.text);
    if (res.status !== 200) throw this.serverError(res.status, res.text, res.headers['x-clickhouse-exception-code']);
    const rows = parseJsonEachRow<T>(res.text, this.label);
    this.stats.rows += rows.length;
    return rows;
  }

  private serverError(status: number, text: string, headerCode: string | undefined): ClickHouseError {
    const code = Number(headerCode ?? /^\s*Code:\s*(\d+)/.exec(text)?.[1]);
    const message = exceptionText(text) || `HTTP ${status}`;
    const who = this.label;
    if (code === QUOTA_EXCEEDED || /quota .* (has been )?exceeded/i.test(message)) {
      return new ClickHouseError(
        `${who}: quota exceeded — ${message}. The public service limits each user; wait for the interval to end, or point the ClickHouse settings at your own cluster. Nothing from this query was stored.`,
        'quota',
        QUOTA_EXCEEDED,
      );
    }
    if (COMPLEXITY.has(code)) {
      return new ClickHouseError(`${who}: the query hit the server's per-query limit — ${message}. Ask for fewer days at once (--days-per-query); nothing from this query was stored.`, 'limit', code);
    }
    if (code === TIMEOUT_EXCEEDED) {
      return new ClickHouseError(`${who}: the query ran out of time on the server — ${message}. Import a shorter range; nothing from this query was stored.`, 'timeout', code);
    }
    if (AUTH.has(code) || status === 401 || status === 403) {
      return new ClickHouseError(`${who}: the server refused user '${this.options.connection.user}' — ${message}. Check the user setting and the password in secret storage.`, 'auth', Number.isFinite(code) ? code : undefined);
    }
    if (code === UNKNOWN_TABLE || code === UNKNOWN_DATABASE) {
      return new ClickHouseError(`${who}: ${message}. The database setting ('${this.options.connection.database}') must name the database that holds the table.`, 'missing-table', code);
    }
    if (code === TOO_MANY_SIMULTANEOUS_QUERIES || status === 503) {
      return new ClickHouseError(`${who}: the server is busy — ${message}`, 'busy', Number.isFinite(code) ? code : undefined);
    }
    return new ClickHouseError(`${who}: the query failed — ${message}`, status >= 500 && !Number.isFinite(code) ? 'network' : 'query', Number.isFinite(code) ? code : undefined);
  }
}

/** ClickHouse's exception without its wrapping: `Code: 201, e.displayText() = DB::Exception: X, e.what() = …` (18.x) or `Code: 201. DB::Exception: X. (QUOTA_EXCEEDED) (version …)`. */
export function exceptionText(text: string): string {
  const t = text.trim().split('\n')[0] ?? '';
  const m = /DB::Exception:\s*(.*?)(?:,\s*e\.what\(\)\s*=.*)?(?:\s*\(version [^)]*\))?$/.exec(t);
  return (m?.[1] ?? t).trim().slice(0, 500);
}

/**
 * Splits a JSONEachRow answer. A result is complete only when it ends with a newline; a line that is
 * ClickHouse's exception text means the server failed after it had started sending rows.
 */
export function parseJsonEachRow<T>(text: string, label: string): T[] {
  if (text.length === 0) return [];
  const lines = text.split('\n');
  const complete = lines[lines.length - 1] === '';
  if (complete) lines.pop();
  const rows: T[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.length === 0) continue;
    if (/^\s*Code:\s*\d+/.test(line)) {
      throw new ClickHouseError(`${label} failed while sending the result (after ${rows.length} rows): ${exceptionText(line)}; nothing from this query was stored`, 'query', Number(/Code:\s*(\d+)/.exec(line)?.[1]));
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (!complete && i === lines.length - 1) {
        throw new ClickHouseError(`${label}: the result ended in the middle of row ${i + 1}; nothing from this query was stored`, 'network');
      }
      throw new ClickHouseError(`${label}: row ${i + 1} of the result is not JSON (${JSON.stringify(line.slice(0, 60))}); nothing from this query was stored`, 'malformed');
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new ClickHouseError(`${label}: row ${i + 1} of the result is not an object (${JSON.stringify(line.slice(0, 60))}); nothing from this query was stored`, 'malformed');
    }
    rows.push(value as T);
  }
  if (!complete) throw new ClickHouseError(`${label}: the result was cut off after ${rows.length} rows; nothing from this query was stored`, 'network');
  return rows;
}

/** A ClickHouse integer as JSONEachRow gives it: a number, or a string for 64-bit types. */
export function int(value: unknown, column: string, label: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new ClickHouseError(`${label}: column ${column} is ${JSON.stringify(value)}, not a whole number; nothing from this query was stored`, 'malformed');
  return n;
}

export function text(value: unknown, column: string, label: string): string {
  if (typeof value !== 'string') throw new ClickHouseError(`${label}: column ${column} is ${JSON.stringify(value)}, not text; nothing from this query was stored`, 'malformed');
  return value;
}

/** A SQL string literal for ClickHouse (backslash and quote escaped; both releases read it). */
export function literal(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function shownUrl(c: ClickHouseConnection): string {
  return redact(c.url);
}
