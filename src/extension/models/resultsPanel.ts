import * as vscode from 'vscode';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { Cell, HostToResults, ResultsState, ResultsToHost } from '../../../webview/results/protocol';
import type { Logger } from '../../core/log';
import type { ModelsService } from './modelsService';
import { webviewOptions, webviewPage } from '../webviewPage';
import { registerActiveModelSource } from '../activeModel';

export const RESULTS_VIEW_TYPE = 'communityMetrics.results';

/** "Preview": the first 500 rows of a model's relation, in a table beside the SQL file. */
export class ResultsPanels implements vscode.Disposable, vscode.WebviewPanelSerializer<ResultsState> {
  private readonly panels = new Map<string, { panel: vscode.WebviewPanel; ready: boolean; last?: HostToResults }>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly models: ModelsService,
    private readonly logger: Logger,
  ) {
    // Re-query after a run, so that the preview shows what was just built.
    this.subscriptions = [
      models.onDidChange(() => {
        for (const uri of this.panels.keys()) void this.post(uri);
      }),
      registerActiveModelSource(() => {
        for (const [uri, { panel }] of this.panels) if (panel.active) return vscode.Uri.parse(uri);
        return undefined;
      }),
    ];
  }

  show(uri: vscode.Uri): vscode.WebviewPanel {
    const key = uri.toString();
    const existing = this.panels.get(key);
    if (existing) {
      existing.panel.reveal(vscode.ViewColumn.Beside);
      void this.post(key);
      return existing.panel;
    }
    const panel = vscode.window.createWebviewPanel(RESULTS_VIEW_TYPE, `Preview: ${path.basename(uri.fsPath)}`, vscode.ViewColumn.Beside, webviewOptions(this.extensionUri));
    this.attach(panel, key);
    return panel;
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: ResultsState | undefined): Promise<void> {
    if (!state?.uri) return panel.dispose();
    panel.webview.options = webviewOptions(this.extensionUri);
    this.attach(panel, state.uri);
  }

  private attach(panel: vscode.WebviewPanel, key: string): void {
    const entry: { panel: vscode.WebviewPanel; ready: boolean; last?: HostToResults } = { panel, ready: false };
    this.panels.set(key, entry);
    panel.webview.html = this.html(panel.webview);
    panel.onDidDispose(() => this.panels.delete(key));
    panel.webview.onDidReceiveMessage(async (m: ResultsToHost) => {
      if (m.type === 'ready') {
        entry.ready = true;
        await this.post(key);
      } else if (m.type === 'exportCsv' && entry.last && !entry.last.error) {
        const target = await vscode.window.showSaveDialog({ filters: { CSV: ['csv'] }, defaultUri: vscode.Uri.file(vscode.Uri.parse(key).fsPath.replace(/\.sql$/, '.csv')) });
        if (!target) return;
        await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(toCsv(entry.last.columns, entry.last.rows)));
        void vscode.window.showInformationMessage(`Community Metrics: ${entry.last.rows.length} rows written to ${target.fsPath}.`);
      }
    });
  }

  private async post(key: string): Promise<void> {
    const entry = this.panels.get(key);
    if (!entry?.ready) return;
    const uri = vscode.Uri.parse(key);
    const node = this.models.nodeForUri(uri);
    let message: HostToResults;
    if (!node) {
      message = { type: 'show', title: path.basename(uri.fsPath), columns: [], rows: [], total: 0, error: 'This file is not a model of the project.' };
    } else {
      try {
        const table = await this.models.preview(node);
        message = { type: 'show', title: node.name, columns: table.columns, rows: table.rows.map((r) => r.map(toCell)), total: table.total };
      } catch (err) {
        message = { type: 'show', title: node.name, columns: [], rows: [], total: 0, error: (err as Error).message };
        this.logger.debug(`preview ${node.name}: ${(err as Error).message}`);
      }
    }
    entry.last = message;
    await entry.panel.webview.postMessage(message);
  }

  private html(webview: vscode.Webview): string {
    return webviewPage(webview, this.extensionUri, {
      script: 'results',
      stylesheet: 'results.css',
      title: 'Preview',
      body: `<header><h1 id="title"></h1><span id="summary" role="status">Running the query…</span><button id="export" type="button">Export CSV</button></header>
<div id="error" role="alert"></div><table id="results"></table>`,
    });
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    for (const { panel } of this.panels.values()) panel.dispose();
  }
}

function toCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Uint8Array) return `<${v.byteLength} bytes>`;
  return String(v);
}

export function toCsv(columns: string[], rows: Cell[][]): string {
  return stringify([columns, ...rows.map((r) => r.map((c) => (c === null ? '' : c)))]);
}
