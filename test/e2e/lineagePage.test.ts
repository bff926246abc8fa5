import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { elkInputFor } from '../../src/core/lineage/layoutGraph';
import { lineageGraphFromManifest } from '../../src/core/lineage/lineageGraph';
import { GROUP_PREFIX, buildLineageView } from '../../src/core/lineage/lineageView';
import type { LineageView, ViewRequest } from '../../src/core/lineage/lineageView';
import { LINEAGE_BODY } from '../../src/core/lineage/panelMarkup';
import { launchBrowser } from '../harness/browser';
import { repoRoot } from '../support/fixtures';
import { benchManifest } from '../support/lineageBenchManifest';
import { starterManifest } from '../unit/lineage/starterManifest';

/**
 * The lineage panel's page (the real bundle dist/webview/lineage.js, its stylesheet and markup, ELK
 * in its worker) in Chromium without the workbench: panels of a given size, views posted as the host
 * posts them. The editor font is VS Code's default, 14 px.
 */
const PAGE = `<!DOCTYPE html><html style="--vscode-editor-font-size: 14px; --vscode-font-size: 13px; --vscode-font-family: sans-serif; --vscode-editor-background: #1f1f1f; --vscode-foreground: #ccc"><head><link rel="stylesheet" href="/media/lineage.css"></head>
<body data-worker="/dist/webview/lineageLayout.js">${LINEAGE_BODY}
<script>window.__posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => {} });</script>
<script src="/dist/webview/lineage.js"></script></body></html>`;


describe('lineage page in Chromium: readable at any panel size (issue 14)', function () {
  let server: Server;
  let browser: Browser;
  let url = '';

  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      readFile(path.join(repoRoot, decodeURIComponent((req.url ?? '').split('?')[0] ?? ''))).then(
        (body) => res.writeHead(200, { 'content-type': req.url?.endsWith('.css') ? 'text/css' : 'text/javascript' }).end(body),
        () => res.writeHead(404).end(),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  async function open(width: number, height: number, view: LineageView, request: ViewRequest): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.goto(url);
    await page.waitForFunction('window.__posted.some((m) => m.type === "ready")');
    await page.evaluate(`window.postMessage(${JSON.stringify({ type: 'view', view, elk: elkInputFor(view), request })}, '*')`);
    await page.waitForFunction('window.__posted.some((m) => m.type === "rendered" || m.type === "error")', undefined, { timeout: 60_000 });
    assert.equal(await page.evaluate('window.__posted.find((m) => m.type === "rendered" || m.type === "error").type'), 'rendered');
    return page;
  }

  /** Each node's name as shown (the full-detail name, or the names-only level of detail), and its size on screen in px. */
  const shownNames = (page: Page) => page.evaluate(`(() => {
    const k = document.getElementById('viewport').getCTM().a;
    return [...document.querySelectorAll('#graph g.node')].map((g) => {
      const t = [...g.querySelectorAll('text.name, text.lod')].find((x) => getComputedStyle(x).display !== 'none');
      return { full: g.querySelector('text.name').textContent, shown: t ? t.textContent : '', px: t ? parseFloat(getComputedStyle(t).fontSize) * k : 0 };
    });
  })()`) as Promise<Array<{ full: string; shown: string; px: number }>>;

  it('a 12-node graph in a 500 px wide panel: names whole and at least the editor font (the panel pans, it does not shrink them), toolbar on one line', async () => {
    const view = buildLineageView(lineageGraphFromManifest(await starterManifest()), {});
    assert.ok(view.nodes.length >= 10, `${view.nodes.length} nodes`);
    const page = await open(500, 700, view, {});
    try {
      const names = await shownNames(page);
      assert.equal(names.length, view.nodes.length);
      for (const n of names) {
        assert.equal(n.shown, n.full, `${n.full} is drawn whole`);
        assert.ok(n.px >= 11.4, `${n.full}: ${n.px.toFixed(1)} px on screen`);
      }
      // Names only (zoomed out): at the editor's font size on screen.
      if ((await page.locator('#graph').getAttribute('data-lod')) === 'names') for (const n of names) assert.ok(n.px >= 13.5, `${n.full}: ${n.px.toFixed(1)} px`);
      assert.equal(await page.locator('#graph').getAttribute('data-fit'), 'readable');
      assert.match(await page.locator('#status').innerText(), /part of the graph at a readable size: drag to pan/);
      // Every toolbar control on one line.
      const tops = await page.locator('.toolbar > *').evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
      assert.ok(Math.max(...tops) - Math.min(...tops) <= 4, `toolbar rows at ${tops.join(', ')}`);
      const right = await page.locator('.toolbar > *').evaluateAll((els) => Math.max(...els.map((e) => e.getBoundingClientRect().right)));
      assert.ok(right <= 500, `toolbar ends at ${right}px`);
    } finally {
      await page.close();
    }
  });

  it('the 1,000-node full view is a box per folder, names whole and readable; a click on one asks for its nodes', async () => {
    const request: ViewRequest = { clusters: 'auto' };
    const view = buildLineageView(lineageGraphFromManifest(benchManifest()), request);
    const page = await open(1400, 900, view, request);
    try {
      const names = await shownNames(page);
      assert.equal(names.length, 11);
      for (const n of names) {
        assert.equal(n.shown, n.full);
        assert.ok(n.px >= 11.4, `${n.full}: ${n.px.toFixed(1)} px on screen`);
      }
      assert.match(await page.locator('#status').innerText(), /992 of 1000 nodes, 11 folders grouped \(click one to open it\)/);
      // Off screen at the readable zoom: keyboard focus brings it into view, then a click opens it.
      const box = page.locator('#graph g.node', { hasText: 'models/layer_4' }).first();
      await box.focus();
      await box.click();
      const asked = await page.evaluate('window.__posted.filter((m) => m.type === "request").map((m) => m.request)') as ViewRequest[];
      assert.deepEqual(asked.at(-1)?.expanded, [`${GROUP_PREFIX}models/layer_4`]);
    } finally {
      await page.close();
    }
  });

  it('zoom, grouping and export are in the ⋯ menu, which closes once an item is chosen', async () => {
    const view = buildLineageView(lineageGraphFromManifest(await starterManifest()), {});
    const page = await open(900, 700, view, {});
    try {
      assert.equal(await page.locator('#export-svg').isVisible(), false);
      await page.locator('#more summary').click();
      assert.equal(await page.locator('#export-svg').isVisible(), true);
      await page.locator('#export-svg').click();
      assert.equal(await page.locator('#more').getAttribute('open'), null, 'the menu closed');
      assert.ok(await page.evaluate('window.__posted.some((m) => m.type === "export" && m.format === "svg")'));
      await page.locator('#more summary').click();
      await page.locator('#clusters').click();
      const asked = await page.evaluate('window.__posted.filter((m) => m.type === "request").map((m) => m.request)') as ViewRequest[];
      assert.equal(asked.at(-1)?.clusters, 'off');
    } finally {
      await page.close();
    }
  });
});
