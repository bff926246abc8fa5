import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RELEASE_LAYER } from '../../src/core/charts/metricChart';
import { metricSeries } from '../../src/core/charts/metricSeries';
import { trafficChart } from '../../src/core/charts/trafficViews';
import { parseProjectConfig } from '../../src/core/config/projectConfig';
import { HttpClient } from '../../src/core/http/client';
import { silentLogger } from '../../src/core/log';
import { refreshAll } from '../../src/core/refresh';
import type { RefreshDeps } from '../../src/core/refresh';
import { artifactMetrics } from '../../src/core/store/artifactMetrics';
import { MetricsStore } from '../../src/core/store/store';
import { loadDocFixture, readDocFixture } from '../support/docFixtures';
import { FakeServer } from '../support/fakeServer';
import { stubGitHubListings } from '../support/githubStubs';
import { testSql } from './store.test';

const REPO = 'octocat/Hello-World';
const CONFIG = `projects:\n  - name: hello\n    github: [${REPO}]\n`;
/** The documentation's example window ends on 2016-10-24. */
const DOC_NOW = new Date('2016-10-24T12:00:00Z');
const TRAFFIC_FILES = ['github-traffic.views.json', 'github-traffic.clones.json', 'github-traffic.referrers.json', 'github-traffic.paths.json'];

describe('GitHub traffic, from responses built on GitHub\'s documentation', () => {
  let dir: string;
  let server: FakeServer;
  let http: HttpClient;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-traffic-'));
    server = await FakeServer.start();
    server.json(`/repos/${REPO}`, { id: 1296269, full_name: REPO, stargazers_count: 80, forks_count: 9, subscribers_count: 3, open_issues_count: 0 });
    stubGitHubListings(server, REPO);
    http = new HttpClient({ githubApiUrl: server.url, githubToken: () => 'gh-token', logger: silentLogger, timeoutMs: 1000, retries: 0 });
  });
  afterEach(async () => {
    await http.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (now: Date, extra: Partial<RefreshDeps> = {}) =>
    refreshAll(parseProjectConfig(CONFIG).config, {
      SQL: await testSql(), http, githubApiUrl: server.url, storeFile: path.join(dir, 'm.sqlite'), logger: silentLogger, now: () => now,
      sourceOptions: { statsRetryDelayMs: 5, statsAttempts: 1 }, ...extra,
    });
  const withStore = async <T>(fn: (s: MetricsStore) => T): Promise<T> => {
    const { store } = await MetricsStore.open(await testSql(), path.join(dir, 'm.sqlite'), silentLogger);
    try {
      return fn(store);
    } finally {
      store.close();
    }
  };
  const trafficRequests = () => server.requests.filter((r) => r.path.includes('/traffic/'));

  it('stores views and clones per day, and the top referrers and paths as a dated 14-day snapshot', async () => {
    for (const f of TRAFFIC_FILES) loadDocFixture(server, f);
    const r = await run(DOC_NOW);
    assert.deepEqual(r.failures, []);
    assert.deepEqual(r.notices, []);
    assert.deepEqual(trafficRequests().map((q) => `${q.path}?${new URLSearchParams(q.query as Record<string, string>)}`).sort(), [
      `/repos/${REPO}/traffic/clones?per=day`, `/repos/${REPO}/traffic/popular/paths?`, `/repos/${REPO}/traffic/popular/referrers?`, `/repos/${REPO}/traffic/views?per=day`,
    ]);
    await withStore((s) => {
      assert.deepEqual(s.all("SELECT kind, COUNT(*) AS days, SUM(count) AS count, MIN(day) AS a, MAX(day) AS b FROM github_traffic_daily GROUP BY kind ORDER BY kind"), [
        { kind: 'clones', days: 15, count: 173, a: '2016-10-10', b: '2016-10-24' },
        { kind: 'views', days: 15, count: 14850, a: '2016-10-10', b: '2016-10-24' },
      ]);
      assert.deepEqual(s.all("SELECT kind, window_start, window_end, count, uniques FROM github_traffic_windows WHERE kind IN ('views', 'clones') ORDER BY kind"), [
        { kind: 'clones', window_start: '2016-10-10', window_end: '2016-10-24', count: 173, uniques: 128 },
        { kind: 'views', window_start: '2016-10-10', window_end: '2016-10-24', count: 14850, uniques: 3782 },
      ]);
      assert.deepEqual(s.all('SELECT snapshot_day, window_start, window_end, referrer, count, uniques FROM github_traffic_referrers ORDER BY count DESC, referrer'), [
        { snapshot_day: '2016-10-24', window_start: '2016-10-11', window_end: '2016-10-24', referrer: 'Google', count: 4, uniques: 3 },
        { snapshot_day: '2016-10-24', window_start: '2016-10-11', window_end: '2016-10-24', referrer: 'stackoverflow.com', count: 2, uniques: 2 },
        { snapshot_day: '2016-10-24', window_start: '2016-10-11', window_end: '2016-10-24', referrer: 'eggsonbread.com', count: 1, uniques: 1 },
        { snapshot_day: '2016-10-24', window_start: '2016-10-11', window_end: '2016-10-24', referrer: 'yandex.ru', count: 1, uniques: 1 },
      ]);
      assert.deepEqual(s.all('SELECT path, title, count FROM github_traffic_paths ORDER BY count DESC LIMIT 1'), [
        { path: '/github/hubot', title: 'github/hubot: A customizable life embetterment robot.', count: 3542 },
      ]);
      assert.equal(s.all('SELECT * FROM github_traffic_paths').length, 10);
      // The tree: GitHub's 14-day view count, kept.
      const m = artifactMetrics(s, parseProjectConfig(CONFIG).config)[0]?.metrics.find((x) => x.key === 'traffic_views_14d');
      assert.equal(m?.latest, 14850 - 440);
      assert.equal(m?.latestAt, '2016-10-24');
      assert.equal(m?.change7d, undefined, 'the window 7 days earlier was not fully observed');
      assert.match(m?.description ?? '', /in the 14 days to 2016-10-24 \(GitHub traffic, kept here past GitHub's 14 days\)$/);
    });
  });

  it('draws the releases beside the traffic: dashed rules on the chart, the latest in the tree', async () => {
    for (const f of TRAFFIC_FILES) loadDocFixture(server, f);
    await run(DOC_NOW);
    const { store } = await MetricsStore.open(await testSql(), path.join(dir, 'm.sqlite'), silentLogger);
    try {
      store.db.run("INSERT INTO github_releases (repo, release_id, tag_name, name, draft, prerelease, created_at, published_at) VALUES (?, 1, 'v1.0.0', 'One', 0, 0, '2016-10-17T10:00:00Z', '2016-10-17T10:00:00Z'), (?, 2, 'v0.1.0', 'Old', 0, 0, '2015-01-01T00:00:00Z', '2015-01-01T00:00:00Z')", [REPO, REPO]);
      const chart = trafficChart(store, { artifact: `github:${REPO}`, source: 'github', name: REPO, project: 'hello' }, {});
      const layers = chart?.spec.layer as { name?: string; data?: { values: unknown[] }; mark: { type?: string } }[];
      const rules = layers.find((l) => l.name === RELEASE_LAYER);
      assert.deepEqual(rules?.data?.values, [{ period: '2016-10-17', label: 'v1.0.0' }], 'only the releases inside the charted days');
      assert.equal(rules?.mark.type, 'rule');
      assert.match(chart?.summary ?? '', /Releases in the period \(dashed rules\): v1\.0\.0 on 2016-10-17\./);
      assert.deepEqual(chart?.series.map((x) => x.split(':')[0]), ['octocat/Hello-World', 'octocat/Hello-World']);
      // A valid vega-lite spec: compiled by vega-lite itself, with the data the webview sends.
      const { compile } = await import('vega-lite');
      const vg = compile({ ...(chart?.spec ?? {}), data: { values: chart?.values } } as never).spec as { marks?: { type: string }[] };
      assert.ok(JSON.stringify(vg.marks).includes('"type":"rule"'), 'the release rules are drawn');
      const m = artifactMetrics(store, parseProjectConfig(CONFIG).config)[0]?.metrics.find((x) => x.key === 'traffic_clones_14d');
      assert.match(m?.description ?? '', /; latest release v1\.0\.0 on 2016-10-17$/);
    } finally {
      store.close();
    }
  });

  it('never double counts: a repeated refresh replaces the days and the day\'s snapshot', async () => {
    for (const f of TRAFFIC_FILES) loadDocFixture(server, f);
    await run(DOC_NOW);
    const first = await withStore((s) => JSON.stringify(s.all('SELECT * FROM github_traffic_daily ORDER BY kind, day')));
    await run(new Date(DOC_NOW.getTime() + 3600_000), { force: true });
    // Later the same day: today's count grew, and a referrer left the top 10.
    const views = readDocFixture('github-traffic.views.json')[0]?.response.body as { views: { timestamp: string; count: number; uniques: number }[] };
    server.json(`/repos/${REPO}/traffic/views`, { ...views, views: views.views.map((v) => (v.timestamp.startsWith('2016-10-24') ? { ...v, count: 700 } : v)) }, 200, {}, { per: 'day' });
    server.json(`/repos/${REPO}/traffic/popular/referrers`, [{ referrer: 'Google', count: 5, uniques: 4 }]);
    await run(new Date(DOC_NOW.getTime() + 7200_000));
    await withStore((s) => {
      const rows = s.all<{ kind: string; day: string; count: number }>('SELECT kind, day, count FROM github_traffic_daily ORDER BY kind, day');
      assert.equal(rows.length, 30);
      assert.equal(rows.filter((x) => x.kind === 'views').reduce((a, x) => a + x.count, 0), 14850 - 614 + 700);
      assert.notEqual(JSON.stringify(rows), first);
      assert.deepEqual(s.all('SELECT referrer, count FROM github_traffic_referrers'), [{ referrer: 'Google', count: 5 }]);
      assert.equal(s.all("SELECT * FROM github_traffic_windows WHERE kind = 'views'").length, 1);
    });
  });

  it('empty lists: the 14 days were observed with no traffic, so they chart as 0, not as gaps', async () => {
    loadDocFixture(server, 'github-traffic.empty.json', (e) => ({ ...e, request: { ...e.request, path: e.request.path.replace('octocat/new-repo', REPO) } }));
    const r = await run(DOC_NOW);
    assert.deepEqual(r.failures, []);
    await withStore((s) => {
      assert.equal(s.all('SELECT * FROM github_traffic_daily').length, 0);
      assert.equal(s.all('SELECT * FROM github_traffic_referrers').length, 0);
      const series = metricSeries(s, `github:${REPO}`, 'traffic_views', { grain: 'day', mode: 'total' });
      assert.deepEqual(series.points.map((p) => p.value), Array(13).fill(0), '2016-10-11 … 2016-10-23 (today counts once GitHub lists it)');
      const m = artifactMetrics(s, parseProjectConfig(CONFIG).config)[0]?.metrics.find((x) => x.key === 'traffic_views_14d');
      assert.equal(m?.latest, 0);
    });
  });

  it('no push access: one quiet notice with GitHub\'s message, no failure, asked again only a day later', async () => {
    loadDocFixture(server, 'github-traffic.no-push-access.json', (e) => ({ ...e, request: { ...e.request, path: `/repos/${REPO}/traffic/views` } }));
    const r = await run(DOC_NOW);
    assert.deepEqual(r.failures, []);
    assert.deepEqual(r.refreshed, [`github:${REPO}`]);
    assert.equal(r.notices.length, 1);
    assert.match(r.notices[0]?.message ?? '', /traffic not kept: GitHub answered "Must have push access to repository" \(HTTP 403\)/);
    assert.deepEqual(trafficRequests().map((q) => q.path), [`/repos/${REPO}/traffic/views`], 'one request, not four');
    await run(new Date(DOC_NOW.getTime() + 3600_000));
    assert.equal(trafficRequests().length, 1, 'not asked again within the day');
    const later = await run(new Date(DOC_NOW.getTime() + 25 * 3600_000));
    assert.equal(trafficRequests().length, 2);
    assert.equal(later.notices.length, 1);
    await withStore((s) => assert.equal(artifactMetrics(s, parseProjectConfig(CONFIG).config)[0]?.metrics.some((m) => m.key.startsWith('traffic')), false));
  });

  it('keeps what the token may read when GitHub refuses one part (a fine-grained token without a permission)', async () => {
    for (const f of ['github-traffic.views.json', 'github-traffic.clones.json', 'github-traffic.paths.json']) loadDocFixture(server, f);
    loadDocFixture(server, 'github-traffic.no-push-access.json', (e) => ({ ...e, request: { method: 'GET', path: `/repos/${REPO}/traffic/popular/referrers` } }));
    const r = await run(DOC_NOW);
    assert.deepEqual(r.failures, []);
    assert.deepEqual(r.notices.map((n) => n.message), ['traffic partly kept: GitHub refused referrers: "Must have push access to repository" (HTTP 403)']);
    await withStore((s) => {
      assert.equal(s.all('SELECT * FROM github_traffic_daily').length, 30);
      assert.equal(s.all('SELECT * FROM github_traffic_paths').length, 10);
      assert.equal(s.all('SELECT * FROM github_traffic_referrers').length, 0);
    });
  });

  it('a 304 the next day moves the window; days no refresh saw are gaps, never 0', async () => {
    server.synthesizeEtags = true;
    for (const f of TRAFFIC_FILES) loadDocFixture(server, f);
    await run(DOC_NOW);
    await run(new Date('2016-10-25T12:00:00Z'));
    assert.ok(trafficRequests().slice(4).every((q) => q.status === 304));
    // Twenty days later the refresh runs again: GitHub now lists 2016-11-01 … 2016-11-14 only.
    server.json(`/repos/${REPO}/traffic/views`, { count: 30, uniques: 9, views: [{ timestamp: '2016-11-10T00:00:00Z', count: 30, uniques: 9 }] }, 200, {}, { per: 'day' });
    await run(new Date('2016-11-14T12:00:00Z'));
    await withStore((s) => {
      const series = metricSeries(s, `github:${REPO}`, 'traffic_views', { grain: 'day', mode: 'total', from: '2016-10-22' });
      const at = (d: string) => series.points.find((p) => p.period === d)?.value;
      assert.equal(at('2016-10-24'), 614);
      assert.equal(at('2016-10-25'), null, 'the 304 window ends yesterday: 2016-10-25 itself was never listed');
      assert.equal(at('2016-10-31'), null, 'not observed: a gap');
      assert.equal(at('2016-11-01'), 0, 'inside the later window, not listed: no views');
      assert.equal(at('2016-11-10'), 30);
    });
  });
});
