import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { layoutLineage } from '../../src/core/lineage/elkLayout';
import { elkInputFor } from '../../src/core/lineage/layoutGraph';
import { lineageGraphFromManifest } from '../../src/core/lineage/lineageGraph';
import { GROUP_PREFIX, buildLineageView } from '../../src/core/lineage/lineageView';
import type { LineageView, ViewNode, ViewRequest } from '../../src/core/lineage/lineageView';
import { LINEAGE_BODY } from '../../src/core/lineage/panelMarkup';
import { lineageSvg } from '../../src/core/lineage/svgExport';
import { launchBrowser } from '../harness/browser';
import { repoRoot } from '../support/fixtures';
import { SCREENS_DIR } from './themeScreens';
import { benchManifest } from '../support/lineageBenchManifest';
import { HARD_NAMES, hardTextView } from '../support/lineageHardText';
import { starterManifest } from '../unit/lineage/starterManifest';

/**
 * The lineage panel's page (the real bundle dist/webview/lineage.js, its stylesheet and markup, ELK
 * in its worker) in Chromium without the workbench: panels of a given size, views posted as the host
 * posts them. The editor font is VS Code's default, 14 px.
 */
const DARK_MODERN = '--vscode-editor-background: #1f1f1f; --vscode-foreground: #ccc; --vscode-descriptionForeground: #9d9d9d; --vscode-editorWidget-background: #202020; --vscode-editorWidget-border: #313131; --vscode-errorForeground: #f85149; --vscode-charts-blue: #3794ff; --vscode-charts-green: #89d185; --vscode-charts-purple: #b180d7; --vscode-editorLineNumber-foreground: #6e7681; --vscode-focusBorder: #0078d4; --vscode-button-secondaryBackground: #313131; --vscode-button-secondaryForeground: #ccc; --vscode-testing-iconPassed: #73c991; --vscode-editor-font-family: monospace';
const PAGE = `<!DOCTYPE html><html style="--vscode-editor-font-size: 14px; --vscode-font-size: 13px; --vscode-font-family: sans-serif; ${DARK_MODERN}"><head><meta charset="utf-8"><link rel="stylesheet" href="/media/lineage.css"></head>
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

  /**
   * Every visible text of every node, with its drawn box and the node's box and controls, in the
   * node's own units (getBBox): what the person sees, measured by the browser that draws it.
   */
  const textBoxes = (page: Page, root: string) => page.evaluate(`(() => [...document.querySelectorAll(${JSON.stringify(root)} + ' g.node')].flatMap((g) => {
    const rect = g.querySelector('rect');
    const w = Number(rect.getAttribute('width'));
    const h = Number(rect.getAttribute('height'));
    const controls = [...g.querySelectorAll(':scope > g.control')].map((c) => c.getBBox().x + c.transform.baseVal.consolidate().matrix.e);
    return [...g.querySelectorAll(':scope > text')].filter((t) => getComputedStyle(t).display !== 'none' && t.textContent).map((t) => {
      const b = t.getBBox();
      // The drawn words only (a cut line also holds its tooltip, a <title> child).
      const text = [...t.childNodes].filter((c) => c.nodeType === 3).map((c) => c.data).join('');
      return { node: g.getAttribute('data-id'), cls: t.getAttribute('class'), text, title: t.querySelector('title')?.textContent ?? '', left: b.x, right: b.x + b.width, y: b.y, bottom: b.y + b.height, width: w, height: h, controls: Math.min(w, ...controls) };
    });
  }))()`) as Promise<Array<{ node: string; cls: string; text: string; title: string; left: number; right: number; y: number; bottom: number; width: number; height: number; controls: number }>>;

  function assertInside(boxes: Awaited<ReturnType<typeof textBoxes>>, where: string): void {
    assert.ok(boxes.length > 20, `${boxes.length} texts`);
    // No line drawn over the next one (the lines of a node come top to bottom).
    boxes.forEach((t, i) => {
      const next = boxes[i + 1];
      if (next && next.node === t.node) assert.ok(t.bottom <= next.y + 0.5, `${where}: "${t.text}" (to y ${t.bottom.toFixed(1)}) overlaps "${next.text}" (from y ${next.y.toFixed(1)})`);
    });
    for (const t of boxes) {
      assert.ok(t.left >= 5 && t.right <= t.width - 4, `${where}: "${t.text}" (${t.cls}) spans ${t.left.toFixed(1)}–${t.right.toFixed(1)} in a ${t.width} px box`);
      // Top to bottom too: the box's height comes from the lines at the size they are drawn at.
      assert.ok(t.y >= 1 && t.bottom <= t.height - 1, `${where}: "${t.text}" (${t.cls}) spans y ${t.y.toFixed(1)}–${t.bottom.toFixed(1)} in a ${t.height} px high box`);
      // The name line stops before the round controls at its right.
      if (t.cls === 'name') assert.ok(t.right <= t.controls - 1, `${where}: "${t.text}" ends at ${t.right.toFixed(1)}, under the controls at ${t.controls.toFixed(1)}`);
    }
  }

  it('node text is measured in the font it is drawn in: every line inside its box, a line too long for the widest box cut with … and whole in its tooltip', async () => {
    const view = await hardTextView();
    const page = await open(1600, 1000, view, { columnsOpen: [] });
    try {
      // Full detail at this size (every line shown), or the check below would see names only.
      assert.equal(await page.locator('#graph').getAttribute('data-lod'), 'full');
      const boxes = await textBoxes(page, '#graph');
      assertInside(boxes, 'panel');
      // Full detail at the default fit: every node's name, and every other line, at least the editor's font (14 px) on screen.
      const small = await page.evaluate(`(() => {
        const k = document.getElementById('viewport').getCTM().a;
        return [...document.querySelectorAll('#graph g.node > text')].filter((t) => getComputedStyle(t).display !== 'none' && t.textContent)
          .map((t) => ({ cls: t.getAttribute('class'), px: parseFloat(getComputedStyle(t).fontSize) * k })).filter((t) => t.px < 14 - 0.01);
      })()`);
      assert.deepEqual(small, [], 'text below the editor font on screen');
      // To look at: long and upper-case names, run and error lines, a column, each inside its box.
      await mkdir(SCREENS_DIR, { recursive: true });
      await page.screenshot({ path: path.join(SCREENS_DIR, 'lineage-long-text.png') });
      const shown = (text: string) => boxes.find((t) => t.text === text);
      // Short enough for the widest box: whole, and the box grew for it.
      assert.ok(shown(HARD_NAMES.upper), 'an upper-case name drawn whole');
      assert.ok(shown(HARD_NAMES.wide), 'wide letters drawn whole');
      assert.ok(shown('success · 0.42 s · 1,592 rows'), '1,592 rows drawn whole');
      assert.ok(shown('success · 12.35 s · 15,920,000 rows'), 'millions of rows drawn whole');
      // Too long for any box: cut, the whole in the tooltip.
      const long = boxes.find((t) => t.cls === 'name' && t.title === HARD_NAMES.long);
      assert.ok(long && long.text.endsWith('…') && long.text.length > 20, `long name shown as ${long?.text}`);
      const error = boxes.find((t) => t.cls === 'run' && t.text.startsWith('error: Compilation Error'));
      assert.ok(error?.text.endsWith('…'), `error line shown as ${error?.text}`);
      assert.match(error?.title ?? '', /did you mean "stargazers_count"\?$/);
      assert.ok(boxes.some((t) => t.cls === 'column' && t.text.startsWith('REPOSITORY_FULL_NAME_WITH_OWNER ←')), 'the column line');
      // The host's sizes were replaced by the measured ones: the drawn layout says so.
      const rendered = await page.evaluate('window.__posted.find((m) => m.type === "rendered").layout.nodes') as Record<string, { width: number }>;
      const upper = view.nodes.find((n) => n.name === HARD_NAMES.upper) as ViewNode;
      assert.ok((rendered[upper.id]?.width ?? 0) > 180, `upper-case name's box ${rendered[upper.id]?.width} px`);
    } finally {
      await page.close();
    }
  });

  it('a change of the fonts the nodes are drawn in (a font setting) asks for the view again, to measure and lay it out anew; a colour change does not', async () => {
    const view = buildLineageView(lineageGraphFromManifest(await starterManifest()), {});
    const page = await open(900, 700, view, {});
    try {
      const requestsAfter = (change: string) => page.evaluate(`(async () => {
        ${change};
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        return window.__posted.filter((m) => m.type === 'request').length;
      })()`) as Promise<number>;
      assert.equal(await requestsAfter(`document.documentElement.style.setProperty('--vscode-editor-background', '#ffffff')`), 0, 'a colour change');
      assert.equal(await requestsAfter(`document.documentElement.style.setProperty('--vscode-editor-font-family', 'serif')`), 1, 'an editor font change');
      assert.equal(await requestsAfter(`document.documentElement.style.setProperty('--vscode-font-family', 'serif')`), 2, 'a workbench font change');
    } finally {
      await page.close();
    }
  });

  it("the CLI's SVG, opened in Chromium: every line inside its box (measured in the font it declares), cut lines whole in their tooltip", async () => {
    const view = await hardTextView();
    const svg = lineageSvg(view, await layoutLineage(view));
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    try {
      await page.setContent(`<!DOCTYPE html><html><body style="margin:0">${svg.replace(/^<\?xml[^>]*>/, '')}</body></html>`);
      const boxes = await textBoxes(page, 'svg');
      assertInside(boxes, 'CLI SVG');
      assert.ok(boxes.some((t) => t.text === 'success · 0.42 s · 1,592 rows'));
      assert.ok(boxes.some((t) => t.text === HARD_NAMES.upper));
      const long = boxes.find((t) => t.title === HARD_NAMES.long);
      assert.ok(long?.text.endsWith('…'), `long name shown as ${long?.text}`);
    } finally {
      await page.close();
    }
  });

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
        // At the default fit, full detail or names only: at least the editor's font (14 px) on screen.
        assert.ok(n.px >= 14 - 0.01, `${n.full}: ${n.px.toFixed(2)} px on screen`);
      }
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
        assert.ok(n.px >= 14 - 0.01, `${n.full}: ${n.px.toFixed(2)} px on screen`);
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
