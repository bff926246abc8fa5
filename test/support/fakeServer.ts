import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fixturePath } from './fixtures';

/** One recorded exchange, in the format of `../shared/fixtures/README.md`. */
export interface Exchange {
  request: {
    method: string;
    host?: string;
    path: string;
    query?: Record<string, string | string[]>;
    headers?: Record<string, string>;
    /** Match this exchange whatever the query string (recordings made with other parameters). */
    ignoreQuery?: boolean;
  };
  response: {
    status: number;
    headers?: Record<string, string>;
    body?: unknown;
    /** Raw bytes to send instead of a JSON body. */
    raw?: Buffer | string;
  };
}

export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  | { kind: 'reset' }
  | { kind: 'resetMidBody' }
  | { kind: 'hang' }
  | { kind: 'malformed' }
  | { kind: 'delay'; ms: number }
  | { kind: 'redirect'; location: string; status?: number }
  /** A 200 whose JSON body arrives one byte every `intervalMs`, for ever. */
  | { kind: 'trickle'; intervalMs?: number; body?: Buffer | string }
  /** A 200 with a `bytes`-long JSON string body, streamed; with `declare`, its Content-Length too. */
  | { kind: 'flood'; bytes: number; declare?: boolean }
  /**
   * Echoes the request's secret headers back: in a JSON error body's `message` (and Slack's `error`),
   * or as the first bytes of a malformed 200 body (`where: 'malformed'`).
   */
  | { kind: 'echo'; status?: number; where?: 'message' | 'malformed' | 'slack' };

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  status: number;
}

interface Route {
  exchanges: Exchange[];
  served: number;
}

interface FaultRule {
  method: string;
  path: string;
  fault: Fault;
  remaining: number;
}

/**
 * Replays recorded responses over real HTTP on 127.0.0.1: matched by method + path + query (and
 * conditional headers where the recording has them), with a request log and injectable faults.
 * A scenario's exchanges for the same request are served in order; the last one then repeats.
 */
export class FakeServer {
  readonly requests: RecordedRequest[] = [];
  private readonly routes = new Map<string, Route>();
  private readonly faults: FaultRule[] = [];
  private readonly handlers: { method: string; path: string | RegExp; respond: (req: RecordedRequest) => Exchange['response'] }[] = [];
  private readonly sockets = new Set<Socket>();
  latencyMs = 0;
  /** Answer 304 when If-None-Match equals the ETag of the response that would be served, as servers do. */
  honorConditional = true;
  /**
   * Give responses recorded without an ETag one derived from their body, to model a service that
   * supports conditional requests (the recordings kept no headers for pypistats, Docker Hub, …).
   */
  synthesizeEtags = false;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const self = new FakeServer(server, `http://127.0.0.1:${port}`);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void self.handle(req, res));
    server.on('connection', (s) => {
      self.sockets.add(s);
      s.on('close', () => self.sockets.delete(s));
    });
    return self;
  }

  /** Loads a fixture file (one exchange or a scenario array) relative to the fixtures folder. */
  loadFixture(relative: string, rewrite?: (e: Exchange) => Exchange, opts: { ignoreQuery?: boolean } = {}): this {
    for (const e of readFixture(relative)) {
      const x = rewrite ? rewrite(e) : e;
      if (opts.ignoreQuery) x.request.ignoreQuery = true;
      this.add(x);
    }
    return this;
  }

  add(exchange: Exchange): this {
    const key = exchange.request.ignoreQuery
      ? looseKey(exchange.request.method, exchange.request.path)
      : routeKey(exchange.request.method, exchange.request.path, exchange.request.query ?? {});
    const route = this.routes.get(key) ?? { exchanges: [], served: 0 };
    route.exchanges.push(exchange);
    this.routes.set(key, route);
    return this;
  }

  /** Replaces whatever answers `GET path` (with exactly `query`, or any query when none is given) with one JSON response. */
  json(path: string, body: unknown, status = 200, headers: Record<string, string> = {}, query?: Record<string, string>): this {
    const key = query ? routeKey('GET', path, query) : looseKey('GET', path);
    this.routes.delete(key);
    if (!query) this.routes.delete(routeKey('GET', path, {}));
    return this.add({ request: { method: 'GET', path, ...(query ? { query } : { ignoreQuery: true }) }, response: { status, headers, body } });
  }

  /**
   * Answers `GET path` (a string, or a RegExp on the path) by computing the response from the request,
   * for services whose responses depend on the query (date ranges, cursors). Checked before recordings.
   */
  respondWith(path: string | RegExp, respond: (req: RecordedRequest) => Exchange['response'], method = 'GET'): this {
    this.handlers.push({ method, path, respond });
    return this;
  }

  /** Injects a fault on `method path` for the next `times` requests (default: every request). */
  fault(path: string, fault: Fault, times = Infinity, method = 'GET'): this {
    this.faults.push({ method, path, fault, remaining: times });
    return this;
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    if (url.pathname.startsWith('/__control/')) return this.control(url.pathname, req, res);
    const query = parseQuery(url.searchParams);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const record: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query, headers, status: 0 };
    this.requests.push(record);
    if (this.latencyMs > 0) await delay(this.latencyMs);

    const rule = this.faults.find((f) => f.method === record.method && f.path === url.pathname && f.remaining > 0);
    if (rule) {
      rule.remaining--;
      if (await this.applyFault(rule.fault, record, req, res)) return;
    }

    const handler = this.handlers.find((h) => h.method === record.method && (typeof h.path === 'string' ? h.path === url.pathname : h.path.test(url.pathname)));
    if (handler) {
      const response = handler.respond(record);
      const out = { ...(response.headers ?? {}) };
      const body = response.raw ?? (response.body === null || response.body === undefined ? '' : JSON.stringify(response.body));
      if (this.synthesizeEtags && response.status === 200 && !out.etag && body !== '') out.etag = `"${createHash('sha1').update(body).digest('hex')}"`;
      if (this.honorConditional && response.status === 200 && out.etag && headers['if-none-match'] === out.etag) {
        record.status = 304;
        this.send(res, 304, { etag: out.etag }, '');
        return;
      }
      if (body !== '' && !out['content-type']) out['content-type'] = 'application/json; charset=utf-8';
      record.status = response.status;
      this.send(res, response.status, out, body);
      return;
    }
    const route = this.routes.get(routeKey(record.method, url.pathname, query)) ?? this.routes.get(looseKey(record.method, url.pathname));
    if (!route) {
      record.status = 404;
      this.send(res, 404, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Not Found', note: 'no recorded exchange matches' }));
      return;
    }
    const candidates = route.exchanges;
    // Prefer an exchange whose recorded conditional headers match the request's.
    const conditional = candidates.find((e) => e.request.headers?.['if-none-match'] && e.request.headers['if-none-match'] === headers['if-none-match']);
    const plain = candidates.filter((e) => !e.request.headers?.['if-none-match']);
    let exchange: Exchange;
    if (conditional) {
      exchange = conditional;
    } else {
      const list = plain.length > 0 ? plain : candidates;
      exchange = list[Math.min(route.served, list.length - 1)] as Exchange;
      route.served++;
    }
    const outHeaders = this.rewriteHeaders(exchange.response.headers ?? {});
    const body = exchange.response.raw ?? (exchange.response.body === null || exchange.response.body === undefined ? '' : JSON.stringify(exchange.response.body));
    if (this.synthesizeEtags && exchange.response.status === 200 && !outHeaders.etag && body !== '') {
      outHeaders.etag = `"${createHash('sha1').update(body).digest('hex')}"`;
    }
    if (this.honorConditional && exchange.response.status === 200 && outHeaders.etag && headers['if-none-match'] === outHeaders.etag) {
      record.status = 304;
      const { 'content-type': _ct, ...rest } = outHeaders;
      this.send(res, 304, rest, '');
      return;
    }
    record.status = exchange.response.status;
    if (body !== '' && !Object.keys(outHeaders).some((h) => h.toLowerCase() === 'content-type')) outHeaders['content-type'] = 'application/json; charset=utf-8';
    this.send(res, exchange.response.status, outHeaders, body);
  }

  /**
   * Control endpoints, so that code running in another process (a VS Code extension host) can read
   * the request log and inject faults. Never recorded in the log.
   */
  private async control(pathname: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
    if (pathname === '/__control/requests') {
      this.send(res, 200, { 'content-type': 'application/json' }, JSON.stringify(this.requests));
    } else if (pathname === '/__control/fault') {
      this.fault(String(body.path), body.fault as Fault, typeof body.times === 'number' ? body.times : Infinity, typeof body.method === 'string' ? body.method : 'GET');
      this.send(res, 204, {}, '');
    } else if (pathname === '/__control/clear') {
      this.clearFaults();
      this.send(res, 204, {}, '');
    } else {
      this.send(res, 404, {}, '');
    }
  }

  private async applyFault(fault: Fault, record: RecordedRequest, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    switch (fault.kind) {
      case 'status':
        record.status = fault.status;
        this.send(res, fault.status, { 'content-type': 'application/json', ...fault.headers }, fault.body === undefined ? '' : JSON.stringify(fault.body));
        return true;
      case 'reset':
        record.status = -1;
        req.socket.destroy();
        return true;
      case 'resetMidBody':
        record.status = -1;
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"id": 1, "stargazers_co');
        setTimeout(() => req.socket.destroy(), 20);
        return true;
      case 'hang':
        record.status = -2;
        return true;
      case 'malformed':
        record.status = 200;
        this.send(res, 200, { 'content-type': 'application/json' }, '{"stargazers_count": 12, <html>oops');
        return true;
      case 'delay':
        await delay(fault.ms);
        return false;
      case 'redirect':
        record.status = fault.status ?? 302;
        this.send(res, fault.status ?? 302, { location: fault.location }, '');
        return true;
      case 'trickle': {
        record.status = 200;
        res.writeHead(200, { 'content-type': 'application/json' });
        const body = Buffer.from(fault.body ?? '{"stargazers_count": 12, "padding": "' + 'x'.repeat(1_000_000) + '"}');
        let i = 0;
        const timer = setInterval(() => {
          if (res.destroyed || i >= body.length) return clearInterval(timer);
          res.write(body.subarray(i, ++i));
        }, fault.intervalMs ?? 100);
        res.on('close', () => clearInterval(timer));
        return true;
      }
      case 'flood': {
        record.status = 200;
        res.writeHead(200, { 'content-type': 'application/json', ...(fault.declare ? { 'content-length': String(fault.bytes) } : {}) });
        const chunk = Buffer.alloc(64 * 1024, 'a');
        let sent = 0;
        res.write('"');
        sent++;
        const pump = () => {
          while (sent < fault.bytes - 1 && !res.destroyed) {
            const n = Math.min(chunk.length, fault.bytes - 1 - sent);
            sent += n;
            if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once('drain', pump);
          }
          if (!res.destroyed) res.end('"');
        };
        pump();
        return true;
      }
      case 'echo': {
        const secrets = ['authorization', 'x-api-key', 'cookie'].map((h) => record.headers[h]).filter(Boolean).join(' ');
        const status = fault.status ?? (fault.where === 'malformed' || fault.where === 'slack' ? 200 : 401);
        record.status = status;
        const body =
          fault.where === 'malformed'
            ? `${secrets} <html>not json`
            : fault.where === 'slack'
              ? JSON.stringify({ ok: false, error: `invalid_auth for ${secrets}` })
              : JSON.stringify({ message: `Bad credentials: you sent Authorization: ${secrets}`, error: secrets });
        this.send(res, status, { 'content-type': 'application/json' }, body);
        return true;
      }
    }
  }

  private rewriteHeaders(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) {
      out[k] = k === 'link' || k === 'location' ? v.replace(/https:\/\/api\.github\.com/g, this.url) : v;
    }
    return out;
  }

  private send(res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer | string): void {
    res.writeHead(status, headers);
    res.end(body);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function parseQuery(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    out[key] = all.length === 1 ? (all[0] as string) : all;
  }
  return out;
}

/** Reads a fixture file as a list of exchanges (a single exchange becomes a list of one). */
export function readFixture(relative: string): Exchange[] {
  const parsed = JSON.parse(readFileSync(fixturePath(relative), 'utf8')) as Exchange | Exchange[];
  return Array.isArray(parsed) ? parsed : [parsed];
}

function looseKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path} (any query)`;
}

function routeKey(method: string, path: string, query: Record<string, string | string[]>): string {
  const q = Object.keys(query)
    .sort()
    .map((k) => `${k}=${JSON.stringify(query[k])}`)
    .join('&');
  return `${method.toUpperCase()} ${path}?${q}`;
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
