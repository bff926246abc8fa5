import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { silentLogger } from '../../../src/core/log';
import { MetricsStore } from '../../../src/core/store/store';
import { createClickPy, createGithubEvents, loadGithubEvents } from '../../support/clickhouseFixtures';
import { ClickHouseTestServer } from '../../support/clickhouseServer';
import { repoRoot } from '../../support/fixtures';
import { testSqlJs } from '../project/fixtureStore';
import { independentCount, realHourLines } from '../gharchive/archiveFixtures';

const run = promisify(execFile);

/** `gharchive import --via clickhouse` and `pypi history` as shipped (bundled), against a real ClickHouse. */
describe('community-metrics with ClickHouse (bundled CLI)', function () {
  this.timeout(90_000);
  let dir: string;
  let cliPath: string;
  let ch: ClickHouseTestServer;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-ch-cli-'));
    await build({ entryPoints: { cli: path.join(repoRoot, 'src/cli/main.ts') }, outdir: dir, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error', alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' } });
    await copyFile(path.join(repoRoot, 'node_modules/sql.js/dist/sql-wasm.wasm'), path.join(dir, 'sql-wasm.wasm'));
    cliPath = path.join(dir, 'cli.js');
    await writeFile(path.join(dir, 'community-metrics.yml'), 'projects:\n  - name: php\n    github: [cakephp/cakephp, thephpleague/oauth2-server]\n    pypi: [pip]\n');
    ch = await ClickHouseTestServer.start();
    await createGithubEvents(ch);
    await loadGithubEvents(ch, realHourLines(), '2015-01-01 12:00:00');
    await createClickPy(ch);
  });
  after(async () => {
    await ch?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [cliPath, ...args], { cwd: dir, env: { ...process.env, ...env } });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('gharchive import --via clickhouse stores the configured repositories\' day; again asks nothing; a wrong database exits 1 naming the setting', async () => {
    const args = ['gharchive', 'import', '--via', 'clickhouse', '--from', '2015-01-01', '--to', '2015-01-01', '--clickhouse-url', ch.url];
    const first = await cli(args);
    assert.equal(first.code, 0, first.stderr);
    const expected = independentCount(realHourLines(), ['cakephp/cakephp', 'thephpleague/oauth2-server']).total;
    assert.match(first.stdout, new RegExp(`days 1 \\(0 already imported\\), hours imported 24, not yet in the table 0; ${expected} new events, \\d+ daily counts; 2 queries`));
    const again = await cli(args);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /days 1 \(1 already imported\).* 0 new events, 0 daily counts; 0 queries/);
    const bad = await cli([...args, '--force', '--clickhouse-database', 'nowhere']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /error: 2015-01-01…2015-01-01: .*The database setting \('nowhere'\) must name the database/);
    const usage = await cli(['gharchive', 'import', '--via', 'bigquery', '--from', '2015-01-01', '--to', '2015-01-01']);
    assert.equal(usage.code, 2);
  });

  it('pypi history reads the configured package from ClickPy and prints who downloads it and version adoption per year', async () => {
    const r = await cli(['pypi', 'history', '--clickhouse-url', ch.url]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^pip: \d+ rows from ClickPy \(days 2020-05-01 … 2020-05-02 asked\)$/m);
    assert.match(r.stdout, /downloads 2020-04-03 … 2020-05-02: installers people run 99\.2%, mirrors 0\.8%, other tools\/bots 0\.0% \(top: pip 99\.2%, bandersnatch 0\.8%\)/);
    assert.match(r.stdout, /^ {2}2020: 20\.1 100\.0% of 3,587,357 downloads$/m);
    assert.match(r.stdout, /^ {2}2026: 24\.1 76\.9%, 24\.0 23\.1% of 65 downloads$/m);
    const SQL = await testSqlJs();
    const { store } = await MetricsStore.open(SQL, path.join(dir, '.community-metrics/metrics.sqlite'), silentLogger);
    try {
      assert.equal(store.all<{ n: number }>("SELECT COUNT(*) AS n FROM pypi_downloads_history WHERE package = 'pip' AND dimension = 'overall'")[0]?.n, 2);
    } finally {
      store.close();
    }
  });
});
