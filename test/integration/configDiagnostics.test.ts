import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, waitFor, workspaceFolder } from './helpers';

describe('configuration diagnostics', () => {
  it('puts a malformed community-metrics.yml on the right line, without crashing, and clears it when fixed', async () => {
    const api = await activateExtension();
    const uri = vscode.Uri.joinPath(workspaceFolder().uri, 'community-metrics.yml');
    const doc = await vscode.workspace.openTextDocument(uri);
    const original = doc.getText();
    const editor = await vscode.window.showTextDocument(doc);
    const replaceAll = async (text: string) => {
      const ok = await editor.edit((e) => e.replace(new vscode.Range(0, 0, doc.lineCount, 0), text));
      assert.ok(ok);
    };
    try {
      await replaceAll('projects:\n  - name: broken\n    github:\n      - not a repository\n');
      const diagnostics = await waitFor('a diagnostic', () => {
        const d = vscode.languages.getDiagnostics(uri);
        return d.length > 0 ? d : undefined;
      });
      assert.equal(diagnostics.length, 1);
      assert.equal(diagnostics[0]?.range.start.line, 3);
      assert.equal(diagnostics[0]?.severity, vscode.DiagnosticSeverity.Error);
      assert.match(diagnostics[0]?.message ?? '', /Not a GitHub repository/);

      await replaceAll('projects:\n  - name: [unclosed\n');
      await waitFor('a YAML syntax diagnostic', () => vscode.languages.getDiagnostics(uri).find((d) => /YAML syntax error/.test(d.message)));
      assert.equal(api.services.model.config.projects.length, 0, 'nothing usable, no crash');

      await replaceAll(original);
      await waitFor('diagnostics to clear', () => vscode.languages.getDiagnostics(uri).length === 0 || undefined);
      assert.equal(api.services.model.config.projects.length, 2);
    } finally {
      await replaceAll(original);
      await doc.save();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });
});
