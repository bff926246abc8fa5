import { Agent, request } from 'undici';
import type { Dispatcher } from 'undici';
import type { Logger } from '../log';
import { credentialIdentity } from './conditional';
import type { ValidatorLookup, Validators } from './conditional';
import { CancelledError, HttpError, RateLimitError } from './errors';
import { Semaphore } from './limiter';
import { parseLinkHeader } from './link';
import { excerpt, redactingLogger, registerSecret } from './redaction';

export interface HttpClientOptions {
  /** The only origin that ever receives the GitHub token (scheme://host:port). */
  githubApiUrl: string;
  /** Returns the GitHub token, if any; asked per request so that a sign-in takes effect at once. */
  githubToken?: () => PromiseLike<string | undefined> | string | undefined;
  /** Time allowed for the response headers, and then between body chunks. */
  timeoutMs?: number;
  /**
   * Time allowed for a whole request, headers and body, however the server paces its bytes (a server
   * trickling one byte a second never trips the idle timeout). Default: three times `timeoutMs`.
   */
  requestDeadlineMs?: number;
  /** Largest response body read, in bytes; a larger one fails that request. Default 64 MiB. */
  maxBodyBytes?: number;
  /** Requests in flight per origin (and keep-alive connections per origin). Default 6. */
  connectionsPerOrigin?: number;
  /**
   * Per-service limits, keyed by the service's base URL: requests under that URL share their own
   * concurrency (so pepy's one-at-a-time does not throttle other services on the same origin) and body cap.
   * A bare number is a concurrency. The longest matching base URL wins; otherwise the origin's defaults.
   */
  originConcurrency?: Record<string, number | ServiceLimit>;
  /** Retries of 5xx answers and dropped connections. Default 2. */
  retries?: number;
  /** First backoff step; later ones double, with full jitter. Default 250 ms. */
  retryBaseMs?: number;
  /**
   * A rate limit that lifts within this time is waited out; a longer one fails the request at once
   * with a message saying when to retry. Default 60 s.
   */
  maxRateLimitWaitMs?: number;
  /** A `202 Accepted` (result still being prepared) is asked again this many times. Default 2. */
  acceptedRetries?: number;
  /** Pause before asking again after a 202. Default 1 s. */
  acceptedDelayMs?: number;
  userAgent?: string;
  logger: Logger;
}

export interface ServiceLimit {
  concurrency?: number;
  maxBodyBytes?: number;
}

/** A secret header for one service, sent only to the origin of `url` and never across a redirect. */
export interface Credential {
  url: string;
  header: string;
  value: string;
}

export interface JsonResponse<T> {
  status: number;
  headers: Record<string, string>;
  /** `null` for 304 (the caller already has the data) and for empty bodies. */
  body: T;
  /** The URL that answered, after redirects. */
  url: string;
  /** True for a 304 answer to a conditional request. */
  notModified: boolean;
  /** What to store to make the next request for this URL conditional (absent for 202 and without validators). */
  validators?: Validators;
}

/** A `postText` answer: any status, the body as text. */
export interface TextResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  url: string;
}

export interface GetOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** A service key (pepy, Slack) for the origin of its own URL only. */
  credential?: Credential;
  /** Where the ETag/Last-Modified of earlier answers are looked up, to send a conditional request. */
  conditional?: ValidatorLookup;
  /** Return a 202 to the caller at once (GitHub's /stats/*, which pace their own retries). */
  allowAccepted?: boolean;
  /** Overrides the body cap for this request. */
  maxBodyBytes?: number;
}

export interface RequestStats {
  requests: number;
  conditional: number;
  notModified: number;
}

const MAX_REDIRECTS = 5;
const RATE_LIMIT_RETRIES = 3;
/** DOMAIN.md: without retry-after or reset, wait at least a minute after a secondary limit. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;
const SECRET_HEADERS = ['authorization', 'x-api-key', 'cookie'];
const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

interface ResolvedLimit {
  key: string;
  concurrency: number;
  maxBodyBytes: number;
}

/** Raised inside the client when a service says "slow down"; turned into a wait or a RateLimitError. */
class RateLimited extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly waitMs: number,
    readonly resetAt: Date | undefined,
    readonly service: string,
    readonly authenticated: boolean,
    readonly secondary: boolean,
  ) {
    super('rate limited');
  }
}

/**
 * HTTP over undici with keep-alive and a concurrency limit per origin. The GitHub token is attached
 * only when the request's origin is the configured GitHub API origin, other credentials only to their
 * own origin, and a redirect to any other origin is followed without them.
 */
export class HttpClient {
  readonly stats: RequestStats = { requests: 0, conditional: 0, notModified: 0 };
  private readonly agent: Agent;
  private readonly githubOrigin: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryBaseMs: number;
  private readonly maxRateLimitWaitMs: number;
  private readonly acceptedRetries: number;
  private readonly acceptedDelayMs: number;
  private readonly perOrigin: number;
  private readonly requestDeadlineMs: number;
  private readonly maxBodyBytes: number;
  /** Base URL → limits, longest first. */
  private readonly serviceLimits: { base: string; limit: ServiceLimit }[] = [];
  private readonly logger: Logger;
  private readonly semaphores = new Map<string, Semaphore>();
  /** Origins that told us to stay away until a given time (exhausted quota). */
  private readonly blockedUntil = new Map<string, { until: number; status: number; service: string; authenticated?: boolean; secondary?: boolean }>();

  constructor(private readonly options: HttpClientOptions) {
    this.githubOrigin = new URL(options.githubApiUrl).origin;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 2;
    this.retryBaseMs = options.retryBaseMs ?? 250;
    this.maxRateLimitWaitMs = options.maxRateLimitWaitMs ?? 60_000;
    this.acceptedRetries = options.acceptedRetries ?? 2;
    this.acceptedDelayMs = options.acceptedDelayMs ?? 1_000;
    this.perOrigin = options.connectionsPerOrigin ?? 6;
    this.requestDeadlineMs = options.requestDeadlineMs ?? 3 * this.timeoutMs;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.logger = redactingLogger(options.logger);
    for (const [url, l] of Object.entries(options.originConcurrency ?? {})) {
      const limit = typeof l === 'number' ? { concurrency: l } : l;
      // A bare origin ("https://pypi.org") and its root path are the same base.
      this.serviceLimits.push({ base: serviceBase(url), limit });
    }
    this.serviceLimits.sort((a, b) => b.base.length - a.base.length);
    const concurrencies = this.serviceLimits.map((s) => s.limit.concurrency ?? this.perOrigin);
    this.agent = new Agent({
      // Services sharing an origin share its connections: room for all their slots at once.
      connections: Math.max(this.perOrigin, concurrencies.reduce((a, b) => a + b, 0)),
      keepAliveTimeout: 10_000,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      connectTimeout: Math.min(this.timeoutMs, 10_000),
    });
  }

  get githubApiOrigin(): string {
    return this.githubOrigin;
  }

  async getJson<T>(url: string, opts: GetOptions = {}): Promise<JsonResponse<T>> {
    const origin = new URL(url).origin;
    // The cache identity is fixed by the first hop: that is where the conditional headers go.
    const identity = credentialIdentity(origin, await this.secretFor(origin, opts.credential));
    const previous = opts.conditional?.(identity, url);
    let attempt = 0;
    let rateLimitAttempt = 0;
    let acceptedAttempt = 0;
    for (;;) {
      try {
        const res = await this.getJsonOnce<T>(url, opts, identity, previous);
        if (res.status !== 202 || opts.allowAccepted) return res;
        // 202: the service is still preparing the answer. Its body is a placeholder, never data.
        if (acceptedAttempt >= this.acceptedRetries) {
          throw new HttpError(`${redact(res.url)} is not ready yet (HTTP 202 Accepted); the next refresh asks again`, redact(res.url), 202);
        }
        acceptedAttempt++;
        await sleep(this.acceptedDelayMs, opts.signal);
        continue;
      } catch (err) {
        if (opts.signal?.aborted || err instanceof CancelledError) throw new CancelledError();
        if (err instanceof RateLimited) {
          if (err.waitMs > this.maxRateLimitWaitMs || rateLimitAttempt >= RATE_LIMIT_RETRIES) {
            throw new RateLimitError(err.url, err.status, err.resetAt, err.service, err.authenticated, err.secondary);
          }
          rateLimitAttempt++;
          this.logger.info(`${err.service} asked to slow down; waiting ${Math.ceil(err.waitMs / 1000)} s before ${redact(url)}`);
          await sleep(err.waitMs, opts.signal);
          continue;
        }
        const retryable = err instanceof HttpError ? err.retryable : false;
        if (!retryable || attempt >= this.retries) throw err;
        attempt++;
        // Exponential backoff with full jitter, so that parallel refreshes do not retry in lockstep.
        const delay = Math.random() * this.retryBaseMs * 2 ** attempt;
        this.logger.debug(`retrying ${redact(url)} in ${Math.round(delay)} ms (attempt ${attempt + 1}): ${(err as Error).message}`);
        await sleep(delay, opts.signal);
      }
    }
  }

  /**
   * Follows `Link: rel="next"` from `url`, yielding every page. After a 304 the stored `Link` of that
   * page is followed, so that an unchanged listing is walked with conditional requests only.
   */
  async *paginate<T>(url: string, opts: GetOptions & { maxPages?: number } = {}): AsyncGenerator<JsonResponse<T>> {
    let next: string | undefined = url;
    for (let page = 0; next && page < (opts.maxPages ?? 1000); page++) {
      const res: JsonResponse<T> = await this.getJson<T>(next, opts);
      yield res;
      const link = res.notModified ? res.validators?.link : res.headers.link;
      const following = parseLinkHeader(link, res.url).next;
      next = following && following !== next ? following : undefined;
    }
  }

  private async secretFor(origin: string, credential: Credential | undefined): Promise<string | undefined> {
    let secret: string | undefined;
    if (origin === this.githubOrigin) secret = (await this.options.githubToken?.()) || undefined;
    else if (credential && new URL(credential.url).origin === origin) secret = credential.value || undefined;
    // Known from now on to every message and log line, whatever a server echoes back.
    registerSecret(secret);
    return secret;
  }

  /** The limits of the service `url` belongs to: the longest configured base URL it is under, else its origin. */
  private limitFor(url: URL): ResolvedLimit {
    const href = url.href;
    const match = this.serviceLimits.find((s) => href === s.base || href.startsWith(s.base.endsWith('/') ? s.base : `${s.base}/`) || href.startsWith(`${s.base}?`));
    return {
      key: match?.base ?? url.origin,
      concurrency: match?.limit.concurrency ?? this.perOrigin,
      maxBodyBytes: match?.limit.maxBodyBytes ?? this.maxBodyBytes,
    };
  }

  private semaphore(limit: ResolvedLimit): Semaphore {
    let s = this.semaphores.get(limit.key);
    if (!s) {
      s = new Semaphore(limit.concurrency);
      this.semaphores.set(limit.key, s);
    }
    return s;
  }

  private serviceName(origin: string): string {
    return origin === this.githubOrigin ? 'GitHub' : new URL(origin).host;
  }

  private async getJsonOnce<T>(url: string, opts: GetOptions, identity: string, previous: Validators | undefined): Promise<JsonResponse<T>> {
    const first = new URL(url);
    let current = first;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = {
        accept: 'application/json',
        'user-agent': this.options.userAgent ?? 'community-metrics',
      };
      for (const [k, v] of Object.entries(opts.headers ?? {})) {
        // A caller's secret header never follows a redirect to another origin.
        if (current.origin !== first.origin && SECRET_HEADERS.includes(k.toLowerCase())) continue;
        headers[k.toLowerCase()] = v;
      }
      const secret = await this.secretFor(current.origin, opts.credential);
      if (current.origin === this.githubOrigin) {
        if (secret) headers.authorization = `Bearer ${secret}`;
        headers['x-github-api-version'] ??= '2022-11-28';
      } else if (secret && opts.credential) {
        headers[opts.credential.header.toLowerCase()] = opts.credential.value;
      }
      const conditional = hop === 0 && previous !== undefined && (previous.etag !== undefined || previous.lastModified !== undefined);
      if (conditional && previous) {
        if (previous.etag) headers['if-none-match'] = previous.etag;
        if (previous.lastModified) headers['if-modified-since'] = previous.lastModified;
      }

      await this.waitIfBlocked(current.origin, current.href, opts.signal);
      const limit = this.limitFor(current);
      const release = await this.semaphore(limit).acquire(opts.signal).catch(() => {
        throw new CancelledError();
      });
      const started = Date.now();
      let res: Dispatcher.ResponseData;
      let text: string;
      try {
        this.stats.requests++;
        if (conditional) this.stats.conditional++;
        ({ res, text } = await this.exchange(current, { method: 'GET', headers }, limit.maxBodyBytes, opts.signal));
      } finally {
        release();
      }
      const responseHeaders = flattenHeaders(res.headers);
      const shownUrl = redact(current.href);
      this.logger.trace(`GET ${shownUrl}${conditional ? ' (conditional)' : ''} → ${res.statusCode} in ${Date.now() - started} ms`);
      this.noteQuota(current.origin, res.statusCode, responseHeaders, secret !== undefined);

      if (res.statusCode >= 300 && res.statusCode < 400 && res.statusCode !== 304 && responseHeaders.location) {
        if (hop >= MAX_REDIRECTS) throw new HttpError(`Too many redirects from ${redact(url)}`, redact(url), res.statusCode);
        current = new URL(responseHeaders.location, current);
        continue;
      }
      if (res.statusCode === 304) {
        // "Not modified" only means something as an answer to our own validators.
        if (!conditional) throw new HttpError(`Unexpected 304 Not Modified from ${shownUrl} to a request that was not conditional`, shownUrl, 304);
        this.stats.notModified++;
        const validators: Validators = { ...(previous as Validators) };
        if (responseHeaders.etag) validators.etag = responseHeaders.etag;
        if (responseHeaders.link) validators.link = responseHeaders.link;
        return { status: 304, headers: responseHeaders, body: null as T, url: current.href, notModified: true, validators };
      }
      if (res.statusCode === 403 || res.statusCode === 429) {
        const limited = rateLimitWait(res.statusCode, responseHeaders, text);
        if (limited) {
          const service = this.serviceName(current.origin);
          if (limited.resetAt && limited.waitMs > 0) {
            this.blockedUntil.set(current.origin, { until: limited.resetAt.getTime(), status: res.statusCode, service, authenticated: secret !== undefined, secondary: limited.secondary });
          }
          throw new RateLimited(shownUrl, res.statusCode, limited.waitMs, limited.resetAt, service, secret !== undefined, limited.secondary);
        }
      }
      if (res.statusCode >= 500) {
        throw new HttpError(`Server error ${res.statusCode} from ${shownUrl}`, shownUrl, res.statusCode, true);
      }
      if (res.statusCode >= 400) {
        throw new HttpError(`HTTP ${res.statusCode} from ${shownUrl}${apiMessage(text)}`, shownUrl, res.statusCode);
      }
      let body: T;
      if (res.statusCode === 204 || text.length === 0) {
        body = null as T;
      } else {
        try {
          body = JSON.parse(text) as T;
        } catch {
          throw new HttpError(`Malformed JSON from ${shownUrl} (${text.length} bytes starting ${JSON.stringify(excerpt(text, 40))})`, shownUrl, res.statusCode);
        }
      }
      const out: JsonResponse<T> = { status: res.statusCode, headers: responseHeaders, body, url: current.href, notModified: false };
      // A 202 ("still computing") may carry the ETag of the data to come: never remember it.
      if (res.statusCode === 200 && (responseHeaders.etag || responseHeaders['last-modified'])) {
        out.validators = { identity, url };
        if (responseHeaders.etag) out.validators.etag = responseHeaders.etag;
        if (responseHeaders['last-modified']) out.validators.lastModified = responseHeaders['last-modified'];
        if (responseHeaders.link) out.validators.link = responseHeaders.link;
      }
      return out;
    }
  }

  /** Remembers an exhausted quota from any answer, so that no request is spent before it resets. */
  private noteQuota(origin: string, status: number, headers: Record<string, string>, authenticated: boolean): void {
    if (headers['x-ratelimit-remaining'] !== '0' || status === 403 || status === 429) return;
    const reset = epochHeader(headers['x-ratelimit-reset']);
    if (reset && reset.getTime() > Date.now()) {
      this.blockedUntil.set(origin, { until: reset.getTime(), status: 403, service: this.serviceName(origin), authenticated });
    }
  }

  private async waitIfBlocked(origin: string, url: string, signal?: AbortSignal): Promise<void> {
    const blocked = this.blockedUntil.get(origin);
    if (!blocked) return;
    const wait = blocked.until - Date.now();
    if (wait <= 0) {
      this.blockedUntil.delete(origin);
      return;
    }
    if (wait > this.maxRateLimitWaitMs) {
      throw new RateLimitError(redact(url), blocked.status, new Date(blocked.until), blocked.service, blocked.authenticated, blocked.secondary);
    }
    await sleep(wait, signal);
  }

  /**
   * One request and its whole body, within the total deadline (a trickling server cannot hold us)
   * and the body cap; failures are a CancelledError (the caller's signal), a timeout, or an HttpError.
   */
  private async exchange(
    url: URL,
    init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
    maxBodyBytes: number,
    callerSignal: AbortSignal | undefined,
  ): Promise<{ res: Dispatcher.ResponseData; text: string }> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.requestDeadlineMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, deadline.signal]) : deadline.signal;
    try {
      const res = await request(url, { ...init, dispatcher: this.agent, signal, headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs });
      return { res, text: await readBody(res, maxBodyBytes, redact(url.href)) };
    } catch (err) {
      if (callerSignal?.aborted) throw new CancelledError();
      if (err instanceof HttpError) throw err;
      if (deadline.signal.aborted) {
        throw new HttpError(`${redact(url.href)} timed out: no complete answer within ${formatSeconds(this.requestDeadlineMs)}`, redact(url.href));
      }
      throw networkError(err, url.href);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * One POST whose answer is returned as text whatever its status (ClickHouse's HTTP interface: the
   * query is the body, and its errors are text the caller must read). Same agent, per-origin limit,
   * timeouts and cancel as `getJson`; the credential goes to its own origin only, and redirects are
   * not followed (a query is not re-sent elsewhere). No retries here: only the caller knows whether
   * its request may be repeated.
   */
  async postText(url: string, body: string, opts: Omit<GetOptions, 'conditional' | 'allowAccepted'> = {}): Promise<TextResponse> {
    const target = new URL(url);
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent ?? 'community-metrics', 'content-type': 'text/plain; charset=utf-8' };
    for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = v;
    const secret = await this.secretFor(target.origin, opts.credential);
    if (secret && opts.credential) headers[opts.credential.header.toLowerCase()] = opts.credential.value;
    const limit = this.limitFor(target);
    const release = await this.semaphore(limit).acquire(opts.signal).catch(() => {
      throw new CancelledError();
    });
    const started = Date.now();
    try {
      this.stats.requests++;
      // Like getJson: a total deadline for the exchange and the service's body cap.
      const { res, text } = await this.exchange(target, { method: 'POST', headers, body }, limit.maxBodyBytes, opts.signal);
      this.logger.trace(`POST ${redact(target.href)} → ${res.statusCode} in ${Date.now() - started} ms`);
      return { status: res.statusCode, headers: flattenHeaders(res.headers), text, url: target.href };
    } finally {
      release();
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/**
 * The body as text, refusing one larger than `cap` bytes (by its Content-Length, or as it streams in),
 * so that a flood costs at most the cap in memory.
 */
async function readBody(res: Dispatcher.ResponseData, cap: number, shownUrl: string): Promise<string> {
  const tooLarge = () => {
    res.body.destroy();
    return new HttpError(`The answer from ${shownUrl} is larger than the ${formatBytes(cap)} limit for this service; not read`, shownUrl, res.statusCode);
  };
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > cap) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > cap) throw tooLarge();
    chunks.push(b);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round((n / 1024 / 1024) * 10) / 10} MiB` : `${Math.round(n / 1024)} KiB`;
}

/** A configured base URL as a prefix: an origin alone is its root. */
function serviceBase(url: string): string {
  const u = new URL(url);
  u.search = '';
  u.hash = '';
  return u.href.replace(/\/+$/, '');
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** `x-ratelimit-reset` is epoch seconds; some recordings normalised it to milliseconds. */
function epochHeader(value: string | undefined): Date | undefined {
  const n = Number(value);
  if (!value || !Number.isFinite(n) || n <= 0) return undefined;
  return new Date(n > 1e11 ? n : n * 1000);
}

/**
 * How long a 403/429 asks us to wait, or undefined when it is not a rate limit (a 403 can also mean
 * "forbidden"). Order per GitHub's docs: retry-after, then x-ratelimit-reset, then at least a minute.
 */
function rateLimitWait(status: number, headers: Record<string, string>, text: string): { waitMs: number; resetAt?: Date; secondary: boolean } | undefined {
  const retryAfter = headers['retry-after'];
  const exhausted = headers['x-ratelimit-remaining'] === '0';
  const message = /rate limit|abuse detection|too many requests/i.test(text);
  if (retryAfter === undefined && !exhausted && !message && status !== 429) return undefined;
  // GitHub's secondary limits: a quota left, yet "slow down" (its message says "secondary rate limit").
  const secondary = /secondary rate limit|abuse detection/i.test(text) || (!exhausted && retryAfter !== undefined);
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    const at = Number.isFinite(seconds) ? Date.now() + Math.max(0, seconds) * 1000 : Date.parse(retryAfter);
    if (Number.isFinite(at)) return { waitMs: Math.max(0, at - Date.now()), resetAt: new Date(at), secondary };
  }
  const reset = epochHeader(headers['x-ratelimit-reset']);
  if (exhausted && reset && reset.getTime() > Date.now()) return { waitMs: reset.getTime() - Date.now(), resetAt: reset, secondary };
  return { waitMs: DEFAULT_RATE_LIMIT_WAIT_MS, ...(reset ? { resetAt: reset } : {}), secondary };
}

function apiMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; error?: unknown };
    if (typeof parsed.message === 'string') return `: ${excerpt(parsed.message, 200)}`;
    if (typeof parsed.error === 'string') return `: ${excerpt(parsed.error, 200)}`;
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
          : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH'
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
