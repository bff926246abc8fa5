import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { repoRoot } from './fixtures';

/**
 * A real ClickHouse server for the tests and the bench: Debian's `clickhouse-server` (18.16 on these
 * machines; `.ci/run` installs it), started from the config committed in test/clickhouse/ on
 * loopback, on free ports, with its data in a temporary folder that is removed on close. A missing
 * binary is an error that says how to install it, never a skipped test.
 */
const BINARIES = [process.env.CM_CLICKHOUSE_SERVER, '/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server', '/usr/bin/clickhouse'];

function serverBinary(): { bin: string; args: string[] } {
  for (const b of BINARIES) {
    if (b && existsSync(b)) return path.basename(b) === 'clickhouse' ? { bin: b, args: ['server'] } : { bin: b, args: [] };
  }
  throw new Error(`clickhouse-server not found (looked at ${BINARIES.filter(Boolean).join(', ')}); install it with 'apt-get install clickhouse-server clickhouse-client' (.ci/run does), or set CM_CLICKHOUSE_SERVER`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface ClickHouseServerOptions {
  /** Queries per hour allowed to the user `limited`. Default 1000. */
  quotaQueries?: number;
}

export class ClickHouseTestServer {
  private constructor(
    readonly url: string,
    readonly dir: string,
    private readonly child: ChildProcess,
    readonly version: string,
  ) {}

  static async start(options: ClickHouseServerOptions = {}): Promise<ClickHouseTestServer> {
    const { bin, args } = serverBinary();
    const dir = await mkdtemp(path.join(process.env.CM_CLICKHOUSE_TMP ?? tmpdir(), 'cm-clickhouse-'));
    await mkdir(path.join(dir, 'log'), { recursive: true });
    const [httpPort, tcpPort, interPort] = [await freePort(), await freePort(), await freePort()];
    const fill = (t: string) =>
      t
        .replace(/@DIR@/g, dir)
        .replace(/@HTTP_PORT@/g, String(httpPort))
        .replace(/@TCP_PORT@/g, String(tcpPort))
        .replace(/@INTERSERVER_PORT@/g, String(interPort))
        .replace(/@QUOTA_QUERIES@/g, String(options.quotaQueries ?? 1000));
    await writeFile(path.join(dir, 'config.xml'), fill(await readFile(path.join(repoRoot, 'test/clickhouse/config.xml'), 'utf8')));
    await writeFile(path.join(dir, 'users.xml'), fill(await readFile(path.join(repoRoot, 'test/clickhouse/users.xml'), 'utf8')));
    const child = spawn(bin, [...args, `--config-file=${path.join(dir, 'config.xml')}`], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const url = `http://127.0.0.1:${httpPort}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) {
        const log = await readFile(path.join(dir, 'log/error.log'), 'utf8').catch(() => '');
        await rm(dir, { recursive: true, force: true });
        throw new Error(`clickhouse-server exited (${child.exitCode}) at start: ${stderr}${log.slice(-2000)}`);
      }
      try {
        const res = await request(`${url}/ping`);
        const body = await res.body.text();
        if (res.statusCode === 200 && body.startsWith('Ok')) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        process.kill(-(child.pid as number), 'SIGKILL');
        throw new Error(`clickhouse-server did not answer /ping within 60 s: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const server = new ClickHouseTestServer(url, dir, child, '');
    const version = (await server.exec('SELECT version()')).trim();
    return new ClickHouseTestServer(url, dir, child, version);
  }

  /** Runs SQL as `default` (the fixture loader); `data` is appended after the query (INSERT … FORMAT). */
  async exec(sql: string, data?: string, params: Record<string, string> = {}): Promise<string> {
    const qs = new URLSearchParams({ query: sql, ...params });
    // A fresh connection per statement: a kept-alive socket the server closed during a slow step
    // (on a loaded machine) made the next POST fail with EPIPE.
    const res = await request(`${this.url}/?${qs.toString()}`, { method: 'POST', body: data ?? '', reset: true });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`ClickHouse: ${sql.slice(0, 80)}: ${text}`);
    return text;
  }

  /** 18.x needs a flag for LowCardinality columns; later releases have it on (and accept the flag). */
  get lowCardinalityParams(): Record<string, string> {
    return /^(18|19)\./.test(this.version) ? { allow_experimental_low_cardinality_type: '1' } : {};
  }

  async close(): Promise<void> {
    const pid = this.child.pid;
    if (pid !== undefined && this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
