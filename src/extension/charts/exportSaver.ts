import * as vscode from 'vscode';
import type { ExportRequest } from '../../../webview/charts/shared/messages';

/** Saves a chart export where the user chooses (webviews cannot write files themselves). */
export async function saveExport(request: ExportRequest, folder: vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
  const filters: Record<ExportRequest['format'], Record<string, string[]>> = { png: { 'PNG image': ['png'] }, svg: { 'SVG image': ['svg'] }, csv: { CSV: ['csv'] } };
  const name = `${request.name.replace(/[^\w.-]+/g, '_') || 'chart'}.${request.format}`;
  const target = await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
    filters: filters[request.format],
    title: `Export chart as ${request.format.toUpperCase()}`,
  });
  if (!target) return undefined;
  const bytes = request.format === 'png' ? Buffer.from(request.data, 'base64') : new TextEncoder().encode(request.data);
  await vscode.workspace.fs.writeFile(target, bytes);
  void vscode.window.setStatusBarMessage(`Community Metrics: chart saved to ${vscode.workspace.asRelativePath(target)}`, 4000);
  return target;
}
