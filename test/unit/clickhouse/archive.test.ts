import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import { GHARCHIVE_DAILY_SQL, gharchiveParams } from '../../../src/core/charts/gharchiveMetric';
import { importGhArchiveViaClickHouse } from '../../../src/core/clickhouse/archiveImport';
import type { ClickHouseArchiveOptions } from '../../../src/core/clickhouse/archiveImport';
import { importGhArchive } from '../../../src/core/gharchive/importer';
import { gharchiveStarterFiles } from '../../../src/core/gharchive/starter/gharchiveModels';
import { loadProject } from '../../../src/core/project/project';
import { runProject } from '../../../src/core/project/runner';
import { starterProjectFiles } from '../../../src/core/project/starterProject';
import { writeScaffold } from '../../../src/core/project/writeScaffold';
import { HttpClient } from '../../../src/core/http/client';
import { silentLogger } from '../../../src/core/log';
import { MetricsStore } from '../../../src/core/store/store';
import { ClickHouseProxy } from '../../support/clickhouseProxy';
import { ClickHouseTestServer } from '../../support/clickhouseServer';
import { createGithubEvents, loadGithubEvents } from '../../support/clickhouseFixtures';
import { FakeServer } from '../../support/fakeServer';
import { testSqlJs } from '../project/fixtureStore';
import { REAL_HOUR, independentCount, realHourBytes, realHourLines, serveHour } from '../gharchive/archiveFixtures';

/** Repositories of the real hour with many event types, spelled as the archive spells them. */
const TRACKED = ['kaltura/mwEmbed', 'thephpleague/oauth2-server', 'cakephp/cakephp', 'rust-lang/rust', 'prakhar1989/awesome-courses', 'wasabeef/awesome-android-ui', 'nobody-here/never-seen'];
const NOW = () => new Date('2026-12-01T00:00:00Z');

describe('GH Archive through a real ClickHouse server', function () {
  this.timeout(60_000);
  let ch: ClickHouseTestServer;
  let proxy: ClickHouseProxy;
  let SQL: SqlJsStatic;
  let dir: string;
  let storeFile: string;
  let http: HttpClient;
  const lines = realHourLines();

  before(async () => {
    SQL = await testSqlJs();
    ch = await ClickHouseTestServer.start({ quotaQueries: 2 });
    await createGithubEvents(ch);
    await loadGithubEvents(ch, lines, '2015-01-01 12:00:00');
    proxy = await ClickHouseProxy.start(ch.url);
  });
  after(async () => {
    await proxy?.close();
    await ch?.close();
  });
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-ch-archive-'));
    storeFile = path.join(dir, 'metrics.sqlite');
    http = new HttpClient({ githubApiUrl: 'https://api.github.invalid', githubToken: () => 'ghp_never_sent_to_clickhouse', logger: silentLogger, timeoutMs: 5_000 });
    proxy.clear();
    proxy.requests.length = 0;
  });
  afterEach(async () => {
    await http.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = (over: Partial<ClickHouseArchiveOptions> = {}) =>
    importGhArchiveViaClickHouse({
      SQL, storeFile, logger: silentLogger, http, now: NOW,
      connection: { url: proxy.url, user: 'demo', database: 'github' },
      repos: TRACKED, from: '2015-01-01', to: '2015-01-01', ...over,
    });

  async function query<T>(sql: string, params: (string | number | null)[] = []): Promise<T[]> {
    const { store } = await MetricsStore.open(SQL, storeFile, silentLogger);
    try {
      return store.all<T>(sql, params);
    } finally {
      store.close();
    }
  }

  it('stores the tracked repositories\' events of the real hour (per-type counts equal a full parse of the file) and ClickHouse\'s daily counts with distinct actors', async () => {
    const result = await run();
    assert.equal(result.failed, undefined);
    assert.equal(result.chunks, 1);
    const expected = independentCount(lines, TRACKED);
    assert.ok(expected.total > 50, 'the hour has events of the tracked repositories');
    const stored = Object.fromEntries((await query<{ type: string; n: number }>('SELECT type, COUNT(*) AS n FROM gharchive_events GROUP BY type')).map((r) => [r.type, r.n]));
    assert.deepEqual(stored, expected.byType);
    assert.equal(result.added, expected.total);

    // Daily counts: an independent count of events and distinct actors per repository and type.
    const want = new Map<string, { events: number; actors: Set<string> }>();
    for (const l of lines) {
      const e = JSON.parse(l) as { type: string; actor: { login: string }; repo: { name: string } };
      if (!TRACKED.includes(e.repo.name)) continue;
      const k = `${e.repo.name.toLowerCase()}|${e.type}`;
      const v = want.get(k) ?? { events: 0, actors: new Set<string>() };
      v.events++;
      v.actors.add(e.actor.login);
      want.set(k, v);
    }
    const counts = await query<{ repo: string; event_type: string; events: number; actors: number; day: string }>('SELECT * FROM gharchive_daily_counts');
    assert.equal(counts.length, want.size);
    for (const c of counts) {
      assert.equal(c.day, '2015-01-01');
      const w = want.get(`${c.repo}|${c.event_type}`);
      assert.ok(w, `${c.repo} ${c.event_type}`);
      assert.equal(c.events, w.events);
      assert.equal(c.actors, w.actors.size);
    }

    // Coverage: the whole day is imported for every tracked repository, so the chart sees 24 hours.
    const hours = await query<{ n: number; repos: string }>("SELECT COUNT(*) AS n, MIN(repos) AS repos FROM gharchive_hours WHERE status = 'imported'");
    assert.equal(hours[0]?.n, 24);
    assert.deepEqual(JSON.parse(hours[0]?.repos ?? '[]'), TRACKED.map((t) => t.toLowerCase()).sort());
    const { store } = await MetricsStore.open(SQL, storeFile, silentLogger);
    try {
      const day = store.all<{ day: string; v: number; h: number }>(GHARCHIVE_DAILY_SQL, gharchiveParams('cakephp/cakephp', undefined));
      assert.deepEqual(day, [{ day: '2015-01-01', v: independentCount(lines, ['cakephp/cakephp']).total, h: 24 }]);
    } finally {
      store.close();
    }
    // The password/user header went to ClickHouse; the GitHub token never did.
    assert.ok(proxy.requests.every((r) => r.authorization === `Basic ${Buffer.from('demo:').toString('base64')}`));
  });

  it('is incremental: a second run asks nothing; a longer range asks only the new days, and days ahead of the table are missing, asked again later', async () => {
    await run();
    const before = proxy.requests.length;
    const again = await run();
    assert.equal(proxy.requests.length, before, 'no query for a day already imported');
    assert.equal(again.skippedDays, 1);
    assert.equal(again.added, 0);

    proxy.requests.length = 0;
    const longer = await run({ to: '2015-01-03' });
    assert.equal(longer.skippedDays, 1);
    assert.equal(proxy.requests.length, 2, 'one count query and one event query for the two new days');
    const lo = Date.UTC(2015, 0, 2) / 1000;
    assert.ok(proxy.requests.every((r) => r.sql.includes(`file_time >= toDateTime(${lo})`)));

    // The newest hours: not yet settled in the table, so recorded missing (a gap) and asked next time.
    const late = await run({ from: '2015-01-05', to: '2015-01-05', now: () => new Date('2015-01-05T10:30:00Z') });
    assert.equal(late.hoursImported, 7);
    assert.equal(late.hoursMissing, 17);
    const status = await query<{ status: string; n: number }>("SELECT status, COUNT(*) AS n FROM gharchive_hours WHERE hour LIKE '2015-01-05%' GROUP BY status ORDER BY status");
    assert.deepEqual(status, [{ status: 'imported', n: 7 }, { status: 'missing', n: 17 }]);
    proxy.requests.length = 0;
    await run({ from: '2015-01-05', to: '2015-01-05' });
    assert.equal(proxy.requests.length, 2, 'the day with missing hours is asked again');
  });

  it('keeps the events of hours imported from the hourly files (no second copy) and fills the rest of the day and the counts from ClickHouse', async () => {
    const server = await FakeServer.start();
    try {
      serveHour(server, REAL_HOUR, realHourBytes());
      await importGhArchive({ SQL, storeFile, logger: silentLogger, repos: TRACKED, from: '2015-01-01T12', to: '2015-01-01T12', baseUrl: server.url, flushIntervalMs: 0 });
    } finally {
      await server.close();
    }
    const fromFiles = (await query<{ n: number }>('SELECT COUNT(*) AS n FROM gharchive_events'))[0]?.n;
    const result = await run();
    assert.equal(result.added, 0, 'the only hour with events came from the file already');
    assert.equal((await query<{ n: number }>('SELECT COUNT(*) AS n FROM gharchive_events'))[0]?.n, fromFiles);
    assert.equal((await query<{ n: number }>("SELECT COUNT(*) AS n FROM gharchive_events WHERE event_id LIKE 'ch:%'"))[0]?.n, 0);
    assert.equal((await query<{ n: number }>("SELECT COUNT(*) AS n FROM gharchive_hours WHERE status = 'imported'"))[0]?.n, 24);
    const hour12 = (await query<{ events: number | null; bytes: number | null }>("SELECT events, bytes FROM gharchive_hours WHERE hour = '2015-01-01T12:00:00Z'"))[0];
    assert.equal(hour12?.events, lines.length, 'the file import\'s record of the hour is kept');
    assert.ok(((await query<{ n: number }>('SELECT COUNT(*) AS n FROM gharchive_daily_counts'))[0]?.n ?? 0) > 0);
  });

  it('the starter GH Archive models build on the rows it stores, and their daily events and actors per type equal ClickHouse\'s daily counts', async () => {
    await run();
    await writeScaffold(dir, [...starterProjectFiles(), ...gharchiveStarterFiles()]);
    const project = await loadProject(dir);
    const { store } = await MetricsStore.open(SQL, storeFile, silentLogger);
    try {
      const built = await runProject(project, store.db, { command: 'build', select: ['path:models/gharchive'] });
      assert.deepEqual(built.results.filter((r) => !['success', 'pass'].includes(r.status)).map((r) => `${r.name}: ${r.status} ${r.message}`), []);
      const fromModels = store.all<{ k: string; events: number; actors: number }>(
        "SELECT day || '|' || lower(tracked_repo) || '|' || event_type AS k, events, actors FROM gharchive_daily_events_by_type ORDER BY k",
      );
      const fromServer = store.all<{ k: string; events: number; actors: number }>("SELECT day || '|' || repo || '|' || event_type AS k, events, actors FROM gharchive_daily_counts ORDER BY k");
      assert.ok(fromServer.length > 5);
      assert.deepEqual(fromModels, fromServer);
      const stars = store.all<{ n: number }>('SELECT COUNT(*) AS n FROM stg_gharchive__stars')[0]?.n;
      assert.equal(stars, independentCount(lines, TRACKED).byType.WatchEvent);
    } finally {
      store.close();
    }
  });

  it('quota exceeded: ClickHouse\'s own message; the days stored before it are whole, the failing one has nothing', async () => {
    // `limited` may run 2 queries an hour: day 1 takes both, day 2 is refused.
    const result = await run({ connection: { url: proxy.url, user: 'limited', database: 'github' }, from: '2015-01-01', to: '2015-01-02', daysPerQuery: 1 });
    assert.equal(result.failure?.kind, 'quota');
    assert.match(result.failed ?? '', /^2015-01-02…2015-01-02: .*quota exceeded — Quota for user .limited. for .*exceeded/);
    assert.match(result.failed ?? '', /own cluster/);
    const hours = await query<{ day: string; n: number }>("SELECT substr(hour, 1, 10) AS day, COUNT(*) AS n FROM gharchive_hours GROUP BY day");
    assert.deepEqual(hours, [{ day: '2015-01-01', n: 24 }]);
    assert.equal((await query<{ n: number }>("SELECT COUNT(*) AS n FROM gharchive_daily_counts WHERE day = '2015-01-02'"))[0]?.n, 0);
  });

  for (const [fault, kind, message] of [
    ['stall', 'timeout', /did not answer within 1 s \(query timeout\); nothing from this query was stored/],
    ['drop-mid-result', 'network', /dropped the connection before the whole result arrived|cut off|ended in the middle/],
    ['malformed-row', 'malformed', /row 2 of the result is not JSON .*nothing from this query was stored/],
  ] as const) {
    it(`${fault}: a clear message (${kind}) and nothing of the range stored`, async () => {
      await http.close();
      http = new HttpClient({ githubApiUrl: 'https://api.github.invalid', logger: silentLogger, timeoutMs: 1_000 });
      proxy.fault(/toUInt32\(created_at\)/, fault);
      const result = await run({ timeoutMs: 1_000 });
      assert.equal(result.failure?.kind, kind, result.failed);
      assert.match(result.failed ?? '', message);
      for (const t of ['gharchive_events', 'gharchive_hours', 'gharchive_daily_counts']) {
        assert.equal((await query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))[0]?.n, 0, `${t} is empty`);
      }
      if (fault === 'drop-mid-result') assert.equal(proxy.requests.filter((r) => /toUInt32\(created_at\)/.test(r.sql)).length, 3, 'a dropped read is retried (twice) before giving up');
      proxy.clear();
      const ok = await run();
      assert.equal(ok.failed, undefined);
      assert.equal(ok.added, independentCount(lines, TRACKED).total, 'the next run stores the range whole');
    });
  }

  it('an answer over the HTTP client\'s body cap: a message to ask fewer days, not retried, nothing stored', async () => {
    await http.close();
    http = new HttpClient({ githubApiUrl: 'https://api.github.invalid', logger: silentLogger, timeoutMs: 5_000, maxBodyBytes: 4_096 });
    const result = await run();
    assert.equal(result.failure?.kind, 'limit', result.failed);
    assert.match(result.failed ?? '', /larger than this client reads at once .*--days-per-query/);
    assert.equal(proxy.requests.filter((r) => /toUInt32\(created_at\)/.test(r.sql)).length, 1);
    assert.equal((await query<{ n: number }>('SELECT COUNT(*) AS n FROM gharchive_hours'))[0]?.n, 0);
  });

  it('sends the password to the configured ClickHouse origin only, as Basic auth; a wrong one is a clear refusal', async () => {
    const ok = await run({ connection: { url: proxy.url, user: 'secret', database: 'github', password: 's3cret-pass' } });
    assert.equal(ok.failed, undefined);
    assert.ok(proxy.requests.every((r) => r.authorization === `Basic ${Buffer.from('secret:s3cret-pass').toString('base64')}`));
    const bad = await run({ connection: { url: proxy.url, user: 'secret', database: 'github', password: 'wrong' }, force: true });
    assert.equal(bad.failure?.kind, 'auth');
    assert.match(bad.failed ?? '', /refused user 'secret' — Wrong password for user secret/);
    assert.doesNotMatch(bad.failed ?? '', /s3cret-pass|\bwrong\b/, 'the password sent is not repeated');
    const missing = await run({ connection: { url: proxy.url, user: 'demo', database: 'nowhere' }, force: true });
    assert.equal(missing.failure?.kind, 'missing-table');
    assert.match(missing.failed ?? '', /database setting \('nowhere'\)/);
  });
});
