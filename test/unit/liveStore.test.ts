import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { silentLogger } from '../../src/core/log';
import { prepareDatabase } from '../../src/core/project/runner';
import { LiveStore } from '../../src/core/store/liveStore';
import { MetricsStore, StoreError, updateStore } from '../../src/core/store/store';
import { repoRoot } from '../support/fixtures';
import { testSql } from './store.test';

const run = promisify(execFile);

describe('live store', function () {
  this.timeout(30_000);
  let dir: string;
  let file: string;
  let live: LiveStore | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-live-'));
    file = path.join(dir, '.community-metrics', 'metrics.sqlite');
  });
  afterEach(async () => {
    await live?.close();
    live = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const onDisk = async (repo: string) => {
    const { store } = await MetricsStore.open(await testSql(), file, silentLogger);
    try {
      return store.starHistory(repo).map((p) => p.stars);
    } finally {
      store.close();
    }
  };

  it('writes to the file and reads its own writes without reloading', async () => {
    live = await LiveStore.open(await testSql(), file, silentLogger);
    await live.write((s) => s.addRepositorySnapshot({ timestamp: '2026-01-01T00:00:00Z', repo: 'a/b', stars: 1 }));
    await live.write((s) => s.addRepositorySnapshot({ timestamp: '2026-01-02T00:00:00Z', repo: 'a/b', stars: 2 }));
    // A temp table only lives in this connection: seeing it proves the database was not reloaded.
    await live.read((s) => s.db.exec('CREATE TEMP TABLE marker (x)'));
    assert.deepEqual(await live.read((s) => s.starHistory('a/b').map((p) => p.stars)), [1, 2]);
    assert.deepEqual(await live.read((s) => s.all('SELECT count(*) AS n FROM temp.marker')), [{ n: 0 }]);
    assert.deepEqual(await onDisk('a/b'), [1, 2]);
    assert.deepEqual((await readdir(path.dirname(file))).sort(), ['metrics.sqlite'], 'no temp or lock files left');
  });

  it('picks up rows another process saved, and keeps them when it writes', async () => {
    const SQL = await testSql();
    live = await LiveStore.open(SQL, file, silentLogger);
    await live.write((s) => s.addRepositorySnapshot({ timestamp: '2026-01-01T00:00:00Z', repo: 'mine/repo', stars: 1 }));
    await run(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test/support/storeWriter.ts'), file, 'other/repo', '3'], { cwd: repoRoot });
    assert.deepEqual(await live.read((s) => s.starHistory('other/repo').map((p) => p.stars)), [0, 1, 2]);
    await updateStore(SQL, file, silentLogger, (s) => s.addRepositorySnapshot({ timestamp: '2026-01-05T00:00:00Z', repo: 'other/repo', stars: 9 }));
    await live.write((s) => s.addRepositorySnapshot({ timestamp: '2026-01-06T00:00:00Z', repo: 'mine/repo', stars: 2 }));
    assert.deepEqual(await onDisk('other/repo'), [0, 1, 2, 9]);
    assert.deepEqual(await onDisk('mine/repo'), [1, 2]);
  });

  it('loses no row when another process writes back to back with it', async () => {
    live = await LiveStore.open(await testSql(), file, silentLogger);
    const N = 60;
    const child = run(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test/support/storeWriter.ts'), file, 'child/repo', String(N)], { cwd: repoRoot });
    for (let i = 0; i < N; i++) {
      await live.write((s) => s.addRepositorySnapshot({ timestamp: `2026-01-01T00:00:00.${String(i).padStart(6, '0')}Z`, repo: 'parent/repo', stars: i }));
    }
    await child;
    assert.equal((await onDisk('parent/repo')).length, N);
    assert.equal((await onDisk('child/repo')).length, N);
    assert.equal(await live.read((s) => s.starHistory('child/repo').length), N);
  });

  it('rolls back a write that throws: neither memory nor the file gets its rows', async () => {
    live = await LiveStore.open(await testSql(), file, silentLogger);
    await live.write((s) => s.addRepositorySnapshot({ timestamp: 't1', repo: 'a/b', stars: 1 }));
    await assert.rejects(
      live.write((s) => {
        s.addRepositorySnapshot({ timestamp: 't2', repo: 'a/b', stars: 2 });
        throw new Error('source failed');
      }),
      /source failed/,
    );
    assert.deepEqual(await live.read((s) => s.starHistory('a/b').map((p) => p.stars)), [1]);
    assert.deepEqual(await onDisk('a/b'), [1]);
  });

  it('keeps registered SQL functions and temp objects across a save', async () => {
    live = await LiveStore.open(await testSql(), file, silentLogger);
    await live.read((s) => {
      prepareDatabase(s.db, false);
      s.db.exec("CREATE TEMP VIEW tv AS SELECT 1 AS one");
    });
    await live.write((s) => s.addRepositorySnapshot({ timestamp: 't1', repo: 'a/b', stars: 1 }));
    const after = await live.read((s) => s.all<{ d: string; one: number }>("SELECT TIMESTAMP_SECONDS(0) AS d, (SELECT one FROM tv) AS one"));
    assert.equal(after[0]?.one, 1);
    assert.match(String(after[0]?.d), /^1970-01-01/);
  });

  it('moves a corrupt file aside, never overwriting it, and reports it once', async () => {
    await updateStore(await testSql(), file, silentLogger, () => undefined);
    await writeFile(file, 'not a database at all, just text that is long enough to not be a header');
    live = await LiveStore.open(await testSql(), file, silentLogger);
    const aside = live.takeMovedAside();
    assert.equal(aside.length, 1);
    assert.deepEqual(live.takeMovedAside(), []);
    await live.write((s) => s.addRepositorySnapshot({ timestamp: 't1', repo: 'a/b', stars: 1 }));
    assert.deepEqual(await onDisk('a/b'), [1]);
    assert.ok((await readdir(path.dirname(file))).some((f) => f.startsWith('metrics.sqlite.corrupt-')));
  });

  it('refuses writes when opened read-only and after close', async () => {
    await updateStore(await testSql(), file, silentLogger, (s) => s.addRepositorySnapshot({ timestamp: 't1', repo: 'a/b', stars: 1 }));
    const ro = await LiveStore.open(await testSql(), file, silentLogger, { readOnly: true });
    await assert.rejects(ro.write(() => undefined), StoreError);
    assert.deepEqual(await ro.read((s) => s.starHistory('a/b').map((p) => p.stars)), [1]);
    await ro.close();
    await assert.rejects(ro.read(() => undefined), /closed/);
  });
});
