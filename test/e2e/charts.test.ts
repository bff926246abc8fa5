import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { periodCount } from '../../src/core/charts/grain';
import { hourFileName, parseHour } from '../../src/core/gharchive/hours';
import { importGhArchive } from '../../src/core/gharchive/importer';
import { silentLogger } from '../../src/core/log';
import { insertDockerHubSnapshot, upsertNpmDaily } from '../../src/core/store/packageRows';
import { MetricsStore } from '../../src/core/store/store';
import { findWebviewFrame, launchBrowser, openWorkbench, pickQuickItem, runCommand } from '../harness/browser';
import { startCodeServer } from '../harness/codeServer';
import type { CodeServer } from '../harness/codeServer';
import { makeWorkspace, startFakeGitHub } from '../harness/workspace';
import type { FakeServer } from '../support/fakeServer';
import { repoRoot } from '../support/fixtures';
import { loadSqlJs } from '../../src/core/store/sqljs';
import { derivedHour, gz, realHourLines, serveHour } from '../unit/gharchive/archiveFixtures';
import { waitFor } from './chartSteps';
import { shootInThemes } from './themeScreens';

/** A project name is free text from the user's file: it must show as text, never as markup. */
const PAYLOAD = '<img src=x onerror="document.body.dataset.pwned=1">';
const CONFIG = `projects:
  - name: '${PAYLOAD}'
    github: [cachethq/Cachet]
    npm: [left-pad]
    docker: [ns/img]
`;
const FIRST = '2026-01-01';
const LAST = '2026-03-31';
const GAP = ['2026-02-10', '2026-02-11', '2026-02-12'];
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/**
 * The store a refresh would have written: 90 days of npm downloads with a 3-day hole, and Docker
 * readings; and GH Archive hours imported for cachethq/Cachet: 2015-01-01 12h (the real hour: 30
 * events, 10 of them WatchEvents), all of 2015-01-02 (the same events again in hour 5), no hour of
 * 2015-01-03 (404: a gap), all of 2015-01-04 without an event of the repository (0).
 */
async function seedStore(workspace: string, archive: FakeServer): Promise<void> {
  const file = path.join(workspace, '.community-metrics', 'metrics.sqlite');
  await mkdir(path.dirname(file), { recursive: true });
  const SQL = await loadSqlJs(path.join(repoRoot, 'node_modules/sql.js/dist/sql-wasm.wasm'));
  const store = MetricsStore.create(SQL, file);
  const rows = [];
  for (let d = FIRST, i = 0; d <= LAST; d = addDays(d, 1), i++) if (!GAP.includes(d)) rows.push({ date: d, package: 'left-pad', downloads: 100 + (i % 7) * 10 });
  upsertNpmDaily(store, rows);
  for (let d = FIRST, n = 1000; d <= LAST; d = addDays(d, 3), n += 50) insertDockerHubSnapshot(store, { timestamp: `${d}T06:00:00Z`, image: 'ns/img', pullCount: n, starCount: 2, lastUpdated: null });
  await store.save();
  store.close();
  const lines = realHourLines();
  const ours = lines.filter((l) => l.includes('"name":"cachethq/Cachet"'));
  const others = lines.filter((l) => !l.includes('cachethq/Cachet')).slice(0, 20);
  for (const day of ['2015-01-02', '2015-01-04']) {
    for (let h = 0; h < 24; h++) serveHour(archive, hourFileName(parseHour(`${day}T${h}`)), gz(derivedHour(day === '2015-01-02' && h === 5 ? [...others, ...ours] : others, `${day}-${h}-`)));
  }
  const result = await importGhArchive({ SQL, storeFile: file, logger: silentLogger, repos: ['cachethq/Cachet'], from: '2015-01-01T12', to: '2015-01-04T23', baseUrl: archive.url, retries: 0, flushIntervalMs: 0 });
  assert.deepEqual([result.imported, result.missing], [49, 11 + 24], 'hours 13–23 of 2015-01-01 and all of 2015-01-03 are missing');
}

async function chartFrame(page: Page): Promise<Frame> {
  return findWebviewFrame(page, '#controls select[name="grain"]', 60_000);
}

describe('metric charts, as a person uses them (code-server + Chromium)', function () {
  let api: FakeServer;
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  let frame: Frame;

  before(async function () {
    api = await startFakeGitHub();
    const workspace = await makeWorkspace(CONFIG);
    await seedStore(workspace, api);
    server = await startCodeServer({ workspace, settings: { 'communityMetrics.github.apiUrl': api.url }, logName: 'e2e-charts-code-server' });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server.folderUrl);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      const file = path.join(repoRoot, 'test-results', `charts-${(this.currentTest.title).replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`);
      await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
      console.log(`      screenshot: ${file}`);
    }
  });

  after(async function () {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await api?.close();
  });

  it('opens a metric chart whose SVG names the series and has one point per day with data', async () => {
    // The extension is active and has read the store once the tree shows the artifact.
    const entry = page.locator('.activitybar .action-item a[aria-label^="Community Metrics"], .activitybar .action-item[aria-label^="Community Metrics"]').first();
    await entry.waitFor({ state: 'visible', timeout: 60_000 });
    await entry.click();
    await page.locator('.monaco-list-row', { hasText: 'left-pad' }).first().waitFor({ timeout: 60_000 });
    await runCommand(page, 'Community Metrics: Open Metric Chart');
    await pickQuickItem(page, 'left-pad · Downloads per day');
    frame = await chartFrame(page);
    const symbols = await waitFor(page, () => frame.locator('#chart svg .mark-symbol.role-mark path').count(), (n) => n > 0, 'points drawn');
    assert.equal(symbols, periodCount('day', FIRST, LAST) - GAP.length, 'one point per day with data: the 3 days without data are gaps');
    // One series: no legend repeating it; the title and the axis say what it counts.
    assert.equal(await frame.locator('#chart svg .role-legend-label text').count(), 0);
    assert.match((await frame.locator('.chart-title').textContent()) ?? '', /^left-pad: downloads per day$/);
    assert.deepEqual(await frame.locator('#chart svg .role-axis-title text').allTextContents(), ['2026, day (UTC)', 'downloads per day']);
    const series = JSON.parse((await frame.locator('#chart').getAttribute('data-series')) ?? '[]') as string[];
    assert.match(series[0] ?? '', /^left-pad: downloads per day: npm downloads/);
    // Ticks on Mondays every other week, one format; counts from zero.
    const xLabels = await frame.locator('#chart svg .role-axis-label text').allTextContents();
    assert.ok(xLabels.includes('Jan 5') && xLabels.includes('0'), xLabels.join(' | '));
    // The gap is a gap: the line is cut in two paths around it, not drawn across.
    const summary = (await frame.locator('#summary').textContent()) ?? '';
    assert.match(summary, /90 days from 2026-01-01 to 2026-03-31/);
    assert.match(summary, /3 days without data, shown as gaps/);
    const csp = (await frame.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')) ?? '';
    assert.match(csp, /script-src 'nonce-/);
    assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline/);
  });

  it('switching the grain to week and to month changes the point count as expected', async () => {
    await frame.locator('select[name="grain"]').selectOption('week');
    await waitFor(page, () => frame.locator('#chart svg .mark-symbol.role-mark path').count(), (n) => n === periodCount('week', FIRST, LAST), 'weekly points');
    await frame.locator('select[name="grain"]').selectOption('month');
    await waitFor(page, () => frame.locator('#chart svg .mark-symbol.role-mark path').count(), (n) => n === 3, 'monthly points');
  });

  it('compares a second artifact: two series, each named for what it counts', async () => {
    // The searchable picker: typing narrows the metrics; a click adds one as a chip.
    await frame.locator('#compare-search').fill('ns/img pulls');
    const options = await frame.locator('#compare-list [role="option"]').allTextContents();
    assert.ok(options.length >= 1 && options.every((o) => /ns\/img/.test(o) && /pulls/i.test(o)), options.join(' | '));
    await frame.locator('#compare-list [role="option"]', { hasText: 'ns/img · Pulls' }).first().click();
    const legend = await waitFor(page, () => frame.locator('#chart svg .role-legend-label text').allTextContents(), (l) => l.length === 2, 'two legend entries');
    assert.ok(legend.some((l) => /^ns\/img: approximate pulls/.test(l)), legend.join(' | '));
    assert.equal(await frame.locator('#chosen li.chip').count(), 2, 'two chips, each removable');
  });

  it('renders a project name carrying HTML as plain text', async () => {
    const labels = (await frame.locator('#chosen').textContent()) ?? '';
    assert.ok(labels.includes(PAYLOAD), 'the payload shows as its own text');
    assert.equal(await frame.locator('#compare img').count(), 0, 'no element was made from it');
    assert.equal(await frame.evaluate('document.body.dataset.pwned ?? "no"'), 'no');
  });

  /**
   * What the metric chart must show in every theme (look at test-results/screens/metric-chart-*.png):
   * - the title for people ("2 series compared"), chips of the series and the search box above;
   * - both lines readable on the background (contrast ≥ 3:1, checked below), legend on top, not cut;
   * - gridlines, axis lines and ticks quiet behind them (grid ≤ 2:1, checked), in high contrast too;
   * - x ticks on calendar boundaries with one format, the year in the title; y from 0 with its unit;
   * - the chart filling the panel's height, one Export menu beside the title;
   * - markers only on sparse lines (here 3 months); a dense line (more than 100 points a series) has
   *   none and answers hover with a readout of every series at that period (test/e2e/chartPage.test.ts).
   */
  it('looks right in dark, light and high-contrast themes (screenshots in test-results/screens)', async () => {
    const files = await shootInThemes(page, 'metric-chart', async () => {
      await waitFor(page, () => frame.locator('#chart svg .role-legend-label text').count(), (n) => n === 2, 'the compared chart');
      return frame;
    });
    assert.equal(files.length, 3);
    const box = await frame.locator('#chart').boundingBox();
    const viewport = await frame.evaluate('[innerWidth, innerHeight]') as [number, number];
    assert.ok(box && box.height >= viewport[1] * 0.5, `the chart fills the panel: ${box?.height} of ${viewport[1]} px`);
    assert.equal(await frame.locator('details.export-menu').count(), 1, 'one export menu');
    const legendClipped = await frame.evaluate(`[...document.querySelectorAll('#chart svg .role-legend-label text')].some((t) => t.textContent.endsWith('…'))`);
    assert.equal(legendClipped, false, 'legend labels are not cut');
  });

  it('switching the colour theme changes the chart colours', async () => {
    const stroke = () => frame.locator('#chart svg .mark-line path').first().getAttribute('stroke');
    const before = await waitFor(page, stroke, (s) => !!s, 'line stroke');
    // Not runCommand's Enter: the palette may rank "Browse Color Themes in Marketplace" first.
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input[type="text"]').first().fill('>Preferences: Color Theme');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Preferences: Color Theme' }).filter({ hasNotText: 'Marketplace' }).first().click();
    // The theme picker lists the installed themes; typing filters it as a person would.
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Dark Modern' }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.type('Light Modern');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Light Modern' }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    const after = await waitFor(page, stroke, (s) => !!s && s !== before, 'line stroke after the theme switch');
    assert.notEqual(after, before);
  });

  it('charts GH Archive events of one event type: a point per day read, the gap kept, the legend naming the type', async () => {
    await runCommand(page, 'Community Metrics: Open Metric Chart');
    await pickQuickItem(page, 'cachethq/Cachet · GH Archive events');
    // The filter shows only where a GH Archive series is charted: it finds this panel's frame.
    const archive = await findWebviewFrame(page, '#event-type:not([hidden]) select[name="eventType"]', 60_000);
    // The line's points, not the ring drawn around a partly-read day (its own layer, 'partial').
    const points = () => archive.locator('#chart svg .mark-symbol.role-mark:not(.partial_marks) path').count();
    const rings = () => archive.locator('#chart svg .mark-symbol.partial_marks path').count();
    const legend = async () => JSON.parse((await archive.locator('#chart').getAttribute('data-series')) ?? '[]') as string[];
    await waitFor(page, points, (n) => n === 3, 'one point per day with an imported hour (2015-01-03 is a gap)');
    assert.match((await legend())[0] ?? '', /GH Archive events of every type/);
    const types = await archive.locator('select[name="eventType"] option').allTextContents();
    assert.ok(types.includes('WatchEvent (20)') && types.includes('IssueCommentEvent (38)'), types.join(' | '));
    await archive.locator('select[name="eventType"]').selectOption('WatchEvent');
    const named = await waitFor(page, legend, (l) => /WatchEvent/.test(l[0] ?? ''), 'legend of the WatchEvent series');
    assert.deepEqual(named, ['cachethq/Cachet: events per day: GH Archive WatchEvent events (stars given, as GH Archive saw them)']);
    assert.equal(await points(), 3);
    const summary = (await archive.locator('#summary').textContent()) ?? '';
    assert.match(summary, /highest 10/);
    assert.match(summary, /1 day without data, shown as gaps/);
    assert.match(summary, /1 day is partial, only some of the hours imported \(2015-01-01: 1 of 24 hours\).*ringed in the chart/);
    assert.equal(await rings(), 1, 'the partly-read day is ringed');
  });

  it('clicking a metric in the tree opens its chart', async () => {
    await runCommand(page, 'Community Metrics: Focus on Tracked Projects View');
    const tree = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Tracked Projects' }) }).locator('.monaco-list');
    await tree.waitFor({ state: 'visible', timeout: 30_000 });
    const artifact = tree.locator('.monaco-list-row', { hasText: 'ns/img' }).first();
    const metric = tree.locator('.monaco-list-row[aria-level="3"]', { hasText: /^\s*Pulls/ }).first();
    // The artifact row has no command of its own: a click opens it to its metrics.
    await waitFor(page, async () => {
      if (await metric.isVisible()) return true;
      if ((await artifact.getAttribute('aria-expanded')) !== 'true') await artifact.click();
      return false;
    }, (shown) => shown, 'the metrics of ns/img in the tree', 15_000);
    await metric.click();
    // A new panel (the open one starts from left-pad): the frame whose only series is ns/img's.
    const legendOf = async (f: Frame) => JSON.parse((await f.locator('#chart').getAttribute('data-series', { timeout: 1_000 }).catch(() => null)) ?? '[]') as string[];
    const found = await waitFor(page, async () => {
      for (const f of page.frames()) {
        const legend = await legendOf(f);
        if (legend.length === 1 && /^ns\/img: approximate pulls/.test(legend[0] ?? '')) return legend;
      }
      return undefined;
    }, (l) => l !== undefined, 'a chart of ns/img pulls alone', 60_000);
    assert.equal(found?.length, 1);
  });
});
