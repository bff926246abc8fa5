import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { metricChart } from '../../src/core/charts/metricChart';
import type { MetricSeries } from '../../src/core/charts/metricSeries';
import { modelChart } from '../../src/core/charts/modelChart';
import { query } from '../../src/core/project/storeAccess';
import { loadSqlJs } from '../../src/core/store/sqljs';
import { launchBrowser } from '../harness/browser';
import { repoRoot } from '../support/fixtures';

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** 10 series × 523 weeks: the decade of the bench (bench/charts.ts) as the panel reads it. */
function decade(): MetricSeries[] {
  return Array.from({ length: 10 }, (_, s) => ({
    artifactId: `npm:pkg-${s}`, metricKey: 'downloads_daily', name: `pkg-${s}`, label: `pkg-${s}: downloads per week`, counts: 'downloads', unit: 'downloads',
    kind: 'flow' as const, mode: 'total' as const, grain: 'week' as const, askedGrain: 'day' as const, axisTitle: 'downloads per week',
    points: Array.from({ length: 523 }, (_, i) => ({ period: addDays('2016-11-21', 7 * i), value: 100 * (s + 1) + i })),
  }));
}

/**
 * A Chromium page (dark theme, the panels' charts.css) running `script`, bundled from the repository
 * as the panels bundle theirs, with one empty element of id `box` to draw in.
 */
async function chartPage(script: string, box: string, viewport: { width: number; height: number }): Promise<{ dir: string; browser: Browser; page: Page }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cm-chart-page-'));
  await esbuild.build({
    stdin: { contents: script, resolveDir: repoRoot },
    bundle: true, format: 'iife', platform: 'browser', outfile: path.join(dir, 'page.js'), logLevel: 'warning',
  });
  await writeFile(path.join(dir, 'index.html'), `<!DOCTYPE html><html><head><link rel="stylesheet" href="file://${path.join(repoRoot, 'media/charts.css')}"></head><body class="vscode-dark fill"><div id="${box}"></div><script src="page.js"></script></body></html>`);
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport });
  await page.goto(`file://${path.join(dir, 'index.html')}`);
  return { dir, browser, page };
}

/**
 * The charts' ChartView (webview/charts/shared/chartView.ts, bundled as the panels bundle it) in
 * Chromium without the workbench: what a dense chart draws and how its values are read.
 */
describe('chart view in Chromium: a dense chart (issue 14)', function () {
  let dir = '';
  let browser: Browser;
  let page: Page;

  before(async () => {
    ({ dir, browser, page } = await chartPage(
      `import { ChartView, warmUp } from './webview/charts/shared/chartView';
          window.warm = () => warmUp();
          window.draw = async (payload) => { const v = new ChartView(document.getElementById('charts'), () => {}); return v.render(payload); };`,
      'charts',
      { width: 1200, height: 700 },
    ));
  });

  after(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('draws 5,230 points with the canvas renderer after the warm-up, and says the decade is read by week', async () => {
    await page.evaluate('window.warm()');
    const payload = metricChart(decade());
    const n = await page.evaluate((p) => (globalThis as unknown as { draw: (p: unknown) => Promise<number> }).draw(p), payload as unknown);
    assert.equal(n, 5230);
    assert.equal(await page.locator('.chart-area').getAttribute('data-renderer'), 'canvas');
    assert.match(await page.locator('.chart-summary').innerText(), /Aggregated to weeks: the range has more days than the chart has room for/);
  });

  it('hovering the plot shows every series’ value at the week under the pointer, largest first, and hides on leaving', async () => {
    const canvas = page.locator('.chart-area canvas');
    const box = await canvas.boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + box.width * 0.55, box.y + box.height * 0.6);
    const readout = page.locator('.chart-readout');
    await readout.waitFor({ state: 'visible', timeout: 5000 });
    assert.match(await readout.locator('.chart-readout-head').innerText(), /^week of [A-Z][a-z]{2} \d{1,2}, 20\d\d$/);
    const lines = await readout.locator('.chart-readout-line').allInnerTexts();
    assert.equal(lines.length, 10);
    assert.match(lines[0] as string, /^pkg-9: downloads per week\s+[\d,]+$/);
    const values = lines.map((l) => Number((l.split(/\s+/).pop() as string).replace(/,/g, '')));
    assert.deepEqual(values, [...values].sort((a, b) => b - a));
    const rule = await page.locator('.chart-readout-rule').evaluate((e) => { const r = e.getBoundingClientRect(); return { hidden: (e as unknown as { hidden: boolean }).hidden, w: r.width, h: r.height, style: e.getAttribute('style') }; });
    assert.equal(rule.hidden, false, JSON.stringify(rule));
    assert.ok(rule.h > 100, JSON.stringify(rule));
    await page.mouse.move(2, 2);
    await readout.waitFor({ state: 'hidden', timeout: 5000 });
  });
});

/**
 * A model's own `.vl.json` chart (the seed's star_history.vl.json kind: a line per project over
 * days), as modelChart() reads it from a real sql.js table, drawn by ChartView in Chromium. Its rows
 * are reduced to the plot's pixel columns only because the spec is a shape where that cannot change
 * the picture; the drawing is SVG here so that every mark can be counted.
 */
describe('chart view in Chromium: a .vl.json chart never draws more points than its pixel columns hold (issue 14)', function () {
  let dir = '';
  let browser: Browser;
  let page: Page;
  const SPEC = { title: 'Stars (history)', mark: { type: 'line', point: true }, encoding: { x: { field: 'day', type: 'temporal' }, y: { field: 'stars', type: 'quantitative' }, color: { field: 'project', type: 'nominal' } } };

  /** `days` days of stars for two projects from 2015; a one-day spike on `spike` in the first. */
  async function payload(days: number, spike?: string) {
    const SQL = await loadSqlJs(path.join(repoRoot, 'node_modules/sql.js/dist/sql-wasm.wasm'));
    const db = new SQL.Database();
    db.run('CREATE TABLE star_history (day TEXT, project TEXT, stars INTEGER)');
    const insert = db.prepare('INSERT INTO star_history VALUES (?, ?, ?)');
    for (const [p, project] of ['acme/widgets', 'acme/gadgets'].entries()) {
      for (let i = 0; i < days; i++) {
        const day = addDays('2015-01-01', i);
        insert.run([day, project, day === spike && p === 0 ? 90_000 : 500 * (p + 1) + i + ((i * 7919) % 13) * 20]);
      }
    }
    insert.free();
    const chart = modelChart({ query: (sql, params = []) => query(db, sql, params) }, { model: 'star_history', relation: 'star_history', vegaLite: SPEC });
    db.close();
    return chart;
  }

  /** The drawn points per series colour, and the plot's width in pixels (from the first to the last day). */
  async function drawn(): Promise<{ perSeries: Record<string, number>; width: number; xs: number[] }> {
    return (await page.evaluate(`(() => {
      const perSeries = {};
      const xs = [];
      for (const p of document.querySelectorAll('#model .chart-area svg .mark-symbol.role-mark path')) {
        const m = /translate\\(([-\\d.]+),/.exec(p.getAttribute('transform') || '');
        if (m) xs.push(Number(m[1]));
        const c = p.getAttribute('stroke') || p.getAttribute('fill');
        perSeries[c] = (perSeries[c] || 0) + 1;
      }
      return { perSeries, width: xs.length ? Math.max(...xs) - Math.min(...xs) + 1 : 0, xs };
    })()`)) as { perSeries: Record<string, number>; width: number; xs: number[] };
  }

  before(async () => {
    ({ dir, browser, page } = await chartPage(
      `import { ChartView } from './webview/charts/shared/chartView';
          window.draw = async (payload) => { const box = document.getElementById('model'); box.replaceChildren(); const v = new ChartView(box, (m) => { window.exported = m; }, { renderer: 'svg' }); return v.render(payload); };`,
      'model',
      { width: 900, height: 600 },
    ));
  });

  after(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('ten years of days: at most 4 points per series per pixel column, the spike and both ends drawn, and the summary says so', async () => {
    const chart = await payload(3653, '2020-06-15');
    assert.equal(chart.values.length, 2 * 3653);
    const n = await page.evaluate((p) => (globalThis as unknown as { draw: (p: unknown) => Promise<number> }).draw(p), chart as unknown);
    assert.equal(n, 7306, 'the chart reports the rows of the model');
    const area = page.locator('#model .chart-area');
    const { perSeries, width, xs } = await drawn();
    assert.equal(Object.keys(perSeries).length, 2);
    assert.ok(width > 300, `plot ${width} px wide`);
    for (const [colour, count] of Object.entries(perSeries)) assert.ok(count <= 4 * width, `${colour}: ${count} points in ${width} pixel columns`);
    const total = Object.values(perSeries).reduce((a, b) => a + b, 0);
    assert.ok(total <= 8 * width && total < 7306, `${total} of 7,306 rows drawn`);
    assert.equal(await area.getAttribute('data-drawn'), String(total));
    assert.equal(await area.getAttribute('data-reduction'), 'm4');
    const columns = Number(await area.getAttribute('data-columns'));
    // Columns no wider than pixels: at most 4 rows a series per pixel column (fewer columns than
    // pixels, from the first guess of the plot's width, still hold that).
    assert.ok(columns <= width + 1 && columns > width * 0.8, `reduced for ${columns} columns, the plot is ${width} px`);
    // Both ends: the first and the last day are drawn, at the ends of the plot.
    assert.equal(Math.min(...xs), 0);
    // The spike: the highest point of the drawing is the one-day 90,000.
    const ys = (await page.evaluate(`[...document.querySelectorAll('#model .chart-area svg .mark-symbol.role-mark path')].map((p) => Number(/translate\\([-\\d.]+,([-\\d.]+)\\)/.exec(p.getAttribute('transform'))[1]))`)) as number[];
    assert.ok(Math.min(...ys) <= 1, `the spike reaches the top of the plot (highest point at y=${Math.min(...ys)})`);
    const summary = await page.locator('#model .chart-summary').innerText();
    assert.ok(summary.endsWith(`More rows than pixel columns: drawn is each series' first, last, lowest and highest value per pixel column (${total.toLocaleString('en-US')} of 7,306 rows; the CSV export has all).`), summary);
    assert.match(await area.getAttribute('aria-label') ?? '', /pixel columns/);
  });

  it('the CSV export has every row, dates as the model wrote them', async () => {
    await page.locator('#model details.export-menu summary').click();
    await page.locator('#model button[data-export="csv"]').click();
    const csv = (await page.waitForFunction('window.exported && window.exported.data')).jsonValue() as Promise<string>;
    const lines = (await csv).trim().split('\r\n');
    assert.equal(lines.length, 1 + 7306);
    assert.equal(lines[0], 'day,project,stars');
    assert.match(lines[1] as string, /^2015-01-01,acme\/widgets,\d+$/);
    assert.ok(lines.some((l) => l.startsWith('2020-06-15,acme/widgets,90000')), 'the spike');
  });

  it('a narrower panel reduces again to its new width', async () => {
    const area = page.locator('#model .chart-area');
    const before = Number(await area.getAttribute('data-columns'));
    await page.setViewportSize({ width: 600, height: 600 });
    await area.and(page.locator(`[data-columns]:not([data-columns="${before}"])`)).waitFor({ timeout: 10_000 });
    const { perSeries, width } = await drawn();
    assert.ok(width < before, `${width} < ${before}`);
    for (const [colour, count] of Object.entries(perSeries)) assert.ok(count <= 4 * width, `${colour}: ${count} points in ${width} pixel columns`);
    assert.equal(await area.getAttribute('data-drawn'), String(Object.values(perSeries).reduce((a, b) => a + b, 0)));
    await page.setViewportSize({ width: 900, height: 600 });
  });

  it('a sparse chart (two months) is drawn whole, and its summary says nothing of reducing', async () => {
    const chart = await payload(61);
    const n = await page.evaluate((p) => (globalThis as unknown as { draw: (p: unknown) => Promise<number> }).draw(p), chart as unknown);
    assert.equal(n, 122);
    const { perSeries } = await drawn();
    assert.deepEqual(Object.values(perSeries), [61, 61]);
    const area = page.locator('#model .chart-area');
    assert.equal(await area.getAttribute('data-drawn'), '122');
    assert.equal(await area.getAttribute('data-reduction'), null);
    assert.doesNotMatch(await page.locator('#model .chart-summary').innerText(), /pixel columns/);
  });

  it('a spec it cannot reason about (a running sum) is drawn with every row, and says nothing of reducing', async () => {
    const chart = await payload(3653);
    chart.spec = { ...chart.spec, transform: [{ window: [{ op: 'sum', field: 'stars', as: 'total' }], groupby: ['project'] }] };
    await page.evaluate((p) => (globalThis as unknown as { draw: (p: unknown) => Promise<number> }).draw(p), chart as unknown);
    const { perSeries } = await drawn();
    assert.deepEqual(Object.values(perSeries), [3653, 3653]);
    assert.equal(await page.locator('#model .chart-area').getAttribute('data-reduction'), null);
    assert.doesNotMatch(await page.locator('#model .chart-summary').innerText(), /pixel columns/);
  });
});
