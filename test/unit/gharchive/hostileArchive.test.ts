import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import { importGhArchive } from '../../../src/core/gharchive/importer';
import type { GhArchiveImportOptions } from '../../../src/core/gharchive/importer';
import { silentLogger } from '../../../src/core/log';
import { MetricsStore } from '../../../src/core/store/store';
import { FakeServer } from '../../support/fakeServer';
import { testSqlJs } from '../project/fixtureStore';
import { gz, serveHour } from './archiveFixtures';

describe('GH Archive import from a hostile archive', function () {
  this.timeout(30_000);
  let server: FakeServer;
  let dir: string;
  let storeFile: string;
  let SQL: SqlJsStatic;
  before(async () => {
    SQL = await testSqlJs();
  });
  beforeEach(async () => {
    server = await FakeServer.start();
    dir = await mkdtemp(path.join(tmpdir(), 'cm-gharchive-hostile-'));
    storeFile = path.join(dir, 'metrics.sqlite');
  });
  afterEach(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = (over: Partial<GhArchiveImportOptions> = {}) =>
    importGhArchive({ SQL, storeFile, logger: silentLogger, repos: ['acme/widget'], from: '2015-01-01T12', to: '2015-01-01T12', baseUrl: server.url, flushIntervalMs: 0, retryBaseMs: 10, retries: 0, ...over });

  it('never stores an all-null line as an UnknownEvent at an invented time: the hour is reported corrupt', async () => {
    const good = { id: '1', type: 'WatchEvent', actor: { id: 1, login: 'a' }, repo: { id: 7, name: 'acme/widget' }, payload: { action: 'started' }, created_at: '2015-01-01T12:00:01Z' };
    const allNull = { id: null, type: null, actor: null, repo: { id: null, name: 'acme/widget' }, payload: null, public: null, created_at: null };
    serveHour(server, '2015-01-01-12.json.gz', gz([JSON.stringify(good), JSON.stringify(allNull), JSON.stringify({ ...allNull, type: 'PushEvent', created_at: 'yesterday' })]));
    const result = await run();
    assert.equal(result.corrupt, 1, JSON.stringify(result.hours));
    assert.equal(result.imported, 0);
    assert.match(result.hours[0]?.message ?? '', /2 lines are not JSON events \(first at line 2: 'type' is null\)/);
    const { store } = await MetricsStore.open(SQL, storeFile, silentLogger);
    try {
      assert.deepEqual(store.all('SELECT event_id, type, created_at FROM gharchive_events'), [{ event_id: '1', type: 'WatchEvent', created_at: '2015-01-01T12:00:01Z' }]);
    } finally {
      store.close();
    }
  });

  it('gives up on an hour file that trickles in at its deadline, and says so', async () => {
    // A valid gzip of many lines, one byte at a time: never idle long enough for the per-byte timeout.
    const line = JSON.stringify({ id: '1', type: 'WatchEvent', repo: { id: 7, name: 'acme/widget' }, created_at: '2015-01-01T12:00:01Z' });
    server.fault('/2015-01-01-12.json.gz', { kind: 'trickle', intervalMs: 50, body: gz(Array.from({ length: 10_000 }, (_, i) => line.replace('"1"', `"${i}"`))) });
    const result = await run({ timeoutMs: 5_000, hourDeadlineMs: 1_500 });
    assert.equal(result.failed, 1, JSON.stringify(result.hours));
    assert.match(result.hours[0]?.message ?? '', /timed out: not complete within 2 s/);
  });
});
