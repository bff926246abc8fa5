import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../support/fixtures';
import { copyProject, fixtureStore, seedProject } from './fixtureStore';

const exec = promisify(execFile);
const CLI = path.join(repoRoot, 'dist/cli.js');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('community-metrics compile|build|run|test|query (built bundle)', function () {
  this.timeout(30_000);
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('compile writes a dbt-shaped manifest without a store, warning about packages it cannot install', async () => {
    const dir = await copyProject('shapes');
    dirs.push(dir);
    const { code, stdout, stderr } = await cli(['compile', '--workspace', dir]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /Compiled \d+ nodes/);
    assert.match(stderr, /packages\.yml:2:5: warning: Package dbt-labs\/dbt_utils is not installed/);
    const manifest = JSON.parse(await readFile(path.join(dir, 'target/manifest.json'), 'utf8')) as { parent_map: Record<string, string[]> };
    assert.deepEqual(manifest.parent_map['model.shapes.customer_orders'], ['model.shapes.int_order_amounts', 'model.shapes.stg_customers']);
  });

  it('build, run with a selection, test, and query the store as json and csv', async () => {
    const dir = await seedProject();
    dirs.push(dir);
    const { store } = await fixtureStore(path.join(dir, '.community-metrics/metrics.sqlite'));
    await store.save();
    store.close();
    const build = await cli(['build', '--workspace', dir]);
    assert.equal(build.code, 0, build.stdout + build.stderr);
    assert.match(build.stdout, /12 of 12 PASS test unique_daily_summary_day/);
    assert.match(build.stdout, /PASS=12 WARN=0 ERROR=0 SKIP=0 TOTAL=12/);

    const run = await cli(['run', '--workspace', dir, '--select', 'pypi_downloads+', '--exclude', 'daily_summary']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /1 of 2 OK incremental model pypi_downloads \[[\d.]+s, 0 rows\]/);

    const test = await cli(['test', '--workspace', dir, '-s', 'daily_summary']);
    assert.equal(test.code, 0, test.stderr);
    assert.match(test.stdout, /TOTAL=2/);

    const json = await cli(['query', "select project, stars from github_daily_summary where day = '2021-11-07' order by project", '--workspace', dir, '--format', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const rows = JSON.parse(json.stdout) as Array<{ project: string; stars: number }>;
    assert.deepEqual(rows.map((r) => r.project), ['MarquezProject/marquez', 'OpenLineage/OpenLineage']);
    const csv = await cli(['query', 'select 1 as a, \'x,"y"\' as b', '--workspace', dir, '--format', 'csv']);
    assert.equal(csv.stdout, 'a,b\n1,"x,""y"""\n');
    const qualify = await cli(['query', 'select project, day, stars from github_daily_summary qualify row_number() over (partition by project order by day desc) = 1 order by project', '--workspace', dir, '--format', 'csv']);
    assert.equal(qualify.code, 0, qualify.stderr);
    const lines = qualify.stdout.trim().split('\n');
    assert.equal(lines[0], 'project,day,stars', 'the columns of the SELECT only');
    const latest = await cli(['query', 'select project, max(day) as day from github_daily_summary group by project order by project', '--workspace', dir, '--format', 'csv']);
    assert.deepEqual(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(',')), latest.stdout.trim().split('\n').slice(1), 'the latest day of each project');
    assert.ok(lines.length > 2);
  });

  it('exits 1 with file:line diagnostics when a model fails, and 2 on bad usage', async () => {
    const dir = await seedProject();
    dirs.push(dir);
    const broken = await cli(['run', '--workspace', dir, '-s', 'pypi_downloads']);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /models[/\\]pypi_downloads\.sql:11:1: error: SQL error: no such table: (main\.)?pypi_file_downloads/);
    assert.equal((await cli(['query', '--format', 'xml', 'select 1'])).code, 2);
    assert.equal((await cli(['run', '--bogus'])).code, 2);
  });
});
