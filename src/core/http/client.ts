import { Agent, request } from 'undici';
import type { Dispatcher } from 'undici';
import type { Logger } from '../log';
import { CancelledError, HttpError, RateLimitError } from './errors';

export interface HttpClientOptions {
  /** The only origin that ever receives the GitHub token (scheme://host:port). */
  githubApiUrl: string;
  /** Returns the GitHub token, if any; asked per request so that a sign-in takes effect at once. */
  githubToken?: () => PromiseLike<string | undefined> | string | undefined;
  timeoutMs?: number;
  /** Requests in flight per origin. */
  connectionsPerOrigin?: number;
  retries?: number;
  userAgent?: string;
  logger: Logger;
}

export interface JsonResponse<T> {
  status: number;
  headers: Record<string, string>;
  body: T;
  url: string;
}

export interface GetOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

const MAX_REDIRECTS = 5;

/**
 * HTTP over undici with keep-alive per origin. The token is attached only when the request's origin
 * is the configured GitHub API origin, and a redirect to any other origin is followed without it.
 */
export class HttpClient {
  private readonly agent: Agent;
  private readonly githubOrigin: string;
  private readonly timeoutMs: number;
  private readonly retries: number;

  constructor(private readonly options: HttpClientOptions) {
    this.githubOrigin = new URL(options.githubApiUrl).origin;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 2;
    this.agent = new Agent({
      connections: options.connectionsPerOrigin ?? 6,
      keepAliveTimeout: 10_000,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      connectTimeout: Math.min(this.timeoutMs, 10_000),
    });
  }

  async getJson<T>(url: string, opts: GetOptions = {}): Promise<JsonResponse<T>> {
    let attempt = 0;
    for (;;) {
      try {
        return await this.getJsonOnce<T>(url, opts);
      } catch (err) {
        if (opts.signal?.aborted) throw new CancelledError();
        const retryable = err instanceof HttpError ? err.retryable : false;
        if (!retryable || attempt >= this.retries) throw err;
        attempt++;
        // Exponential backoff with full jitter, so that parallel refreshes do not retry in lockstep.
        const delay = Math.random() * 250 * 2 ** attempt;
        this.options.logger.debug(`retrying ${redact(url)} in ${Math.round(delay)} ms (attempt ${attempt + 1})`);
        await sleep(delay, opts.signal);
      }
    }
  }

  private async getJsonOnce<T>(url: string, opts: GetOptions): Promise<JsonResponse<T>> {
    let current = new URL(url);
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = {
        accept: 'application/json',
        'user-agent': this.options.userAgent ?? 'community-metrics',
        ...opts.headers,
      };
      if (current.origin === this.githubOrigin) {
        const token = await this.options.githubToken?.();
        if (token) headers.authorization = `Bearer ${token}`;
        headers['x-github-api-version'] ??= '2022-11-28';
      }
      const started = Date.now();
      let res: Dispatcher.ResponseData;
      try {
        res = await request(current, {
          method: 'GET',
          headers,
          dispatcher: this.agent,
          signal: opts.signal,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        });
      } catch (err) {
        if (opts.signal?.aborted) throw new CancelledError();
        throw networkError(err, current.href);
      }
      const responseHeaders = flattenHeaders(res.headers);
      this.options.logger.trace(`GET ${redact(current.href)} → ${res.statusCode} in ${Date.now() - started} ms`);

      if (res.statusCode >= 300 && res.statusCode < 400 && res.statusCode !== 304 && responseHeaders.location) {
        await res.body.dump();
        if (hop >= MAX_REDIRECTS) throw new HttpError(`Too many redirects from ${redact(url)}`, redact(url), res.statusCode);
        current = new URL(responseHeaders.location, current);
        continue;
      }

      let text: string;
      try {
        text = await res.body.text();
      } catch (err) {
        if (opts.signal?.aborted) throw new CancelledError();
        throw networkError(err, current.href);
      }
      const shownUrl = redact(current.href);
      if (res.statusCode === 403 || res.statusCode === 429) {
        if (responseHeaders['x-ratelimit-remaining'] === '0' || responseHeaders['retry-after']) {
          throw new RateLimitError(shownUrl, res.statusCode, resetTime(responseHeaders));
        }
      }
      if (res.statusCode >= 500) {
        throw new HttpError(`Server error ${res.statusCode} from ${shownUrl}`, shownUrl, res.statusCode, true);
      }
      if (res.statusCode >= 400) {
        throw new HttpError(`HTTP ${res.statusCode} from ${shownUrl}${apiMessage(text)}`, shownUrl, res.statusCode);
      }
      let body: T;
      if (res.statusCode === 304 || res.statusCode === 204 || text.length === 0) {
        body = null as T;
      } else {
        try {
          body = JSON.parse(text) as T;
        } catch {
          throw new HttpError(`Malformed JSON from ${shownUrl} (${text.length} bytes starting ${JSON.stringify(text.slice(0, 40))})`, shownUrl, res.statusCode);
        }
      }
      return { status: res.statusCode, headers: responseHeaders, body, url: current.href };
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function resetTime(headers: Record<string, string>): Date | undefined {
  const retryAfter = Number(headers['retry-after']);
  if (Number.isFinite(retryAfter) && retryAfter >= 0) return new Date(Date.now() + retryAfter * 1000);
  const reset = Number(headers['x-ratelimit-reset']);
  if (Number.isFinite(reset) && reset > 0) return new Date(reset * 1000);
  return undefined;
}

function apiMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') return `: ${parsed.message.slice(0, 200)}`;
  } catch {
    // not JSON: the status says enough
  }
  return '';
}

function networkError(err: unknown, url: string): HttpError {
  const e = err as { code?: string; message?: string };
  const shown = redact(url);
  const code = e.code ?? '';
  const reason =
    code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT'
      ? 'timed out'
      : code === 'ECONNREFUSED'
        ? 'connection refused'
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? 'host not found'
          : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET'
            ? 'connection dropped'
            : (e.message ?? 'network error');
  return new HttpError(`Cannot reach ${shown}: ${reason}`, shown, undefined, true);
}

/** Strips credentials and query strings that may carry keys from a URL before it is shown or logged. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    for (const key of [...u.searchParams.keys()]) {
      if (/token|key|secret|password/i.test(key)) u.searchParams.set(key, '***');
    }
    return u.href;
  } catch {
    return '<invalid url>';
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
