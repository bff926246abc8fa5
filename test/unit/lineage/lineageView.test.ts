import assert from 'node:assert/strict';
import { ColumnLineageIndex } from '../../../src/core/lineage/columnLineage';
import { layoutLineage } from '../../../src/core/lineage/elkLayout';
import { lineageGraphFromManifest } from '../../../src/core/lineage/lineageGraph';
import { buildLineageView } from '../../../src/core/lineage/lineageView';
import { lineageSvg } from '../../../src/core/lineage/svgExport';
import { ID, SRC, manifestOf, starterManifest } from './starterManifest';

const chain = (n: number) =>
  manifestOf(Array.from({ length: n }, (_, i) => ({ id: `model.p.m${String(i).padStart(2, '0')}`, parents: i === 0 ? [] : [`model.p.m${String(i - 1).padStart(2, '0')}`] })));

describe('lineage view: scope, expansion, node contents', () => {
  it('opens two hops up and down around the focus, counting what is hidden on the border nodes', () => {
    const g = lineageGraphFromManifest(chain(9));
    const v = buildLineageView(g, { focus: 'model.p.m04' });
    assert.deepEqual(v.nodes.map((n) => n.name), ['m02', 'm03', 'm04', 'm05', 'm06']);
    assert.equal(v.nodes[0]!.hiddenParents, 1);
    assert.equal(v.nodes[4]!.hiddenChildren, 1);
    assert.equal(v.edges.length, 4);
    assert.equal(v.focus, 'model.p.m04');
    const expanded = buildLineageView(g, { focus: 'model.p.m04', expanded: ['model.p.m02'] });
    assert.deepEqual(expanded.nodes.map((n) => n.name), ['m01', 'm02', 'm03', 'm04', 'm05', 'm06']);
    assert.equal(buildLineageView(g, { focus: 'model.p.m04', up: 0, down: 1 }).nodes.length, 2);
  });

  it('a selector decides what is visible; a bad one explains itself instead of drawing nothing', async () => {
    const g = lineageGraphFromManifest(await starterManifest());
    const v = buildLineageView(g, { selector: '+daily_summary', focus: ID('pypi_downloads') });
    assert.equal(v.nodes.length, 11);
    const bad = buildLineageView(g, { selector: 'colour:red' });
    assert.equal(bad.nodes.length, 0);
    assert.match(bad.empty ?? '', /could not be read: Unknown selector method 'colour:'/);
    assert.match(buildLineageView(g, { selector: 'nothing_like_this' }).empty ?? '', /No node matches 'nothing_like_this'/);
    assert.match(buildLineageView(lineageGraphFromManifest({}), {}).empty ?? '', /no sources, seeds or models yet/);
  });

  it('carries type, materialization, last run, tests and problems; open nodes list their traced columns', async () => {
    const g = lineageGraphFromManifest(await starterManifest());
    const index = new ColumnLineageIndex(g);
    const runs = new Map([[ID('daily_summary'), { status: 'success', durationMs: 420, rowsAffected: 31, completedAt: '2026-01-01T00:00:00Z' }]]);
    const v = buildLineageView(
      g,
      { focus: ID('daily_summary'), columnsOpen: [ID('daily_summary')] },
      { runs, nodeProblems: new Map([[ID('slack_daily_summary'), 'broken SQL']]), columnLineage: (id) => index.of(id) },
    );
    const daily = v.nodes.find((n) => n.id === ID('daily_summary'))!;
    assert.equal(daily.materialized, 'view');
    assert.equal(daily.run?.rowsAffected, 31);
    assert.equal(daily.tests.length, 2);
    assert.deepEqual(daily.columns.find((c) => c.name === 'github_stars')?.from, ['github_daily_summary.stars']);
    assert.ok(daily.height > v.nodes.find((n) => n.id === ID('github_daily_summary'))!.height);
    assert.equal(v.nodes.find((n) => n.id === ID('slack_daily_summary'))!.problem, 'broken SQL');
    assert.ok(v.nodes.some((n) => n.id === SRC('github_stars')));
  });

  it('lays out left to right, the same way every time, and exports an SVG naming every visible node', async () => {
    const g = lineageGraphFromManifest(await starterManifest());
    const v = buildLineageView(g, { selector: '+daily_summary' });
    const a = await layoutLineage(v);
    const b = await layoutLineage(v);
    assert.deepEqual(a, b);
    const x = (id: string) => a.nodes[id]!.x;
    assert.ok(x(SRC('github_stars')) < x(ID('github_daily_summary')) && x(ID('github_daily_summary')) < x(ID('daily_summary')));
    for (const e of v.edges) assert.ok((a.edges[e.id]?.length ?? 0) >= 2, `edge ${e.id} routed`);
    const svg = lineageSvg(v, a, { current: ID('daily_summary'), highlighted: new Set([ID('daily_summary')]) });
    assert.match(svg, /^<\?xml version="1.0"/);
    for (const n of v.nodes) assert.ok(svg.includes(`>${n.name}</text>`), `${n.name} is in the SVG`);
  });

  it('escapes names from files in the SVG', async () => {
    const m = manifestOf([{ id: 'model.p.evil' }]);
    (m.nodes as Record<string, Record<string, unknown>>)['model.p.evil']!.name = '<script>alert("x")</script>&\u0001';
    const v = buildLineageView(lineageGraphFromManifest(m), {});
    const svg = lineageSvg(v, await layoutLineage(v));
    assert.ok(!svg.includes('<script>'));
    assert.ok(svg.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;</text>'));
  });
});
