import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../support/fixtures';
import { benchManifest } from '../../support/lineageBenchManifest';
import { layoutLineage } from '../../../src/core/lineage/elkLayout';
import { lineageGraphFromManifest } from '../../../src/core/lineage/lineageGraph';
import { CLUSTER_ABOVE, GROUP_PREFIX, buildLineageView } from '../../../src/core/lineage/lineageView';
import { kindText, runText } from '../../../src/core/lineage/nodeText';

describe('lineage: large views drawn as groups (issue 14: readable at any size)', () => {
  const graph = lineageGraphFromManifest(benchManifest());

  it('the full view of 1,000 nodes is a box per folder and one per source, with an edge per pair of boxes', async () => {
    const every = buildLineageView(graph, {});
    assert.ok(every.nodes.length > CLUSTER_ABOVE);
    const view = buildLineageView(graph, { clusters: 'auto' });
    assert.deepEqual(view.nodes.map((n) => n.name), ['models/layer_0', 'models/layer_1', 'models/layer_2', 'models/layer_3', 'models/layer_4', 'models/layer_5', 'models/layer_6', 'models/layer_7', 'models/layer_8', 'models/layer_9', 'source raw']);
    assert.deepEqual(view.clustered, { nodes: every.nodes.length, groups: 11 });
    const layer0 = view.nodes.find((n) => n.name === 'models/layer_0');
    assert.equal(layer0?.group?.members, 100);
    assert.equal(kindText(layer0!), '100 models');
    assert.equal(runText(layer0!), 'not built yet');
    // Every edge joins two boxes, none a box to itself, none twice.
    const ids = new Set(view.nodes.map((n) => n.id));
    for (const e of view.edges) assert.ok(ids.has(e.source) && ids.has(e.target) && e.source !== e.target, e.id);
    assert.equal(new Set(view.edges.map((e) => e.id)).size, view.edges.length);
    assert.ok(view.edges.some((e) => e.source === `${GROUP_PREFIX}source raw` && e.target === `${GROUP_PREFIX}models/layer_0`));
    // Laid out by the real ELK: a drawing a panel can show.
    const laid = await layoutLineage(view);
    assert.equal(Object.keys(laid.nodes).length, 11);
  });

  it('a group opened by its id shows its nodes, wired to the other boxes', () => {
    const view = buildLineageView(graph, { clusters: 'auto', expanded: [`${GROUP_PREFIX}models/layer_3`] });
    const names = view.nodes.map((n) => n.name);
    assert.equal(names.filter((n) => /^model_3\d\d$/.test(n)).length, 100);
    assert.ok(!names.includes('models/layer_3'));
    assert.ok(names.includes('models/layer_2'));
    const ids = new Set(view.nodes.map((n) => n.id));
    for (const e of view.edges) assert.ok(ids.has(e.source) && ids.has(e.target), e.id);
    assert.ok(view.edges.some((e) => e.source === `${GROUP_PREFIX}models/layer_2` && e.target.startsWith('model.bench.model_3')));
  });

  it('small views, selectors picking few nodes and clusters "off" draw every node', () => {
    assert.equal(buildLineageView(graph, { clusters: 'auto', focus: 'model.bench.model_600' }).clustered, undefined);
    assert.equal(buildLineageView(graph, { clusters: 'auto', selector: '1+model_600+1' }).nodes.every((n) => !n.group), true);
    // A selector picking more than CLUSTER_ABOVE nodes is grouped as well.
    assert.ok(buildLineageView(graph, { clusters: 'auto', selector: '+model_900' }).clustered);
    assert.equal(buildLineageView(graph, { clusters: 'off' }).nodes.length, buildLineageView(graph, {}).nodes.length);
  });

  it('the CLI (built bundle) writes a large project’s SVG as the panel draws it, and every node with --every-node', async function () {
    // --every-node lays out 992 nodes with ELK in the CLI's process: seconds.
    this.timeout(120_000);
    const dir = await mkdtemp(path.join(tmpdir(), 'cm-lineage-svg-'));
    try {
      await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(benchManifest()));
      const run = (args: string[]) => promisify(execFile)(process.execPath, [path.join(repoRoot, 'dist/cli.js'), 'lineage', '--manifest', path.join(dir, 'manifest.json'), ...args]);
      const grouped = await run(['--svg', path.join(dir, 'grouped.svg')]);
      assert.match(grouped.stdout, /992 nodes written in 11 boxes \(11 folders grouped; --every-node draws each\)/);
      const svg = await readFile(path.join(dir, 'grouped.svg'), 'utf8');
      assert.ok(svg.includes('>models/layer_0<') && svg.includes('>100 models<'), 'a box per folder, saying what it holds');
      assert.ok(!svg.includes('>model_123<'));
      await run(['--svg', path.join(dir, 'every.svg'), '--every-node']);
      assert.ok((await readFile(path.join(dir, 'every.svg'), 'utf8')).includes('>model_123<'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
