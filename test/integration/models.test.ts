import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import type { RunResult } from '../../src/core/project/runner';
import { activateExtension, waitFor, workspaceFolder } from './helpers';

describe('models in the editor', () => {
  const root = () => workspaceFolder().uri.fsPath;
  const modelUri = () => vscode.Uri.file(path.join(root(), 'models', 'daily_summary.sql'));

  it('Create Starter Project scaffolds the seed’s models, keeping the existing configuration', async () => {
    const api = await activateExtension();
    const configBefore = (await vscode.workspace.fs.readFile(vscode.Uri.file(path.join(root(), 'community-metrics.yml')))).toString();
    await vscode.commands.executeCommand('communityMetrics.createStarterProject');
    assert.ok(existsSync(modelUri().fsPath), 'models/daily_summary.sql written');
    assert.equal((await vscode.workspace.fs.readFile(vscode.Uri.file(path.join(root(), 'community-metrics.yml')))).toString(), configBefore);
    const project = await waitFor('the project to load', () => api.services.models.project);
    assert.ok([...project.nodes.values()].some((n) => n.name === 'daily_summary' && n.resourceType === 'model'));
  });

  it('puts CodeLens on a model file and builds it from there', async () => {
    const api = await activateExtension();
    // The workbench computes lenses for documents it has open.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(modelUri()));
    const lenses = await waitFor('code lenses', async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', modelUri());
      return l && l.length >= 4 ? l : undefined;
    });
    const titles = lenses.map((l) => l.command?.title ?? '');
    for (const t of ['Run', 'Preview', 'Chart', 'Compiled SQL', 'Lineage']) assert.ok(titles.some((x) => x.includes(t)), `${t} in ${titles.join(' · ')}`);
    const run = await vscode.commands.executeCommand<RunResult>('communityMetrics.runModel', modelUri());
    assert.ok(run, 'a run result');
    const mine = run.results.find((r) => r.name === 'daily_summary');
    assert.equal(mine?.status, 'success', JSON.stringify(run.results.map((r) => [r.name, r.status, r.message])));
    assert.ok(api.services.models.lastResults.get(mine.uniqueId));
  });

  it('Run Model from the palette while a model’s chart has the focus runs that model', async () => {
    await activateExtension();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const panel = await vscode.commands.executeCommand<vscode.WebviewPanel>('communityMetrics.openModelChart', modelUri());
    panel.reveal(undefined, false);
    await waitFor('the chart to have the focus, with no text editor active', () => (panel.active && !vscode.window.activeTextEditor ? true : undefined));
    const run = await vscode.commands.executeCommand<RunResult | undefined>('communityMetrics.runModel');
    assert.ok(run, 'a run result (not the warning to open a model file first)');
    assert.equal(run.results.find((r) => r.name === 'daily_summary')?.status, 'success');
    panel.dispose();
  });

  it('shows the compiled SQL without Jinja', async () => {
    await vscode.commands.executeCommand('communityMetrics.showCompiledSql', modelUri());
    const doc = await waitFor('the compiled document', () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'community-metrics-compiled'));
    assert.doesNotMatch(doc.getText(), /\{\{|\{%/);
    assert.match(doc.getText(), /select/i);
  });

  it('completes ref names and goes to their definition', async () => {
    const file = path.join(root(), 'models', 'scratch_ref.sql');
    await writeFile(file, "select * from {{ ref('') }}\n");
    try {
      const uri = vscode.Uri.file(file);
      await vscode.workspace.openTextDocument(uri);
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, new vscode.Position(0, 21));
      assert.ok(list.items.some((i) => (typeof i.label === 'string' ? i.label : i.label.label) === 'daily_summary'));
      await writeFile(file, "select * from {{ ref('daily_summary') }}\n");
      const doc = await vscode.workspace.openTextDocument(uri);
      await waitFor('the buffer to follow the file', () => doc.getText().includes('daily_summary') || undefined);
      const defs = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeDefinitionProvider', uri, new vscode.Position(0, 25));
      assert.equal(defs[0]?.uri.fsPath, modelUri().fsPath);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await rm(file, { force: true });
    }
  });

  it('completes the columns of the relations a model reads: after an alias, and unqualified', async () => {
    const api = await activateExtension();
    const file = path.join(root(), 'models', 'scratch_columns.sql');
    // daily_summary was built by the CodeLens run above; github_stars is a raw table of the store.
    await writeFile(file, "select d.\nfrom {{ ref('daily_summary') }} as d\njoin {{ source('metrics', 'github_stars') }} s on s.project = d.project\n");
    try {
      const uri = vscode.Uri.file(file);
      await waitFor('the model to load', () => api.services.models.nodeForUri(uri));
      await vscode.workspace.openTextDocument(uri);
      const labels = async (line: number, character: number, trigger?: string) => {
        const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, new vscode.Position(line, character), trigger);
        return list.items.filter((i) => i.kind === vscode.CompletionItemKind.Field).map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
      };
      const afterD = await labels(0, 9, '.');
      const built = api.services.models.columns.get([...api.services.models.project!.nodes.values()].find((n) => n.name === 'daily_summary')!.uniqueId)!;
      assert.ok(built.columns.length > 1 && built.columns.every((c) => c.from === 'store'), JSON.stringify(built.columns));
      assert.deepEqual(afterD, built.columns.map((c) => c.name), 'd. lists daily_summary’s columns, as the store has them');
      const afterS = await labels(2, 52, '.');
      assert.deepEqual(afterS, ['timestamp', 'project', 'stars'], 's. lists the raw table’s columns');
      const everywhere = await labels(0, 7);
      for (const c of ['timestamp', 'stars', ...afterD]) assert.ok(everywhere.includes(c), `${c} unqualified`);
      assert.deepEqual(await labels(1, 20), [], 'nothing inside the Jinja call');
    } finally {
      await rm(file, { force: true });
    }
  });

  it('puts a broken model’s error on its file and line, and clears it when fixed', async () => {
    const api = await activateExtension();
    const file = path.join(root(), 'models', 'broken_model.sql');
    const uri = vscode.Uri.file(file);
    await writeFile(file, "-- a comment\nselect *\nfrom {{ ref('no_such_model') }}\n");
    try {
      const diag = await waitFor('a diagnostic on the broken model', () => vscode.languages.getDiagnostics(uri).find((d) => /no_such_model/.test(d.message)), 20_000);
      assert.equal(diag.range.start.line, 2);
      await writeFile(file, "select 1 as one\n");
      await waitFor('the diagnostic to clear', () => (vscode.languages.getDiagnostics(uri).length === 0 ? true : undefined), 20_000);
      assert.ok(api.services.models.project);
    } finally {
      await rm(file, { force: true });
    }
  });
});
