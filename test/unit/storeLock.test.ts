import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/core/log';
import { StoreLockedError, processStart, withFileLock } from '../../src/core/store/lock';
import { MetricsStore, updateStore } from '../../src/core/store/store';
import { repoRoot } from '../support/fixtures';
import { testSql } from './store.test';

function startLongWriter(file: string, repo: string, stars: number): { child: ChildProcess; holding: Promise<void>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test/support/longWriter.ts'), file, repo, String(stars)], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  const holding = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('holding')) resolve();
    });
    child.once('exit', () => reject(new Error(`long writer exited before holding the store: ${out}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, holding, exited };
}

/** Makes the lock look as if it had been taken two minutes ago (a long `run`), as the old age rule saw it. */
async function ageLock(file: string): Promise<void> {
  const lockPath = `${file}.lock`;
  const owner = JSON.parse(await readFile(lockPath, 'utf8')) as { at: number };
  owner.at = Date.now() - 120_000;
  await writeFile(lockPath, JSON.stringify(owner));
  const old = new Date(Date.now() - 120_000);
  await utimes(lockPath, old, old);
}

describe('store lock held by a live process', function () {
  this.timeout(30_000);
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-lock-'));
    file = path.join(dir, 'metrics.sqlite');
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('is waited for however old it is, so the long writer never saves over a refresh (lost update)', async () => {
    const SQL = await testSql();
    await updateStore(SQL, file, silentLogger, (s) => s.addRepositorySnapshot({ timestamp: '2025-12-31T00:00:00Z', repo: 'a/b', stars: 3 }));
    const writer = startLongWriter(file, 'long/run', 1);
    try {
      await writer.holding;
      await ageLock(file);
      let waited = false;
      const refresh = updateStore(SQL, file, silentLogger, (s) => s.addRepositorySnapshot({ timestamp: '2026-01-02T00:00:00Z', repo: 'a/b', stars: 6 }), {
        onWait: () => {
          waited = true;
        },
      });
      let refreshDone = false;
      void refresh.then(() => (refreshDone = true), () => (refreshDone = true));
      // The refresh must be waiting on the live owner (however old its lock looks), not writing.
      while (!waited && !refreshDone) await new Promise((r) => setTimeout(r, 20));
      assert.equal(refreshDone, false, 'the refresh took the lock of a live owner');
      assert.equal(waited, true, 'the refresh waits for the live owner');
      writer.child.stdin?.end();
      assert.equal(await writer.exited, 0);
      await refresh;
    } finally {
      writer.child.kill('SIGKILL');
    }
    const { store } = await MetricsStore.open(SQL, file, silentLogger);
    try {
      assert.deepEqual(store.starHistory('a/b').map((p) => p.stars), [3, 6], 'the refresh rows survive the long writer');
      assert.equal(store.starHistory('long/run').length, 1, 'and the long writer rows too');
    } finally {
      store.close();
    }
  });

  it('is taken over when its owner was killed with SIGKILL', async () => {
    const SQL = await testSql();
    const writer = startLongWriter(file, 'killed/run', 1);
    await writer.holding;
    writer.child.kill('SIGKILL');
    await writer.exited;
    const { result } = await updateStore(SQL, file, silentLogger, (s) => {
      s.addRepositorySnapshot({ timestamp: '2026-01-02T00:00:00Z', repo: 'a/b', stars: 6 });
      return 'written';
    }, { timeoutMs: 5_000 });
    assert.equal(result, 'written');
  });

  it('is taken over when its pid now belongs to another process (pid reuse)', async () => {
    const start = processStart(process.ppid);
    assert.ok(start, 'the start time of a process is readable on this system');
    // The parent process is alive, but started at another time than the lock says.
    await writeFile(`${file}.lock`, JSON.stringify({ pid: process.ppid, host: hostname(), start: `${start}1`, at: Date.now() }));
    assert.equal(await withFileLock(file, async () => 'mine', { timeoutMs: 2_000 }), 'mine');
  });

  it('times out naming the live owner instead of taking its lock', async () => {
    await writeFile(`${file}.lock`, JSON.stringify({ pid: process.ppid, host: hostname(), start: processStart(process.ppid), at: Date.now() - 3_600_000 }));
    await assert.rejects(
      withFileLock(file, async () => 'stolen', { timeoutMs: 300 }),
      (err: unknown) => err instanceof StoreLockedError && err.message.includes(`process ${process.ppid}`),
    );
  });
});
