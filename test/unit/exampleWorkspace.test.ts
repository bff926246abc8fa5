// The example workspace `npm start` opens: its store is built offline from the real data in the
// repository (no ../shared), and the tree, charts and models have something true to show.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseProjectConfig } from '../../src/core/config/projectConfig';
import { silentLogger } from '../../src/core/log';
import { artifactMetrics } from '../../src/core/store/artifactMetrics';
import { MetricsStore } from '../../src/core/store/store';
import { EXAMPLE_RECORDINGS, createExampleWorkspace } from '../harness/exampleWorkspace';
import type { ExampleBuild } from '../harness/exampleWorkspace';
import { testSql } from './store.test';

describe('the example workspace of npm start', function () {
  this.timeout(120_000);
  let dir: string;
  let built: ExampleBuild;
  let store: MetricsStore;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-example-'));
    built = await createExampleWorkspace(path.join(dir, 'ws'));
    store = (await MetricsStore.open(await testSql(), built.storeFile, silentLogger)).store;
  });
  after(async () => {
    store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('holds its own data: the recordings it replays and the seed article histories are in the repository', () => {
    const manifest = JSON.parse(readFileSync(path.join(EXAMPLE_RECORDINGS, 'manifest.json'), 'utf8')) as { file: string; license: string }[];
    for (const { file } of manifest) {
      const local = file.startsWith('dbt/') ? path.join(dir, 'ws/seeds', path.basename(file)) : path.join(EXAMPLE_RECORDINGS, file);
      assert.ok(readFileSync(local).length > 0, file);
    }
    assert.equal(readFileSync(path.join(dir, 'ws/seeds/github_daily_summary_history.csv'), 'utf8').trim().split('\n').length, 2001);
  });

  it('gives every tracked artifact values for the tree', () => {
    const config = parseProjectConfig(readFileSync(path.join(dir, 'ws/community-metrics.yml'), 'utf8')).config;
    const latest = new Map(artifactMetrics(store, config).map((a) => [a.artifact, new Map(a.metrics.map((m) => [m.label, m.latest]))]));
    assert.equal(latest.get('github:OpenLineage/OpenLineage')?.get('Stars'), 553, 'the last day of the seed article history, 2021-11-07');
    assert.equal(latest.get('github:MarquezProject/marquez')?.get('Stars'), 828);
    assert.equal(latest.get('github:PyGithub/PyGithub')?.get('Stars'), 7701, 'the 2026-04-24 recording');
    assert.equal(latest.get('github:PyGithub/PyGithub')?.get('Forks'), 1874);
    assert.ok((latest.get('pypi:pip')?.get('Downloads per day') ?? 0) > 1_000_000);
    assert.deepEqual(store.all("SELECT MIN(substr(timestamp, 1, 10)) AS first, MAX(substr(timestamp, 1, 10)) AS last FROM github_stars WHERE project = 'OpenLineage/OpenLineage'"), [{ first: '2020-10-25', last: '2021-11-07' }]);
    assert.equal(store.all<{ n: number }>('SELECT COUNT(*) AS n FROM github_commits')[0]?.n, 90);
  });

  it('builds every model, seed and test of the workspace', () => {
    assert.ok(built.build.results.length >= 12);
    assert.deepEqual(built.build.results.filter((r) => !['success', 'pass'].includes(r.status)).map((r) => r.name), []);
    const stars = store.all<{ n: number }>('SELECT COUNT(*) AS n FROM stars_by_project')[0]?.n ?? 0;
    assert.ok(stars > 1500, `${stars} rows: a day per project with a count`);
  });
});
