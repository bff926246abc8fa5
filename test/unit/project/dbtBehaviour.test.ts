import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Database } from 'sql.js';
import { compileProject } from '../../../src/core/project/manifest';
import { loadProject } from '../../../src/core/project/project';
import { runProject } from '../../../src/core/project/runner';
import { repoRoot } from '../../support/fixtures';
import { testSqlJs } from './fixtureStore';

/** Issue 15, items 2, 3 and 6 and the macro-file errors of item 1: dbt's behaviour on real projects. */
const exec = promisify(execFile);

async function writeProject(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cm-dbt-behaviour-'));
  for (const [rel, text] of Object.entries({ 'dbt_project.yml': 'name: shop\nversion: "1.0"\n', ...files })) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
  return dir;
}

async function freshDb(): Promise<Database> {
  const SQL = await testSqlJs();
  return new SQL.Database();
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [path.join(repoRoot, 'dist/cli.js'), ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('dbt behaviour on real projects', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const project = async (files: Record<string, string>) => {
    const dir = await writeProject(files);
    dirs.push(dir);
    return dir;
  };

  it('compiles relations qualified as the manifest says, so a CTE named like its ref works', async () => {
    const dir = await project({
      'models/order_items.sql': 'select 1 as id, 10 as amount\n',
      'models/orders.sql': "with order_items as (\n  select * from {{ ref('order_items') }}\n)\nselect sum(amount) as total from order_items\n",
    });
    const p = await loadProject(dir);
    const out = compileProject(p);
    assert.match(out.compiled.get('model.shop.orders') ?? '', /select \* from "main"\."order_items"/);
    const nodes = out.manifest.nodes as Record<string, { relation_name?: string }>;
    assert.equal(nodes['model.shop.order_items']?.relation_name, '"main"."order_items"');
    const db = await freshDb();
    const run = await runProject(p, db, { command: 'run' });
    assert.deepEqual(run.results.map((r) => [r.name, r.status]), [['order_items', 'success'], ['orders', 'success']], JSON.stringify(run.diagnostics));
    assert.deepEqual(db.exec('select total from orders')[0]?.values, [[10]]);
  });

  it('a cycle or two models with one name fail build, run and test, naming and counting what is skipped', async () => {
    const dir = await project({
      'models/ok.sql': 'select 1 as id\n',
      'models/a.sql': "select * from {{ ref('b') }}\n",
      'models/b.sql': "select * from {{ ref('a') }}\n",
      'models/after_cycle.sql': "select * from {{ ref('a') }}\n",
      'models/schema.yml': 'version: 2\nmodels:\n  - name: after_cycle\n    columns:\n      - name: id\n        tests: [not_null]\n',
    });
    const p = await loadProject(dir);
    const run = await runProject(p, await freshDb(), { command: 'build' });
    const status = Object.fromEntries(run.results.map((r) => [r.name, r.status]));
    assert.equal(status.ok, 'success');
    assert.equal(status.a, 'error');
    assert.equal(status.b, 'error');
    assert.equal(status.after_cycle, 'skipped');
    assert.equal(status.not_null_after_cycle_id, 'skipped');
    assert.equal(run.results.length, 5, 'no node is dropped');
    assert.equal(run.success, false);
    assert.ok(run.projectErrors.some((d) => d.code === 'cycle'));

    for (const command of ['build', 'run', 'test']) {
      const r = await cli([command, '--workspace', dir]);
      assert.equal(r.code, 1, `${command}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /Dependency cycle/);
    }
    const built = await cli(['build', '--workspace', dir]);
    assert.match(built.stdout, /PASS=1 WARN=0 ERROR=2 SKIP=2 TOTAL=5/);
    assert.match(built.stdout, /Skipped 2: (after_cycle, not_null_after_cycle_id|not_null_after_cycle_id, after_cycle)/);

    const dup = await project({ 'models/x.sql': 'select 1 as id\n', 'models/sub/x.sql': 'select 2 as id\n', 'models/y.sql': "select * from {{ ref('x') }}\n" });
    const dupRun = await runProject(await loadProject(dup), await freshDb(), { command: 'run' });
    assert.equal(dupRun.success, false);
    assert.deepEqual(Object.fromEntries(dupRun.results.map((r) => [r.name, r.status])), { x: 'error', y: 'skipped' });
    assert.equal((await cli(['run', '--workspace', dup])).code, 1);
  });

  it('tests of a model skipped because something upstream failed are SKIP, not "no such table"', async () => {
    const dir = await project({
      'models/broken.sql': 'select no_such_column from (select 1 as id)\n',
      'models/downstream.sql': "select * from {{ ref('broken') }}\n",
      'models/schema.yml':
        'version: 2\nmodels:\n  - name: downstream\n    columns:\n      - name: id\n        tests: [unique, not_null]\n  - name: broken\n    columns:\n      - name: id\n        tests: [not_null]\n',
    });
    const run = await runProject(await loadProject(dir), await freshDb(), { command: 'build' });
    const byName = Object.fromEntries(run.results.map((r) => [r.name, r]));
    assert.equal(byName.broken?.status, 'error');
    for (const n of ['downstream', 'unique_downstream_id', 'not_null_downstream_id', 'not_null_broken_id']) {
      assert.equal(byName[n]?.status, 'skipped', `${n}: ${byName[n]?.message}`);
    }
    assert.ok(!run.diagnostics.some((d) => /no such table/.test(d.message)));

    // A failing test in build skips what is built from its model, and their tests; not its siblings.
    const failing = await project({
      'models/stg.sql': 'select 1 as id union all select 1\n',
      'models/mart.sql': "select * from {{ ref('stg') }}\n",
      'models/schema.yml': 'version: 2\nmodels:\n  - name: stg\n    columns:\n      - name: id\n        tests: [unique, not_null]\n  - name: mart\n    columns:\n      - name: id\n        tests: [not_null]\n',
    });
    const built = await runProject(await loadProject(failing), await freshDb(), { command: 'build' });
    assert.deepEqual(Object.fromEntries(built.results.map((r) => [r.name, r.status])), {
      stg: 'success',
      unique_stg_id: 'fail',
      not_null_stg_id: 'pass',
      mart: 'skipped',
      not_null_mart_id: 'skipped',
    });
  });

  it('keeps the position of an SQL error on a literal (near "\'6\'" on line 6)', async () => {
    const dir = await project({ 'models/m.sql': "select\n  1 as a,\n  2 as b,\n  3 as c,\n  4 as d\n  '6' as e\n" });
    const run = await runProject(await loadProject(dir), await freshDb(), { command: 'run' });
    const d = run.diagnostics.find((x) => x.code === 'sql');
    assert.ok(d, JSON.stringify(run.diagnostics));
    assert.match(d.message, /near "'6'"/);
    assert.equal(d.line, 6);
    assert.equal(d.column, 3);
  });

  it('a broken macro file is named by every model that uses it, at the macro file', async () => {
    const dir = await project({
      'macros/latest.sql': "{% macro latest_record(rel) %}\n  select * from {{ rel }}\n  {% if %}\n{% endmacro %}\n",
      'macros/inner.sql': "{% macro uses_missing() %}\nselect\n  {{ not_a_macro('x') }}\n{% endmacro %}\n",
      'models/one.sql': "{{ latest_record(ref('two')) }}\n",
      'models/two.sql': 'select 1 as id\n',
      'models/three.sql': '-- calls a macro that calls what does not exist\n{{ uses_missing() }}\n',
    });
    const p = await loadProject(dir);
    const one = p.nodes.get('model.shop.one');
    const d = one?.diagnostics.find((x) => x.severity === 'error');
    assert.ok(d, JSON.stringify(p.diagnostics));
    assert.equal(d.file, path.join(dir, 'macros/latest.sql'));
    assert.equal(d.line, 3);
    assert.match(d.message, /latest_record/);
    const three = p.nodes.get('model.shop.three')?.diagnostics.find((x) => x.severity === 'error');
    assert.ok(three, JSON.stringify(p.diagnostics));
    assert.equal(three.file, path.join(dir, 'macros/inner.sql'));
    assert.equal(three.line, 3);
    assert.equal(three.column, 6);
    assert.match(three.message, /not_a_macro.*in macro 'uses_missing', rendering models\/three\.sql/);
  });
});
