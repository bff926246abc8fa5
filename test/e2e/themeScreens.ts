import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { contrastRatio, MIN_CONTRAST, parseColor } from '../../webview/charts/shared/palette';
import { runCommand } from '../harness/browser';
import { repoRoot } from '../support/fixtures';
import { waitFor } from './chartSteps';

/** The three kinds of theme every panel is looked at in: the picker's label and the workbench's class. */
export const THEMES = [
  { name: 'dark', label: 'Dark Modern', workbenchClass: 'vs-dark' },
  { name: 'light', label: 'Light Modern', workbenchClass: 'vs' },
  { name: 'high-contrast', label: 'Dark High Contrast', workbenchClass: 'hc-black' },
] as const;
export type ThemeName = (typeof THEMES)[number]['name'];

export const SCREENS_DIR = path.join(repoRoot, 'test-results', 'screens');

/** Preferences: Color Theme, then the theme typed into its picker, as a person does; waits for the workbench to switch. */
export async function setColorTheme(page: Page, theme: (typeof THEMES)[number]): Promise<void> {
  const workbench = page.locator('.monaco-workbench').first();
  if (await workbench.evaluate((el, c) => el.classList.contains(c), theme.workbenchClass)) return;
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input[type="text"]').first().fill('>Preferences: Color Theme');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Preferences: Color Theme' }).filter({ hasNotText: 'Marketplace' }).first().click();
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Modern' }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.type(theme.label);
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: theme.label }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  await waitFor(page, () => workbench.evaluate((el, c) => el.classList.contains(c), theme.workbenchClass), (v) => v, `the ${theme.label} theme`, 30_000);
}

/**
 * The series colours drawn in `frame` (line strokes, bar and area fills, point fills) and the
 * panel's background, and each colour's WCAG contrast against it.
 */
export async function drawnContrast(frame: Frame): Promise<{ background: string; colours: Array<{ colour: string; ratio: number }> }> {
  // A string: it runs in the webview, whose DOM types this Node-side file does not have.
  const { background, colours } = (await frame.evaluate(`(() => {
    const bg = getComputedStyle(document.body).backgroundColor;
    const seen = new Set();
    for (const el of document.querySelectorAll('.chart-area svg .role-mark path, .chart-area svg .role-mark line')) {
      const parent = el.closest('.role-mark');
      // Release rules and their labels are in the muted text colour, not a series colour.
      if (!parent || parent.classList.contains('releases_marks') || parent.classList.contains('mark-text')) continue;
      const mark = parent.getAttribute('class') || '';
      const value = mark.includes('mark-line') ? el.getAttribute('stroke') : el.getAttribute('fill');
      if (value && value !== 'transparent' && value !== 'none') seen.add(value);
    }
    return { background: bg, colours: [...seen] };
  })()`)) as { background: string; colours: string[] };
  return { background, colours: colours.map((colour) => ({ colour, ratio: contrastRatio(colour, background) })) };
}

/** Gridlines quieter than this against the background: behind the series (≥ 3:1), not over them. */
export const MAX_GRID_CONTRAST = 2;

/**
 * The gridlines, axis lines and ticks of the charts in `frame` as drawn (colour mixed with the
 * background at the drawn opacity) and their WCAG contrast against the background.
 */
export async function drawnGrid(frame: Frame): Promise<Array<{ what: string; colour: string; opacity: number; ratio: number }>> {
  const { background, lines } = (await frame.evaluate(`(() => {
    const bg = getComputedStyle(document.body).backgroundColor;
    const seen = new Map();
    for (const el of document.querySelectorAll('.chart-area svg .role-axis-grid line, .chart-area svg .role-axis-domain line, .chart-area svg .role-axis-tick line')) {
      const role = ['grid', 'domain', 'tick'].find((r) => el.closest('.role-axis-' + r));
      const colour = el.getAttribute('stroke');
      const opacity = Number(el.getAttribute('stroke-opacity') ?? el.getAttribute('opacity') ?? 1);
      if (colour) seen.set(role + colour + opacity, { what: role, colour, opacity });
    }
    return { background: bg, lines: [...seen.values()] };
  })()`)) as { background: string; lines: Array<{ what: string; colour: string; opacity: number }> };
  const bg = parseColor(background) ?? [0, 0, 0];
  /** The alpha of `rgba(r, g, b, a)` or `#rrggbbaa`, else 1. */
  const alpha = (css: string) => {
    const rgba = /^rgba\([^)]*,\s*([\d.]+)\s*\)$/i.exec(css.trim());
    if (rgba) return Number(rgba[1]);
    const hex = /^#[0-9a-f]{6}([0-9a-f]{2})$/i.exec(css.trim());
    return hex ? parseInt(hex[1] as string, 16) / 255 : 1;
  };
  return lines.map((l) => {
    const c = parseColor(l.colour) ?? bg;
    const a = l.opacity * alpha(l.colour);
    const mixed = `rgb(${c.map((v, i) => Math.round(v * a + (bg[i] as number) * (1 - a))).join(', ')})`;
    return { ...l, ratio: contrastRatio(mixed, background) };
  });
}

/** Until the frame has painted twice: what was drawn before is on the screen. */
async function painted(frame: Frame): Promise<void> {
  await frame.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true))))');
}

/**
 * Switches the workbench to each theme, waits for the panel to draw again, checks every series
 * colour against the panel's background (WCAG ≥ 3:1) and saves a screenshot of the workbench to
 * test-results/screens/<panel>-<theme>.png. `ready` finds the panel's frame and waits until it is
 * drawn in the current theme (a theme switch redraws the charts).
 */
export async function shootInThemes(page: Page, panel: string, ready: () => Promise<Frame>, scrollTo?: string | ReadonlyArray<{ selector: string; name: string }>): Promise<string[]> {
  // Screens further down a long page (the dashboard): each at an element scrolled to the top.
  const further = typeof scrollTo === 'string' ? [{ selector: scrollTo, name: 'charts' }] : (scrollTo ?? []);
  await mkdir(SCREENS_DIR, { recursive: true });
  // The panel as a person reading it would have it: the empty secondary side bar closed.
  if (await page.locator('.part.auxiliarybar').first().isVisible().catch(() => false)) {
    await runCommand(page, 'View: Toggle Secondary Side Bar Visibility').catch(() => page.keyboard.press('Escape'));
  }
  const files: string[] = [];
  for (const theme of THEMES) {
    await setColorTheme(page, theme);
    const frame = await ready();
    // The page redraws on the body's class change: wait until every chart (ChartView's data-theme)
    // or the lineage graph (main.ts markTheme) says it was drawn in this theme, then for a painted frame.
    await waitFor(page, () => frame.evaluate(`[...document.querySelectorAll('.chart-area[data-points], #graph')].every((c) => c.dataset.theme === '${theme.name}')`), (v) => v === true, `${panel} drawn in ${theme.name}`, 60_000);
    await painted(frame);
    const { background, colours } = await drawnContrast(frame);
    for (const c of colours) assert.ok(c.ratio >= MIN_CONTRAST, `${panel} in ${theme.name}: ${c.colour} on ${background} has contrast ${c.ratio.toFixed(2)}:1`);
    for (const g of (await drawnGrid(frame)).filter((l) => l.what === 'grid')) assert.ok(g.ratio <= MAX_GRID_CONTRAST, `${panel} in ${theme.name}: axis ${g.what} ${g.colour} at opacity ${g.opacity} has contrast ${g.ratio.toFixed(2)}:1 on ${background} (louder than the series)`);
    const file = path.join(SCREENS_DIR, `${panel}-${theme.name}.png`);
    await frame.evaluate('window.scrollTo(0, 0)');
    await painted(frame);
    await page.screenshot({ path: file });
    files.push(file);
    for (const { selector, name } of further) {
      await frame.locator(selector).first().scrollIntoViewIfNeeded();
      await frame.evaluate(`document.querySelector(${JSON.stringify(selector)}).scrollIntoView({ block: 'start' })`);
      await painted(frame);
      const more = path.join(SCREENS_DIR, `${panel}-${theme.name}-${name}.png`);
      await page.screenshot({ path: more });
      files.push(more);
    }
    if (further.length) await frame.evaluate('window.scrollTo(0, 0)');
  }
  await setColorTheme(page, THEMES[0]);
  return files;
}
