import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { GhArchiveImportResult } from '../../src/core/gharchive/importer';
import { activateExtension } from './helpers';

describe('GH Archive import from the editor', () => {
  it('imports the available hour, names the missing one, and skips what it already has', async () => {
    await activateExtension();
    const range = { from: '2015-01-01T12', to: '2015-01-01T13' };
    const first = await vscode.commands.executeCommand<GhArchiveImportResult>('communityMetrics.importGhArchive', range);
    assert.ok(first);
    assert.equal(first.imported, 1);
    assert.equal(first.missing, 1);
    const missing = first.hours.find((h) => h.status === 'missing');
    assert.match(missing?.hour ?? '', /^2015-01-01T13/);
    assert.match(missing?.message ?? '', /404/);
    const second = await vscode.commands.executeCommand<GhArchiveImportResult>('communityMetrics.importGhArchive', range);
    assert.ok(second);
    assert.equal(second.skipped, 1);
    assert.equal(second.added, 0);
  });
});
