import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { metricChart } from '../../src/core/charts/metricChart';
import { metricSeries } from '../../src/core/charts/metricSeries';
import { referrersChart } from '../../src/core/charts/trafficViews';
import { parseProjectConfig } from '../../src/core/config/projectConfig';
import { artifactCoverage, staleSeries, storeCoverage } from '../../src/core/coverage/coverage';
import { detectNewTrafficSource, newTrafficSourceInsights } from '../../src/core/insights/newTrafficSource';
import { artifactMetrics } from '../../src/core/store/artifactMetrics';
import { replaceNpmVersionSnapshot } from '../../src/core/store/npmVersionRows';
import { insertDockerHubSnapshot } from '../../src/core/store/packageRows';
import { MetricsStore } from '../../src/core/store/store';
import { replacePopularSnapshot, upsertTrafficCounts } from '../../src/core/store/trafficRows';
import { HttpClient } from '../../src/core/http/client';
import { silentLogger } from '../../src/core/log';
import { refreshAll } from '../../src/core/refresh';
import { FakeServer } from '../support/fakeServer';
import { repoRoot } from '../support/fixtures';
import { testSql } from './store.test';

const CLI = path.join(repoRoot, 'dist/cli.js');
const shift = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const NOW = new Date('2026-11-12T09:00:00Z');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

/** Docker Hub snapshots on the given days (pull_count grows by 10 a day). */
function dockerDays(store: MetricsStore, image: string, days: string[]): void {
  for (const d of days) insertDockerHubSnapshot(store, { timestamp: `${d}T03:00:00.000Z`, image, pullCount: 1000 + 10 * Number(d.slice(8, 10)), starCount: 1, lastUpdated: null });
}

describe('coverage: the days each kept series was (not) observed', () => {
  it('lists the gaps of a snapshot series, the open one up to yesterday, and says they are lost', async () => {
    const store = MetricsStore.create(await testSql(), '/tmp/unused.sqlite');
    try {
      dockerDays(store, 'ns/img', ['2026-11-01', '2026-11-02', '2026-11-06', '2026-11-07', '2026-11-12']);
      const [c] = artifactCoverage(store, 'docker', 'ns/img', NOW);
      assert.equal(c?.label, 'Docker Hub pulls');
      assert.deepEqual([c?.first, c?.last, c?.observedDays], ['2026-11-01', '2026-11-07', 4], 'today is not counted: it is not over');
      assert.deepEqual(c?.gaps.map((g) => g.message), [
        'Docker Hub pulls: no snapshot on 2026-11-03 … 2026-11-05 (3 days); lost',
        'Docker Hub pulls: no snapshot on 2026-11-08 … 2026-11-11 (4 days; nothing since 2026-11-07); lost',
      ]);
      assert.deepEqual(staleSeries([c as never], 3).map((s) => [s.gap.from, s.gap.days]), [['2026-11-08', 4]]);
      assert.deepEqual(staleSeries([c as never], 4), []);
      // The chart: unobserved days are gaps, neither 0 nor interpolated, in totals and in differences.
      const total = metricSeries(store, 'docker:ns/img', 'pulls', { grain: 'day', mode: 'total', to: '2026-11-07' });
      assert.deepEqual(total.points.map((p) => p.value), [1010, 1020, null, null, null, 1060, 1070]);
      const perDay = metricSeries(store, 'docker:ns/img', 'pulls', { grain: 'day', mode: 'new', from: '2026-11-02', to: '2026-11-07' });
      assert.deepEqual(perDay.points.map((p) => p.value), [10, null, null, null, null, 10]);
      assert.match(metricChart([total]).summary, /3 days without data, shown as gaps/);
      // The tree: the gaps under the artifact.
      const config = parseProjectConfig('projects:\n  - name: p\n    docker: [ns/img]\n').config;
      const summary = artifactMetrics(store, config, NOW)[0];
      assert.deepEqual(summary?.coverage?.flatMap((x) => x.gaps.map((g) => g.from)), ['2026-11-03', '2026-11-08']);
    } finally {
      store.close();
    }
  });

  it('traffic: a gap inside GitHub\'s 14 days is still recoverable, and says until when', async () => {
    const store = MetricsStore.create(await testSql(), '/tmp/unused.sqlite');
    try {
      const fetch = (day: string) => upsertTrafficCounts(store, {
        repo: 'o/r', kind: 'views', snapshotDay: day, windowStart: shift(day, -13), windowEnd: shift(day, -1), count: 5, uniques: 2, fetchedAt: `${day}T01:00:00Z`,
        days: [{ day: shift(day, -1), count: 5, uniques: 2 }],
      });
      fetch('2026-10-01');
      fetch('2026-11-01');
      const views = artifactCoverage(store, 'github', 'o/r', NOW).find((c) => c.series === 'traffic_views');
      assert.deepEqual(views?.gaps.map((g) => g.message), [
        'GitHub traffic views: no data on 2026-10-01 … 2026-10-18 (18 days); lost',
        'GitHub traffic views: no data on 2026-11-01 … 2026-11-11 (11 days; nothing since 2026-10-31); GitHub still has them: refresh by 2026-11-14',
      ]);
      // The repository snapshots were never taken: listed, with no made-up gap.
      const repo = artifactCoverage(store, 'github', 'o/r', NOW).find((c) => c.series === 'repository');
      assert.deepEqual([repo?.observedDays, repo?.gaps.length], [0, 0]);
    } finally {
      store.close();
    }
  });

  it('npm downloads by version: a day without a snapshot is a gap; backfilled daily totals list only inner gaps', async () => {
    const store = MetricsStore.create(await testSql(), '/tmp/unused.sqlite');
    try {
      for (const d of ['2026-11-08', '2026-11-09', '2026-11-11']) replaceNpmVersionSnapshot(store, { package: '@s/x', snapshotDay: d, fetchedAt: `${d}T00:00:00Z`, versions: [{ version: '1.0.0', downloads: 5 }] });
      store.db.run("INSERT INTO npm_downloads_daily (date, package, downloads) VALUES ('2026-11-01', '@s/x', 3), ('2026-11-04', '@s/x', 4)");
      const cov = storeCoverage(store, parseProjectConfig('projects:\n  - name: p\n    npm: ["@s/x"]\n').config, NOW);
      assert.deepEqual(cov.flatMap((c) => c.gaps.map((g) => g.message)), [
        'npm downloads: no data on 2026-11-02 … 2026-11-03 (2 days)',
        'npm downloads by version: no snapshot on 2026-11-10 (1 day); lost',
      ]);
    } finally {
      store.close();
    }
  });

  it('flags a new referrer that brought an unusual number of visitors, and charts referrers over time with gaps', async () => {
    const store = MetricsStore.create(await testSql(), '/tmp/unused.sqlite');
    try {
      const snap = (day: string, entries: [string, number, number][]) => replacePopularSnapshot(store, {
        repo: 'o/r', kind: 'referrers', snapshotDay: day, windowStart: shift(day, -13), windowEnd: day, fetchedAt: `${day}T00:00:00Z`,
        entries: entries.map(([name, count, uniques]) => ({ name, count, uniques })),
      });
      snap('2026-11-01', [['Google', 40, 20], ['github.com', 30, 12]]);
      snap('2026-11-02', [['Google', 42, 21], ['github.com', 28, 11]]);
      assert.deepEqual(newTrafficSourceInsights(store, { artifact: 'github:o/r', source: 'github', name: 'o/r' }), [], 'nothing new yet');
      snap('2026-11-04', [['news.ycombinator.com', 900, 640], ['Google', 45, 22], ['reddit.com', 12, 9]]);
      const [i] = newTrafficSourceInsights(store, { artifact: 'github:o/r', source: 'github', name: 'o/r' });
      assert.equal(i?.title, 'New referrer news.ycombinator.com brought 640 visitors');
      assert.match(i?.explanation ?? '', /in none of the 2 earlier snapshots since 2026-11-01, where a listed referrer usually brought 17 /);
      assert.equal(i?.chart.metricKey, 'traffic_visitors');
      // reddit.com is new too, but 9 visitors is not unusual.
      assert.equal(detectNewTrafficSource([{ day: '2026-11-01', name: 'a', count: 1, uniques: 1 }, { day: '2026-11-02', name: 'b', count: 9, uniques: 9 }]), undefined);
      const chart = referrersChart(store, { artifact: 'github:o/r', source: 'github', name: 'o/r', project: 'p' }, {});
      const google = chart?.values.filter((v) => String(v.series).startsWith('Google:')).map((v) => v.value);
      assert.deepEqual(google, [20, 21, null, 22], '2026-11-03 had no snapshot: a gap');
      const { compile } = await import('vega-lite');
      assert.ok(compile({ ...(chart?.spec ?? {}), data: { values: chart?.values } } as never).spec);
    } finally {
      store.close();
    }
  });
});

describe('Docker Hub across 304s', () => {
  it('records the day\'s first refresh after a 304, so an unchanged day is observed, not a gap', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cm-docker304-'));
    const server = (await FakeServer.start()).loadFixture('dockerhub/grimoirelab-perceval.json');
    server.synthesizeEtags = true;
    const http = new HttpClient({ githubApiUrl: 'http://127.0.0.1:9', logger: silentLogger, timeoutMs: 1000, retries: 0 });
    try {
      const config = parseProjectConfig('projects:\n  - name: p\n    docker: [grimoirelab/perceval]\n').config;
      const storeFile = path.join(dir, 'm.sqlite');
      const run = async (iso: string) => refreshAll(config, { SQL: await testSql(), http, githubApiUrl: 'http://127.0.0.1:9', storeFile, logger: silentLogger, now: () => new Date(iso), endpoints: { dockerhubUrl: server.url } });
      await run('2026-11-10T08:00:00Z');
      const again = await run('2026-11-10T09:00:00Z');
      assert.equal(server.requests.at(-1)?.status, 304);
      assert.equal(again.wrote, false, 'the same day: nothing to write');
      await run('2026-11-11T08:00:00Z');
      assert.equal(server.requests.at(-1)?.status, 304);
      const { store } = await MetricsStore.open(await testSql(), storeFile, silentLogger);
      try {
        assert.deepEqual(store.all('SELECT timestamp, pull_count FROM dockerhub_pulls ORDER BY timestamp'), [
          { timestamp: '2026-11-10T08:00:00.000Z', pull_count: 398 },
          { timestamp: '2026-11-11T08:00:00.000Z', pull_count: 398 },
        ]);
        assert.deepEqual(artifactCoverage(store, 'docker', 'grimoirelab/perceval', new Date('2026-11-12T00:00:00Z'))[0]?.gaps, []);
      } finally {
        store.close();
      }
    } finally {
      await http.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('community-metrics coverage (built CLI)', function () {
  this.timeout(30_000);
  let dir: string;
  const today = new Date().toISOString().slice(0, 10);
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-cli-coverage-'));
    const storeFile = path.join(dir, '.community-metrics', 'metrics.sqlite');
    await mkdir(path.dirname(storeFile), { recursive: true });
    const store = MetricsStore.create(await testSql(), storeFile);
    dockerDays(store, 'ns/img', [shift(today, -10), shift(today, -9), shift(today, -5)]);
    await store.save();
    store.close();
    await writeFile(path.join(dir, 'community-metrics.yml'), 'projects:\n  - name: p\n    docker: [ns/img]\n');
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('lists the gaps per source, and alerts only when a series is not observed for more than N days', async () => {
    const storeFile = path.join(dir, '.community-metrics', 'metrics.sqlite');
    const before = await readFile(storeFile);
    const r = await cli(['coverage', '--workspace', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(`docker:ns/img — Docker Hub pulls: observed on 3 days from ${shift(today, -10)} to ${shift(today, -5)}`), r.stdout);
    assert.ok(r.stdout.includes(`  Docker Hub pulls: no snapshot on ${shift(today, -8)} … ${shift(today, -6)} (3 days); lost`), r.stdout);
    assert.ok(r.stdout.includes(`  Docker Hub pulls: no snapshot on ${shift(today, -4)} … ${shift(today, -1)} (4 days; nothing since ${shift(today, -5)}); lost`), r.stdout);
    assert.match(r.stdout, /^2 gaps\.$/m);
    assert.equal((await cli(['coverage', '--workspace', dir, '--exit-code'])).code, 3);
    const alert = await cli(['coverage', '--workspace', dir, '--max-gap-days', '3']);
    assert.equal(alert.code, 3);
    assert.match(alert.stderr, /^ALERT: docker:ns\/img — Docker Hub pulls not observed for 4 days \(more than 3\)/m);
    assert.equal((await cli(['coverage', '--workspace', dir, '--max-gap-days', '4'])).code, 0, 'the older 3-day gap is closed: no alert');
    const json = JSON.parse((await cli(['coverage', '--workspace', dir, '--json', '--max-gap-days', '2'])).stdout) as { coverage: { gaps: unknown[] }[]; alerts: { from: string }[] };
    assert.equal(json.coverage[0]?.gaps.length, 2);
    assert.deepEqual(json.alerts.map((a) => a.from), [shift(today, -4)]);
    const bad = await cli(['coverage', '--workspace', dir, '--max-gap-days', 'soon']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-gap-days takes a whole number of days/);
    assert.deepEqual(await readFile(storeFile), before, 'the store is read, never written');
  });
});
