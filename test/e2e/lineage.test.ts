import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Frame } from 'playwright-core';
import { loadProject } from '../../src/core/project/project';
import { starterProjectFiles } from '../../src/core/project/starterProject';
import { writeScaffold } from '../../src/core/project/writeScaffold';
import { findWebviewFrame, runCommand } from '../harness/browser';
import { waitFor } from './chartSteps';
import { WorkbenchSession } from './session';
import { shootInThemes } from './themeScreens';

/** The names of the nodes drawn in the lineage panel. */
async function drawnNodes(frame: Frame): Promise<string[]> {
  return (await frame.locator('#graph g.node text.name').allTextContents()).sort();
}

/**
 * The text of the nodes on screen at least the editor's font (issue 14), computed in the panel's
 * Chromium: each visible line's font size times the drawing's zoom, against --vscode-editor-font-size
 * as VS Code sets it. Returns the editor's size and the lines (names, or every text) below it.
 */
async function textBelowEditorFont(frame: Frame, which: 'names' | 'all'): Promise<{ editor: number; count: number; small: string[] }> {
  return (await frame.evaluate(`(() => {
    const editor = parseFloat(getComputedStyle(document.body).getPropertyValue('--vscode-editor-font-size'));
    const k = document.getElementById('viewport').getCTM().a;
    const texts = [...document.querySelectorAll(${JSON.stringify(which === 'names' ? '#graph g.node > text.name, #graph g.node > text.lod' : '#graph g.node text')})]
      .filter((t) => getComputedStyle(t).display !== 'none' && t.textContent && t.getBoundingClientRect().height > 0);
    const small = texts.map((t) => ({ text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * k })).filter((t) => !(t.px >= editor - 0.01)).map((t) => t.text + ': ' + t.px.toFixed(2) + ' px');
    return { editor, count: texts.length, small };
  })()`)) as { editor: number; count: number; small: string[] };
}

describe('lineage, as a person uses it (code-server + Chromium)', function () {
  let session: WorkbenchSession;
  let frame: Frame;

  before(async function () {
    session = await WorkbenchSession.start('lineage', undefined, async (workspace) => {
      await writeScaffold(workspace, starterProjectFiles());
    });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(`      screenshot: ${await session.screenshot(`lineage ${this.currentTest.title}`)}`);
  });

  after(async function () {
    await session?.stop();
  });

  it('opens from the Lineage CodeLens of a model, scoped to that model', async () => {
    const page = session.page;
    await session.projectsTree();
    // Open models/daily_summary.sql with Quick Open, as a person would.
    await page.keyboard.press('Control+P');
    await page.keyboard.type('daily_summary.sql');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'daily_summary.sql' }).first().waitFor({ timeout: 15_000 });
    await page.keyboard.press('Enter');
    const lens = page.locator('.codelens-decoration a', { hasText: 'Lineage' }).first();
    await lens.waitFor({ timeout: 60_000 });
    await lens.click();
    frame = await findWebviewFrame(page, '#graph g.node', 60_000);
    const nodes = await drawnNodes(frame);
    assert.ok(nodes.includes('daily_summary'), nodes.join(', '));
    // The current file's node is highlighted.
    await frame.locator('#graph g.node.current', { hasText: 'daily_summary' }).first().waitFor({ timeout: 15_000 });
    assert.deepEqual(await frame.locator('#graph g.node.current text.name').allTextContents(), ['daily_summary']);
    // At the zoom it opens at, every node's name is at least the editor's font on screen.
    const names = await textBelowEditorFont(frame, 'names');
    assert.ok(names.editor >= 10 && names.count >= nodes.length, `editor font ${names.editor} px, ${names.count} names`);
    assert.deepEqual(names.small, [], `names below the editor's ${names.editor} px`);
  });

  it('the selector +daily_summary shows exactly its upstream nodes', async () => {
    // The expected set comes from the models engine's own graph, not from the lineage code.
    const project = await loadProject(session.workspace);
    const target = [...project.nodes.values()].find((n) => n.name === 'daily_summary' && n.resourceType === 'model');
    assert.ok(target);
    const expected = [...project.graph.ancestors(target.uniqueId), target.uniqueId]
      .filter((id) => !id.startsWith('test.'))
      // Sources are labelled source.table, as a model references them.
      .map((id) => { const src = project.sources.get(id); return project.nodes.get(id)?.name ?? (src ? `${src.sourceName}.${src.name}` : id); })
      .sort();
    await frame.locator('#selector').fill('+daily_summary');
    await frame.locator('#apply').click();
    const nodes = await waitFor(session.page, () => drawnNodes(frame), (n) => JSON.stringify(n) === JSON.stringify(expected), 'the upstream of daily_summary', 30_000).catch(() => drawnNodes(frame));
    assert.deepEqual(nodes, expected);
  });

  it('the same selection drawn again (from the layout the host kept) puts every node where it was', async () => {
    const places = () => frame.locator('#graph g.node').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-id')} ${e.getAttribute('transform')}`).sort());
    assert.equal(await frame.locator('#graph').getAttribute('data-layout'), 'worker');
    const before = await places();
    await frame.locator('#graph g.node').evaluateAll((els) => els.forEach((e) => e.setAttribute('data-drawn-before', '')));
    await frame.locator('#apply').click();
    // A redraw replaces every node element.
    await frame.locator('#graph g.node[data-drawn-before]').first().waitFor({ state: 'detached', timeout: 30_000 });
    await frame.locator('#graph g.node').first().waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('#graph').getAttribute('data-layout'), 'kept');
    assert.deepEqual(await places(), before);
  });

  it('clicking an upstream node opens its file', async () => {
    // At a readable zoom the node may be outside the panel: focus brings it into view, as panning would.
    const node = frame.locator('#graph g.node', { hasText: 'github_daily_summary' }).first();
    await node.focus();
    await node.click();
    const tab = session.page.locator('.tabs-container .tab', { hasText: 'github_daily_summary.sql' });
    await tab.waitFor({ timeout: 20_000 });
  });

  it('Export SVG writes a file that names every visible node', async () => {
    const visible = await drawnNodes(frame);
    // Export is in the toolbar's ⋯ menu.
    await frame.locator('#more summary').click();
    await frame.locator('#export-svg').click();
    // VS Code's save dialog (a quick input in the browser) proposes lineage.svg in the workspace.
    const input = session.page.locator('.quick-input-widget input[type="text"]').first();
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    // The dialog fills in its proposal after it shows: Enter before that would answer an empty path.
    await waitFor(session.page, () => input.inputValue(), (v) => v.endsWith('lineage.svg'), 'the proposed lineage.svg', 15_000);
    await session.page.keyboard.press('Enter');
    const file = path.join(session.workspace, 'lineage.svg');
    // The file appears before it is whole: wait for its end.
    const whole = () => existsSync(file) && readFileSync(file, 'utf8').trimEnd().endsWith('</svg>');
    const deadline = Date.now() + 15_000;
    while (!whole() && Date.now() < deadline) await session.page.waitForTimeout(200);
    const svg = readFileSync(file, 'utf8');
    assert.match(svg, /^<\?xml|^<svg/);
    for (const name of visible) assert.ok(svg.includes(`>${name}<`), `${name} not in the SVG`);
  });

  /**
   * What the lineage must show in every theme (test-results/screens/lineage-*.png): after "Full graph"
   * the whole graph fitted in the panel when its names stay readable at that size, else drawn at the
   * readable zoom from its sources on the left (pan for the rest); no name cut short ("gith…"); text
   * never smaller than the editor font (names only when zoomed out); sources as source.table; the
   * toolbar on one line (zoom, grouping and export in its ⋯ menu), the status on its own line and
   * not cut (it wraps); every line of a node inside its box (measured in the workbench's fonts); no
   * selection left over (its faded nodes) and no notification over the graph; the type bar coloured
   * by type, and text readable against the node in each theme. (Long names, run and error lines:
   * lineagePage.test.ts, screens/lineage-long-text.png.)
   */
  it('the full graph fits the panel, and looks right in dark, light and high-contrast themes', async () => {
    const drawn = await frame.locator('#graph').getAttribute('data-drawn');
    await frame.locator('#full').click();
    // The next view drawn (data-drawn counts them): laid out, fitted and its level of detail applied.
    await waitFor(session.page, () => frame.locator('#graph').getAttribute('data-drawn'), (n) => n !== drawn, 'the full graph drawn');
    assert.ok((await frame.locator('#graph g.node').count()) > 3, 'the full graph');
    // Fitted whole when that leaves every name readable; else at the readable zoom (the rest by panning).
    const fit = await frame.locator('#graph').getAttribute('data-fit');
    const fits = await frame.evaluate(`(() => {
      const svg = document.getElementById('graph').getBoundingClientRect();
      return [...document.querySelectorAll('#graph g.node')].every((g) => { const r = g.getBoundingClientRect(); return r.left >= svg.left - 1 && r.right <= svg.right + 1 && r.top >= svg.top - 1 && r.bottom <= svg.bottom + 1; });
    })()`);
    if (fit === 'whole') assert.equal(fits, true, 'every node inside the panel');
    else {
      assert.equal(fit, 'readable');
      // Drawn in part: the part shown is where the graph is, not an empty corner with one node.
      const inside = await frame.evaluate(`(() => {
        const svg = document.getElementById('graph').getBoundingClientRect();
        return [...document.querySelectorAll('#graph g.node')].filter((g) => { const r = g.getBoundingClientRect(); return r.left >= svg.left - 1 && r.right <= svg.right + 1 && r.top >= svg.top - 1 && r.bottom <= svg.bottom + 1; }).length;
      })()`) as number;
      assert.ok(inside >= 3, `${inside} nodes wholly in view`);
    }
    // No name cut short.
    const cut = await frame.evaluate(`[...document.querySelectorAll('#graph g.node text.lod')].filter((t) => getComputedStyle(t).display !== 'none' && t.textContent.endsWith('…')).length`);
    assert.equal(cut, 0, 'names drawn whole');
    // At the default fit, every visible node name, and every other visible line, at least the editor's font on screen.
    const names = await textBelowEditorFont(frame, 'names');
    assert.ok(names.editor >= 10 && names.count > 3, `editor font ${names.editor} px, ${names.count} names`);
    assert.deepEqual(names.small, [], `names below the editor's ${names.editor} px`);
    assert.deepEqual((await textBelowEditorFont(frame, 'all')).small, [], `text below the editor's ${names.editor} px`);
    // Every line of every node inside its box, as drawn in the workbench's own fonts.
    const outside = await frame.evaluate(`[...document.querySelectorAll('#graph g.node')].flatMap((g) => {
      const w = Number(g.querySelector('rect.box').getAttribute('width'));
      const h = Number(g.querySelector('rect.box').getAttribute('height'));
      return [...g.querySelectorAll(':scope > text')].filter((t) => getComputedStyle(t).display !== 'none' && t.textContent).map((t) => ({ text: t.textContent, left: t.getBBox().x, right: t.getBBox().x + t.getBBox().width, top: t.getBBox().y, bottom: t.getBBox().y + t.getBBox().height, w, h })).filter((t) => t.left < 5 || t.right > t.w - 4 || t.top < 1 || t.bottom > t.h - 1);
    })`) as unknown[];
    assert.deepEqual(outside, [], 'text outside its node');
    // The screens show the graph itself: no toast over it, no earlier selection fading most of it (Escape clears it).
    await runCommand(session.page, 'Notifications: Clear All Notifications');
    await frame.locator('#status').click();
    await session.page.keyboard.press('Escape');
    await frame.locator('#graph:not(.has-selection)').waitFor({ timeout: 15_000 });
    const files = await shootInThemes(session.page, 'lineage', async () => frame);
    assert.equal(files.length, 3);
  });
});
