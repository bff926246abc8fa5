import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { silentLogger } from '../../src/core/log';
import { MetricsStore, updateStore } from '../../src/core/store/store';
import { repoRoot } from '../support/fixtures';
import { testSql } from './store.test';

const run = promisify(execFile);

describe('metrics store shared by processes', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-procs-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('loses no row when two processes write back to back as fast as they can', async () => {
    // Regression: a lock released between our EEXIST and the stale check was taken for stale, and the
    // next holder's fresh lock removed, letting two writers in at once.
    const file = path.join(dir, 'm.sqlite');
    const N = 150;
    const SQL = await testSql();
    const child = run(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test/support/storeWriter.ts'), file, 'child/repo', String(N)], { cwd: repoRoot });
    for (let i = 0; i < N; i++) {
      await updateStore(SQL, file, silentLogger, (s) => s.addRepositorySnapshot({ timestamp: `2026-01-01T00:00:00.${String(i).padStart(6, '0')}Z`, repo: 'parent/repo', stars: i }));
    }
    await child;
    const { store } = await MetricsStore.open(SQL, file, silentLogger);
    try {
      assert.equal(store.starHistory('parent/repo').length, N);
      assert.equal(store.starHistory('child/repo').length, N);
    } finally {
      store.close();
    }
  });
});
