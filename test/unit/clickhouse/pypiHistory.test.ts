import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import { importPypiHistory, normalizePackage } from '../../../src/core/clickhouse/pypiHistory';
import type { PypiHistoryOptions } from '../../../src/core/clickhouse/pypiHistory';
import { installerGroup, installerShare, versionAdoptionByYear } from '../../../src/core/clickhouse/pypiHistoryStore';
import { HttpClient } from '../../../src/core/http/client';
import { silentLogger } from '../../../src/core/log';
import { upsertPypiDaily, upsertPypiVersionDaily } from '../../../src/core/store/packageRows';
import { MetricsStore, updateStore } from '../../../src/core/store/store';
import { ClickHouseProxy } from '../../support/clickhouseProxy';
import { ClickHouseTestServer } from '../../support/clickhouseServer';
import { PYPI_SLICE, createClickPy } from '../../support/clickhouseFixtures';
import { testSqlJs } from '../project/fixtureStore';

describe('PyPI history through ClickPy on a real ClickHouse server', function () {
  this.timeout(60_000);
  let ch: ClickHouseTestServer;
  let proxy: ClickHouseProxy;
  let SQL: SqlJsStatic;
  let dir: string;
  let storeFile: string;
  let http: HttpClient;

  before(async () => {
    SQL = await testSqlJs();
    ch = await ClickHouseTestServer.start({ quotaQueries: 7 });
    await createClickPy(ch);
    proxy = await ClickHouseProxy.start(ch.url);
  });
  after(async () => {
    await proxy?.close();
    await ch?.close();
  });
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-ch-pypi-'));
    storeFile = path.join(dir, 'metrics.sqlite');
    http = new HttpClient({ githubApiUrl: 'https://api.github.invalid', logger: silentLogger, timeoutMs: 5_000 });
    proxy.clear();
    proxy.requests.length = 0;
  });
  afterEach(async () => {
    await http.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = (over: Partial<PypiHistoryOptions> = {}) =>
    importPypiHistory({ SQL, storeFile, logger: silentLogger, http, connection: { url: proxy.url, user: 'play', database: 'pypi' }, packages: ['pip'], now: () => new Date('2026-12-01T00:00:00Z'), ...over });

  async function query<T>(sql: string, params: (string | number)[] = []): Promise<T[]> {
    const { store } = await MetricsStore.open(SQL, storeFile, silentLogger);
    try {
      return store.all<T>(sql, params);
    } finally {
      store.close();
    }
  }

  const sumBy = (rows: Array<{ date: string; count: number }>, key: (r: never) => string) => {
    const m = new Map<string, number>();
    for (const r of rows) m.set(`${r.date}|${key(r as never)}`, (m.get(`${r.date}|${key(r as never)}`) ?? 0) + r.count);
    return m;
  };

  it('stores every dimension of the slice, summed across unmerged parts, and 64-bit counts arrive as exact numbers', async () => {
    const result = await run();
    assert.deepEqual(result.packages.map((p) => p.status), ['stored']);
    const stored = async (dimension: string) =>
      new Map((await query<{ date: string; category: string; downloads: number }>('SELECT date, category, downloads FROM pypi_downloads_history WHERE package = ? AND dimension = ?', ['pip', dimension])).map((r) => [`${r.date}|${r.category}`, r.downloads]));
    assert.deepEqual(await stored('overall'), sumBy(PYPI_SLICE.perDay, () => ''));
    assert.deepEqual(await stored('version'), sumBy(PYPI_SLICE.version, (r: { version: string }) => r.version));
    assert.deepEqual(await stored('installer'), sumBy(PYPI_SLICE.installer, (r: { installer: string }) => r.installer));
    assert.deepEqual(await stored('python_minor'), sumBy(PYPI_SLICE.python, (r: { python_minor: string }) => r.python_minor));
    assert.deepEqual(await stored('system'), sumBy(PYPI_SLICE.system, (r: { system: string }) => r.system));
    assert.equal((await stored('country')).size, 0);
    assert.equal((await stored('overall')).get('2020-05-01|'), 2100139, 'the recorded with_mirrors count of pypistats');
    assert.equal(result.stats.requests, 6);
    assert.equal(normalizePackage('Zope.Interface_x'), 'zope-interface-x');
  });

  it('is incremental: the second run asks from the last stored day of each dimension and adds no row twice', async () => {
    await run();
    const rows = (await query<{ n: number }>('SELECT COUNT(*) AS n FROM pypi_downloads_history'))[0]?.n;
    proxy.requests.length = 0;
    const again = await run();
    assert.deepEqual(again.packages.map((p) => [p.status, p.message]), [['stored', undefined]]);
    assert.equal((await query<{ n: number }>('SELECT COUNT(*) AS n FROM pypi_downloads_history'))[0]?.n, rows);
    const versionQuery = proxy.requests.find((r) => r.sql.includes('pypi_downloads_per_day_by_version\n'));
    assert.match(versionQuery?.sql ?? '', /date >= toDate\('2026-11-22'\)/);
    const overallQuery = proxy.requests.find((r) => r.sql.includes('FROM pypi_downloads_per_day\n'));
    assert.match(overallQuery?.sql ?? '', /date >= toDate\('2020-05-02'\)/);
  });

  it('merges with pypistats and pepy without counting a day twice, saying where each row came from and what it counts', async () => {
    await run();
    await updateStore(SQL, storeFile, silentLogger, (store) => {
      // pypistats: the recorded days (ClickPy has them: not used) and one more day ClickPy lacks.
      upsertPypiDaily(store, [
        { date: '2020-05-01', package: 'pip', categoryType: 'overall', category: 'with_mirrors', downloads: 2100139 },
        { date: '2020-05-01', package: 'pip', categoryType: 'overall', category: 'without_mirrors', downloads: 2083472 },
        { date: '2020-05-03', package: 'pip', categoryType: 'overall', category: 'with_mirrors', downloads: 1000 },
        { date: '2020-05-03', package: 'pip', categoryType: 'overall', category: 'without_mirrors', downloads: 990 },
      ]);
      upsertPypiVersionDaily(store, [
        { date: '2026-11-22', package: 'pip', version: '24.1', downloads: 30 },
        { date: '2026-11-23', package: 'pip', version: '24.1', downloads: 7 },
      ]);
    });
    const overall = await query<{ date: string; downloads: number; source: string; counts: string }>(
      "SELECT date, downloads, source, counts FROM pypi_downloads_merged WHERE package = 'pip' AND dimension = 'overall' ORDER BY date",
    );
    assert.deepEqual(overall.map((r) => [r.date, r.downloads, r.source]), [
      ['2020-05-01', 2100139, 'clickpy'],
      ['2020-05-02', 1487218, 'clickpy'],
      ['2020-05-03', 1000, 'pypistats'],
    ]);
    assert.match(overall[2]?.counts ?? '', /mirrors included \(pypistats with_mirrors\)/);
    const versions = await query<{ date: string; category: string; downloads: number; source: string }>(
      "SELECT date, category, downloads, source FROM pypi_downloads_merged WHERE package = 'pip' AND dimension = 'version' AND date >= '2026-11-22' ORDER BY date, category",
    );
    assert.deepEqual(versions.map((r) => [r.date, r.category, r.downloads, r.source]), [
      ['2026-11-22', '24.0', 5, 'clickpy'],
      ['2026-11-22', '24.1', 30, 'clickpy'],
      ['2026-11-23', '24.1', 7, 'pepy'],
    ]);
  });

  it('installer share (mirrors vs people) and version adoption over the years', async () => {
    await run();
    const { store } = await MetricsStore.open(SQL, storeFile, silentLogger);
    try {
      const share = installerShare(store, 'pip');
      assert.ok(share);
      // The recorded with/without-mirrors difference is what went to bandersnatch.
      assert.equal(share.mirror, 2100139 - 2083472 + (1487218 - 1475979));
      assert.equal(share.installer, 2083472 + 1475979);
      assert.equal(share.other, 0);
      assert.deepEqual(share.top.map((t) => [t.installer, t.group]), [['pip', 'installer'], ['bandersnatch', 'mirror']]);
      const years = versionAdoptionByYear(store, 'pip');
      assert.deepEqual(years.map((y) => [y.year, y.series.map((s) => [s.series, Math.round(s.share * 1000) / 1000])]), [
        ['2020', [['20.1', 1]]],
        ['2026', [['24.1', 0.769], ['24.0', 0.231]]],
      ]);
    } finally {
      store.close();
    }
    assert.equal(installerGroup('Artifactory'), 'mirror');
    assert.equal(installerGroup('uv'), 'installer');
    assert.equal(installerGroup('requests'), 'other');
  });

  it('a malformed row or a dropped answer stores nothing of the package; quota exceeded stops with ClickHouse\'s message', async () => {
    proxy.fault(/pypi_downloads_per_day_by_version_by_system/, 'malformed-row', 1);
    const bad = await run();
    assert.equal(bad.packages[0]?.status, 'failed');
    assert.match(bad.packages[0]?.message ?? '', /row 2 of the result is not JSON/);
    assert.equal((await query<{ n: number }>('SELECT COUNT(*) AS n FROM pypi_downloads_history'))[0]?.n, 0, 'the five good answers were not stored either');

    // `limited` may run 7 queries: six for pip, then the first for the second package is refused.
    const quota = await run({ connection: { url: proxy.url, user: 'limited', database: 'pypi' }, packages: ['pip', 'requests', 'six'] });
    assert.deepEqual(quota.packages.map((p) => p.status), ['stored', 'failed']);
    assert.match(quota.packages[1]?.message ?? '', /quota exceeded — Quota for user .limited. .*exceeded/);
  });
});
