import assert from 'node:assert/strict';
import { ColumnLineageIndex } from '../../../src/core/lineage/columnLineage';
import type { ModelColumnLineage } from '../../../src/core/lineage/columnLineage';
import { lineageGraphFromManifest } from '../../../src/core/lineage/lineageGraph';
import { ID, SRC, manifestOf, starterManifest } from './starterManifest';

/** "column <- node.col, node.col" per output column; "unknown" where not traced. */
function summary(l: ModelColumnLineage): Record<string, string> {
  return Object.fromEntries(
    l.columns.map((c) => [c.name, c.trace.status === 'unknown' ? 'unknown' : `${c.trace.inputs.map((i) => `${i.node.split('.').pop()}.${i.column}`).join(', ')}${c.trace.status === 'partial' ? ' +unknown' : ''}`]),
  );
}

function lineage(sql: string, parents: Array<{ id: string; columns?: string[]; alias?: string; schema?: string; sql?: string }>, adapter?: string): ModelColumnLineage {
  const m = manifestOf([...parents, { id: 'model.p.m', sql, parents: parents.map((p) => p.id) }]);
  if (adapter) (m.metadata as Record<string, unknown>).adapter_type = adapter;
  return new ColumnLineageIndex(lineageGraphFromManifest(m)).of('model.p.m');
}

describe('column-level lineage from compiled SQL (node-sql-parser)', () => {
  it('traces every column of the starter project through CTEs, unions, joins and aggregates', async () => {
    const index = new ColumnLineageIndex(lineageGraphFromManifest(await starterManifest()));
    assert.deepEqual(summary(index.of(ID('daily_summary'))), {
      day: 'dockerhub_daily_summary.day, github_daily_summary.day, pypi_daily_summary.day, slack_daily_summary.day',
      pypi_downloads: 'pypi_daily_summary.num_downloads',
      dockerhub_pulls: 'dockerhub_daily_summary.total_pulls',
      github_stars: 'github_daily_summary.stars',
      slack_messages: 'slack_daily_summary.messages',
    });
    // DATE_TRUNC(DATE(timestamp), DAY): DAY is a keyword, not a column of the source.
    assert.deepEqual(summary(index.of(ID('dockerhub_daily_summary'))), { day: 'dockerhub_pulls.timestamp', image: 'dockerhub_pulls.image', total_pulls: 'dockerhub_pulls.pull_count' });
    assert.deepEqual(summary(index.of(ID('github_daily_summary'))), {
      day: 'github_daily_summary_history.day, github_stars.timestamp',
      project: 'github_daily_summary_history.project, github_stars.project',
      stars: 'github_daily_summary_history.stars, github_stars.stars',
    });
    assert.deepEqual(summary(index.of(ID('pypi_downloads'))), { day: 'pypi_version_downloads.date', project: 'pypi_version_downloads.package', version: 'pypi_version_downloads.version', downloads: 'pypi_version_downloads.downloads' });
    const messages = index.of(ID('slack_daily_summary')).columns.find((c) => c.name === 'messages')!;
    assert.deepEqual(messages.trace, { status: 'traced', inputs: [], transformation: 'AGGREGATION' });
    const pypi = index.of(ID('daily_summary')).columns.find((c) => c.name === 'pypi_downloads')!;
    assert.equal(pypi.trace.transformation, 'AGGREGATION');
    assert.equal(index.of(ID('pypi_downloads')).columns[1]!.trace.transformation, 'IDENTITY');
    assert.ok(SRC('dockerhub_pulls'));
  });

  it('an unqualified column over two relations of unknown columns is unknown, never a guess', () => {
    const l = lineage('select a, o.b from "x" join "y" o on o.id = x.id', [{ id: 'source.p.s.x' }, { id: 'source.p.s.y' }]);
    assert.deepEqual(summary(l), { a: 'unknown', b: 'y.b' });
  });

  it('an unqualified column is resolved when the other relations are known not to have it', () => {
    const l = lineage('select a, b from x join y on x.id = y.id', [{ id: 'source.p.s.x', columns: ['id', 'a'] }, { id: 'source.p.s.y', columns: ['id', 'b'] }]);
    assert.deepEqual(summary(l), { a: 'x.a', b: 'y.b' });
  });

  it('expands * from documented seed columns and from upstream models, and says when it cannot', () => {
    const known = lineage('select * from "main"."raw"', [{ id: 'seed.p.raw', columns: ['id', 'amount'] }]);
    assert.deepEqual(summary(known), { id: 'raw.id', amount: 'raw.amount' });
    assert.equal(known.complete, true);
    const fromModel = lineage('with u as (select * from up) select u.* from u', [{ id: 'model.p.up', sql: 'select 1 as one, z as two from s', columns: [] }]);
    assert.deepEqual(summary(fromModel), { one: 'up.one', two: 'up.two' });
    const unknown = lineage('select * from src', [{ id: 'source.p.s.src' }]);
    assert.equal(unknown.complete, false);
    assert.deepEqual(unknown.columns, []);
    assert.match(unknown.note ?? '', /\* over a relation whose columns are unknown/);
  });

  it('a relation that is not a parent, a scalar subquery, or a column a known relation lacks is unknown', () => {
    const l = lineage('select t.a, (select max(z) from other) as m, t.nope from t', [{ id: 'source.p.s.t', columns: ['a'] }]);
    assert.deepEqual(summary(l), { a: 't.a', m: 'unknown', nope: 'unknown' });
    const stranger = lineage('select q.a from elsewhere q', [{ id: 'source.p.s.t' }]);
    assert.deepEqual(summary(stranger), { a: 'unknown' });
  });

  it('keeps the known inputs of a partly traced column and flags it partial', () => {
    const l = lineage('select t.a + u.b as c from t, (select * from other_table) u', [{ id: 'source.p.s.t' }]);
    assert.deepEqual(summary(l), { c: 't.a +unknown' });
  });

  it('resolves schema-qualified names, aliases and identifiers; two parents with one name need the schema', () => {
    const l = lineage('select r.id from "analytics"."orders" r', [{ id: 'source.p.raw.orders', schema: 'raw' }, { id: 'model.p.orders_v2', alias: 'orders', schema: 'analytics' }]);
    assert.deepEqual(summary(l), { id: 'orders_v2.id' });
    const ambiguous = lineage('select r.id from orders r', [{ id: 'source.p.raw.orders', schema: 'raw' }, { id: 'model.p.orders_v2', alias: 'orders', schema: 'analytics' }]);
    assert.deepEqual(summary(ambiguous), { id: 'unknown' });
  });

  it('reads BigQuery backticks, UNION ALL by position, window functions and ephemeral CTEs', () => {
    const bq = lineage('select `proj.ds.events`.user_id, count(*) over (partition by kind) as n from `proj.ds.events`', [{ id: 'source.p.ds.events', schema: 'ds' }], 'bigquery');
    assert.deepEqual(summary(bq), { user_id: 'events.user_id', n: '' });
    const union = lineage('select a as x, b from t1 union all select c, d from t2', [{ id: 'seed.p.t1' }, { id: 'seed.p.t2' }]);
    assert.deepEqual(summary(union), { x: 't1.a, t2.c', b: 't1.b, t2.d' });
    const eph = lineage('with __dbt__cte__eph as (select 1 as k) select k from __dbt__cte__eph', [{ id: 'model.p.eph', sql: 'select 1 as k' }]);
    assert.deepEqual(summary(eph), { k: '' });
  });

  it('says why when there is no SQL or the parser cannot read it', () => {
    const none = lineage('', [{ id: 'source.p.s.t' }]);
    assert.match(none.note ?? '', /No compiled SQL/);
    const broken = lineage('select from where (', [{ id: 'source.p.s.t' }]);
    assert.match(broken.note ?? '', /could not read/);
    assert.deepEqual(broken.columns, []);
  });
});
