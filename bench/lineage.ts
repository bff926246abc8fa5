/**
 * Lineage benchmark: a generated 1,000-node dbt manifest; layout (ELK, in the webview's worker) and
 * first render of the scoped view (two hops around one model) and of the full graph, measured in
 * Chromium with the real webview bundle. Each view is drawn with the layout settings of before the
 * large-graph change (PREVIOUS_LAYOUT_OPTIONS) and with today's (elkInputFor), alternately, in the
 * same run, each on a fresh page; plus the full graph drawn in a page that drew the scoped view
 * first (as a person gets there: the panel opens scoped, then "Full graph").
 * Run: `npm run build && node --import tsx bench/lineage.ts [--runs N] [--write]`; --write puts the
 * section in place of the lineage section of bench/RESULTS.md (other sections are left alone).
 */
import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { checkLayout } from '../src/core/lineage/layoutCheck';
import { LARGE_GRAPH_NODES, elkInputFor, layoutNoteFor } from '../src/core/lineage/layoutGraph';
import type { ElkInput, LaidOut } from '../src/core/lineage/layoutGraph';
import { lineageGraphFromManifest } from '../src/core/lineage/lineageGraph';
import { buildLineageView } from '../src/core/lineage/lineageView';
import type { LineageView } from '../src/core/lineage/lineageView';
import { CLUSTER_ABOVE, GROUP_PREFIX } from '../src/core/lineage/lineageView';
import { LINEAGE_BODY } from '../src/core/lineage/panelMarkup';

const ROOT = path.resolve(__dirname, '..');
const NODES = 1000;
const SOURCES = 50;
const RUNS = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const WRITE = process.argv.includes('--write');

/** src/core/lineage/layoutGraph.ts's LAYOUT_OPTIONS as of b2c9a0f, for every size: the "before". */
const PREVIOUS_LAYOUT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.randomSeed': '1',
  'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.layered.cycleBreaking.strategy': 'MODEL_ORDER',
  'elk.spacing.nodeNode': '24',
  'elk.layered.spacing.nodeNodeBetweenLayers': '64',
  'elk.spacing.edgeNode': '16',
  'elk.padding': '[top=24,left=24,bottom=24,right=24]',
  'elk.separateConnectedComponents': 'true',
  'elk.spacing.componentComponent': '40',
};

/** A layered DAG like a large dbt project: sources, then models reading 1–3 earlier nodes. */
function manifest(): Record<string, unknown> {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const sources: Record<string, unknown> = {};
  const nodes: Record<string, unknown> = {};
  const parentMap: Record<string, string[]> = {};
  const ids: string[] = [];
  for (let i = 0; i < SOURCES; i++) {
    const id = `source.bench.raw.table_${i}`;
    sources[id] = { unique_id: id, name: `table_${i}`, source_name: 'raw', resource_type: 'source', fqn: ['bench', 'raw', `table_${i}`] };
    parentMap[id] = [];
    ids.push(id);
  }
  for (let i = 0; i < NODES - SOURCES; i++) {
    const id = `model.bench.model_${i}`;
    const window = Math.min(ids.length, 120);
    const parents = new Set<string>();
    const count = 1 + Math.floor(rand() * 3);
    for (let k = 0; k < count; k++) parents.add(ids[ids.length - 1 - Math.floor(rand() * window)] as string);
    nodes[id] = { unique_id: id, name: `model_${i}`, resource_type: 'model', path: `layer_${Math.floor(i / 100)}/model_${i}.sql`, original_file_path: `models/layer_${Math.floor(i / 100)}/model_${i}.sql`, config: { materialized: i % 3 === 0 ? 'table' : 'view', tags: [] }, fqn: ['bench', `model_${i}`], depends_on: { nodes: [...parents] }, columns: {} };
    parentMap[id] = [...parents];
    ids.push(id);
  }
  return { metadata: { project_name: 'bench' }, nodes, sources, parent_map: parentMap };
}

interface Drawn {
  type: string;
  layoutMs: number;
  measureMs?: number;
  renderMs: number;
  offThread: boolean;
  layout: LaidOut;
  message?: string;
}

interface Times {
  wall: number;
  layout: number;
  /** Of the layout: measuring the nodes' text (webview/lineage/nodeFit.ts). */
  measure: number;
  render: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[(s.length - 1) / 2] as number) : Math.round(((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2);
};
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(', ');

async function main(): Promise<void> {
  const graph = lineageGraphFromManifest(manifest());
  const scoped = buildLineageView(graph, { focus: 'model.bench.model_600', up: 2, down: 2 });
  const full = buildLineageView(graph, {});
  // What "Full graph" draws in the panel now: more than CLUSTER_ABOVE nodes, so a box per folder and source.
  const grouped = buildLineageView(graph, { clusters: 'auto' });
  // One of those boxes opened (a click on it): its 100 models and the other boxes.
  const opened = buildLineageView(graph, { clusters: 'auto', expanded: [`${GROUP_PREFIX}models/layer_5`] });
  const page = `<!DOCTYPE html><html><head><link rel="stylesheet" href="/media/lineage.css"></head>
<body data-worker="/dist/webview/lineageLayout.js">
${LINEAGE_BODY}
<script>window.__rendered = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => { if (m.type === 'rendered' || m.type === 'error') window.__rendered.push(m); }, getState: () => undefined, setState: () => {} });</script>
<script src="/dist/webview/lineage.js"></script></body></html>`;
  const server = createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page);
      return;
    }
    const file = path.join(ROOT, decodeURIComponent((req.url ?? '').split('?')[0] ?? ''));
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.endsWith('.css') ? 'text/css' : 'text/javascript' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const settings = {
    before: (view: LineageView): ElkInput => ({ ...elkInputFor(view), layoutOptions: PREVIOUS_LAYOUT_OPTIONS }),
    after: (view: LineageView): ElkInput => elkInputFor(view),
  };
  type Setting = keyof typeof settings;
  /** Posts the views one after the other to one fresh page; the times and the drawing of each. */
  async function draw(views: LineageView[], setting: Setting): Promise<Array<Times & { drawn: LaidOut }>> {
    const p = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await p.goto(url);
      const out: Array<Times & { drawn: LaidOut }> = [];
      for (const [i, view] of views.entries()) {
        const note = setting === 'after' ? layoutNoteFor(view.nodes.length) : undefined;
        const message = { type: 'view', view, elk: settings[setting](view), request: {}, ...(note ? { layoutNote: note } : {}) };
        const t0 = Date.now();
        await p.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`);
        await p.waitForFunction(`window.__rendered.length > ${i}`, undefined, { timeout: 180_000 });
        const wall = Date.now() - t0;
        const r = (await p.evaluate(`window.__rendered[${i}]`)) as Drawn;
        if (r.type !== 'rendered') throw new Error(`webview error: ${r.message}`);
        if (!r.offThread) throw new Error('the layout did not run in the worker');
        out.push({ wall, layout: r.layoutMs, measure: r.measureMs ?? 0, render: r.renderMs, drawn: r.layout });
      }
      return out;
    } finally {
      await p.close();
    }
  }
  const loadStart = load();
  const cases = [
    { name: 'scoped (2 hops around one model)', view: scoped, views: [scoped] },
    { name: 'full graph', view: full, views: [full] },
    { name: 'full graph, after the scoped view in the same page', view: full, views: [scoped, full] },
    { name: 'full graph grouped by folder (what the panel draws)', view: grouped, views: [grouped] },
    { name: 'full graph grouped, one folder opened', view: opened, views: [opened] },
  ];
  const rows: string[] = [];
  const quality: string[] = [];
  const runs: string[] = [];
  try {
    for (const c of cases) {
      const times: Record<Setting, Times[]> = { before: [], after: [] };
      const drawn: Partial<Record<Setting, string>> = {};
      for (let i = 0; i < RUNS; i++) {
        // Alternate which goes first, so that neither always meets the other's leftovers.
        for (const setting of (i % 2 === 0 ? ['before', 'after'] : ['after', 'before']) as Setting[]) {
          const result = (await draw(c.views, setting)).at(-1) as Times & { drawn: LaidOut };
          times[setting].push({ wall: result.wall, layout: result.layout, measure: result.measure, render: result.render });
          const picture = JSON.stringify(result.drawn);
          if (drawn[setting] !== undefined && drawn[setting] !== picture) throw new Error(`${c.name} (${setting}): not the same picture twice`);
          drawn[setting] = picture;
          console.log(`${c.name} · ${setting} · run ${i + 1}: layout ${result.layout} ms, render ${result.render} ms, to drawn ${result.wall} ms (load ${load()})`);
        }
      }
      for (const setting of ['before', 'after'] as Setting[]) {
        const t = times[setting];
        rows.push(`| ${c.name} | ${setting} | ${c.view.nodes.length} | ${c.view.edges.length} | ${median(t.map((x) => x.layout))} | ${median(t.map((x) => x.measure))} | ${median(t.map((x) => x.render))} | ${median(t.map((x) => x.wall))} |`);
        runs.push(`- ${c.name}, ${setting}: to drawn ${t.map((x) => x.wall).join(', ')} ms (layout ${t.map((x) => x.layout).join(', ')})`);
      }
      const ratio = (k: keyof Times) => (median(times.before.map((x) => x[k])) / median(times.after.map((x) => x[k]))).toFixed(2);
      rows.push(`| ${c.name} | before ÷ after | | | ${ratio('layout')}× | | ${ratio('render')}× | ${ratio('wall')}× |`);
      if (c.views.length === 1) {
        for (const setting of ['before', 'after'] as Setting[]) {
          const l = JSON.parse(drawn[setting] as string) as LaidOut;
          const q = checkLayout(c.view.edges, l);
          quality.push(`| ${c.name} | ${setting} | ${q.routed} of ${c.view.edges.length} | ${q.crossings} | ${q.throughNodes} | ${q.leftward} | ${Math.round(l.width)} × ${Math.round(l.height)} |`);
        }
      }
      for (const r of rows.slice(-3)) console.log(r);
    }
  } finally {
    await browser.close();
    server.close();
  }
  const section = `## ${new Date().toISOString().slice(0, 10)} — lineage: layout and first render of a 1,000-node project in Chromium

Machine: \`${execSync('uname -a').toString().trim()}\`, nproc ${os.cpus().length}, Node ${process.version}, ${execSync('/usr/bin/chromium --version').toString().trim()}.
Load average (1, 5, 15 min) at the start ${loadStart}, at the end ${load()} (the machine is shared with other engineers' test runs; the bench itself keeps both cores busy).
Command: \`npm run build && node --import tsx bench/lineage.ts --runs ${RUNS} --write\`. A generated manifest (${SOURCES} sources, ${NODES - SOURCES} models, each reading
1–3 of the 120 nodes before it), drawn by the real webview bundle (ELK in its Web Worker) in headless Chromium. "before" is the
layout settings of b2c9a0f for every size; "after" is today's \`elkInputFor\` (more than ${LARGE_GRAPH_NODES} nodes: the large-graph settings).
"full graph" is every node (the panel's "Show every node"); the panel's own full view has more than ${CLUSTER_ABOVE} nodes, so it
draws a box per folder and source ("grouped"), and a click on one opens it ("one folder opened").
Both run in the same bundle, alternately, each on a fresh page; median of ${RUNS} runs each, times in ms. "layout" and "render" are
the webview's own measurements ("measure text": the part of "layout" that measures every line of every node in its
font, canvas measureText, to size the boxes); "to drawn" is from posting the view to the webview's \`rendered\` message.

| view | settings | nodes | edges | layout | measure text | render | to drawn |
|---|---|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

Every run (to drawn, and layout):

${runs.join('\n')}

The drawings compared (checkLayout, src/core/lineage/layoutCheck.ts; each setting gave the same picture in every run):

| view | settings | edges routed | edge crossings | edges through a node | edges drawn right to left | size (px) |
|---|---|---:|---:|---:|---:|---|
${quality.join('\n')}
`;
  console.log(`\n${section}`);
  if (WRITE) {
    const file = path.join(ROOT, 'bench/RESULTS.md');
    const text = readFileSync(file, 'utf8');
    const start = text.search(/^## .*lineage: layout and first render/m);
    if (start < 0) writeFileSync(file, `${text.trimEnd()}\n\n${section}`);
    else {
      const next = text.slice(start + 3).search(/^## /m);
      const end = next < 0 ? text.length : start + 3 + next;
      writeFileSync(file, `${text.slice(0, start)}${section}\n${text.slice(end)}`);
    }
    console.log(`written to ${path.relative(process.cwd(), file)}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
