import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import { silentLogger } from '../../src/core/log';
import { SCHEMA_VERSION } from '../../src/core/store/migrations';
import { loadSqlJs } from '../../src/core/store/sqljs';
import { MetricsStore, updateStore } from '../../src/core/store/store';
import { StoreCorruptError } from '../../src/core/store/storeFile';
import { repoRoot } from '../support/fixtures';

export async function testSql(): Promise<SqlJsStatic> {
  return loadSqlJs(path.join(repoRoot, 'node_modules/sql.js/dist/sql-wasm.wasm'));
}

describe('metrics store', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-store-'));
    file = path.join(dir, '.community-metrics', 'metrics.sqlite');
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('creates the seed schema and appends snapshots that survive a reopen', async () => {
    const SQL = await testSql();
    await updateStore(SQL, file, silentLogger, (s) => s.addRepositorySnapshot({ timestamp: '2026-01-01T00:00:00.000Z', repo: 'a/b', stars: 5, forks: 1 }));
    await updateStore(SQL, file, silentLogger, (s) => s.addRepositorySnapshot({ timestamp: '2026-01-02T00:00:00.000Z', repo: 'a/b', stars: 7 }));
    const { store } = await MetricsStore.open(SQL, file, silentLogger);
    assert.equal(store.schemaVersion, SCHEMA_VERSION);
    assert.deepEqual(store.all('SELECT timestamp, project, stars FROM github_stars ORDER BY timestamp'), [
      { timestamp: '2026-01-01T00:00:00.000Z', project: 'a/b', stars: 5 },
      { timestamp: '2026-01-02T00:00:00.000Z', project: 'a/b', stars: 7 },
    ]);
    assert.deepEqual([...store.latestStars()], [['a/b', { timestamp: '2026-01-02T00:00:00.000Z', stars: 7 }]]);
    // SQLite's date functions read the stored timestamps, as the seed's models need.
    assert.deepEqual(store.all("SELECT DATE(timestamp) AS d FROM github_stars ORDER BY d"), [{ d: '2026-01-01' }, { d: '2026-01-02' }]);
    store.close();
    const leftovers = (await readdir(path.dirname(file))).filter((f) => f !== 'metrics.sqlite');
    assert.deepEqual(leftovers, [], 'no temp or lock files left behind');
  });

  it('is idempotent for the same snapshot', async () => {
    const SQL = await testSql();
    const snap = { timestamp: '2026-01-01T00:00:00.000Z', repo: 'a/b', stars: 5 };
    await updateStore(SQL, file, silentLogger, (s) => s.addRepositorySnapshot(snap));
    await updateStore(SQL, file, silentLogger, (s) => s.addRepositorySnapshot(snap));
    const { store } = await MetricsStore.open(SQL, file, silentLogger);
    assert.equal(store.starHistory('a/b').length, 1);
    store.close();
  });

  it('moves a corrupt file aside instead of overwriting it, and fails naming where it went', async () => {
    const SQL = await testSql();
    await updateStore(SQL, file, silentLogger, () => undefined);
    await writeFile(file, 'this is not a database, but it is someone’s data');
    let movedAside = '';
    await assert.rejects(
      updateStore(SQL, file, silentLogger, (s) => s.addRepositorySnapshot({ timestamp: 't', repo: 'a/b', stars: 1 })),
      (err: unknown) => {
        assert.ok(err instanceof StoreCorruptError && err.movedAside);
        movedAside = err.movedAside;
        assert.ok(err.message.includes(movedAside), err.message);
        return true;
      },
    );
    assert.equal(await readFile(movedAside, 'utf8'), 'this is not a database, but it is someone’s data');
    // The next writer starts a new store.
    await updateStore(SQL, file, silentLogger, (s) => s.addRepositorySnapshot({ timestamp: 't', repo: 'a/b', stars: 1 }));
    const { store } = await MetricsStore.open(SQL, file, silentLogger);
    assert.equal(store.starHistory('a/b').length, 1);
    store.close();
  });

  it('keeps the file as it was when a write fails', async () => {
    const SQL = await testSql();
    await updateStore(SQL, file, silentLogger, (s) => s.addRepositorySnapshot({ timestamp: 't1', repo: 'a/b', stars: 1 }));
    const before = await readFile(file);
    await assert.rejects(
      updateStore(SQL, file, silentLogger, (s) => {
        s.addRepositorySnapshot({ timestamp: 't2', repo: 'a/b', stars: 2 });
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.deepEqual(await readFile(file), before);
  });

  it('refuses a store written by a newer schema without touching it', async () => {
    const SQL = await testSql();
    const db = new SQL.Database();
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 5}`);
    await updateStore(SQL, file, silentLogger, () => undefined);
    await writeFile(file, db.export());
    const before = await readFile(file);
    await assert.rejects(updateStore(SQL, file, silentLogger, () => undefined), /newer than this version/);
    assert.deepEqual(await readFile(file), before);
  });

  it('loses no row when many writers update the same file at once', async () => {
    const SQL = await testSql();
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        updateStore(SQL, file, silentLogger, (s) => s.addRepositorySnapshot({ timestamp: `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z`, repo: 'a/b', stars: i })),
      ),
    );
    const { store } = await MetricsStore.open(SQL, file, silentLogger);
    assert.equal(store.starHistory('a/b').length, 12);
    store.close();
  });
});
