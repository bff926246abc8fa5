import assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import { findWebviewFrame, pickQuickItem, runCommand } from '../harness/browser';
import { waitFor } from './chartSteps';
import { WorkbenchSession } from './session';

/**
 * The frame of the star chart once it draws `expected` points (vega renders one symbol path per
 * point): found again at each look, as a panel's frame can be replaced while it opens.
 */
async function waitForPoints(session: WorkbenchSession, expected: number): Promise<Frame> {
  let frame: Frame | undefined;
  await waitFor(session.page, async () => {
    frame = await findWebviewFrame(session.page, '#chart svg .mark-symbol');
    return frame.locator('#chart svg .mark-symbol path').count();
  }, (n) => n === expected, `the star chart with ${expected} points`);
  return frame as Frame;
}

describe('foundation, as a person uses it (code-server + Chromium)', function () {
  let session: WorkbenchSession;

  before(async function () {
    session = await WorkbenchSession.start('foundation');
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      const file = await session.screenshot(`foundation ${this.currentTest.title}`);
      console.log(`      screenshot: ${file}`);
    }
  });

  after(async function () {
    await session?.stop();
  });

  it('shows the tracked repositories in the sidebar tree before any refresh', async () => {
    const tree = await session.projectsTree();
    await tree.getByText('PyGithub/PyGithub').waitFor({ timeout: 60_000 });
    await tree.getByText('octokit-fixture-org/hello-world').waitFor();
    assert.equal(await tree.getByText('not refreshed yet').count(), 2);
  });

  it('Refresh from the palette puts both star counts from the fixtures in the tree', async () => {
    await runCommand(session.page, 'Community Metrics: Refresh');
    const tree = await session.projectsTree();
    await tree.getByText('★ 7,578').waitFor({ timeout: 30_000 });
    await tree.getByText('★ 42').waitFor({ timeout: 30_000 });
    assert.equal(session.api.requestsTo('/repos/PyGithub/PyGithub').length, 1);
  });

  it('Open Chart draws one point per snapshot in a webview beside the editor', async () => {
    await runCommand(session.page, 'Community Metrics: Open Chart');
    await pickQuickItem(session.page, 'PyGithub/PyGithub', 15_000);
    const frame = await waitForPoints(session, 1);
    const summary = await frame.locator('#summary').textContent();
    assert.match(summary ?? '', /PyGithub\/PyGithub: 1 snapshot; latest 7,578 stars at \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    const csp = (await frame.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')) ?? '';
    assert.match(csp, /script-src 'nonce-/);
    assert.doesNotMatch(csp, /unsafe-eval/);
  });

  it('a second Refresh adds a second point to the open chart', async () => {
    await runCommand(session.page, 'Community Metrics: Refresh');
    const frame = await waitForPoints(session, 2);
    assert.equal(session.api.requestsTo('/repos/PyGithub/PyGithub').length, 2);
    assert.match((await frame.locator('#summary').textContent()) ?? '', /2 snapshots; latest 7,701 stars .*\+123 since/);
    await (await session.projectsTree()).getByText('★ 7,701').waitFor({ timeout: 30_000 });
  });

  it('after a window reload the tree shows the saved values before any refresh', async () => {
    const before = session.api.requests.length;
    await session.page.reload();
    await session.page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    const tree = await session.projectsTree();
    await tree.getByText('★ 7,701').waitFor({ timeout: 60_000 });
    await tree.getByText('★ 42').waitFor();
    assert.equal(session.api.requests.length, before, 'no request was made: the values came from the saved store');
  });
});
