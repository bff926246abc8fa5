/**
 * Lineage benchmark: a generated 1,000-node dbt manifest; layout (ELK, in the webview's worker) and
 * first render of the scoped view (two hops around one model) and of the full graph, measured in
 * Chromium with the real webview bundle. Run: `npm run build && node --import tsx bench/lineage.ts`.
 */
import { execSync } from 'node:child_process';
import { readFileSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { elkInputFor } from '../src/core/lineage/layoutGraph';
import { lineageGraphFromManifest } from '../src/core/lineage/lineageGraph';
import { buildLineageView } from '../src/core/lineage/lineageView';

const ROOT = path.resolve(__dirname, '..');
const NODES = 1000;
const SOURCES = 50;

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

async function main(): Promise<void> {
  const graph = lineageGraphFromManifest(manifest());
  const scoped = buildLineageView(graph, { focus: 'model.bench.model_600', up: 2, down: 2 });
  const full = buildLineageView(graph, {});
  const page = `<!DOCTYPE html><html><head><link rel="stylesheet" href="/media/lineage.css"></head>
<body data-worker="/dist/webview/lineageLayout.js">
<div class="toolbar"><input id="selector"><button id="apply"></button><button id="around"></button><button id="full"></button><button id="fit"></button><button id="zoom-in"></button><button id="zoom-out"></button><button id="export-svg"></button><button id="export-png"></button><span id="status"></span></div>
<div id="banner" hidden></div><div id="message" hidden></div><div id="empty" hidden></div>
<svg id="graph" style="width:1400px;height:900px"><g id="viewport"></g></svg>
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
  const rows: string[] = [];
  try {
    for (const [name, view] of [['scoped (2 hops around one model)', scoped], ['full graph', full]] as const) {
      const times: { wall: number; layout: number; render: number; offThread: boolean }[] = [];
      for (let i = 0; i < 3; i++) {
        const p = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        await p.goto(url);
        const message = { type: 'view', view, elk: elkInputFor(view), request: {} };
        const t0 = Date.now();
        await p.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`);
        await p.waitForFunction('window.__rendered.length > 0', undefined, { timeout: 120_000 });
        const wall = Date.now() - t0;
        const r = (await p.evaluate('window.__rendered[0]')) as { type: string; layoutMs: number; renderMs: number; offThread: boolean; message?: string };
        if (r.type !== 'rendered') throw new Error(`webview error: ${r.message}`);
        times.push({ wall, layout: r.layoutMs, render: r.renderMs, offThread: r.offThread });
        await p.close();
      }
      const med = (k: 'wall' | 'layout' | 'render') => times.map((t) => t[k]).sort((a, b) => a - b)[1] as number;
      rows.push(`| ${name} | ${view.nodes.length} | ${view.edges.length} | ${med('layout')} | ${med('render')} | ${med('wall')} | ${times.every((t) => t.offThread) ? 'yes' : 'no'} |`);
      console.log(rows[rows.length - 1]);
    }
  } finally {
    await browser.close();
    server.close();
  }
  const section = `
## ${new Date().toISOString().slice(0, 10)} — lineage: layout and first render of a 1,000-node project in Chromium

Machine: \`${execSync('uname -a').toString().trim()}\`, nproc ${os.cpus().length}, Node ${process.version}, ${execSync('/usr/bin/chromium --version').toString().trim()}.
Command: \`npm run build && node --import tsx bench/lineage.ts\`. A generated manifest (${SOURCES} sources, ${NODES - SOURCES} models, each reading
1–3 of the 120 nodes before it), drawn by the real webview bundle (ELK in its Web Worker) in headless Chromium; median of 3 fresh pages, times in ms.
"layout" and "render" are the webview's own measurements; "to drawn" is from posting the view to the webview's \`rendered\` message.

| view | nodes | edges | layout | render | to drawn | layout off the main thread |
|---|---:|---:|---:|---:|---:|---|
${rows.join('\n')}
`;
  appendFileSync(path.join(ROOT, 'bench/RESULTS.md'), section);
  console.log(section);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
