/**
 * Charts and insights benchmark.
 *  1. A 10-series × 10-year daily metric chart: the SQL aggregation (metricSeries over sql.js) and the
 *     render in Chromium (vega-embed with the CSP-safe expression interpreter, SVG renderer, as the
 *     panel does), from handing the spec to vega-embed until the SVG is in the page.
 *  1b. A model's own `.vl.json` line chart (10 series × 2,000 days, and 4 × 5,000: 20,000 rows, the
 *     model chart's row cap) drawn by the panels' ChartView, whose rows are reduced to the plot's pixel columns,
 *     against the same ChartView drawing every row and vega's compiled expressions drawing every row.
 *  2. The four insight detectors (storeInsights) over 5 years of daily data for 100 artifacts.
 *
 * Baselines, measured in the same run, alternating with the product's runs:
 *  - the SQL (aggregation and detectors) on native SQLite (better-sqlite3) over the same database;
 *  - the render with vega's default expression compiler (new Function: what a page without the
 *    strict CSP would use) instead of the interpreter the panels must use.
 *
 *   npm run build first: the dashboard is drawn by dist/webview/charts.js.
 *   node --import tsx bench/charts.ts            print the results
 *   node --import tsx bench/charts.ts --charts-only   without the insights section
 *   node --import tsx bench/charts.ts --append   also append them to bench/RESULTS.md
 *   node --import tsx bench/charts.ts --model-only   the .vl.json chart and the dashboard only
 */
import { execSync } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { metricChart } from '../src/core/charts/metricChart';
import { modelChart } from '../src/core/charts/modelChart';
import { query } from '../src/core/project/storeAccess';
import { metricSeries } from '../src/core/charts/metricSeries';
import { seedViews } from '../src/core/charts/seedViews';
import { storeInsights } from '../src/core/insights/storeInsights';
import type { InsightArtifact } from '../src/core/insights/storeInsights';
import { headlineFigures } from '../src/core/charts/headlines';
import type { ViewArtifact } from '../src/core/charts/seedViews';
import { upsertIssueComments, upsertIssues, upsertReleases, upsertStarHistory } from '../src/core/store/githubRows';
import { insertDockerHubSnapshot, upsertNpmDaily, upsertPypiDaily, upsertPypiVersionDaily } from '../src/core/store/packageRows';
import { upsertSlackMessages } from '../src/core/store/slackRows';
import { MetricsStore } from '../src/core/store/store';
import { loadSqlJs } from '../src/core/store/sqljs';
import { nativeReader } from './nativeReader';
import { ARIA_ROWS_LIMIT } from '../webview/charts/shared/messages';

const ratio = (a: number[], b: number[]) => (median(a) / median(b)).toFixed(2);
const list = (xs: number[]) => xs.map((t) => t.toFixed(0)).join(', ');

const root = path.resolve(__dirname, '..');
const RUNS = 5;
/** The chart element's width in the bench page: the plot the panel would report. */
const PLOT_WIDTH = 1100;
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
const ms = (t0: number) => Number(process.hrtime.bigint() - BigInt(t0)) / 1e6;
const now = () => Number(process.hrtime.bigint());

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/**
 * A Chromium page running `script` (bundled by esbuild from the repository's root) on a page whose
 * chart element is PLOT_WIDTH wide; `url` opens another page of it.
 */
async function benchPage(prefix: string, script: string): Promise<{ dir: string; browser: Browser; page: Page; url: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  await esbuild.build({
    stdin: { contents: script, resolveDir: root },
    bundle: true, format: 'iife', platform: 'browser', outfile: path.join(dir, 'bench.js'), logLevel: 'warning',
  });
  await writeFile(path.join(dir, 'index.html'), `<!DOCTYPE html><html><body style="width:1200px"><div id="chart" style="width:${PLOT_WIDTH}px;height:500px"></div><script src="bench.js"></script></body></html>`);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const url = `file://${path.join(dir, 'index.html')}`;
  await page.goto(url);
  return { dir, browser, page, url };
}

async function renderBench(): Promise<string[]> {
  const SQL = await loadSqlJs(path.join(root, 'node_modules/sql.js/dist/sql-wasm.wasm'));
  const store = MetricsStore.create(SQL, ':memory:');
  const start = '2016-11-23';
  const days = 3653;
  for (let p = 0; p < 10; p++) {
    const r = rng(p + 1);
    upsertNpmDaily(store, Array.from({ length: days }, (_, i) => ({ date: addDays(start, i), package: `pkg-${p}`, downloads: Math.round((100 + i * (p + 1)) * (0.7 + 0.6 * r())) })));
  }
  const sqlTimes: number[] = [];
  const nativeTimes: number[] = [];
  const boundedTimes: number[] = [];
  let payload = metricChart([]);
  let bounded = metricChart([]);
  const native = nativeReader(store.db.export());
  for (let run = 0; run < RUNS; run++) {
    const t0 = now();
    const series = Array.from({ length: 10 }, (_, p) => metricSeries(store, `npm:pkg-${p}`, 'downloads_daily', { grain: 'day', mode: 'total' }));
    payload = metricChart(series);
    sqlTimes.push(ms(t0));
    const t1 = now();
    const nativePayload = metricChart(Array.from({ length: 10 }, (_, p) => metricSeries(native.reader, `npm:pkg-${p}`, 'downloads_daily', { grain: 'day', mode: 'total' })));
    nativeTimes.push(ms(t1));
    // What the panel asks for now: no more points per series than half the plot's pixel columns
    // (PLOT_WIDTH / 2), so the decade of days is read by week.
    const t2 = now();
    bounded = metricChart(Array.from({ length: 10 }, (_, p) => metricSeries(store, `npm:pkg-${p}`, 'downloads_daily', { grain: 'day', mode: 'total', maxPoints: Math.floor(PLOT_WIDTH / 2) })));
    boundedTimes.push(ms(t2));
    if (nativePayload.values.length !== payload.values.length) throw new Error('native SQLite drew other points');
  }
  native.close();
  store.close();

  const { dir, browser, page, url } = await benchPage(
    'cm-bench-charts-',
      // 'product': the panels' own ChartView (interpreter, theme config, no per-mark ARIA above
      // ARIA_ROWS_LIMIT rows); 'interpreter': the same spec with every per-mark ARIA description (the
      // panels before that limit); 'compiled': vega's own expression compiler (needs 'unsafe-eval').
      `import embed from 'vega-embed'; import { expressionInterpreter } from 'vega-interpreter';
        import { ChartView, warmUp } from './webview/charts/shared/chartView';
        const el = document.getElementById('chart'); let chart;
        window.draw = async (payload, variant) => { el.replaceChildren(); let t0, r;
          if (variant.startsWith('panel') || variant === 'product') {
            const renderer = variant === 'panel-svg' || variant === 'product' ? 'svg' : variant === 'panel-canvas' ? 'canvas' : undefined;
            chart = new ChartView(el, () => {}, renderer ? { renderer } : {}); t0 = performance.now(); await chart.render(payload); }
          else { const spec = { ...payload.spec, data: { name: payload.dataset, values: payload.values, format: { parse: { period: 'date' } } } };
            t0 = performance.now(); r = await embed(el, spec, variant === 'compiled' ? { actions: false, renderer: 'svg' } : { actions: false, renderer: 'svg', ast: true, expr: expressionInterpreter }); }
          const t1 = performance.now(); const paths = el.querySelectorAll('svg .mark-line path').length; const canvas = el.querySelectorAll('canvas').length; r?.finalize(); return { ms: t1 - t0, paths, canvas }; };
        window.warm = () => warmUp();
        window.first = async (payload) => { el.replaceChildren(); const v = new ChartView(el, () => {}); const t0 = performance.now(); await v.render(payload);
          return { ms: performance.now() - t0, renderer: el.querySelector('.chart-area').dataset.renderer }; };
`);
  // 'product': today's panel drawing every day (ChartView, SVG); 'interpreter' and 'compiled': the
  // same daily spec through plain vega-embed; 'panel', 'panel-svg', 'panel-canvas': the width-bounded
  // payload, with the renderer ChartView picks and with each renderer forced.
  const variants = ['product', 'interpreter', 'compiled', 'panel', 'panel-svg', 'panel-canvas'] as const;
  const times = Object.fromEntries(variants.map((v) => [v, [] as number[]])) as Record<(typeof variants)[number], number[]>;
  let paths = 0;
  let panelRenderer = '';
  const draw = (p: unknown, variant: string) =>
    page.evaluate(([x, v]) => (globalThis as unknown as { draw: (x: unknown, v: string) => Promise<{ ms: number; paths: number; canvas: number }> }).draw(x, v), [p, variant] as const);
  for (let run = 0; run < RUNS; run++) {
    for (const v of variants) {
      const r = await draw(v.startsWith('panel') ? bounded : payload, v);
      if (!v.startsWith('panel')) {
        if (paths && r.paths !== paths) throw new Error(`the ${v} render drew ${r.paths} lines, not ${paths}`);
        paths = r.paths;
      }
      if (v === 'panel') panelRenderer = r.canvas ? 'canvas' : 'svg';
      times[v].push(r.ms);
    }
  }
  // The panel's first chart, as a person gets it: a fresh page (nothing of Vega compiled yet), the
  // payload drawn as soon as it arrives. 'cold': the page drew nothing before; 'warmed': the page
  // ran warmUp() on load, as the chart pages do while the host reads the store, and the payload
  // arrives when the host's read of this run would have ended (the median SQL time above).
  const readMs = median(boundedTimes);
  const fresh: Record<'cold' | 'warmed', number[]> = { cold: [], warmed: [] };
  let freshRenderer = '';
  for (let run = 0; run < RUNS; run++) {
    for (const mode of (run % 2 ? ['warmed', 'cold'] : ['cold', 'warmed']) as Array<'cold' | 'warmed'>) {
      const p = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await p.goto(url);
      if (mode === 'warmed') {
        void p.evaluate(() => (globalThis as unknown as { warm: () => Promise<void> }).warm());
        await new Promise((r) => setTimeout(r, readMs));
      }
      const r = await p.evaluate((x) => (globalThis as unknown as { first: (x: unknown) => Promise<{ ms: number; renderer: string }> }).first(x), bounded as unknown);
      fresh[mode].push(r.ms);
      freshRenderer = r.renderer;
      await p.close();
    }
  }
  await browser.close();
  await rm(dir, { recursive: true, force: true });
  return [
    `- 10 series × ${days} days (${payload.values.length} points): SQL aggregation (10 × metricSeries + spec) on sql.js median ${median(sqlTimes).toFixed(0)} ms (runs ${list(sqlTimes)}); the same on native SQLite (better-sqlite3) median ${median(nativeTimes).toFixed(0)} ms (runs ${list(nativeTimes)}); **ratio sql.js / native ${ratio(sqlTimes, nativeTimes)}**`,
    `- render in Chromium, SVG, ${paths} line paths, the three alternating in each run:`,
    `  - the panels' ChartView (expression interpreter as the CSP requires, no per-mark ARIA descriptions above ${ARIA_ROWS_LIMIT} rows): median ${median(times.product).toFixed(0)} ms (runs ${list(times.product)})`,
    `  - the same spec with a description per mark (interpreter; the panels before the limit): median ${median(times.interpreter).toFixed(0)} ms (runs ${list(times.interpreter)})`,
    `  - baseline: vega's compiled expressions (needs 'unsafe-eval'), descriptions per mark: median ${median(times.compiled).toFixed(0)} ms (runs ${list(times.compiled)})`,
    `  - **ratios to the baseline: ChartView ${ratio(times.product, times.compiled)}, interpreter with descriptions ${ratio(times.interpreter, times.compiled)}**`,
    `- the panel now (points bounded by the plot: ${PLOT_WIDTH} px wide, at most ${Math.floor(PLOT_WIDTH / 2)} points per series, so the decade is read by week: ${bounded.values.length} points; SQL on sql.js median ${median(boundedTimes).toFixed(0)} ms):`,
    `  - ChartView as the panel runs it (renderer chosen by ChartView: ${panelRenderer}): median ${median(times.panel).toFixed(0)} ms (runs ${list(times.panel)})`,
    `  - forced SVG: median ${median(times['panel-svg']).toFixed(0)} ms (runs ${list(times['panel-svg'])}); forced canvas: median ${median(times['panel-canvas']).toFixed(0)} ms (runs ${list(times['panel-canvas'])})`,
    `  - in a fresh page (the panel's first chart; renderer ${freshRenderer}): nothing drawn before, median ${median(fresh.cold).toFixed(0)} ms (runs ${list(fresh.cold)}); after the page's warm-up, the payload arriving ${readMs.toFixed(0)} ms after load (the host's read above), **median ${median(fresh.warmed).toFixed(0)} ms** from payload to drawn (runs ${list(fresh.warmed)})`,
    `  - **first render: ${median(times.panel).toFixed(0)} ms against ${median(times.product).toFixed(0)} ms for every day (ratio ${ratio(times.panel, times.product)}); against the compiled-expression baseline of the daily chart, ${ratio(times.panel, times.compiled)}**`,
  ];
}

/**
 * A model's `.vl.json` line chart over 20,000 rows (10 projects × 2,000 days of stars), as the
 * model chart panel gets it from modelChart(), drawn in a 1100 px wide chart: ChartView as the panel
 * runs it (rows reduced to the plot's pixel columns, renderer by the rows drawn); the same ChartView
 * drawing every row (the spec given a no-op filter, a shape the reducer leaves alone); vega-embed with
 * compiled expressions drawing every row as SVG (the baseline). Alternating in each run.
 */
async function modelBench(nSeries: number, days: number): Promise<string[]> {
  const SQL = await loadSqlJs(path.join(root, 'node_modules/sql.js/dist/sql-wasm.wasm'));
  const db = new SQL.Database();
  db.run('CREATE TABLE star_history (day TEXT, project TEXT, stars INTEGER)');
  const insert = db.prepare('INSERT INTO star_history VALUES (?, ?, ?)');
  for (let p = 0; p < nSeries; p++) {
    const r = rng(100 + p);
    let stars = 0;
    for (let i = 0; i < days; i++) insert.run([addDays('2020-01-01', i), `org/project-${p}`, (stars += Math.round(r() * 4 * (p + 1)))]);
  }
  insert.free();
  const spec = { mark: 'line', encoding: { x: { field: 'day', type: 'temporal' }, y: { field: 'stars', type: 'quantitative' }, color: { field: 'project', type: 'nominal' } } };
  const payload = modelChart({ query: (sql, params = []) => query(db, sql, params) }, { model: 'star_history', relation: 'star_history', vegaLite: spec });
  db.close();
  const whole = { ...payload, spec: { ...payload.spec, transform: [{ filter: 'true' }] } };
  const { dir, browser, page } = await benchPage(
    'cm-bench-model-',
      `import embed from 'vega-embed';
        import { ChartView } from './webview/charts/shared/chartView';
        const el = document.getElementById('chart');
        window.draw = async (payload, variant) => { el.replaceChildren(); let t0, r;
          if (variant === 'compiled') { const spec = { ...payload.spec, data: { name: payload.dataset, values: payload.values.map((v) => ({ ...v })), format: { parse: { day: 'date' } } } };
            t0 = performance.now(); r = await embed(el, spec, { actions: false, renderer: 'svg' }); }
          else { const v = new ChartView(el, () => {}); t0 = performance.now(); await v.render({ ...payload, values: payload.values.map((x) => ({ ...x })) }); }
          const t1 = performance.now(); const area = el.querySelector('.chart-area');
          const out = { ms: t1 - t0, drawn: area ? Number(area.dataset.drawn) : payload.values.length, renderer: area ? area.dataset.renderer : 'svg', columns: area ? area.dataset.columns : undefined };
          r?.finalize(); return out; };
`);
  const variants = ['reduced', 'whole', 'compiled'] as const;
  const times = Object.fromEntries(variants.map((v) => [v, [] as number[]])) as Record<(typeof variants)[number], number[]>;
  const seen: Record<string, { drawn: number; renderer: string; columns?: string }> = {};
  for (let run = 0; run < RUNS; run++) {
    for (const v of variants) {
      const r = await page.evaluate(([x, variant]) => (globalThis as unknown as { draw: (x: unknown, v: string) => Promise<{ ms: number; drawn: number; renderer: string; columns?: string }> }).draw(x, variant), [v === 'whole' ? whole : payload, v] as const);
      times[v].push(r.ms);
      seen[v] = r;
    }
  }
  await browser.close();
  await rm(dir, { recursive: true, force: true });
  const reduced = seen.reduced as { drawn: number; renderer: string; columns?: string };
  return [
    `- a model's .vl.json line chart, ${nSeries} series × ${days.toLocaleString('en-US')} days (${payload.values.length.toLocaleString('en-US')} rows, the model chart's row cap), ${PLOT_WIDTH} px wide, the three alternating in each run:`,
    `  - ChartView as the model panel runs it: ${reduced.columns ? `rows reduced to ${reduced.columns} pixel columns (first, last, lowest, highest per series and column)` : 'no more than 4 rows a series per pixel column, so not reduced'}: ${reduced.drawn.toLocaleString('en-US')} rows drawn, ${reduced.renderer}: **median ${median(times.reduced).toFixed(0)} ms** (runs ${list(times.reduced)})`,
    `  - the same ChartView drawing every row (${seen.whole?.renderer}): median ${median(times.whole).toFixed(0)} ms (runs ${list(times.whole)})`,
    `  - baseline: vega's compiled expressions, every row, SVG: median ${median(times.compiled).toFixed(0)} ms (runs ${list(times.compiled)})`,
    `  - **ratios: reduced / every row ${ratio(times.reduced, times.whole)}; reduced / compiled baseline ${ratio(times.reduced, times.compiled)}**`,
  ];
}

/** The dashboard panel's markup (src/extension/charts/dashboardPanel.ts' BODY; that file imports vscode). */
const DASHBOARD_BODY = `<header class="dash-header"><h1>Community Metrics dashboard</h1>
  <form id="range" class="toolbar" aria-label="Date range for every chart"><label>From <input type="date" name="from"></label><label>To <input type="date" name="to"></label></form></header>
<p id="problems" role="status"></p><div id="projects"></div>
<section id="insights-section" aria-labelledby="insights-title"><h2 id="insights-title">Insights</h2><ul id="insights" class="insights"><li class="loading">Reading the store…</li></ul></section>
<div id="charts" class="dashboard-grid"></div>`;

/**
 * The dashboard's first paint: two projects, each a GitHub repository (5 years of stars, issues with
 * first responses, releases), an npm package, a PyPI package with versions and a Docker image, read
 * by the dashboard's own store operation (seedViews + headlineFigures) and drawn by the real page
 * (dist/webview/charts.js in dashboard mode, the panel's markup and stylesheet) in a fresh Chromium
 * page: from posting the host's message to the page's `rendered` message (every card drawn).
 */
async function dashboardBench(): Promise<string[]> {
  const SQL = await loadSqlJs(path.join(root, 'node_modules/sql.js/dist/sql-wasm.wasm'));
  const store = MetricsStore.create(SQL, ':memory:');
  const start = '2021-12-01';
  const days = 1826;
  const asOf = addDays(start, days);
  const artifacts: ViewArtifact[] = [];
  for (const project of ['alpha', 'beta']) {
    const r = rng(project.length);
    const repo = `org/${project}`;
    let stars = 0;
    upsertStarHistory(store, Array.from({ length: days }, (_, i) => ({ repo, day: addDays(start, i), stars: (stars += Math.round(4 * r())), source: 'history' as const })));
    const issues = Array.from({ length: 1500 }, (_, n) => {
      const created = `${addDays(start, Math.floor((n * days) / 1500))}T10:00:00Z`;
      const closed = r() < 0.8 ? `${addDays(created.slice(0, 10), 1 + Math.floor(20 * r()))}T12:00:00Z` : null;
      return { repo, number: n + 1, isPullRequest: n % 3 === 0, author: `u${n % 70}`, authorIsBot: false, title: `issue ${n}`, state: closed ? 'closed' : 'open', labels: [], comments: 1, createdAt: created, updatedAt: closed ?? created, closedAt: closed, mergedAt: null };
    });
    upsertIssues(store, issues);
    upsertIssueComments(store, issues.map((x) => ({ repo, commentId: x.number, issueNumber: x.number, author: 'maintainer', authorIsBot: false, createdAt: `${addDays(x.createdAt.slice(0, 10), Math.floor(3 * r()))}T15:00:00Z` })));
    upsertReleases(store, Array.from({ length: 10 }, (_, k) => ({ repo, releaseId: k + 1, tagName: `v1.${k}.0`, name: `v1.${k}.0`, draft: false, prerelease: false, createdAt: `${addDays(start, 180 * k + 30)}T00:00:00Z`, publishedAt: `${addDays(start, 180 * k + 30)}T00:00:00Z` })));
    const level = (i: number) => Math.round((200 + i) * ([5, 6].includes(i % 7) ? 0.4 : 1) * (0.8 + 0.4 * r()));
    upsertNpmDaily(store, Array.from({ length: days }, (_, i) => ({ date: addDays(start, i), package: `${project}-js`, downloads: level(i) })));
    upsertPypiDaily(store, Array.from({ length: days }, (_, i) => ({ date: addDays(start, i), package: `${project}-py`, categoryType: 'overall' as const, category: 'without_mirrors', downloads: level(i) })));
    upsertPypiVersionDaily(store, Array.from({ length: days }, (_, i) => ({ date: addDays(start, i), package: `${project}-py`, version: `1.${Math.floor(i / 180)}.0`, downloads: level(i) })));
    let pulls = 0;
    for (let i = 0; i < days; i++) insertDockerHubSnapshot(store, { timestamp: `${addDays(start, i)}T06:00:00Z`, image: `org/${project}`, pullCount: (pulls += level(i)), starCount: null, lastUpdated: null });
    artifacts.push(
      { artifact: `github:${repo}`, source: 'github', name: repo, project },
      { artifact: `npm:${project}-js`, source: 'npm', name: `${project}-js`, project },
      { artifact: `pypi:${project}-py`, source: 'pypi', name: `${project}-py`, project },
      { artifact: `docker:org/${project}`, source: 'docker', name: `org/${project}`, project },
    );
  }
  const reads: number[] = [];
  let message: Record<string, unknown> = {};
  for (let run = 0; run < RUNS; run++) {
    const t0 = now();
    const views = seedViews(store, artifacts, { asOf });
    const projects = ['alpha', 'beta'].map((name) => ({ name, figures: headlineFigures(store, artifacts.filter((x) => x.project === name)) }));
    reads.push(ms(t0));
    message = { type: 'render', state: {}, projects, charts: views, insights: [], problems: [], hasData: true };
  }
  store.close();
  const cards = (message.charts as unknown[]).length;
  const points = (message.charts as Array<{ values: unknown[] }>).reduce((n, c) => n + c.values.length, 0);
  const page = `<!DOCTYPE html><html><head><link rel="stylesheet" href="/media/charts.css"></head><body data-page="charts-dashboard">${DASHBOARD_BODY}
<script>window.__posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => {} });</script>
<script src="/dist/webview/charts.js"></script></body></html>`;
  const server = createServer((req, res) => {
    if (req.url === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    readFile(path.join(root, decodeURIComponent((req.url ?? '').split('?')[0] ?? ''))).then(
      (body) => res.writeHead(200, { 'content-type': req.url?.endsWith('.css') ? 'text/css' : 'text/javascript' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const all: number[] = [];
  const first: number[] = [];
  const fromLoad: number[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const p = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      const tLoad = now();
      await p.goto(url);
      await p.waitForFunction('window.__posted.some((m) => m.type === "ready")');
      // The host answers 'ready' after its read of the store (median above).
      await new Promise((r) => setTimeout(r, median(reads)));
      const cdp = process.env.PROFILE ? await p.context().newCDPSession(p) : undefined;
      if (cdp) { await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 200 }); await cdp.send('Profiler.start'); }
      const t = await p.evaluate(`new Promise((resolve) => {
        const t0 = performance.now(); let first = 0;
        new MutationObserver((_, o) => { if (!first && document.querySelector('.chart-area[data-points]')) { first = performance.now() - t0; } }).observe(document.body, { subtree: true, childList: true, attributes: true });
        const n = window.__posted.length;
        const poll = () => { const done = window.__posted.slice(n).find((m) => m.type === 'rendered' || m.type === 'error'); if (done) resolve({ all: performance.now() - t0, first, type: done.type, drawn: document.querySelectorAll('.chart-area[data-points]').length }); else requestAnimationFrame(poll); };
        window.postMessage(${JSON.stringify(message)}, '*'); poll(); })`) as { all: number; first: number; type: string; drawn: number };
      if (cdp) {
        const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: { nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>; samples: number[]; timeDeltas: number[] } };
        const self = new Map<string, number>();
        const byId = new Map(profile.nodes.map((n) => [n.id, n]));
        profile.samples.forEach((id, k) => { const n = byId.get(id); const key = `${n?.callFrame.functionName || '(anon)'} ${n?.callFrame.url.split('/').pop()}:${n?.callFrame.lineNumber}`; self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[k] ?? 0) / 1000); });
        console.log([...self].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${v.toFixed(1)} ${k}`).join('\n'));
      }
      if (t.type !== 'rendered' || t.drawn !== cards) throw new Error(`the dashboard drew ${t.drawn} of ${cards} cards (${t.type})`);
      all.push(t.all);
      first.push(t.first);
      fromLoad.push(ms(tLoad));
      await p.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  return [
    `- dashboard (the real page in a fresh Chromium page, 1600 × 1000): 2 projects (each a GitHub repository with 5 years of stars, 1,500 issues and pull requests, 10 releases; an npm package; a PyPI package with versions; a Docker image): ${cards} cards, ${points} rows; the host's read (seedViews + headlineFigures on sql.js) median ${median(reads).toFixed(0)} ms (runs ${list(reads)}); from the host's message to every card drawn **median ${median(all).toFixed(0)} ms** (runs ${list(all)}), first card drawn median ${median(first).toFixed(0)} ms; page load to every card drawn, the read included, median ${median(fromLoad).toFixed(0)} ms`,
  ];
}

async function insightsBench(): Promise<string[]> {
  const SQL = await loadSqlJs(path.join(root, 'node_modules/sql.js/dist/sql-wasm.wasm'));
  const store = MetricsStore.create(SQL, ':memory:');
  const start = '2021-11-23';
  const days = 1826;
  const artifacts: InsightArtifact[] = [];
  const t0 = now();
  for (let a = 0; a < 100; a++) {
    const r = rng(a + 100);
    const kind = a % 5;
    const level = (i: number) => Math.round((200 + i) * ([5, 6].includes(i % 7) ? 0.4 : 1) * (0.8 + 0.4 * r()));
    if (kind === 0) {
      upsertNpmDaily(store, Array.from({ length: days }, (_, i) => ({ date: addDays(start, i), package: `npm-${a}`, downloads: level(i) })));
      artifacts.push({ artifact: `npm:npm-${a}`, source: 'npm', name: `npm-${a}` });
    } else if (kind === 1) {
      upsertPypiDaily(store, Array.from({ length: days }, (_, i) => ({ date: addDays(start, i), package: `py-${a}`, categoryType: 'overall' as const, category: 'without_mirrors', downloads: level(i) })));
      upsertPypiVersionDaily(store, Array.from({ length: days }, (_, i) => ({ date: addDays(start, i), package: `py-${a}`, version: `1.${Math.floor(i / 180)}.0`, downloads: level(i) })));
      artifacts.push({ artifact: `pypi:py-${a}`, source: 'pypi', name: `py-${a}` });
    } else if (kind === 2) {
      let total = 0;
      for (let i = 0; i < days; i++) {
        total += level(i);
        insertDockerHubSnapshot(store, { timestamp: `${addDays(start, i)}T06:00:00Z`, image: `ns/img-${a}`, pullCount: total, starCount: null, lastUpdated: null });
      }
      artifacts.push({ artifact: `docker:ns/img-${a}`, source: 'docker', name: `ns/img-${a}` });
    } else if (kind === 3) {
      upsertStarHistory(store, Array.from({ length: days }, (_, i) => ({ repo: `o/r-${a}`, day: addDays(start, i), stars: Math.round(3 * r() + i / 300), source: 'history' as const })));
      artifacts.push({ artifact: `github:o/r-${a}`, source: 'github', name: `o/r-${a}` });
    } else {
      const people = ['ann', 'bob', 'cat', 'dan', 'eve', 'fay'];
      upsertSlackMessages(store, Array.from({ length: days * 3 }, (_, i) => ({ messageTime: `${addDays(start, Math.floor(i / 3))}T1${i % 3}:00:00Z`, domain: `ws${a}`, username: people[Math.floor(r() * people.length)] as string, realname: null, email: null, channel: 'general', permalink: null, text: 'm' })));
      artifacts.push({ artifact: `slack:ws${a}`, source: 'slack', name: `ws${a}` });
    }
  }
  const loadMs = ms(t0);
  const marked = Object.fromEntries(artifacts.filter((x) => x.source === 'pypi').map((x) => [x.name, '1.9.0']));
  const runs: number[] = [];
  const nativeRuns: number[] = [];
  let found = 0;
  const native = nativeReader(store.db.export());
  for (let run = 0; run < RUNS; run++) {
    const t1 = now();
    found = storeInsights(store, artifacts, { markedVersions: marked }).length;
    runs.push(ms(t1));
    const t2 = now();
    const nativeFound = storeInsights(native.reader, artifacts, { markedVersions: marked }).length;
    nativeRuns.push(ms(t2));
    if (nativeFound !== found) throw new Error('native SQLite raised other flags');
  }
  native.close();
  store.close();
  return [
    `- 100 artifacts × ${days} days (20 each of npm, PyPI with per-version rows, Docker snapshots, GitHub star history, Slack at 3 messages a day; store filled in ${(loadMs / 1000).toFixed(1)} s): storeInsights on sql.js median ${median(runs).toFixed(0)} ms (runs ${list(runs)}); on native SQLite median ${median(nativeRuns).toFixed(0)} ms (runs ${list(nativeRuns)}); **ratio sql.js / native ${ratio(runs, nativeRuns)}**; ${found} flags raised (the same on both)`,
  ];
}

async function main(): Promise<void> {
  // --dashboard-only: just the dashboard's first paint.
  const render = process.argv.includes('--dashboard-only') || process.argv.includes('--model-only') ? [] : await renderBench();
  // The model chart's row cap (20,000) spread thin (2,000 days a series: about 2 per pixel column) and dense (5,000 days).
  const model = process.argv.includes('--dashboard-only') ? [] : [...(await modelBench(10, 2000)), ...(await modelBench(4, 5000))];
  const dashboard = await dashboardBench();
  // --charts-only: the insights section (a 100-artifact store filled first) is left out.
  const insights = process.argv.includes('--charts-only') || process.argv.includes('--dashboard-only') || process.argv.includes('--model-only') ? [] : await insightsBench();
  const machine = `${execSync('uname -a').toString().trim()}; nproc ${execSync('nproc').toString().trim()}; node ${process.version}; load average ${execSync('cat /proc/loadavg').toString().split(' ').slice(0, 3).join(', ')} at the end`;
  const text = [`\n## charts and insights — ${new Date().toISOString().slice(0, 10)}\n`, `Machine: ${machine}.\n`, `\`node --import tsx bench/charts.ts\`, ${RUNS} runs each, median.\n`, ...render, ...model, ...dashboard, ...insights, ''].join('\n');
  console.log(text);
  if (process.argv.includes('--append')) await appendFile(path.join(root, 'bench', 'RESULTS.md'), text);
}

void main();
