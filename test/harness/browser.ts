import { chromium } from 'playwright-core';
import type { Browser, Frame, Page } from 'playwright-core';
import { existsSync } from 'node:fs';

export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  for (const c of candidates) if (c && existsSync(c)) return c;
  throw new Error('Chromium not found: install Debian’s chromium package (apt-get install chromium) or set CHROMIUM_PATH.');
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
  });
}

/** Opens the workbench and waits until it is drawn. */
export async function openWorkbench(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
  return page;
}

/** Runs a command from the palette as a person would: F1, its title, Enter once that title is the focused row. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.locator('.monaco-workbench').click({ position: { x: 700, y: 450 }, force: true }).catch(() => undefined);
  await page.keyboard.press('F1');
  await fillQuickInput(page, `>${title}`, (value) => value.startsWith('>'));
  // The palette opens on the recently used commands: Enter before the typed text has filtered the
  // list would run whatever was used last. Wait until the row with focus is the command asked for.
  await focusedRow(page, title).waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.press('Enter');
}

/**
 * Developer: Reload Window from the palette, then waits for the new page: the old workbench and its
 * webviews stay in the DOM until the reload navigates, so looking for them at once finds the old ones.
 */
export async function reloadWindow(page: Page): Promise<void> {
  const loaded = page.waitForEvent('load', { timeout: 90_000 });
  await runCommand(page, 'Developer: Reload Window');
  await loaded;
  await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
}

/**
 * Chooses the item of the quick pick a command just opened whose label holds `label`, as a person
 * typing it would: the typed text filters the list to that item, which is then the focused row, and
 * Enter picks it (a click can land while the list is still moving as it fills).
 */
export async function pickQuickItem(page: Page, label: string, timeoutMs = 60_000): Promise<void> {
  // Not the command palette that ran the command (its text starts with '>' while it closes).
  await fillQuickInput(page, label, (value) => !value.startsWith('>'), timeoutMs);
  await focusedRow(page, label).waitFor({ state: 'visible', timeout: timeoutMs });
  await page.keyboard.press('Enter');
}

function focusedRow(page: Page, text: string) {
  return page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused', { hasText: text }).first();
}

/** Waits for a shown quick input whose current text passes `accept`, then types `text` into it. */
async function fillQuickInput(page: Page, text: string, accept: (value: string) => boolean, timeoutMs = 15_000): Promise<void> {
  const input = page.locator('.quick-input-widget input.input:visible').first();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await input.inputValue({ timeout: 1_000 }).catch(() => undefined);
    if (value !== undefined && accept(value) && (await input.isEditable().catch(() => false))) break;
    if (Date.now() > deadline) throw new Error(`No quick input ready for "${text}" (its text: ${JSON.stringify(value)})`);
    await page.waitForTimeout(100);
  }
  await input.fill(text);
}

/** Webview content lives in nested iframes: find the frame that holds `selector` (among those `accept` takes). */
export async function findWebviewFrame(page: Page, selector: string, timeoutMs = 30_000, accept: (frame: Frame) => boolean = () => true): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame.isDetached() || !accept(frame)) continue;
      try {
        if ((await frame.$(selector)) !== null) return frame;
      } catch {
        // frame detached while looking
      }
    }
    if (Date.now() > deadline) throw new Error(`No webview frame holds ${selector}`);
    await page.waitForTimeout(250);
  }
}
