/**
 * A year of one busy repository's GH Archive events: through ClickHouse (server-side filtering and
 * counting, `gharchive import --via clickhouse`) vs through the hourly files (the fallback), in
 * requests, bytes received and wall time; and rows per second read by the local ClickHouse.
 *
 * The local server is Debian's clickhouse-server (18.16), started from test/clickhouse/config.xml.
 * Its `github.github_events` (the public table's schema) holds 2015 built from the real recorded
 * hour (../shared/fixtures/gharchive/2015-01-01-12.json.gz, 8,273 events): every event of that hour
 * copied into 12:00 of each day of the year (3.0 M rows of other repositories, the background the
 * server must skip), and kaltura/mwEmbed — the busiest tracked repository of that hour, 67 events —
 * copied into all 8,760 hours (587 k events: a busy repository's year). Bodies and titles are kept.
 *
 * The hourly-file path is measured on the real hour served over loopback (3 runs, median) and
 * extrapolated to 8,760 hours: requests and bytes exactly, time linearly; and, as an estimate, to
 * the 2025 file sizes the issue quotes (60–130 MB compressed per hour), time scaled by bytes.
 *
 *   node --import tsx bench/clickhouse.ts            print the results
 *   node --import tsx bench/clickhouse.ts --append   also append them to bench/RESULTS.md
 */
import { execSync } from 'node:child_process';
import { appendFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { importGhArchiveViaClickHouse } from '../src/core/clickhouse/archiveImport';
import { CLICKHOUSE_MAX_ANSWER_BYTES } from '../src/core/clickhouse/connection';
import { importGhArchive } from '../src/core/gharchive/importer';
import { HttpClient } from '../src/core/http/client';
import { silentLogger } from '../src/core/log';
import { loadSqlJs } from '../src/core/store/sqljs';
import { createGithubEvents, loadGithubEvents } from '../test/support/clickhouseFixtures';
import { ClickHouseTestServer } from '../test/support/clickhouseServer';
import { FakeServer } from '../test/support/fakeServer';
import { repoRoot } from '../test/support/fixtures';
import { REAL_HOUR, realHourBytes, realHourLines, serveHour } from '../test/unit/gharchive/archiveFixtures';

const REPO = 'kaltura/mwEmbed';
const WASM = path.join(repoRoot, 'node_modules/sql.js/dist/sql-wasm.wasm');
const HOURS_PER_YEAR = 8760;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const mb = (b: number) => `${(b / 1e6).toLocaleString('en-US', { maximumFractionDigits: 1 })} MB`;
const secs = (ms: number) => `${(ms / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 })} s`;
const int = (n: number) => Math.round(n).toLocaleString('en-US');

interface Statistics {
  rows: number;
  elapsed: number;
  rows_read: number;
  bytes_read: number;
}

/** One query with ClickHouse's own statistics (FORMAT JSON reports rows and bytes read, and elapsed). */
async function measured(url: string, sql: string): Promise<Statistics> {
  const res = await request(`${url}/?database=github`, { method: 'POST', body: `${sql} FORMAT JSON` });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(text);
  const body = JSON.parse(text) as { rows: number; statistics: { elapsed: number; rows_read: number; bytes_read: number } };
  return { rows: body.rows, ...body.statistics };
}

async function main(): Promise<void> {
  const append = process.argv.includes('--append');
  const lines: string[] = [];
  const out = (s = '') => {
    lines.push(s);
    console.log(s);
  };
  const SQL = await loadSqlJs(WASM);
  const ch = await ClickHouseTestServer.start();
  const tmp = await mkdtemp(path.join(tmpdir(), 'cm-bench-ch-'));
  try {
    // The year: the real hour once, then copied on the server (INSERT … SELECT with ARRAY JOIN).
    const t0 = performance.now();
    await createGithubEvents(ch);
    const hour = realHourLines();
    await ch.exec('CREATE TABLE github.hour_src AS github.github_events ENGINE = Memory', undefined, ch.lowCardinalityParams);
    await loadGithubEvents(ch, hour, '2015-01-01 12:00:00', 'github.hour_src');
    // 18.16 has no SELECT * REPLACE: every column is named, the three times shifted. Days go in
    // batches of 10 so that one INSERT … SELECT stays inside the test server's memory limit.
    const cols = (await ch.exec("SELECT name FROM system.columns WHERE database = 'github' AND table = 'hour_src' FORMAT TSV")).trim().split('\n');
    const list = (offset: string) => cols.map((c) => (['file_time', 'created_at', 'updated_at'].includes(c) ? `${c} + ${offset} AS ${c}` : c)).join(', ');
    for (let first = 0; first < 365; first += 10) {
      const n = Math.min(10, 365 - first);
      await ch.exec(`INSERT INTO github.github_events SELECT ${list(`(${first} + d) * 86400`)} FROM github.hour_src ARRAY JOIN range(${n}) AS d`);
      await ch.exec(
        `INSERT INTO github.github_events SELECT ${list(`(${first * 24} + k - 12) * 3600`)} FROM github.hour_src ARRAY JOIN arrayFilter(x -> x % 24 != 12, range(${n * 24})) AS k WHERE repo_name = '${REPO}'`,
      );
    }
    await ch.exec('OPTIMIZE TABLE github.github_events FINAL');
    const total = Number((await ch.exec('SELECT count() FROM github.github_events')).trim());
    const busy = Number((await ch.exec(`SELECT count() FROM github.github_events WHERE repo_name = '${REPO}'`)).trim());
    const loadMs = performance.now() - t0;

    // ClickHouse path: the year for the busy repository, as `gharchive import --via clickhouse` runs it.
    const http = new HttpClient({ githubApiUrl: 'https://api.github.invalid', logger: silentLogger, timeoutMs: 600_000, connectionsPerOrigin: 1, maxBodyBytes: CLICKHOUSE_MAX_ANSWER_BYTES });
    const storeFile = path.join(tmp, 'ch.sqlite');
    const t1 = performance.now();
    const viaCh = await importGhArchiveViaClickHouse({
      SQL, storeFile, logger: silentLogger, http,
      connection: { url: ch.url, user: 'demo', database: 'github' },
      repos: [REPO], from: '2015-01-01', to: '2015-12-31',
      now: () => new Date('2026-12-01T00:00:00Z'),
    });
    const chWall = performance.now() - t1;
    await http.close();
    if (viaCh.failed) throw new Error(viaCh.failed);
    const storeBytes = (await stat(storeFile)).size;

    // Rows per second the server read: the import's own queries for one month, and a full scan.
    const [lo, hi] = [Date.UTC(2015, 5, 1) / 1000, Date.UTC(2015, 6, 1) / 1000];
    const month = `repo_name IN ('${REPO}') AND created_at >= toDateTime(${lo - 2 * 86_400}) AND created_at < toDateTime(${hi + 2 * 86_400}) AND file_time >= toDateTime(${lo}) AND file_time < toDateTime(${hi})`;
    const monthFileTimeOnly = `repo_name IN ('${REPO}') AND file_time >= toDateTime(${lo}) AND file_time < toDateTime(${hi})`;
    const countStats = await measured(ch.url, `SELECT intDiv(toUInt32(file_time), 86400) AS day, toString(event_type) AS t, count() AS events, uniqExact(actor_login) AS actors FROM github_events WHERE ${month} GROUP BY day, t`);
    const eventStats = await measured(ch.url, `SELECT toUInt32(file_time) AS f, toString(event_type) AS t, actor_login, repo_name, number, ref, head_sha FROM github_events WHERE ${month}`);
    const withoutCreatedAt = await measured(ch.url, `SELECT toUInt32(file_time) AS f, toString(event_type) AS t, actor_login, repo_name, number, ref, head_sha FROM github_events WHERE ${monthFileTimeOnly}`);
    const scanStats = await measured(ch.url, "SELECT count() AS n FROM github_events WHERE actor_login LIKE '%bot%' OR body LIKE '%clickhouse%'");

    // Hourly files: the real hour over loopback, 3 imports into fresh stores.
    const server = await FakeServer.start();
    const bytes = realHourBytes();
    serveHour(server, REAL_HOUR, bytes);
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const file = path.join(tmp, `files-${i}.sqlite`);
      const t = performance.now();
      const r = await importGhArchive({ SQL, storeFile: file, logger: silentLogger, repos: [REPO], from: '2015-01-01T12', to: '2015-01-01T12', baseUrl: server.url, flushIntervalMs: 0 });
      runs.push(performance.now() - t);
      if (r.imported !== 1) throw new Error('the hour was not imported');
    }
    await server.close();
    const hourMs = median(runs);

    const date = new Date().toISOString().slice(0, 10);
    out(`## GH Archive through ClickHouse vs hourly files — ${date}`);
    out();
    out(`Machine: \`${execSync('uname -srvm').toString().trim()}\`, nproc ${execSync('nproc').toString().trim()}, Node ${process.version}, local clickhouse-server ${ch.version} (test/clickhouse/config.xml, loopback). Command: \`node --import tsx bench/clickhouse.ts\`. Load average at start: ${execSync('cat /proc/loadavg').toString().trim().split(' ').slice(0, 3).join(' ')} (machine shared).`);
    out();
    out(`Local github_events: ${int(total)} rows for 2015 (the real hour's 8,273 events at 12:00 of each day, and ${REPO}'s 67 events of that hour in all 8,760 hours: ${int(busy)} events of the busy repository), built in ${secs(loadMs)}.`);
    out();
    out('| a year of one busy repository | requests | bytes received | wall time |');
    out('|---|---:|---:|---:|');
    out(`| ClickHouse (\`--via clickhouse\`, 31-day chunks; measured, local server) | ${viaCh.stats.requests} | ${mb(viaCh.stats.bytes)} | ${secs(chWall)} (of which waiting for ClickHouse ${secs(viaCh.stats.ms)}) |`);
    out(`| hourly files, 2015 sizes (one hour measured: ${mb(bytes.length)}, median ${int(hourMs)} ms of ${runs.map((r) => int(r)).join(' / ')}; × 8,760) | ${int(HOURS_PER_YEAR)} | ${mb(bytes.length * HOURS_PER_YEAR)} | ${secs(hourMs * HOURS_PER_YEAR)} |`);
    out(`| hourly files, 2025 sizes (60–130 MB an hour, time scaled by bytes: an estimate) | ${int(HOURS_PER_YEAR)} | ${mb(60e6 * HOURS_PER_YEAR)} – ${mb(130e6 * HOURS_PER_YEAR)} | ${secs((hourMs * 60e6 * HOURS_PER_YEAR) / bytes.length)} – ${secs((hourMs * 130e6 * HOURS_PER_YEAR) / bytes.length)} |`);
    out();
    out(`Stored by the ClickHouse path: ${int(viaCh.added)} events and ${int(viaCh.counts)} daily counts, ${int(viaCh.hoursImported)} hours of coverage; store file ${mb(storeBytes)}. Wall time includes writing each chunk into the sql.js store (${viaCh.chunks} chunks).`);
    out();
    out('Rows read by the local ClickHouse (its own statistics, FORMAT JSON):');
    out();
    out('| query | rows read | elapsed | rows/s |');
    out('|---|---:|---:|---:|');
    for (const [name, s] of [['daily counts, one month of the busy repository', countStats], ['per-event rows, same month', eventStats], ['per-event rows, same month, filtered on file_time only (before: not in the sort key)', withoutCreatedAt], ['full scan of actor_login and body (LIKE)', scanStats]] as const) {
      out(`| ${name} | ${int(s.rows_read)} | ${(s.elapsed * 1000).toFixed(0)} ms | ${int(s.rows_read / Math.max(s.elapsed, 1e-6))} |`);
    }
    out();
    out(`Ratio (hourly files ÷ ClickHouse, 2015 sizes): requests ${int(HOURS_PER_YEAR / viaCh.stats.requests)}×, bytes ${int((bytes.length * HOURS_PER_YEAR) / viaCh.stats.bytes)}×, wall time ${((hourMs * HOURS_PER_YEAR) / chWall).toFixed(1)}×. The public service's answer time depends on its load and quota; the bytes and requests do not.`);
    out();
    if (append) await appendFile(path.join(repoRoot, 'bench/RESULTS.md'), `\n${lines.join('\n')}\n`);
  } finally {
    await ch.close();
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
