import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { ZlibOptions } from 'node:zlib';
import { request } from 'undici';
import type { Dispatcher } from 'undici';
import { redact } from '../http/client';
import { CancelledError, HttpError } from '../http/errors';

/**
 * Streams one archive hour: HTTP body → gunzip → the caller's chunk handler, with backpressure all
 * the way (the handler runs synchronously per chunk, so at most one decompressed chunk is in flight).
 * No credentials are ever sent: the archive is public and is not the GitHub API origin.
 */
export interface HourDownload {
  url: string;
  dispatcher: Dispatcher;
  signal?: AbortSignal;
  timeoutMs: number;
  /** Time allowed for the whole hour file, however slowly its bytes come (a trickle never trips `timeoutMs`). */
  deadlineMs?: number;
  userAgent: string;
  /** Compressed bytes received so far, and the announced size when there is one. */
  onBytes?: (received: number, total: number | undefined) => void;
  /** Decompressed bytes; throwing here fails the hour as corrupt. */
  onChunk: (chunk: Buffer) => void;
}

export type DownloadOutcome = { status: 'ok'; bytes: number } | { status: 'missing'; httpStatus: number };

/** The file arrived but is not a whole, valid gzip of lines (truncated, damaged, not gzip). */
export class CorruptHourError extends Error {
  constructor(message: string, readonly bytes: number) {
    super(message);
    this.name = 'CorruptHourError';
  }
}

const MAX_REDIRECTS = 5;
/** Decompressed chunk size: big enough that per-chunk work (pre-filter setup) is noise. */
const CHUNK = 256 * 1024;
/** Decompressed bytes that may wait for the scanner (bounded memory, and room to overlap). */
const AHEAD = 4 * CHUNK;

export async function downloadHour(hour: HourDownload): Promise<DownloadOutcome> {
  if (hour.deadlineMs === undefined) return download(hour);
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), hour.deadlineMs);
  try {
    return await download({ ...hour, signal: hour.signal ? AbortSignal.any([hour.signal, deadline.signal]) : deadline.signal });
  } catch (err) {
    if (err instanceof CancelledError && deadline.signal.aborted && !hour.signal?.aborted) {
      throw new HttpError(`Cannot download ${redact(hour.url)}: timed out: not complete within ${Math.round(hour.deadlineMs / 1000)} s`, redact(hour.url));
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

async function download(opts: HourDownload): Promise<DownloadOutcome> {
  let current = new URL(opts.url);
  for (let hop = 0; ; hop++) {
    let res: Dispatcher.ResponseData;
    try {
      res = await request(current, {
        method: 'GET',
        // identity: the file is gzip already; a transparent second layer would only cost CPU.
        headers: { 'user-agent': opts.userAgent, accept: '*/*', 'accept-encoding': 'identity' },
        dispatcher: opts.dispatcher,
        signal: opts.signal,
        headersTimeout: opts.timeoutMs,
        bodyTimeout: opts.timeoutMs,
      });
    } catch (err) {
      if (opts.signal?.aborted) throw new CancelledError();
      throw networkError(err, current.href);
    }
    const status = res.statusCode;
    const location = res.headers.location;
    if (status >= 300 && status < 400 && typeof location === 'string') {
      await res.body.dump().catch(() => undefined);
      if (hop >= MAX_REDIRECTS) throw new HttpError(`Too many redirects from ${redact(opts.url)}`, redact(opts.url), status);
      current = new URL(location, current);
      continue;
    }
    if (status !== 200) {
      await res.body.dump().catch(() => undefined);
      // The archive answers 404 for an hour it does not have (never published, or not yet).
      if (status === 404 || status === 410) return { status: 'missing', httpStatus: status };
      throw new HttpError(`HTTP ${status} from ${redact(current.href)}`, redact(current.href), status, status >= 500 || status === 429);
    }
    const lengthHeader = res.headers['content-length'];
    const total = typeof lengthHeader === 'string' && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
    let received = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        received += chunk.length;
        opts.onBytes?.(received, total);
        cb(null, chunk);
      },
    });
    const stages: NodeJS.ReadWriteStream[] = [counter];
    // A mirror that gzips the .gz again on the fly despite `identity`: undo its layer first.
    if (res.headers['content-encoding'] === 'gzip') stages.push(createGunzip({ chunkSize: CHUNK }));
    let zlibFailed: Error | undefined;
    // zlib inflates on libuv's thread pool: letting it run a few chunks ahead overlaps inflating with
    // the scan on the main thread, while the buffer stays a fixed, small size.
    // (zlib streams take the stream options too; @types/node's ZlibOptions just does not list them.)
    const gunzipOptions: ZlibOptions & { highWaterMark: number } = { chunkSize: CHUNK, highWaterMark: AHEAD };
    const gunzip = createGunzip(gunzipOptions);
    gunzip.once('error', (e) => (zlibFailed = e));
    let handlerFailed: Error | undefined;
    const sink = new Writable({
      highWaterMark: AHEAD,
      write(chunk: Buffer, _enc, cb) {
        try {
          opts.onChunk(chunk);
          cb();
        } catch (err) {
          handlerFailed = err as Error;
          cb(err as Error);
        }
      },
    });
    try {
      await pipeline([res.body, ...stages, gunzip, sink], opts.signal ? { signal: opts.signal } : {});
    } catch (err) {
      if (opts.signal?.aborted) throw new CancelledError();
      if (handlerFailed) throw new CorruptHourError(handlerFailed.message, received);
      if (zlibFailed) {
        const why = /unexpected end/i.test(zlibFailed.message) ? 'the gzip stream ends early (truncated file)' : `not a valid gzip file (${zlibFailed.message})`;
        throw new CorruptHourError(why, received);
      }
      throw networkError(err, current.href);
    }
    return { status: 'ok', bytes: received };
  }
}

function networkError(err: unknown, url: string): HttpError {
  const e = err as { code?: string; message?: string };
  const code = e.code ?? '';
  const reason =
    code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT'
      ? 'timed out'
      : code === 'ECONNREFUSED'
        ? 'connection refused'
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? 'host not found'
          : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH'
            ? 'connection dropped'
            : (e.message ?? 'network error');
  return new HttpError(`Cannot download ${redact(url)}: ${reason}`, redact(url), undefined, true);
}
