import assert from 'node:assert/strict';
import ELK from 'elkjs/lib/elk.bundled.js';
import { layoutLineage } from '../../../src/core/lineage/elkLayout';
import { checkLayout } from '../../../src/core/lineage/layoutCheck';
import { LARGE_GRAPH_NODES, LARGE_GRAPH_OPTIONS, LAYOUT_OPTIONS, elkInputFor, laidOutFrom, layoutNoteFor, topologicalOrder } from '../../../src/core/lineage/layoutGraph';
import type { LaidOut } from '../../../src/core/lineage/layoutGraph';
import { lineageGraphFromManifest } from '../../../src/core/lineage/lineageGraph';
import { buildLineageView } from '../../../src/core/lineage/lineageView';
import { manifestOf } from './starterManifest';

/** A layered DAG like a large dbt project (the shape of bench/lineage.ts's): sources, then models reading 1–3 recent nodes. */
function largeManifest(count: number, sources: number, cycle = false): Record<string, unknown> {
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const ids: string[] = [];
  const nodes: Array<{ id: string; parents?: string[] }> = [];
  for (let i = 0; i < sources; i++) {
    ids.push(`source.p.raw.t${i}`);
    nodes.push({ id: `source.p.raw.t${i}` });
  }
  for (let i = 0; ids.length < count; i++) {
    const parents = new Set<string>();
    const k = 1 + Math.floor(rand() * 3);
    for (let j = 0; j < k; j++) parents.add(ids[ids.length - 1 - Math.floor(rand() * Math.min(ids.length, 40))] as string);
    ids.push(`model.p.m${i}`);
    nodes.push({ id: `model.p.m${i}`, parents: [...parents] });
  }
  if (cycle) {
    // The last three models read each other in a ring (nothing else reads them): a → b → c → a.
    const [a, b, c] = nodes.slice(-3) as Array<{ id: string; parents: string[] }>;
    b!.parents.push(a!.id);
    c!.parents.push(b!.id);
    a!.parents.push(c!.id);
  }
  return manifestOf(nodes);
}

describe('lineage layout of large views', () => {
  it('keeps the full settings up to the threshold and says when the quicker ones are used', () => {
    const small = buildLineageView(lineageGraphFromManifest(largeManifest(LARGE_GRAPH_NODES, 10)), {});
    assert.equal(small.nodes.length, LARGE_GRAPH_NODES);
    assert.equal(elkInputFor(small).layoutOptions, LAYOUT_OPTIONS);
    assert.equal(layoutNoteFor(small.nodes.length), undefined);
    const large = buildLineageView(lineageGraphFromManifest(largeManifest(LARGE_GRAPH_NODES + 1, 10)), {});
    assert.equal(elkInputFor(large).layoutOptions, LARGE_GRAPH_OPTIONS);
    assert.match(layoutNoteFor(large.nodes.length)?.detail ?? '', /more edge crossings/);
    // Still ELK layered, left to right, edges routed orthogonally.
    for (const k of ['elk.algorithm', 'elk.direction', 'elk.edgeRouting', 'elk.randomSeed', 'elk.layered.cycleBreaking.strategy']) {
      assert.equal(LARGE_GRAPH_OPTIONS[k], LAYOUT_OPTIONS[k], k);
    }
  });

  it('lays out a 300-node graph left to right, the same every time, no edge drawn through a node', async function () {
    this.timeout(120_000);
    const v = buildLineageView(lineageGraphFromManifest(largeManifest(300, 15)), {});
    assert.ok(v.nodes.length > LARGE_GRAPH_NODES);
    const a = await layoutLineage(v);
    const b = await layoutLineage(v);
    assert.deepEqual(a, b);
    assert.equal(Object.keys(a.nodes).length, v.nodes.length);
    for (const n of v.nodes) assert.deepEqual([a.nodes[n.id]?.width, a.nodes[n.id]?.height], [n.width, n.height], `${n.id} keeps its size`);
    const q = checkLayout(v.edges, a);
    assert.equal(q.routed, v.edges.length);
    assert.equal(q.throughNodes, 0);
    assert.equal(q.leftward, 0);
  });

  it('with the quicker settings a cycle is still broken at the edge against the input order', async function () {
    this.timeout(120_000);
    const v = buildLineageView(lineageGraphFromManifest(largeManifest(60, 5, true)), {});
    const layout = laidOutFrom(await new ELK().layout({ ...elkInputFor(v), layoutOptions: LARGE_GRAPH_OPTIONS }));
    const q = checkLayout(v.edges, layout);
    assert.equal(q.routed, v.edges.length);
    assert.equal(q.throughNodes, 0);
    assert.equal(q.leftward, 1);
    // Kept in the input order (a, b, c: topologicalOrder places a cycle as one block, sorted by id); c → a goes back.
    const x = (id: string) => (layout.nodes[id] as LaidOut['nodes'][string]).x;
    assert.ok(x('model.p.m52') < x('model.p.m53') && x('model.p.m53') < x('model.p.m54'));
    assert.ok(v.problems.some((p) => p.kind === 'cycle'));
  });

  it('orders a cycle as one block, after what feeds it and before what it feeds', () => {
    const e = (source: string, target: string) => ({ source, target });
    // m ⇄ n is fed by z and feeds a: a must not come before n (sorted by id, it used to).
    assert.deepEqual(topologicalOrder(['a', 'm', 'n', 'z'], [e('m', 'n'), e('n', 'm'), e('n', 'a'), e('z', 'm')]), ['z', 'm', 'n', 'a']);
    // Without a cycle: Kahn's order, ties broken by id.
    assert.deepEqual(topologicalOrder(['c', 'b', 'a'], [e('b', 'a')]), ['b', 'a', 'c']);
    // A long chain (no recursion to overflow), given backwards.
    const ids = Array.from({ length: 20_000 }, (_, i) => `n${String(i).padStart(5, '0')}`);
    const chain = ids.slice(1).map((id, i) => e(id, ids[i] as string));
    assert.deepEqual(topologicalOrder(ids, chain), [...ids].reverse());
  });

  it('checkLayout counts crossings, edges through nodes and edges going right to left', () => {
    const layout: LaidOut = {
      width: 400,
      height: 300,
      nodes: { a: { x: 0, y: 0, width: 50, height: 50 }, b: { x: 200, y: 0, width: 50, height: 50 }, c: { x: 100, y: 100, width: 50, height: 50 }, d: { x: 300, y: 200, width: 50, height: 50 } },
      edges: {
        // a → b straight across; c → d down and across, crossing nothing.
        ab: [{ x: 50, y: 25 }, { x: 200, y: 25 }],
        cd: [{ x: 150, y: 125 }, { x: 170, y: 125 }, { x: 170, y: 225 }, { x: 300, y: 225 }],
        // a → d: through c, and across the vertical segment of c → d.
        ad: [{ x: 50, y: 40 }, { x: 60, y: 40 }, { x: 60, y: 130 }, { x: 280, y: 130 }, { x: 280, y: 215 }, { x: 300, y: 215 }],
        // d → a: right to left, around everything.
        da: [{ x: 325, y: 250 }, { x: 325, y: 280 }, { x: -10, y: 280 }, { x: -10, y: 25 }, { x: 0, y: 25 }],
      },
    };
    const q = checkLayout(
      [
        { id: 'ab', source: 'a', target: 'b' },
        { id: 'cd', source: 'c', target: 'd' },
        { id: 'ad', source: 'a', target: 'd' },
        { id: 'da', source: 'd', target: 'a' },
      ],
      layout,
    );
    assert.deepEqual(q, { routed: 4, crossings: 1, throughNodes: 1, leftward: 1 });
  });
});
