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

  it('a model run, a preview and a query load only the partitioned tables they can read (through views too)', async () => {
    const file = path.join(dir, '.community-metrics', 'metrics.sqlite');
    const SQL = await testSql();
    // Three months of GH Archive events and one of commits, saved as partition files.
    const writer = new InProcessStoreClient(SQL, file, silentLogger);
    await (await writer.liveStore()).write((s) => {
      for (const m of ['2026-01', '2026-02', '2026-03']) {
        s.db.run('INSERT INTO gharchive_events (event_id, type, created_at, hour, repo_name, tracked_repo) VALUES (?, ?, ?, ?, ?, ?)', [m, 'WatchEvent', `${m}-05T10:00:00Z`, `${m}-05T10:00:00Z`, 'a/b', 'a/b']);
      }
      s.db.run("INSERT INTO github_commits (repo, sha, author_date) VALUES ('a/b', 'c1', '2026-01-02T00:00:00Z')");
    });
    await writer.close();
    client = new InProcessStoreClient(SQL, file, silentLogger);
    const loaded = async () => (await (await client!.liveStore()).loadedPartitions()).loaded;
    // The project names no partitioned table: its run loads none of the events' history.
    const { run } = await client.call('runProject', { project: { root: dir }, command: 'run' });
    assert.equal(run.results.find((r) => r.name === 'daily')?.status, 'success');
    assert.equal((await client.call('preview', { relation: 'daily', model: 'daily', limit: 5 })).total, 2);
    assert.equal(await loaded(), 0);
    // A table name made by Jinja is not in the project's text: loaded when the compiled SQL runs, so
    // the model sees every row (an unloaded month would read as no rows at all).
    await writeFile(path.join(dir, 'models', 'made.sql'), "{{ config(materialized='table') }}\nselect count(*) as n from {{ 'gharchive_' ~ 'events' }}\n");
    await client.call('runProject', { project: { root: dir }, command: 'run', select: ['made'] });
    assert.deepEqual((await client.call('query', { sql: 'SELECT n FROM made' })).rows, [[3]]);
    await client.close();
    client = new InProcessStoreClient(SQL, file, silentLogger);
    // A model that reads the events through a view: a query of the view loads them (and only them).
    await writeFile(path.join(dir, 'models', 'stars.sql'), "select hour from gharchive_events where type = 'WatchEvent'\n");
    await client.call('runProject', { project: { root: dir }, command: 'run', select: ['stars'] });
    assert.equal(await loaded(), 3, 'the run of a model naming the events loads their three months');
    await client.close();
    client = new InProcessStoreClient(SQL, file, silentLogger);
    assert.deepEqual((await client.call('query', { sql: 'SELECT COUNT(*) FROM stars' })).rows, [[3]]);
    assert.equal(await loaded(), 3, 'a query of the view loads what the view reads, not the commits');
  });

  it('a model chart of the saved SQL loads what its Jinja names inside its rolled-back savepoint, and those months load again afterwards', async () => {
    const file = path.join(dir, '.community-metrics', 'metrics.sqlite');
    const SQL = await testSql();
    const writer = new InProcessStoreClient(SQL, file, silentLogger);
    await (await writer.liveStore()).write((s) => {
      for (const m of ['2026-01', '2026-02']) {
        s.db.run('INSERT INTO gharchive_events (event_id, type, created_at, hour, repo_name, tracked_repo) VALUES (?, ?, ?, ?, ?, ?)', [m, 'WatchEvent', `${m}-05T10:00:00Z`, `${m}-05T10:00:00Z`, 'a/b', 'a/b']);
      }
    });
    await writer.close();
    await writeFile(path.join(dir, 'models', 'made.sql'), "{{ config(materialized='table') }}\nselect count(*) as n from {{ 'gharchive_' ~ 'events' }}\n");
    client = new InProcessStoreClient(SQL, file, silentLogger);
    const project = await loadProject(dir);
    const id = [...project.nodes.values()].find((n) => n.name === 'made')?.uniqueId as string;
    const got = await client.call('modelCharts', { project: { root: dir }, ids: [id], range: {}, tableRows: 5, fromSavedSql: true });
    assert.deepEqual(got.tables[0]?.rows, [[2]]);
    // The savepoint took the loaded rows back out; the next read loads the months again.
    assert.deepEqual((await client.call('query', { sql: 'SELECT COUNT(*) FROM gharchive_events' })).rows, [[2]]);
  });
});
