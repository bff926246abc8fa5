import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gharchiveStarterFiles } from '../../../src/core/gharchive/starter/gharchiveModels';
import { importGhArchive } from '../../../src/core/gharchive/importer';
import { silentLogger } from '../../../src/core/log';
import { loadProject } from '../../../src/core/project/project';
import { runProject } from '../../../src/core/project/runner';
import { starterProjectFiles } from '../../../src/core/project/starterProject';
import { writeScaffold } from '../../../src/core/project/writeScaffold';
import { MetricsStore } from '../../../src/core/store/store';
import { FakeServer } from '../../support/fakeServer';
import { testSqlJs } from '../project/fixtureStore';
import { REAL_HOUR, independentCount, realHourBytes, realHourLines, serveHour } from './archiveFixtures';

const TRACKED = ['kaltura/mwEmbed', 'cakephp/cakephp', 'prakhar1989/awesome-courses', 'wasabeef/awesome-android-ui', 'thephpleague/oauth2-server', 'dockerboard/dockerboard'];

describe('GH Archive starter models', function () {
  this.timeout(40_000);
  let dir: string;
  let server: FakeServer;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-gharchive-models-'));
    server = await FakeServer.start();
  });
  afterEach(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('build on the imported real hour: staging per type → facts and dimensions → daily events per type, most active users, popular repositories', async () => {
    const SQL = await testSqlJs();
    const storeFile = path.join(dir, '.community-metrics/metrics.sqlite');
    serveHour(server, REAL_HOUR, realHourBytes());
    await importGhArchive({ SQL, storeFile, logger: silentLogger, repos: TRACKED, from: '2015-01-01T12', to: '2015-01-01T12', baseUrl: server.url, flushIntervalMs: 0 });

    await writeScaffold(dir, [...starterProjectFiles(), ...gharchiveStarterFiles()]);
    const project = await loadProject(dir);
    assert.deepEqual(project.diagnostics, []);
    const { store } = await MetricsStore.open(SQL, storeFile, silentLogger);
    try {
      const run = await runProject(project, store.db, { command: 'build', select: ['path:models/gharchive'] });
      assert.deepEqual(run.results.filter((r) => !['success', 'pass'].includes(r.status)).map((r) => `${r.name}: ${r.status} ${r.message}`), []);
      assert.ok(run.results.some((r) => r.name === 'fct_gharchive_events'));

      const expected = independentCount(realHourLines(), TRACKED);
      const byType = store.all<{ event_type: string; events: number }>('SELECT event_type, SUM(events) AS events FROM gharchive_daily_events_by_type GROUP BY event_type');
      assert.deepEqual(Object.fromEntries(byType.map((r) => [r.event_type, r.events])), expected.byType);
      assert.deepEqual(store.all('SELECT DISTINCT day FROM gharchive_daily_events_by_type'), [{ day: '2015-01-01' }]);

      // Stars given that day, ranked: awesome lists were the stars of New Year's Day 2015.
      const popular = store.all<{ tracked_repo: string; stars_given: number; popularity_rank: number }>(
        'SELECT tracked_repo, stars_given, popularity_rank FROM gharchive_popular_repositories_daily ORDER BY popularity_rank, tracked_repo LIMIT 2',
      );
      const stars = (repo: string) => realHourLines().filter((l) => l.includes('"type":"WatchEvent"') && l.includes(`"name":"${repo}"`)).length;
      assert.deepEqual(popular.map((p) => p.popularity_rank), [1, 2]);
      for (const p of popular) assert.equal(p.stars_given, stars(p.tracked_repo));

      const users = store.all<{ tracked_repo: string; actor_login: string; events: number; activity_rank: number }>(
        "SELECT tracked_repo, actor_login, events, activity_rank FROM gharchive_most_active_users WHERE tracked_repo = 'kaltura/mwEmbed' ORDER BY activity_rank LIMIT 1",
      );
      const top = new Map<string, number>();
      for (const l of realHourLines().filter((x) => x.includes('"repo":{"id":3388498,'))) {
        const login = (JSON.parse(l) as { actor: { login: string } }).actor.login;
        top.set(login, (top.get(login) ?? 0) + 1);
      }
      const [login, n] = [...top].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] as [string, number];
      assert.deepEqual(users, [{ tracked_repo: 'kaltura/mwEmbed', actor_login: login, events: n, activity_rank: 1 }]);

      assert.deepEqual(store.all('SELECT day, hours_imported, hours_missing, hours_suspicious, archive_events FROM gharchive_archive_coverage'), [
        { day: '2015-01-01', hours_imported: 1, hours_missing: 0, hours_suspicious: 0, archive_events: 8273 },
      ]);
      // The incremental fact table takes only new events on the next run.
      const again = await runProject(project, store.db, { command: 'run', select: ['fct_gharchive_events'] });
      assert.equal(again.results[0]?.status, 'success');
      assert.deepEqual(store.all('SELECT COUNT(*) AS n FROM fct_gharchive_events'), [{ n: expected.total }]);
    } finally {
      store.close();
    }
  });
});
