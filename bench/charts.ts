/**
 * Charts and insights benchmark.
 *  1. A 10-series × 10-year daily metric chart: the SQL aggregation (metricSeries over sql.js) and the
 *     render in Chromium (vega-embed with the CSP-safe expression interpreter, SVG renderer, as the
 *     panel does), from handing the spec to vega-embed until the SVG is in the page.
 *  2. The four insight detectors (storeInsights) over 5 years of daily data for 100 artifacts.
 *
 * Baselines, measured in the same run, alternating with the product's runs:
 *  - the SQL (aggregation and detectors) on native SQLite (better-sqlite3) over the same database;
 *  - the render with vega's default expression compiler (new Function: what a page without the
 *    strict CSP would use) instead of the interpreter the panels must use.
 *
 *   node --import tsx bench/charts.ts            print the results
 *   node --import tsx bench/charts.ts --append   also append them to bench/RESULTS.md
 */
import { execSync } from 'node:child_process';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { metricChart } from '../src/core/charts/metricChart';
import { metricSeries } from '../src/core/charts/metricSeries';
import { seedViews } from '../src/core/charts/seedViews';
import { storeInsights } from '../src/core/insights/storeInsights';
import type { InsightArtifact } from '../src/core/insights/storeInsights';
import { upsertStarHistory } from '../src/core/store/githubRows';
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
  // The dashboard's cards for one project of the same store (npm downloads of pkg-0, its weekly and
  // monthly views) plus 3 more npm packages: the seed views as the dashboard draws them.
  const cards = seedViews(store, Array.from({ length: 4 }, (_, p) => ({ artifact: `npm:pkg-${p}`, source: 'npm' as const, name: `pkg-${p}`, project: 'bench' })), { asOf: addDays(start, days) });
  store.close();

  const dir = await mkdtemp(path.join(tmpdir(), 'cm-bench-charts-'));
  await esbuild.build({
    stdin: {
      // 'product': the panels' own ChartView (interpreter, theme config, no per-mark ARIA above
      // ARIA_ROWS_LIMIT rows); 'interpreter': the same spec with every per-mark ARIA description (the
      // panels before that limit); 'compiled': vega's own expression compiler (needs 'unsafe-eval').
      contents: `import embed from 'vega-embed'; import { expressionInterpreter } from 'vega-interpreter';
        import { ChartView } from './webview/charts/shared/chartView';
        const el = document.getElementById('chart'); let chart;
        window.draw = async (payload, variant) => { el.replaceChildren(); let t0, r;
          if (variant.startsWith('panel') || variant === 'product') {
            const renderer = variant === 'panel-svg' || variant === 'product' ? 'svg' : variant === 'panel-canvas' ? 'canvas' : undefined;
            chart = new ChartView(el, () => {}, renderer ? { renderer } : {}); t0 = performance.now(); await chart.render(payload); }
          else { const spec = { ...payload.spec, data: { name: payload.dataset, values: payload.values, format: { parse: { period: 'date' } } } };
            t0 = performance.now(); r = await embed(el, spec, variant === 'compiled' ? { actions: false, renderer: 'svg' } : { actions: false, renderer: 'svg', ast: true, expr: expressionInterpreter }); }
          const t1 = performance.now(); const paths = el.querySelectorAll('svg .mark-line path').length; const canvas = el.querySelectorAll('canvas').length; r?.finalize(); return { ms: t1 - t0, paths, canvas }; };
        window.dashboard = async (cards) => { el.replaceChildren(); const t0 = performance.now(); let first = 0;
          for (const c of cards) { const v = new ChartView(el, () => {}); await v.render(c); if (!first) first = performance.now() - t0; await new Promise((r) => requestAnimationFrame(r)); }
          return { first, all: performance.now() - t0 }; };`,
      resolveDir: root,
    },
    bundle: true, format: 'iife', platform: 'browser', outfile: path.join(dir, 'bench.js'), logLevel: 'warning',
  });
  await writeFile(path.join(dir, 'index.html'), `<!DOCTYPE html><html><body style="width:1200px"><div id="chart" style="width:${PLOT_WIDTH}px;height:500px"></div><script src="bench.js"></script></body></html>`);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`file://${path.join(dir, 'index.html')}`);
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
  const dash: Array<{ first: number; all: number }> = [];
  for (let run = 0; run < RUNS; run++) {
    dash.push(await page.evaluate((c) => (globalThis as unknown as { dashboard: (x: unknown) => Promise<{ first: number; all: number }> }).dashboard(c), cards as unknown));
  }
  await browser.close();
  await rm(dir, { recursive: true, force: true });
  return [
    `- dashboard: ${cards.length} cards (4 npm packages × 10 years: downloads per week and % change month on month), drawn one after another as the dashboard page does: first card median ${median(dash.map((d) => d.first)).toFixed(0)} ms, **all cards median ${median(dash.map((d) => d.all)).toFixed(0)} ms** (runs ${list(dash.map((d) => d.all))})`,
    `- 10 series × ${days} days (${payload.values.length} points): SQL aggregation (10 × metricSeries + spec) on sql.js median ${median(sqlTimes).toFixed(0)} ms (runs ${list(sqlTimes)}); the same on native SQLite (better-sqlite3) median ${median(nativeTimes).toFixed(0)} ms (runs ${list(nativeTimes)}); **ratio sql.js / native ${ratio(sqlTimes, nativeTimes)}**`,
    `- render in Chromium, SVG, ${paths} line paths, the three alternating in each run:`,
    `  - the panels' ChartView (expression interpreter as the CSP requires, no per-mark ARIA descriptions above ${ARIA_ROWS_LIMIT} rows): median ${median(times.product).toFixed(0)} ms (runs ${list(times.product)})`,
    `  - the same spec with a description per mark (interpreter; the panels before the limit): median ${median(times.interpreter).toFixed(0)} ms (runs ${list(times.interpreter)})`,
    `  - baseline: vega's compiled expressions (needs 'unsafe-eval'), descriptions per mark: median ${median(times.compiled).toFixed(0)} ms (runs ${list(times.compiled)})`,
    `  - **ratios to the baseline: ChartView ${ratio(times.product, times.compiled)}, interpreter with descriptions ${ratio(times.interpreter, times.compiled)}**`,
    `- the panel now (points bounded by the plot: ${PLOT_WIDTH} px wide, at most ${Math.floor(PLOT_WIDTH / 2)} points per series, so the decade is read by week: ${bounded.values.length} points; SQL on sql.js median ${median(boundedTimes).toFixed(0)} ms):`,
    `  - ChartView as the panel runs it (renderer chosen by ChartView: ${panelRenderer}): median ${median(times.panel).toFixed(0)} ms (runs ${list(times.panel)})`,
    `  - forced SVG: median ${median(times['panel-svg']).toFixed(0)} ms (runs ${list(times['panel-svg'])}); forced canvas: median ${median(times['panel-canvas']).toFixed(0)} ms (runs ${list(times['panel-canvas'])})`,
    `  - **first render: ${median(times.panel).toFixed(0)} ms against ${median(times.product).toFixed(0)} ms for every day (ratio ${ratio(times.panel, times.product)}); against the compiled-expression baseline of the daily chart, ${ratio(times.panel, times.compiled)}**`,
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
  const render = await renderBench();
  const insights = await insightsBench();
  const machine = `${execSync('uname -a').toString().trim()}; nproc ${execSync('nproc').toString().trim()}; node ${process.version}; load average ${execSync('cat /proc/loadavg').toString().split(' ').slice(0, 3).join(', ')} at the end`;
  const text = [`\n## charts and insights — ${new Date().toISOString().slice(0, 10)}\n`, `Machine: ${machine}.\n`, `\`node --import tsx bench/charts.ts\`, ${RUNS} runs each, median.\n`, ...render, ...insights, ''].join('\n');
  console.log(text);
  if (process.argv.includes('--append')) await appendFile(path.join(root, 'bench', 'RESULTS.md'), text);
}

void main();
