import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Diagnostic } from '../../../src/core/project/diagnostics';
import { compileProject } from '../../../src/core/project/manifest';
import { loadProject } from '../../../src/core/project/project';
import { runProject } from '../../../src/core/project/runner';
import type { RunResult } from '../../../src/core/project/runner';
import { MetricsStore } from '../../../src/core/store/store';
import { testSqlJs } from './fixtureStore';

/** Broken inputs each give a diagnostic on the right file and line, and the rest still builds. */
async function writeProject(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cm-dbt-broken-'));
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
  return dir;
}

const FILES: Record<string, string> = {
  'models/sources.yml': 'version: 2\nsources:\n  - name: metrics\n    tables:\n      - name: github_stars\n',
  'models/good.sql': "select project, max(stars) as stars\nfrom {{ source('metrics', 'github_stars') }}\ngroup by project\n",
  'models/jinja_error.sql': "select 1 as a\n-- a comment\n{{ ref('good' }}\n",
  'models/unclosed.sql': "select 1 as a\n{% if true %}\nfrom x\n",
  'models/unknown_ref.sql': "select *\nfrom {{ ref('good') }}\njoin\n  {{ ref(\"does_not_exist\") }} using (project)\n",
  'models/undeclared_source.sql': "select *\n  from {{ source('metrics', 'dockerhub_pulls') }}\n",
  'models/cycle_a.sql': "select * from {{ ref('cycle_b') }}\n",
  'models/cycle_b.sql': "select 1 as x\nunion all\nselect * from {{ ref('cycle_a') }}\n",
  'models/sql_error.sql': "select\n  project,\n  no_such_column\nfrom {{ ref('good') }}\n",
  'models/warehouse_only.sql': "select project, stars\nfrom {{ ref('good') }}\nwhere true\nand stars in unnest(stars_by_day)\n",
  'models/downstream.sql': "select * from {{ ref('sql_error') }}\n",
  'seeds/bad.csv': 'a,b\n1,2\n3,4,5\n',
  'models/broken.yml': 'version: 2\nmodels:\n  - name: good\n    description: "unterminated\n    columns: [\n',
};

describe('broken inputs', function () {
  this.timeout(30_000);
  let dir: string;
  let store: MetricsStore;
  let run: RunResult;
  let all: Diagnostic[];

  before(async () => {
    dir = await writeProject(FILES);
    const project = await loadProject(dir);
    store = MetricsStore.create(await testSqlJs(), path.join(dir, 'store.sqlite'));
    store.db.run("INSERT INTO github_stars VALUES ('2021-01-01T00:00:00.000Z', 'a/b', 3)");
    run = await runProject(project, store.db, { command: 'build' });
    all = run.diagnostics;
  });
  after(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const find = (file: string, code?: string) => {
    const d = all.find((x) => x.file === path.join(dir, file) && (!code || x.code === code));
    assert.ok(d, `a diagnostic on ${file}${code ? ` (${code})` : ''}; got ${JSON.stringify(all.map((x) => [path.relative(dir, x.file), x.line, x.code, x.message]))}`);
    return d;
  };

  it('builds what is not broken', () => {
    const good = run.results.find((r) => r.name === 'good');
    assert.equal(good?.status, 'success');
    assert.deepEqual(store.all('SELECT project, stars FROM good'), [{ project: 'a/b', stars: 3 }]);
  });

  it('a Jinja syntax error', () => {
    const d = find('models/jinja_error.sql', 'jinja');
    assert.equal(d.line, 3);
    assert.match(d.message, /syntax error/);
    assert.equal(find('models/unclosed.sql', 'jinja').line, 2, 'an unclosed block points at its opening tag');
  });

  it('an unknown ref', () => {
    const d = find('models/unknown_ref.sql', 'ref');
    assert.equal(d.line, 4);
    assert.match(d.message, /does_not_exist/);
  });

  it('an undeclared source names the yml to add it to', () => {
    const d = find('models/undeclared_source.sql', 'source');
    assert.equal(d.line, 2);
    assert.match(d.message, /metrics\.dockerhub_pulls/);
    assert.match(d.message, /models\/sources\.yml/);
  });

  it('a cycle names the cycle', () => {
    const d = find('models/cycle_a.sql', 'cycle');
    assert.match(d.message, /cycle_a -> cycle_b -> cycle_a/);
    assert.equal(d.line, 1);
  });

  it('a SQL error lands on the source line, and what depends on it is skipped', () => {
    const d = find('models/sql_error.sql', 'sql');
    assert.equal(d.line, 3);
    assert.equal(d.column, 3);
    assert.match(d.message, /no such column: no_such_column/);
    assert.equal(run.results.find((r) => r.name === 'downstream')?.status, 'skipped');
  });

  it('warehouse-only SQL is named, with its line', () => {
    const d = find('models/warehouse_only.sql', 'unsupported-sql');
    assert.equal(d.line, 4);
    assert.match(d.message, /UNNEST/);
  });

  it('a bad CSV', () => {
    const d = find('seeds/bad.csv', 'csv');
    assert.equal(d.line, 3);
  });

  it('a bad yml', () => {
    const d = find('models/broken.yml', 'yml');
    assert.ok(d.line >= 4 && d.line <= 6, `line ${d.line}`);
  });

  it('compile still writes a manifest for the rest, and a fixed error disappears', async () => {
    const project = await loadProject(dir);
    const out = compileProject(project);
    assert.ok((out.manifest.nodes as Record<string, unknown>)['model.cm_dbt_broken.good'] === undefined);
    assert.ok(Object.keys(out.manifest.nodes as object).includes(`model.${project.name}.good`));
    await writeFile(path.join(dir, 'models/jinja_error.sql'), "select 1 as a\n-- a comment\n{{ ref('good') }}\n");
    const fixed = await loadProject(dir);
    assert.ok(!fixed.diagnostics.some((d) => d.file.endsWith('jinja_error.sql')));
  });
});
