import assert from 'node:assert/strict';
import { lineageGraphFromManifest } from '../../../src/core/lineage/lineageGraph';
import { ID, SRC, manifestOf, starterManifest } from './starterManifest';

describe('lineage graph from a dbt manifest', () => {
  it('reads the starter project: sources, seed and models as nodes, tests as badges, edges from parent_map', async () => {
    const g = lineageGraphFromManifest(await starterManifest());
    assert.equal(g.projectName, 'community_metrics');
    assert.deepEqual([...g.nodes.values()].map((n) => n.type).filter((t) => t === 'test'), []);
    assert.equal([...g.nodes.values()].filter((n) => n.type === 'model').length, 7);
    assert.equal([...g.nodes.values()].filter((n) => n.type === 'source').length, 4);
    assert.deepEqual(g.parents.get(ID('daily_summary')), [ID('dockerhub_daily_summary'), ID('github_daily_summary'), ID('pypi_daily_summary'), ID('slack_daily_summary')]);
    assert.deepEqual(g.children.get(SRC('github_stars')), [ID('github_daily_summary')]);
    const daily = g.nodes.get(ID('daily_summary'))!;
    assert.equal(daily.materialized, 'view');
    assert.equal(daily.path, 'models/daily_summary.sql');
    assert.deepEqual(daily.tests.map((t) => `${t.name}:${t.column}`).sort(), ['not_null:day', 'unique:day']);
    assert.equal(g.nodes.get(ID('pypi_downloads'))!.materialized, 'incremental');
    assert.equal(g.nodes.get(SRC('pypi_version_downloads'))!.relation, 'pypi_version_downloads_daily');
    assert.deepEqual(g.problems, []);
  });

  it('names a cycle, in data-flow order, as a problem instead of failing', () => {
    const g = lineageGraphFromManifest(
      manifestOf([
        { id: 'model.p.a', parents: ['model.p.c'] },
        { id: 'model.p.b', parents: ['model.p.a'] },
        { id: 'model.p.c', parents: ['model.p.b'] },
      ]),
    );
    const cycle = g.problems.find((p) => p.kind === 'cycle');
    assert.ok(cycle);
    assert.equal(cycle.message, 'Dependency cycle: a → b → c → a');
    assert.deepEqual(cycle.nodes.sort(), ['model.p.a', 'model.p.b', 'model.p.c']);
  });

  it('survives a manifest of junk and one whose parents are missing', () => {
    assert.equal(lineageGraphFromManifest(null).nodes.size, 0);
    assert.equal(lineageGraphFromManifest({ nodes: 3, sources: [1], parent_map: 'x' }).nodes.size, 0);
    const g = lineageGraphFromManifest(manifestOf([{ id: 'model.p.a', parents: ['model.other.gone'] }]));
    assert.deepEqual(g.parents.get('model.p.a'), []);
    assert.match(g.problems[0]!.message, /a depends on model\.other\.gone/);
  });

  it('falls back to depends_on when a manifest has no parent_map, and reads compiled_sql of old dbt', () => {
    const m = manifestOf([{ id: 'source.p.s.t' }, { id: 'model.p.a', parents: ['source.p.s.t'] }]);
    delete m.parent_map;
    (m.nodes as Record<string, Record<string, unknown>>)['model.p.a']!.compiled_sql = 'select 1 as x';
    const g = lineageGraphFromManifest(m);
    assert.deepEqual(g.parents.get('model.p.a'), ['source.p.s.t']);
    assert.equal(g.nodes.get('model.p.a')!.compiledSql, 'select 1 as x');
  });
});
