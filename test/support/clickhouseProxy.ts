import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { request } from 'undici';

/**
 * An HTTP proxy in front of the real ClickHouse test server that damages chosen answers the way a
 * network or a server does: it forwards every request, reads ClickHouse's real answer, and for a
 * request whose SQL matches a rule it cuts the connection half-way through the result, corrupts one
 * row, or sends the headers and then nothing. Everything else passes unchanged.
 */
export type ProxyFault = 'drop-mid-result' | 'malformed-row' | 'stall';

interface Rule {
  match: RegExp;
  fault: ProxyFault;
  remaining: number;
}

export class ClickHouseProxy {
  readonly requests: Array<{ sql: string; authorization?: string; path: string }> = [];
  private rules: Rule[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly upstream: string,
  ) {}

  static async start(upstream: string): Promise<ClickHouseProxy> {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const self = new ClickHouseProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, upstream);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void self.handle(req, res));
    server.on('connection', (s: Socket) => {
      self.sockets.add(s);
      s.on('close', () => self.sockets.delete(s));
    });
    return self;
  }

  /** Damages the next `times` answers to queries matching `match`. */
  fault(match: RegExp, fault: ProxyFault, times = Infinity): void {
    this.rules.push({ match, fault, remaining: times });
  }

  clear(): void {
    this.rules = [];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const sql = Buffer.concat(chunks).toString('utf8');
    this.requests.push({ sql, path: req.url ?? '/', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    const rule = this.rules.find((r) => r.remaining > 0 && r.match.test(sql));
    if (rule) rule.remaining--;
    if (rule?.fault === 'stall') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=UTF-8' });
      res.write('');
      return; // never more: the client's timeout must end it
    }
    const headers: Record<string, string> = {};
    for (const k of ['authorization', 'content-type']) if (typeof req.headers[k] === 'string') headers[k] = req.headers[k] as string;
    const up = await request(`${this.upstream}${req.url ?? '/'}`, { method: req.method as 'POST', headers, body: sql });
    const body = Buffer.from(await up.body.arrayBuffer());
    const outHeaders: Record<string, string> = { 'content-type': String(up.headers['content-type'] ?? 'text/plain') };
    const code = up.headers['x-clickhouse-exception-code'];
    if (typeof code === 'string') outHeaders['x-clickhouse-exception-code'] = code;
    if (rule?.fault === 'drop-mid-result' && up.statusCode === 200) {
      res.writeHead(200, outHeaders);
      res.write(body.subarray(0, Math.max(1, Math.floor(body.length / 2))));
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    if (rule?.fault === 'malformed-row' && up.statusCode === 200) {
      const lines = body.toString('utf8').split('\n');
      const i = Math.min(1, Math.max(0, lines.length - 2));
      lines[i] = (lines[i] ?? '').replace(/,"[^"]+":/, ',"broken"');
      res.writeHead(200, outHeaders);
      res.end(lines.join('\n'));
      return;
    }
    res.writeHead(up.statusCode, outHeaders);
    res.end(body);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}
