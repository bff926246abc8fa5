import assert from 'node:assert/strict';
import { parseProjectConfig } from '../../src/core/config/projectConfig';
import { GHARCHIVE_METRIC_KEY } from '../../src/core/charts/gharchiveMetric';
import { rebuildDayTotals } from '../../src/core/gharchive/dayTotals';
import { artifactMetrics, coveredDailyMetric } from '../../src/core/store/artifactMetrics';
import { insertDockerHubSnapshot, upsertNpmDaily, upsertPypiDaily } from '../../src/core/store/packageRows';
import { upsertSlackMessages } from '../../src/core/store/slackRows';
import { MetricsStore } from '../../src/core/store/store';
import { referenceDays } from '../support/gharchiveReference';
import { testSql } from './store.test';

const NOW = new Date('2026-11-23T12:00:00Z');
const day = (n: number) => new Date(NOW.getTime() - n * 86_400_000).toISOString();

describe('artifact metrics for the tree', () => {
  it('gives latest values and their change over 7 and 30 days for every source', async () => {
    const store = MetricsStore.create(await testSql(), ':memory:');
    // Stars as snapshots taken on some days only (a 304 writes no row): read as a step function.
    for (const [d, stars] of [[40, 100], [31, 110], [10, 150], [8, 160], [0, 175]] as const) {
      store.addRepositorySnapshot({ timestamp: day(d), repo: 'o/r', stars, forks: stars / 10 });
    }
    for (const [d, pulls] of [[35, 1000], [6, 1800], [1, 1900]] as const) insertDockerHubSnapshot(store, { timestamp: day(d), image: 'ns/img', pullCount: pulls, starCount: 3, lastUpdated: null });
    const daily = Array.from({ length: 61 }, (_, i) => ({ date: day(60 - i).slice(0, 10), downloads: i }));
    upsertNpmDaily(store, daily.map((d) => ({ ...d, package: 'p' })));
    upsertPypiDaily(store, daily.flatMap((d) => [
      { ...d, package: 'q', categoryType: 'overall' as const, category: 'without_mirrors' },
      { ...d, package: 'q', categoryType: 'overall' as const, category: 'with_mirrors', downloads: d.downloads * 10 },
    ]));
    upsertSlackMessages(store, [1, 2, 2, 40].map((d, i) => ({ messageTime: day(d).replace('.000Z', `.00000${i}Z`), domain: 'acme', username: 'u', realname: null, email: null, channel: 'general', permalink: null, text: `m${i}` })));
    const config = parseProjectConfig('projects:\n  - name: x\n    github: [o/r]\n    npm: [p]\n    pypi: [q]\n    docker: [ns/img]\n    slack: [acme]\n').config;
    const out = artifactMetrics(store, config, NOW);
    const metric = (artifact: string, key: string) => out.find((a) => a.artifact === artifact)?.metrics.find((m) => m.key === key);

    assert.deepEqual(out.map((a) => a.artifact), ['github:o/r', 'pypi:q', 'npm:p', 'docker:ns/img', 'slack:acme']);
    const stars = metric('github:o/r', 'stars');
    assert.equal(stars?.latest, 175);
    assert.equal(stars?.change7d, 175 - 160, 'value 7 days ago = the snapshot of 8 days ago');
    assert.equal(stars?.change30d, 175 - 110);
    assert.equal(metric('docker:ns/img', 'pulls')?.change7d, 1900 - 1000);
    assert.equal(metric('docker:ns/img', 'pulls')?.change30d, 900);
    const npm = metric('npm:p', 'downloads_daily');
    assert.deepEqual([npm?.latest, npm?.change7d, npm?.change30d, npm?.latestAt], [60, 7, 30, day(0).slice(0, 10)]);
    // Mirrors are never added: the without_mirrors series alone.
    assert.equal(metric('pypi:q', 'downloads_daily')?.latest, 60);
    const rolling = metric('npm:p', 'downloads_30d');
    assert.equal(rolling?.latest, Array.from({ length: 30 }, (_, i) => 60 - i).reduce((a, b) => a + b));
    assert.equal(rolling?.change7d, 7 * 30);
    assert.equal(metric('slack:acme', 'messages_30d')?.latest, 3);
    assert.equal(metric('slack:acme', 'messages_30d')?.change30d, undefined, 'history shorter than 59 days: no 30-day change');
    store.close();
  });

  it('ends a 30-day window on the last complete day: today’s few hours are not compared with whole days', async () => {
    const store = MetricsStore.create(await testSql(), ':memory:');
    // Two messages a day for 70 days, and one so far today (NOW is noon).
    const rows = [];
    for (let d = 70; d >= 1; d--) for (const k of [0, 1]) rows.push({ messageTime: day(d).replace('.000Z', `.00000${k}Z`), domain: 'acme', username: 'u', realname: null, email: null, channel: 'general', permalink: null, text: `m${d}-${k}` });
    rows.push({ messageTime: new Date(NOW.getTime() - 3_600_000).toISOString(), domain: 'acme', username: 'u', realname: null, email: null, channel: 'general', permalink: null, text: 'today' });
    upsertSlackMessages(store, rows);
    const out = artifactMetrics(store, parseProjectConfig('projects:\n  - name: x\n    slack: [acme]\n').config, NOW);
    const m = out[0]?.metrics.find((x) => x.key === 'messages_30d');
    assert.deepEqual([m?.latest, m?.latestAt, m?.change7d, m?.change30d], [60, day(1).slice(0, 10), 0, 0], 'a steady community reads as steady, not as a fall of 59');
    store.close();
  });

  it('leaves a metric without values when nothing was fetched yet', async () => {
    const store = MetricsStore.create(await testSql(), ':memory:');
    const out = artifactMetrics(store, parseProjectConfig('projects:\n  - name: x\n    github: [o/r]\n').config, NOW);
    assert.equal(out[0]?.metrics.find((m) => m.key === 'stars')?.latest, undefined);
    store.close();
  });
});

describe('PyPI metrics with daily rows but no pypistats recent snapshot', () => {
  it('sums the last 30 days of the daily rows instead of saying "Downloads, last month: no data yet"', async () => {
    const store = MetricsStore.create(await testSql(), ':memory:');
    const daily = Array.from({ length: 40 }, (_, i) => ({ date: day(39 - i).slice(0, 10), downloads: 10 }));
    upsertPypiDaily(store, daily.map((d) => ({ ...d, package: 'q', categoryType: 'overall' as const, category: 'without_mirrors' })));
    const config = parseProjectConfig('projects:\n  - name: x\n    pypi: [q]\n').config;
    const metrics = artifactMetrics(store, config, NOW)[0]?.metrics ?? [];
    assert.deepEqual(metrics.filter((m) => m.latest === undefined).map((m) => m.label), [], 'no metric without data beside the daily series');
    const month = metrics.find((m) => /30 days|last month/.test(m.label));
    assert.equal(month?.latest, 300);
    assert.equal(month?.label, 'Downloads, last 30 days');
    store.close();
  });
});

describe('GH Archive tree summaries (day totals)', () => {
  it('give the same summary as the raw events over the whole history, for repositories with gaps, partial days, other spellings and stale imports', async () => {
    const store = MetricsStore.create(await testSql(), ':memory:');
    let seed = 11;
    const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    const repos = ['Busy/Repo', 'quiet/one', 'stale/repo', 'never/imported'];
    const start = Date.UTC(2026, 0, 1);
    let id = 0;
    for (let h = 0; h < 120 * 24; h++) {
      const hour = new Date(start + h * 3_600_000).toISOString().replace('.000Z', 'Z');
      const dayIndex = Math.floor(h / 24);
      if (dayIndex % 17 === 5 || (dayIndex > 100 && dayIndex % 9 === 0 && h % 24 > 20)) continue; // gaps and partial days
      const forRepos = repos.filter((r) => r !== 'never/imported' && !(r === 'stale/repo' && dayIndex > 60)).map((r) => r.toLowerCase());
      const status = rnd() < 0.01 ? 'corrupt' : 'imported';
      store.db.run("INSERT INTO gharchive_hours (hour, status, events, matched, repos, imported_at) VALUES (?, ?, 1000, 0, ?, 'x')", [hour, status, JSON.stringify(forRepos)]);
      for (const repo of repos) {
        const n = Math.floor(rnd() * (repo === 'Busy/Repo' ? 6 : 2));
        // Events of an older spelling, and events of hours not imported for the repository, too.
        for (let k = 0; k < n; k++) {
          const spelled = repo === 'Busy/Repo' && k % 2 ? 'busy/repo' : repo;
          store.db.run('INSERT INTO gharchive_events (event_id, type, created_at, hour, repo_name, tracked_repo) VALUES (?, ?, ?, ?, ?, ?)', [String(++id), 'WatchEvent', hour, hour, spelled, spelled]);
        }
      }
    }
    // Rows made by hand: their day totals computed as every writer of hours and events does.
    rebuildDayTotals(store);
    const config = parseProjectConfig(`projects:\n  - name: x\n    github: [${repos.join(', ')}]\n`).config;
    const fast = artifactMetrics(store, config, NOW);
    for (const repo of repos) {
      const days = referenceDays(store, repo).map((d) => ({ t: d.day, v: d.v, h: d.h }));
      const whole = days.length ? coveredDailyMetric(GHARCHIVE_METRIC_KEY, 'GH Archive events', 'GH Archive events of every type', days) : undefined;
      const got = fast.find((a) => a.name === repo)?.metrics.find((m) => m.key === GHARCHIVE_METRIC_KEY);
      assert.deepEqual(got, whole, repo);
    }
    assert.ok(fast.find((a) => a.name === 'Busy/Repo')?.metrics.find((m) => m.key === GHARCHIVE_METRIC_KEY)?.change30d !== undefined, 'the busy repository has a 30-day change');
    store.close();
  });
});
