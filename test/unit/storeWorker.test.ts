import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from '../../src/core/log';
import { CancelledError } from '../../src/core/http/errors';
import { StoreError, MetricsStore } from '../../src/core/store/store';
import { WorkerStoreClient } from '../../src/core/store/worker/workerClient';
import { repoRoot } from '../support/fixtures';
import { testSql } from './store.test';
import { silentLogger } from '../../src/core/log';

/** The built worker bundle (npm run build), as the extension starts it. */
const WORKER = path.join(repoRoot, 'dist/storeWorker.js');
const WASM = path.join(repoRoot, 'dist/sql-wasm.wasm');

describe('store worker (built bundle)', function () {
  this.timeout(30_000);
  let dir: string;
  let file: string;
  let client: WorkerStoreClient | undefined;
  let logged: string[];
  let restarts: string[];
  const logger: Logger = {
    trace: () => undefined,
    debug: () => undefined,
    info: (m) => logged.push(m),
    warn: (m) => logged.push(m),
    error: (m) => logged.push(m),
  };
  const open = () => {
    client = new WorkerStoreClient({ workerPath: WORKER, wasmPath: WASM, file, logger, onRestart: (r) => restarts.push(r), cancelGraceMs: 500 });
    return client;
  };
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-worker-'));
    file = path.join(dir, '.community-metrics', 'metrics.sqlite');
    logged = [];
    restarts = [];
  });
  afterEach(async () => {
    await client?.close();
    client = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const refreshWrite = (c: WorkerStoreClient, stars: number, day: string) =>
    c.call('applyRefresh', {
      at: `${day}T00:00:00Z`,
      artifacts: [{ artifact: 'github:a/b', writes: [{ op: 'addRepositorySnapshot', args: [{ timestamp: `${day}T00:00:00Z`, repo: 'a/b', stars }] }], validators: [], states: [] }],
    });

  it('writes through the worker and reads back, Maps and all, in another thread', async () => {
    const c = open();
    assert.deepEqual(await refreshWrite(c, 5, '2026-01-01'), { failures: [] });
    assert.deepEqual(await c.call('starHistory', { repo: 'a/b' }), [{ timestamp: '2026-01-01T00:00:00Z', stars: 5 }]);
    const tree = await c.call('treeSummaries', { config: { projects: [] } });
    assert.ok(tree.latest instanceof Map);
    assert.equal(tree.latest.get('a/b')?.stars, 5);
    assert.notEqual(c.threadId, undefined);
    // The file on disk has the row: the worker saved it.
    const { store } = await MetricsStore.open(await testSql(), file, silentLogger);
    assert.deepEqual(store.starHistory('a/b').map((p) => p.stars), [5]);
    store.close();
  });

  it('carries errors back as their own classes, with their fields', async () => {
    const c = open();
    await assert.rejects(c.call('query', { sql: 'SELECT * FROM no_such_table' }), (err: Error) => err instanceof Error && /no such table/.test(err.message));
    await assert.rejects(c.call('compiledSql', { project: { root: path.join(dir, 'nowhere') }, uniqueId: 'model.x.y' }), /not in the project|no such file|ENOENT/);
    // A StoreError keeps its class and its `file`.
    const ro = new WorkerStoreClient({ workerPath: WORKER, wasmPath: WASM, file, logger, readOnly: true });
    try {
      await assert.rejects(refreshWrite(ro, 1, '2026-01-01'), (err: unknown) => err instanceof StoreError && err.file === file && /read-only/.test(err.message));
    } finally {
      await ro.close();
    }
  });

  it('a worker that dies is started again, says so, and the saved rows are intact', async () => {
    const c = open();
    await refreshWrite(c, 1, '2026-01-01');
    await refreshWrite(c, 2, '2026-01-02');
    const before = c.threadId;
    const exited = new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (c.restartCount > 0) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    c.crashForTest();
    await exited;
    assert.equal(restarts.length, 1);
    assert.match(restarts[0] as string, /store worker stopped/);
    assert.ok(logged.some((m) => /store worker stopped.*starting it again/.test(m)), logged.join('\n'));
    assert.deepEqual((await c.call('starHistory', { repo: 'a/b' })).map((p) => p.stars), [1, 2]);
    assert.notEqual(c.threadId, before);
    await refreshWrite(c, 3, '2026-01-03');
    assert.deepEqual((await c.call('starHistory', { repo: 'a/b' })).map((p) => p.stars), [1, 2, 3]);
  });

  it('releases the lock a dead worker held, so the next write does not wait for it', async function () {
    this.timeout(60_000);
    const c = open();
    await refreshWrite(c, 1, '2026-01-01');
    // As if the worker died between taking the lock and releasing it (kill, out of memory).
    await writeFile(`${file}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), at: Date.now() }));
    const restarts = c.restartCount;
    c.crashForTest();
    while (c.restartCount === restarts) await new Promise((r) => setTimeout(r, 10));
    await refreshWrite(c, 2, '2026-01-02');
    assert.deepEqual((await c.call('starHistory', { repo: 'a/b' })).map((p) => p.stars), [1, 2]);
  });

  it('a call in flight when the worker dies fails with a StoreError, and the next works', async () => {
    const c = open();
    await refreshWrite(c, 1, '2026-01-01');
    // The worker handles messages in order: it dies before it reads the call, which is then in flight.
    c.crashForTest();
    const slow = c.call('query', { sql: 'SELECT count(*) FROM github_stars' });
    await assert.rejects(slow, (err: unknown) => err instanceof StoreError && /store worker stopped/.test((err as Error).message));
    assert.deepEqual((await c.call('starHistory', { repo: 'a/b' })).map((p) => p.stars), [1]);
  });

  it('cancels: a cancelled call rejects with CancelledError, a long query is interrupted by restarting the worker', async () => {
    const c = open();
    await refreshWrite(c, 1, '2026-01-01');
    const already = new AbortController();
    already.abort();
    await assert.rejects(c.call('starHistory', { repo: 'a/b' }, { signal: already.signal }), CancelledError);
    const abort = new AbortController();
    const long = c.call('query', { sql: 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000000) SELECT count(*) FROM n' }, { signal: abort.signal });
    setTimeout(() => abort.abort(), 100);
    await assert.rejects(long, CancelledError);
    assert.deepEqual((await c.call('starHistory', { repo: 'a/b' })).map((p) => p.stars), [1]);
  });
});
