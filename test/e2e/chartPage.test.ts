import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { metricChart } from '../../src/core/charts/metricChart';
import type { MetricSeries } from '../../src/core/charts/metricSeries';
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
 * The charts' ChartView (webview/charts/shared/chartView.ts, bundled as the panels bundle it) in
 * Chromium without the workbench: what a dense chart draws and how its values are read.
 */
describe('chart view in Chromium: a dense chart (issue 14)', function () {
  let dir = '';
  let browser: Browser;
  let page: Page;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cm-chart-page-'));
    await esbuild.build({
      stdin: {
        contents: `import { ChartView, warmUp } from './webview/charts/shared/chartView';
          window.warm = () => warmUp();
          window.draw = async (payload) => { const v = new ChartView(document.getElementById('charts'), () => {}); return v.render(payload); };`,
        resolveDir: repoRoot,
      },
      bundle: true, format: 'iife', platform: 'browser', outfile: path.join(dir, 'page.js'), logLevel: 'warning',
    });
    await writeFile(path.join(dir, 'index.html'), `<!DOCTYPE html><html><head><link rel="stylesheet" href="file://${path.join(repoRoot, 'media/charts.css')}"></head><body class="vscode-dark fill"><div id="charts"></div><script src="page.js"></script></body></html>`);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    await page.goto(`file://${path.join(dir, 'index.html')}`);
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
