import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { silentLogger } from '../../../src/core/log';
import { MetricsStore } from '../../../src/core/store/store';
import { FakeServer } from '../../support/fakeServer';
import { repoRoot } from '../../support/fixtures';
import { testSqlJs } from '../project/fixtureStore';
import { REAL_HOUR, gz, realHourBytes, realHourLines, serveHour } from './archiveFixtures';

const run = promisify(execFile);

/**
 * The CLI as shipped: bundled by esbuild like `npm run build` does, into a temp folder with the
 * sql.js WebAssembly beside it, so that this suite does not depend on a fresh dist/.
 */
describe('community-metrics gharchive import (bundled CLI)', function () {
  this.timeout(60_000);
  let dir: string;
  let cliPath: string;
  let server: FakeServer;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-gharchive-cli-'));
    await build({ entryPoints: { cli: path.join(repoRoot, 'src/cli/main.ts') }, outdir: dir, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error', alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' } });
    await copyFile(path.join(repoRoot, 'node_modules/sql.js/dist/sql-wasm.wasm'), path.join(dir, 'sql-wasm.wasm'));
    cliPath = path.join(dir, 'cli.js');
    await writeFile(path.join(dir, 'community-metrics.yml'), 'projects:\n  - name: kaltura\n    github: [kaltura/mwEmbed, cakephp/cakephp]\n');
  });
  after(async () => rm(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    server = await FakeServer.start();
  });
  afterEach(async () => server.close());

  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [cliPath, ...args]);
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('imports a range for the configured repositories, reports the missing hour, and skips imported hours next time', async () => {
    serveHour(server, REAL_HOUR, realHourBytes());
    serveHour(server, '2015-01-01-13.json.gz', gz(realHourLines().slice(0, 10).map((l) => l.replace('{"id":"', '{"id":"13-'))));
    const args = ['gharchive', 'import', '--from', '2015-01-01T11', '--to', '2015-01-01T13', '--gharchive-url', server.url, '--workspace', dir];
    const first = await cli(args);
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.stderr, /2015-01-01T11:00:00Z missing: not in the archive \(HTTP 404 for http:\/\/127\.0\.0\.1:\d+\/2015-01-01-11\.json\.gz\)/);
    assert.match(first.stderr, /2015-01-01T12:00:00Z imported: 76 of 8273 events are of tracked repositories/);
    assert.match(first.stdout, /imported 2, skipped 0, missing 1, corrupt 0, failed 0; 76 new events/);
    // No credential ever goes to the archive.
    assert.ok(server.requests.every((r) => !('authorization' in r.headers)));

    const second = await cli(args);
    assert.match(second.stdout, /imported 0, skipped 2, missing 1/);
    const SQL = await testSqlJs();
    const { store } = await MetricsStore.open(SQL, path.join(dir, '.community-metrics/metrics.sqlite'), silentLogger);
    assert.deepEqual(store.all('SELECT hour, status FROM gharchive_hours ORDER BY hour'), [
      { hour: '2015-01-01T11:00:00Z', status: 'missing' },
      { hour: '2015-01-01T12:00:00Z', status: 'imported' },
      { hour: '2015-01-01T13:00:00Z', status: 'imported' },
    ]);
    store.close();
  });

  it('stops at --deadline when an hour trickles in, keeping the hours that finished, and exits 1', async () => {
    const store = path.join(dir, 'deadline.sqlite');
    serveHour(server, REAL_HOUR, realHourBytes());
    // Hour 13 comes one byte every 50 ms: never idle long enough for --timeout, and far from done at the deadline.
    server.fault('/2015-01-01-13.json.gz', { kind: 'trickle', intervalMs: 50, body: realHourBytes() });
    const r = await cli(['gharchive', 'import', '--from', '2015-01-01T12', '--to', '2015-01-01T13', '--gharchive-url', server.url, '--workspace', dir, '--store', store, '--concurrency', '1', '--deadline', '12']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /import deadline of 12 s was reached/);
    const SQL = await testSqlJs();
    const { store: s } = await MetricsStore.open(SQL, store, silentLogger);
    try {
      assert.deepEqual(s.all('SELECT hour, status FROM gharchive_hours ORDER BY hour'), [{ hour: '2015-01-01T12:00:00Z', status: 'imported' }]);
    } finally {
      s.close();
    }
  });

  it('rejects a malformed hour and a missing bound with a usage error', async () => {
    const bad = await cli(['gharchive', 'import', '--from', '2015-13-01T00', '--to', '2015-01-01T01', '--workspace', dir]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /'2015-13-01T00' is not a valid UTC hour/);
    const missing = await cli(['gharchive', 'import', '--from', '2015-01-01T00', '--workspace', dir]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Both --from and --to are needed/);
  });
});
