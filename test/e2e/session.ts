import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { FakeServer } from '../support/fakeServer';
import { repoRoot } from '../support/fixtures';
import { launchBrowser, openWorkbench, runCommand } from '../harness/browser';
import { startCodeServer } from '../harness/codeServer';
import type { CodeServer } from '../harness/codeServer';
import { makeWorkspace, startFakeGitHub } from '../harness/workspace';

/** A person at a real VS Code in a real browser, on a workspace served by the fake API. */
export class WorkbenchSession {
  private constructor(
    readonly api: FakeServer,
    readonly workspace: string,
    readonly server: CodeServer,
    readonly browser: Browser,
    public page: Page,
  ) {}

  static async start(name: string, config?: string, prepare?: (workspace: string) => Promise<void>): Promise<WorkbenchSession> {
    const api = await startFakeGitHub();
    const workspace = await makeWorkspace(config);
    await prepare?.(workspace);
    const server = await startCodeServer({ workspace, settings: { 'communityMetrics.github.apiUrl': api.url }, logName: `e2e-${name}-code-server` });
    const browser = await launchBrowser();
    const page = await openWorkbench(browser, server.folderUrl);
    return new WorkbenchSession(api, workspace, server, browser, page);
  }

  /** Opens the Community Metrics view container and returns the Tracked Projects tree. */
  async projectsTree() {
    const tree = this.page.locator('.pane', { has: this.page.locator('.pane-header', { hasText: 'Tracked Projects' }) }).locator('.monaco-list');
    const deadline = Date.now() + 60_000;
    for (let attempt = 0; !(await tree.isVisible().catch(() => false)); attempt++) {
      if (Date.now() > deadline) break;
      if (attempt === 0) {
        // The activity bar's Community Metrics entry, as a person would click it.
        const entry = this.page.locator('.activitybar .action-item a[aria-label^="Community Metrics"], .activitybar .action-item[aria-label^="Community Metrics"]').first();
        await entry.waitFor({ state: 'visible', timeout: 60_000 });
        // Clicking the container that is already open would close the side bar (e.g. while the tree
        // is still being drawn after a reload): click only when it is not the open one.
        const open = await entry.evaluate((el) => (el.closest('.action-item') ?? el).classList.contains('checked'));
        if (!open) await entry.click();
      } else {
        // After a reload the workbench may still be restoring its layout when the entry is clicked
        // (the click then toggles the side bar shut): the view's own Focus command only ever opens.
        await runCommand(this.page, 'Community Metrics: Focus on Tracked Projects View').catch(() => undefined);
      }
      await tree.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => undefined);
    }
    await tree.waitFor({ state: 'visible', timeout: 10_000 });
    return tree;
  }

  async screenshot(title: string): Promise<string> {
    const dir = path.join(repoRoot, 'test-results');
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, `${title.replace(/[^a-z0-9]+/gi, '-').slice(0, 80)}.png`);
    await this.page.screenshot({ path: file, fullPage: true });
    return file;
  }

  async stop(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await this.server.stop();
    await this.api.close();
    await rm(this.workspace, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }).catch(() => undefined);
  }
}
