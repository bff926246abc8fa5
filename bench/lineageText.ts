/**
 * What measuring node text costs: the 1,000-node every-node view (test/support/lineageBenchManifest.ts,
 * the shape of bench/lineage.ts) drawn in Chromium by this build's webview bundle, whose boxes are
 * sized from text measured in its font, and by another build's (`--baseline DIR`: a checkout of an
 * earlier commit, built there, e.g. 3dd315d whose boxes came from 7.2 px per character), on fresh
 * pages, alternately, in the same run. Prints a section for bench/RESULTS.md.
 * Run: `npm run build && node --import tsx bench/lineageText.ts --baseline DIR [--runs N]`.
 */
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { elkInputFor } from '../src/core/lineage/layoutGraph';
import { lineageGraphFromManifest } from '../src/core/lineage/lineageGraph';
import { buildLineageView } from '../src/core/lineage/lineageView';
import { LINEAGE_BODY } from '../src/core/lineage/panelMarkup';
import { benchManifest } from '../test/support/lineageBenchManifest';

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const RUNS = Number(arg('--runs')) || 5;
const BASELINE = arg('--baseline');
const ROOT = path.resolve(__dirname, '..');

const PAGE = `<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="stylesheet" href="/media/lineage.css"></head><body data-worker="/dist/webview/lineageLayout.js">${LINEAGE_BODY}<script>window.__r = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => { if (m.type === 'rendered' || m.type === 'error') window.__r.push(m); }, getState: () => undefined, setState: () => {} });</script><script src="/dist/webview/lineage.js"></script></body></html>`;

async function serve(root: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    let body: Buffer;
    try {
      body = readFileSync(path.join(root, decodeURIComponent((req.url ?? '').split('?')[0] ?? '')));
    } catch {
      return void res.writeHead(404).end();
    }
    res.writeHead(200, { 'content-type': (req.url ?? '').endsWith('.css') ? 'text/css' : 'text/javascript' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[(s.length - 1) / 2] as number) : Math.round(((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2);
};
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(', ');

async function main(): Promise<void> {
  if (!BASELINE) throw new Error('--baseline DIR: a built checkout of the commit to compare with (its dist/webview and media/)');
  const baselineCommit = execSync('git rev-parse --short HEAD', { cwd: BASELINE }).toString().trim();
  const view = buildLineageView(lineageGraphFromManifest(benchManifest()), {});
  const message = JSON.stringify({ type: 'view', view, elk: elkInputFor(view), request: {} });
  const builds = { baseline: await serve(BASELINE), measured: await serve(ROOT) };
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const times: Record<keyof typeof builds, Array<{ wall: number; layout: number; measure: number; render: number; width: number }>> = { baseline: [], measured: [] };
  const loadStart = load();
  try {
    for (let i = 0; i < RUNS; i++) {
      for (const k of (i % 2 === 0 ? ['baseline', 'measured'] : ['measured', 'baseline']) as Array<keyof typeof builds>) {
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        try {
          await page.goto(builds[k].url);
          const t0 = Date.now();
          await page.evaluate(`window.postMessage(${message}, '*')`);
          await page.waitForFunction('window.__r.length > 0', undefined, { timeout: 180_000 });
          const wall = Date.now() - t0;
          const r = (await page.evaluate('window.__r[0]')) as { type: string; message?: string; layoutMs: number; measureMs?: number; renderMs: number; layout: { width: number } };
          if (r.type !== 'rendered') throw new Error(`${k}: ${r.message}`);
          times[k].push({ wall, layout: r.layoutMs, measure: r.measureMs ?? 0, render: r.renderMs, width: Math.round(r.layout.width) });
          console.log(`${k} run ${i + 1}: to drawn ${wall} ms, layout ${r.layoutMs} ms (measuring ${r.measureMs ?? '-'}), render ${r.renderMs} ms (load ${load()})`);
        } finally {
          await page.close();
        }
      }
    }
  } finally {
    await browser.close();
    for (const b of Object.values(builds)) b.server.close();
  }
  const row = (k: keyof typeof builds, label: string) => {
    const t = times[k];
    return `| ${label} | ${median(t.map((x) => x.layout))} | ${k === 'measured' ? median(t.map((x) => x.measure)) : '–'} | ${median(t.map((x) => x.render))} | ${median(t.map((x) => x.wall))} | ${t.map((x) => x.wall).join(', ')} |`;
  };
  const head = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
  console.log(`
## ${new Date().toISOString().slice(0, 10)} — lineage: what measuring node text costs, 1,000-node every-node view (bench/lineageText.ts)

Machine: \`${execSync('uname -a').toString().trim()}\`, nproc ${os.cpus().length}, Node ${process.version}, ${execSync('/usr/bin/chromium --version').toString().trim()}.
Load average at the start ${loadStart}, at the end ${load()} (shared machine).
Command: \`npm run build && node --import tsx bench/lineageText.ts --baseline DIR --runs ${RUNS}\`, DIR a built checkout of ${baselineCommit}
(node boxes from 7.2 px per character of the name); "measured" is this build (${head}, plus uncommitted changes if any): every line of every node measured in
its font (canvas measureText) before ELK lays the graph out. The view the panel draws with "Show every node" (992 nodes, 1,876
edges), each on a fresh page, alternately; median of ${RUNS} runs, ms.

| build | layout | of it, measuring text | render | to drawn | every run, to drawn |
|---|---:|---:|---:|---:|---|
${row('baseline', `${baselineCommit} (estimated)`)}
${row('measured', 'measured')}
`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
