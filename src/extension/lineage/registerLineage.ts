import * as vscode from 'vscode';
import { activeModelUri } from '../activeModel';
import type { ExtensionServices } from '../services';
import { LINEAGE_VIEW_TYPE, LineagePanel } from './lineagePanel';
import { OPENLINEAGE_KEY_SECRET, emitOpenLineageOnRuns } from './openLineageOnRuns';

/**
 * Everything the lineage feature registers: the panel and its serializer, the Show Lineage and
 * export commands, the OpenLineage API key command, and OpenLineage emission after runs.
 * activate() calls it once and owns what it returns.
 */
export function registerLineage(s: ExtensionServices): vscode.Disposable[] {
  const panel = new LineagePanel(s.context.extensionUri, s.models, s.logger);
  const modelUri = (uri?: unknown) => (uri instanceof vscode.Uri ? uri : activeModelUri());
  return [
    panel,
    vscode.window.registerWebviewPanelSerializer(LINEAGE_VIEW_TYPE, panel),
    vscode.commands.registerCommand('communityMetrics.showLineage', (uri?: unknown, selector?: unknown) =>
      panel.show(modelUri(uri), typeof selector === 'string' ? selector : undefined),
    ),
    // An optional target lets tests and tasks export without the save dialog.
    vscode.commands.registerCommand('communityMetrics.exportLineageSvg', (target?: unknown) => panel.exportSvg(target instanceof vscode.Uri ? target : undefined)),
    vscode.commands.registerCommand('communityMetrics.exportLineagePng', (target?: unknown) => panel.exportPng(target instanceof vscode.Uri ? target : undefined)),
    vscode.commands.registerCommand('communityMetrics.setOpenLineageKey', async () => {
      const key = await vscode.window.showInputBox({
        title: 'OpenLineage API key',
        prompt: 'Sent as a Bearer token to communityMetrics.openlineage.url only. Leave empty to remove the stored key.',
        password: true,
        ignoreFocusOut: true,
      });
      if (key === undefined) return;
      await (key ? s.context.secrets.store(OPENLINEAGE_KEY_SECRET, key) : s.context.secrets.delete(OPENLINEAGE_KEY_SECRET));
      void vscode.window.showInformationMessage(key ? 'Community Metrics: OpenLineage API key stored.' : 'Community Metrics: OpenLineage API key removed.');
    }),
    emitOpenLineageOnRuns(s),
  ];
}
