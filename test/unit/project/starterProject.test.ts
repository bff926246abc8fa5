import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseProjectConfig } from '../../../src/core/config/projectConfig';
import { loadProject } from '../../../src/core/project/project';
import { runProject } from '../../../src/core/project/runner';
import { starterProjectFiles } from '../../../src/core/project/starterProject';
import { writeScaffold } from '../../../src/core/project/writeScaffold';
import { fixtureStore } from './fixtureStore';

describe('starter project', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-starter-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('scaffolds files that never replace the user’s, with a valid community-metrics.yml', async () => {
    await writeFile(path.join(dir, 'community-metrics.yml'), 'projects: []\n');
    const { written, kept } = await writeScaffold(dir, starterProjectFiles());
    assert.deepEqual(kept, ['community-metrics.yml']);
    assert.ok(written.includes('models/daily_summary.sql'));
    assert.equal(await readFile(path.join(dir, 'community-metrics.yml'), 'utf8'), 'projects: []\n');
    const yml = starterProjectFiles().find((f) => f.path === 'community-metrics.yml')?.content ?? '';
    assert.deepEqual(parseProjectConfig(yml).problems, []);
  });

  it('builds on the store’s raw tables: the seed’s daily summaries for Slack, GitHub, Docker Hub and PyPI', async () => {
    await writeScaffold(dir, starterProjectFiles());
    await writeFile(path.join(dir, 'seeds/github_daily_summary_history.csv'), 'day,project,stars\n2021-11-01,OpenLineage/OpenLineage,540\n2021-11-02,OpenLineage/OpenLineage,545\n');
    const project = await loadProject(dir);
    assert.deepEqual(project.diagnostics, []);
    const { store } = await fixtureStore(path.join(dir, '.community-metrics/metrics.sqlite'));
    const rows = [
      ['2021-11-01', 'marquez-airflow', '0.1.0', 10],
      ['2021-11-01', 'marquez-airflow', '0.2.0', 5],
      ['2021-11-02', 'marquez-airflow', '0.2.0', 7],
    ];
    for (const r of rows) store.db.run('INSERT INTO pypi_version_downloads_daily (date, package, version, downloads) VALUES (?, ?, ?, ?)', r);
    const run = await runProject(project, store.db, { command: 'build' });
    assert.deepEqual(run.results.filter((r) => !['success', 'pass'].includes(r.status)).map((r) => `${r.name}: ${r.message}`), []);
    assert.deepEqual(store.all("SELECT day, pypi_downloads, github_stars FROM daily_summary WHERE day IN ('2021-11-01', '2021-11-02') ORDER BY day"), [
      { day: '2021-11-01', pypi_downloads: 15, github_stars: 540 },
      { day: '2021-11-02', pypi_downloads: 7, github_stars: 545 },
    ]);
    // A later refresh grows the latest day: the incremental model merges it instead of duplicating.
    store.db.run("UPDATE pypi_version_downloads_daily SET downloads = 9 WHERE date = '2021-11-02'");
    await runProject(project, store.db, { command: 'run' });
    assert.deepEqual(store.all("SELECT num_downloads FROM pypi_daily_summary WHERE day = '2021-11-02'"), [{ num_downloads: 9 }]);
    store.close();
  });
});
