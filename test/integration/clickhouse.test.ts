import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ClickHouseArchiveResult } from '../../src/core/clickhouse/archiveImport';
import type { PypiHistoryResult } from '../../src/core/clickhouse/pypiHistory';
import { activateExtension } from './helpers';

/** The editor commands against the real ClickHouse server the harness starts (settings point at it). */
describe('ClickHouse imports from the editor', () => {
  it('imports a GH Archive day through ClickHouse, then asks nothing for it again', async () => {
    await activateExtension();
    const range = { from: '2015-01-01', to: '2015-01-01' };
    const first = await vscode.commands.executeCommand<ClickHouseArchiveResult>('communityMetrics.importGhArchiveViaClickHouse', range);
    assert.ok(first);
    assert.equal(first.failed, undefined);
    assert.equal(first.hoursImported, 24);
    assert.equal(first.stats.requests, 2);
    const second = await vscode.commands.executeCommand<ClickHouseArchiveResult>('communityMetrics.importGhArchiveViaClickHouse', range);
    assert.ok(second);
    assert.equal(second.skippedDays, 1);
    assert.equal(second.stats.requests, 0);
  });

  it('imports PyPI history from ClickPy for a package', async () => {
    await activateExtension();
    const result = await vscode.commands.executeCommand<PypiHistoryResult>('communityMetrics.importPypiHistory', ['pip']);
    assert.ok(result);
    assert.deepEqual(result.packages.map((p) => [p.package, p.status, p.first, p.last]), [['pip', 'stored', '2020-05-01', '2020-05-02']]);
    assert.equal(result.stats.requests, 6);
  });
});
