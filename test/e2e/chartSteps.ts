import { existsSync, readFileSync } from 'node:fs';
import type { Frame, Page } from 'playwright-core';
import { findWebviewFrame } from '../harness/browser';

/**
 * Polls `read` until `ok` holds (30 s by default); the error says what was last seen. A read that
 * fails (its frame detached or navigated while it was being read) means "not yet": `ok` only ever
 * sees a value that was read. (Before, a failed read handed `undefined` to `ok`, and a predicate such
 * as `(l) => l.length === 1` threw "Cannot read properties of undefined (reading 'length')" at once
 * instead of polling again: the flaky dashboard step.)
 */
export async function waitFor<T>(page: Page, read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let seen = 'nothing yet';
  for (;;) {
    let value: { v: T } | undefined;
    try {
      value = { v: await read() };
    } catch (err) {
      seen = `a failed read (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`;
    }
    if (value) {
      if (ok(value.v)) return value.v;
      seen = JSON.stringify(value.v);
    }
    if (Date.now() > deadline) throw new Error(`${what}: last seen ${seen}`);
    await page.waitForTimeout(250);
  }
}

/** Opens a workspace file with Quick Open, as a person would, and waits for its tab. */
export async function quickOpen(page: Page, fileName: string): Promise<void> {
  await page.keyboard.press('Control+P');
  await page.keyboard.type(fileName);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: fileName }).waitFor({ timeout: 15_000 });
}

/**
 * Replaces the text of the active editor and saves it with Ctrl+S. `insertText` types the text as one
 * input, so the editor's auto-closing quotes and brackets do not double what is typed.
 */
export async function replaceEditorTextAndSave(page: Page, fileName: string, text: string): Promise<void> {
  await page.locator('.tabs-container .tab', { hasText: fileName }).first().click();
  const editor = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
  await page.keyboard.press('Control+S');
  await page.locator('.tabs-container .tab.dirty', { hasText: fileName }).waitFor({ state: 'detached', timeout: 15_000 });
}

/**
 * Answers VS Code's save dialog (in the browser, a quick input holding the proposed path): types
 * `target` over the proposal and presses Enter, then waits for the file to appear on disk.
 */
export async function answerSaveDialog(page: Page, target: string): Promise<string> {
  const input = page.locator('.quick-input-widget input[type="text"]').first();
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  // The dialog fills in its proposal after it shows: wait for it before typing over it.
  const proposed = await waitFor(page, () => input.inputValue(), (v) => /\.\w+$/.test(v ?? ''), 'the proposed file name', 15_000);
  await input.fill(target);
  await waitFor(page, () => input.inputValue(), (v) => v === target, 'the typed path');
  await page.keyboard.press('Enter');
  // The simple dialog may ask to confirm a file that exists; these tests always write new files.
  await waitFor(page, async () => existsSync(target) && readFileSync(target).length > 0, (v) => v, `${target} written`, 15_000);
  return proposed;
}

/**
 * The webview frame holding `selector`. Only where no other panel's frame can hold it: when one can
 * (a second metric chart while the first is still open), use `frameOpenedBy`.
 */
export async function frameWith(page: Page, selector: string, timeoutMs = 60_000): Promise<Frame> {
  return findWebviewFrame(page, selector, timeoutMs);
}

/**
 * Runs `action` (a click or a command that opens or reveals a panel) and returns the webview frame
 * holding `selector` that did not exist before it: never the frame of a panel that was already open,
 * which VS Code may still show for a moment and then dispose (its content is not kept while hidden),
 * detaching the frame under the test.
 */
export async function frameOpenedBy(page: Page, selector: string, action: () => Promise<unknown>, timeoutMs = 60_000): Promise<Frame> {
  const before = new Set(page.frames());
  await action();
  return findWebviewFrame(page, selector, timeoutMs, (f) => !before.has(f));
}
