import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/core/log';
import { loadProject } from '../../src/core/project/project';
import { InProcessStoreClient } from '../../src/core/store/api/client';
import { testSql } from './store.test';

describe('store operations on the live database', function () {
  this.timeout(30_000);
  let dir: string;
  let client: InProcessStoreClient | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-ops-'));
    await mkdir(path.join(dir, 'models'), { recursive: true });
    await writeFile(path.join(dir, 'models', 'daily.sql'), "select '2021-08-01' as day, 'a' as project, 3 as stars union all select '2021-08-02', 'a', 5\n");
  });
  afterEach(async () => {
    await client?.close();
    client = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('charts a model from its saved SQL inside a rolled-back savepoint, even with temporary storage open', async () => {
    // Regression: the run's tuning pragmas inside the savepoint failed with "temporary storage
    // cannot be changed from within a transaction" once the live database had used temp storage
    // (seen after a window reload in the model chart e2e).
    client = new InProcessStoreClient(await testSql(), path.join(dir, '.community-metrics', 'metrics.sqlite'), silentLogger);
    await client.call('query', { sql: 'CREATE TEMP TABLE scratch (x)' });
    const project = await loadProject(dir);
    const id = [...project.nodes.values()].find((n) => n.name === 'daily')?.uniqueId as string;
    const got = await client.call('modelCharts', { project: { root: dir }, ids: [id], range: {}, tableRows: 10, fromSavedSql: true });
    assert.deepEqual(got.problems, []);
    assert.equal(got.charts.length, 1);
    assert.equal(got.tables[0]?.total, 2);
    // What the preview ran is gone: the store keeps only what a Run built.
    assert.deepEqual((await client.call('query', { sql: "SELECT name FROM sqlite_master WHERE name = 'daily'" })).rows, []);
    // A Run builds it for good.
    const { run } = await client.call('runProject', { project: { root: dir }, command: 'run' });
    assert.equal(run.results.find((r) => r.name === 'daily')?.status, 'success');
    assert.deepEqual((await client.call('query', { sql: "SELECT name FROM sqlite_master WHERE name = 'daily'" })).rows, [['daily']]);
  });
});
