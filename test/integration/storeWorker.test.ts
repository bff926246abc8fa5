import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { RunResult } from '../../src/core/project/runner';
import { EXTENSION_ID, activateExtension, waitFor, workspaceFolder } from './helpers';

describe('the store worker', () => {
  const modelUri = () => vscode.Uri.file(path.join(workspaceFolder().uri.fsPath, 'models', 'daily_summary.sql'));

  it('runs every SQL statement off the extension host: tree, chart and model run work, sql.js is never loaded here', async () => {
    const api = await activateExtension();
    await vscode.commands.executeCommand('communityMetrics._maxEventLoopStallMs', true);
    // The tree's summaries, a chart's series and a model run, all through the worker.
    await api.services.model.reloadStore();
    assert.ok(api.services.model.summaries.size > 0, 'tree summaries read');
    assert.ok((await api.services.model.starHistory('PyGithub/PyGithub')).length > 0, 'a chart series read');
    const panel = await vscode.commands.executeCommand<vscode.WebviewPanel | undefined>('communityMetrics.openChart', 'PyGithub/PyGithub');
    const run = await vscode.commands.executeCommand<RunResult>('communityMetrics.runModel', modelUri());
    assert.equal(run.results.find((r) => r.name === 'daily_summary')?.status, 'success', JSON.stringify(run.results.map((r) => [r.name, r.status, r.message])));
    panel?.dispose();

    const worker = api.services.store.worker();
    assert.notEqual(worker.threadId, undefined, 'the store worker is running');
    assert.notEqual(worker.threadId, threadId, 'in a thread of its own');
    // sql.js is not in the extension's bundle, and no module of it was ever loaded in this process.
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    const bundle = readFileSync(path.join(ext.extensionPath, 'dist', 'extension.js'), 'utf8');
    assert.doesNotMatch(bundle, /initSqlJs|sqlite3_open/, 'dist/extension.js holds no sql.js');
    const loaded = Object.keys(require.cache).filter((m) => /sql-wasm|[\\/]sql\.js[\\/]/.test(m));
    assert.deepEqual(loaded, []);
    const stall = await vscode.commands.executeCommand<number>('communityMetrics._maxEventLoopStallMs');
    assert.equal(typeof stall, 'number');
    assert.ok(stall >= 0);
  });

  it('starts the worker again when it dies, says so in the log, and loses nothing', async () => {
    const api = await activateExtension();
    const before = await api.services.model.starHistory('PyGithub/PyGithub');
    assert.ok(before.length > 0);
    const worker = api.services.store.worker();
    const restarts = worker.restartCount;
    const oldThread = worker.threadId;
    await vscode.commands.executeCommand('communityMetrics._crashStoreWorker');
    await waitFor('the worker to be started again', () => (worker.restartCount > restarts ? true : undefined));
    assert.deepEqual(await api.services.model.starHistory('PyGithub/PyGithub'), before);
    assert.notEqual(worker.threadId, oldThread);
    // Writes work too, through the new worker, onto what the old one saved.
    const at = '2099-01-01T00:00:00.000Z';
    await worker.call('applyRefresh', { at, artifacts: [{ artifact: 'github:PyGithub/PyGithub', writes: [{ op: 'addRepositorySnapshot', args: [{ timestamp: at, repo: 'PyGithub/PyGithub', stars: 1 }] }], validators: [], states: [] }] });
    assert.deepEqual(await api.services.model.starHistory('PyGithub/PyGithub'), [...before, { timestamp: at, stars: 1 }]);
  });
});
