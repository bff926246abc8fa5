import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import * as vscode from 'vscode';
import { EVENT_COLUMNS } from '../../src/core/gharchive/eventRow';
import type { EventRow } from '../../src/core/gharchive/eventRow';
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

  it('a partition file deleted by hand: the editor names it, and the rest of the store opens', async () => {
    const api = await activateExtension();
    const worker = api.services.store.worker();
    // One GH Archive event in a month of its own: one partition file.
    const hour = '2031-05-01T00:00:00Z';
    const blank = Object.fromEntries(EVENT_COLUMNS.map((c) => [c, null]));
    const event = { ...blank, event_id: 'by-hand-1', type: 'WatchEvent', created_at: hour, hour, repo_name: 'PyGithub/PyGithub', tracked_repo: 'PyGithub/PyGithub' } as unknown as EventRow;
    await worker.call('ghArchiveWrite', { events: [event], hours: [{ hour, status: 'imported', events: 1, badLines: 0, bytes: 1, repos: ['pygithub/pygithub'] }], now: new Date() });
    const { file } = await worker.call('ping', undefined);
    const parts = `${file}.parts`;
    const month = readdirSync(parts).filter((n) => n.startsWith('gharchive_events.2031-05.'));
    assert.equal(month.length, 1, readdirSync(parts).join(', '));
    const stars = await api.services.model.starHistory('PyGithub/PyGithub');

    // A fresh worker holds no month in memory; the file goes away by hand.
    const restarts = worker.restartCount;
    await vscode.commands.executeCommand('communityMetrics._crashStoreWorker');
    await waitFor('the worker to be started again', () => (worker.restartCount > restarts ? true : undefined));
    rmSync(`${parts}/${month[0] as string}`);
    const told: string[] = [];
    const before = worker.onProblem;
    worker.onProblem = (m) => {
      told.push(m);
      before?.(m);
    };
    try {
      const rows = await worker.call('query', { sql: "SELECT COUNT(*) AS n FROM gharchive_events WHERE event_id = 'by-hand-1'" });
      assert.deepEqual(rows.rows, [[0]]);
      await waitFor('the missing partition to be told', () => told.find((m) => m.includes(month[0] as string) && /missing/.test(m)));
      // The rest of the store is there.
      assert.deepEqual(await api.services.model.starHistory('PyGithub/PyGithub'), stars);
    } finally {
      worker.onProblem = before;
    }
  });
});
