import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { silentLogger } from '../../src/core/log';
import { MetricsStore, updateStore } from '../../src/core/store/store';
import { ForeignStoreError, StoreConflictError, StoreCorruptError } from '../../src/core/store/storeFile';
import { repoRoot } from '../support/fixtures';
import { testSql } from './store.test';

const run = promisify(execFile);
const CLI = path.join(repoRoot, 'dist/cli.js');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

const snap = (i: number) => ({ timestamp: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`, repo: 'a/b', stars: i });

describe('store file: leftovers, modes, links, foreign and corrupt files', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-storefile-'));
    await mkdir(path.join(dir, '.community-metrics'));
    file = path.join(dir, '.community-metrics', 'metrics.sqlite');
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('removes the temp files of saves interrupted by SIGKILL on the next open, and keeps every committed row', async () => {
    const SQL = await testSql();
    await updateStore(SQL, file, silentLogger, (s) => s.addRepositorySnapshot(snap(0)));
    // Kill a writer several times in the middle of its stream of saves.
    for (let k = 0; k < 4; k++) {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test/support/storeWriter.ts'), file, `killed/${k}`, '100000'], { cwd: repoRoot, stdio: 'ignore' });
      // Let it get going: wait until it has saved at least once.
      for (;;) {
        const { store } = await MetricsStore.open(SQL, file, silentLogger);
        const n = store.starHistory(`killed/${k}`).length;
        store.close();
        if (n > 3) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    // And a temp left by a process that is certainly gone.
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.once('exit', r));
    await writeFile(path.join(dir, '.community-metrics', `.metrics.sqlite.${dead.pid}.${Date.now()}.tmp`), 'a full copy of the store');
    const before = await readdir(path.join(dir, '.community-metrics'));
    assert.ok(before.some((f) => f.endsWith('.tmp')));
    await updateStore(SQL, file, silentLogger, (s) => s.addRepositorySnapshot(snap(1)));
    const after = await readdir(path.join(dir, '.community-metrics'));
    assert.deepEqual(after.filter((f) => f.endsWith('.tmp')), [], 'temp files of dead writers removed');
    const { store } = await MetricsStore.open(SQL, file, silentLogger);
    assert.deepEqual(store.starHistory('a/b').map((p) => p.stars), [0, 1]);
    store.close();
  });

  it('saves through a symlinked store: the link stays a link and its target gets the rows', async () => {
    const SQL = await testSql();
    const realDir = path.join(dir, 'elsewhere');
    await mkdir(realDir);
    const target = path.join(realDir, 'real.sqlite');
    await updateStore(SQL, target, silentLogger, (s) => s.addRepositorySnapshot(snap(0)));
    await symlink(target, file);
    await updateStore(SQL, file, silentLogger, (s) => s.addRepositorySnapshot(snap(1)));
    assert.ok((await lstat(file)).isSymbolicLink(), 'still a symlink');
    assert.equal(await readlink(file), target);
    const { store } = await MetricsStore.open(SQL, target, silentLogger);
    assert.deepEqual(store.starHistory('a/b').map((p) => p.stars), [0, 1]);
    store.close();
  });

  it('keeps the file mode, and refuses to replace a read-only store', async () => {
    const SQL = await testSql();
    await updateStore(SQL, file, silentLogger, (s) => s.addRepositorySnapshot(snap(0)));
    await chmod(file, 0o600);
    await updateStore(SQL, file, silentLogger, (s) => s.addRepositorySnapshot(snap(1)));
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    await chmod(file, 0o444);
    const bytes = await readFile(file);
    await assert.rejects(updateStore(SQL, file, silentLogger, (s) => s.addRepositorySnapshot(snap(2))), /read-only/);
    assert.equal((await stat(file)).mode & 0o777, 0o444);
    assert.deepEqual(await readFile(file), bytes);
  });

  it("refuses another program's SQLite file and leaves it untouched", async () => {
    const SQL = await testSql();
    const foreign = new SQL.Database();
    foreign.run('CREATE TABLE github_stars (id INTEGER PRIMARY KEY, login TEXT); INSERT INTO github_stars VALUES (1, "x");');
    const bytes = Buffer.from(foreign.export());
    foreign.close();
    await writeFile(file, bytes);
    await assert.rejects(updateStore(SQL, file, silentLogger, (s) => s.addRepositorySnapshot(snap(0))), ForeignStoreError);
    await assert.rejects(MetricsStore.open(SQL, file, silentLogger), ForeignStoreError);
    assert.deepEqual(await readFile(file), bytes);
    assert.deepEqual((await readdir(path.dirname(file))).sort(), ['metrics.sqlite']);
    const r = await cli(['query', 'SELECT 1 AS n', '--workspace', dir]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /another program/);
  });

  it('query on a corrupt store fails and neither moves nor creates a file; a writer moves it aside and fails naming where', async () => {
    await writeFile(file, Buffer.from('SQLite format 3\u0000 truncated garbage'));
    const r = await cli(['query', 'SELECT 1 AS n', '--workspace', dir]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /not a readable SQLite database/);
    assert.doesNotMatch(r.stdout, /"n"/);
    assert.deepEqual(await readdir(path.dirname(file)), ['metrics.sqlite'], 'nothing moved or created');
    await writeFile(path.join(dir, 'community-metrics.yml'), 'projects:\n  - name: p\n    docker: [library/x]\n');
    const refresh = await cli(['refresh', '--workspace', dir, '--dockerhub-url', 'http://127.0.0.1:9']);
    assert.equal(refresh.code, 1, refresh.stderr);
    const moved = (await readdir(path.dirname(file))).find((f) => f.startsWith('metrics.sqlite.corrupt-'));
    assert.ok(moved, 'moved aside');
    assert.ok(refresh.stderr.includes(moved), `the message names ${moved}: ${refresh.stderr}`);
    // The next writer starts a new store.
    const SQL = await testSql();
    await updateStore(SQL, file, silentLogger, (s) => s.addRepositorySnapshot(snap(0)));
    await assert.doesNotReject(run(process.execPath, [CLI, 'query', 'SELECT COUNT(*) AS n FROM github_stars', '--workspace', dir]));
  });

  it('never saves over rows it did not load: a store whose file was replaced meanwhile refuses to save', async () => {
    const SQL = await testSql();
    await updateStore(SQL, file, silentLogger, (s) => s.addRepositorySnapshot(snap(0)));
    // A writer that loaded the file, then another process saving rows it never saw (as with a stolen lock).
    const { store } = await MetricsStore.open(SQL, file, silentLogger, { write: true });
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test/support/storeWriter.ts'), file, 'other/writer', '1'], { cwd: repoRoot, stdio: 'ignore' });
    await new Promise((r) => child.once('exit', r));
    store.addRepositorySnapshot(snap(1));
    await assert.rejects(store.save(), StoreConflictError);
    store.close();
    const { store: after } = await MetricsStore.open(SQL, file, silentLogger);
    assert.equal(after.starHistory('other/writer').length, 1, "the other writer's row is still there");
    after.close();
  });

  it('a corrupt store is a StoreCorruptError for readers, with the file left in place', async () => {
    const SQL = await testSql();
    await writeFile(file, '');
    await assert.rejects(MetricsStore.open(SQL, file, silentLogger), (e: unknown) => e instanceof StoreCorruptError && e.movedAside === undefined);
    assert.deepEqual(await readdir(path.dirname(file)), ['metrics.sqlite']);
  });
});
