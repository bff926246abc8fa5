import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import type { RefreshResult } from '../../src/core/refresh';
import { clearFaults, fakeRequests, injectFault } from '../support/fakeServerControl';
import { activateExtension, fakeApiUrl, treeLines, waitFor, workspaceFolder } from './helpers';

describe('refresh', () => {
  const storeFile = () => path.join(workspaceFolder().uri.fsPath, '.community-metrics', 'metrics.sqlite');

  afterEach(async () => clearFaults(fakeApiUrl()));

  it('fetches each repository from the configured API and saves a snapshot', async () => {
    const api = await activateExtension();
    const result = await vscode.commands.executeCommand<RefreshResult>('communityMetrics.refresh');
    assert.ok(result, 'refresh returned a result');
    assert.deepEqual(result.failures, []);
    assert.deepEqual([...result.refreshed].sort(), ['github:PyGithub/PyGithub', 'github:octokit-fixture-org/hello-world']);
    assert.ok(existsSync(storeFile()), 'store saved to .community-metrics/metrics.sqlite');
    const lines = treeLines(api);
    assert.ok(lines.includes('  PyGithub/PyGithub — ★ 7,578'), lines.join('\n'));
    assert.ok(lines.includes('  octokit-fixture-org/hello-world — ★ 42'), lines.join('\n'));
    // Each artifact lists its metrics with the latest value (and 7/30-day changes once history allows).
    assert.ok(lines.includes('    Stars — 7,578'), lines.join('\n'));
    assert.ok(lines.some((l) => /^ {4}Forks — [\d,]+$/.test(l)), lines.join('\n'));
    const requests = await fakeRequests(fakeApiUrl());
    assert.ok(requests.some((r) => r.path === '/repos/PyGithub/PyGithub'));
  });

  it('adds a point per refresh', async () => {
    const api = await activateExtension();
    const before = (await api.services.model.starHistory('PyGithub/PyGithub')).length;
    await vscode.commands.executeCommand('communityMetrics.refresh');
    assert.equal((await api.services.model.starHistory('PyGithub/PyGithub')).length, before + 1);
  });

  it('names the failing artifact and keeps the other and the saved rows', async () => {
    const api = await activateExtension();
    const before = (await api.services.model.starHistory('PyGithub/PyGithub')).length;
    await injectFault(fakeApiUrl(), '/repos/PyGithub/PyGithub', { kind: 'status', status: 500 });
    const result = await vscode.commands.executeCommand<RefreshResult>('communityMetrics.refresh');
    assert.ok(result);
    assert.deepEqual(result.refreshed, ['github:octokit-fixture-org/hello-world']);
    assert.equal(result.failures[0]?.artifact, 'github:PyGithub/PyGithub');
    assert.match(result.failures[0]?.message ?? '', /500/);
    assert.equal((await api.services.model.starHistory('PyGithub/PyGithub')).length, before);
  });

  it('reports an unreachable API clearly and loses nothing', async () => {
    const api = await activateExtension();
    const before = await api.services.model.starHistory('PyGithub/PyGithub');
    const config = vscode.workspace.getConfiguration('communityMetrics');
    await config.update('github.apiUrl', 'http://127.0.0.1:9', vscode.ConfigurationTarget.Global);
    try {
      const result = await vscode.commands.executeCommand<RefreshResult>('communityMetrics.refresh');
      assert.ok(result);
      assert.equal(result.refreshed.length, 0);
      assert.equal(result.failures.length, 2);
      for (const f of result.failures) assert.match(f.message, /Cannot reach http:\/\/127\.0\.0\.1:9\/repos\/.*connection refused/);
      // The tree marks each failed artifact, and its tooltip says why and what to do.
      const lines = treeLines(api);
      assert.ok(lines.some((l) => /^ {2}PyGithub\/PyGithub — unreachable · ★ 7,\d{3}$/.test(l)), lines.join('\n'));
      const project = api.treeProvider.getChildren().find((n) => n.kind === 'project' && n.project.name === 'pygithub');
      const repo = project && api.treeProvider.getChildren(project)[0];
      assert.ok(repo);
      const tip = api.treeProvider.getTreeItem(repo).tooltip as vscode.MarkdownString;
      assert.match(tip.value.replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1'), /Unreachable: the last refresh could not reach 127\.0\.0\.1:9 \(connection refused\)\. The saved data is kept/);
    } finally {
      await config.update('github.apiUrl', fakeApiUrl(), vscode.ConfigurationTarget.Global);
    }
    assert.deepEqual(await api.services.model.starHistory('PyGithub/PyGithub'), before);
  });

  it('ignores a workspace that tries to redirect the GitHub API (and its token)', async () => {
    await activateExtension();
    const settingsDir = path.join(workspaceFolder().uri.fsPath, '.vscode');
    await mkdir(settingsDir, { recursive: true });
    // editor.tabSize proves that VS Code has read the file before the refresh runs.
    await writeFile(path.join(settingsDir, 'settings.json'), JSON.stringify({ 'communityMetrics.github.apiUrl': 'http://127.0.0.1:9', 'editor.tabSize': 7 }));
    try {
      await waitFor('workspace settings to load', () => vscode.workspace.getConfiguration('editor').inspect('tabSize')?.workspaceValue === 7 || undefined);
      const result = await vscode.commands.executeCommand<RefreshResult>('communityMetrics.refresh');
      assert.ok(result);
      assert.deepEqual(result.failures, []);
      assert.equal(result.refreshed.length, 2);
    } finally {
      await rm(settingsDir, { recursive: true, force: true });
    }
  });

  it('opens a chart of a repository beside the editor', async () => {
    const panel = await vscode.commands.executeCommand<vscode.WebviewPanel>('communityMetrics.openChart', 'PyGithub/PyGithub');
    assert.ok(panel, 'a panel was returned');
    assert.equal(panel.viewType, 'communityMetrics.chart');
    assert.equal(panel.title, 'Stars: PyGithub/PyGithub');
    assert.ok(panel.webview.options.enableScripts);
    assert.match(panel.webview.html, /Content-Security-Policy/);
    assert.doesNotMatch(panel.webview.html, /unsafe-eval/);
    assert.match(panel.webview.html, /script-src 'nonce-[A-Za-z0-9+/=]+'/);
    panel.dispose();
  });
});
