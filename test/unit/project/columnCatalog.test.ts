import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildColumnCatalog, catalogEntryFor, catalogIdentifiers, relationsInSql, storedColumns } from '../../../src/core/project/columnCatalog';
import { loadProject } from '../../../src/core/project/project';
import { testSql } from '../store.test';

describe('column catalog for completion in model SQL', () => {
  it('finds the refs and sources a model reads, with their aliases, ignoring comments and keywords', () => {
    const sql = `-- from {{ ref('commented_out') }} c
with x as (select * from {{ ref('a') }})
select * from {{ ref('a') }} as first
left join {{ source("raw", "events") }} e on e.id = first.id
join {{ ref('pkg', 'b') }} where 1
/* join {{ ref('also_out') }} z */
join {{- ref('c') -}} cc using (id)`;
    assert.deepEqual(relationsInSql(sql), [
      { qualifier: 'a', call: { kind: 'ref', name: 'a' } },
      { qualifier: 'first', call: { kind: 'ref', name: 'a' } },
      { qualifier: 'e', call: { kind: 'source', source: 'raw', table: 'events' } },
      { qualifier: 'b', call: { kind: 'ref', name: 'b' } },
      { qualifier: 'cc', call: { kind: 'ref', name: 'c' } },
    ]);
  });

  it('takes real columns from the store, then yml, then a seed’s header, with yml descriptions', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cm-catalog-'));
    try {
      await writeFile(path.join(dir, 'dbt_project.yml'), 'name: p\n');
      await mkdir(path.join(dir, 'models'));
      await mkdir(path.join(dir, 'seeds'));
      await writeFile(path.join(dir, 'models', 'built.sql'), "select 1 as id, 'x' as name\n");
      await writeFile(path.join(dir, 'models', 'unbuilt.sql'), 'select 1 as k\n');
      await writeFile(path.join(dir, 'seeds', 'countries.csv'), '\uFEFFcode,"country name"\nfr,France\n');
      await writeFile(path.join(dir, 'models', 'schema.yml'), `version: 2
models:
  - name: built
    columns:
      - name: ID
        description: the key
      - name: later
        description: added by the next change
  - name: unbuilt
    columns:
      - name: k
        data_type: integer
sources:
  - name: raw
    tables:
      - name: stars
        identifier: github_stars
`);
      const project = await loadProject(dir);
      const SQL = await testSql();
      const db = new SQL.Database();
      db.run('CREATE TABLE built (id INTEGER, name TEXT); CREATE TABLE github_stars (timestamp TEXT, project TEXT, stars INTEGER)');
      const catalog = buildColumnCatalog(project, storedColumns(db, catalogIdentifiers(project)));
      db.close();
      const of = (call: Parameters<typeof catalogEntryFor>[2]) => catalogEntryFor(project, catalog, call);
      assert.deepEqual(of({ kind: 'ref', name: 'built' })?.columns, [
        { name: 'id', type: 'INTEGER', from: 'store', description: 'the key' },
        { name: 'name', type: 'TEXT', from: 'store' },
        { name: 'later', from: 'yml', description: 'added by the next change' },
      ]);
      assert.deepEqual(of({ kind: 'ref', name: 'unbuilt' })?.columns, [{ name: 'k', type: 'integer', from: 'yml' }]);
      assert.deepEqual(of({ kind: 'ref', name: 'countries' })?.columns.map((c) => [c.name, c.from]), [['code', 'seed file'], ['country name', 'seed file']]);
      const src = of({ kind: 'source', source: 'raw', table: 'stars' });
      assert.equal(src?.call, "source('raw', 'stars')");
      assert.deepEqual(src?.columns.map((c) => c.name), ['timestamp', 'project', 'stars']);
      assert.equal(of({ kind: 'ref', name: 'nope' }), undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
