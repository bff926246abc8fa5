import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, activateExtension, treeLines } from './helpers';

describe('activation', () => {
  it('activates in a workspace with community-metrics.yml and contributes its commands', async () => {
    const api = await activateExtension();
    assert.ok(api.services.model.hasConfigFile);
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['communityMetrics.refresh', 'communityMetrics.openChart', 'communityMetrics.createConfig', 'communityMetrics.setGitHubToken']) {
      assert.ok(commands.includes(c), `${c} is registered`);
    }
  });

  it('lists the tracked projects and repositories from the configuration', async () => {
    const api = await activateExtension();
    const lines = treeLines(api);
    assert.ok(lines.some((l) => l.startsWith('pygithub — 1 repository')), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('  PyGithub/PyGithub')), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('  octokit-fixture-org/hello-world')), lines.join('\n'));
  });

  it('ships sql.js’s WebAssembly inside the extension', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    assert.ok(existsSync(path.join(ext.extensionPath, 'dist', 'sql-wasm.wasm')));
  });
});
