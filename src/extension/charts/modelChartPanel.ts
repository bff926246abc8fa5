import * as vscode from 'vscode';
import type { HostToModelChart, ModelChartState, ModelChartToHost } from '../../../webview/charts/model/protocol';
import { registerActiveModelSource } from '../activeModel';
import type { ExtensionServices } from '../services';
import { saveExport } from './exportSaver';
import { readModelCharts } from './modelChartData';
import { chartPage } from './webviewPage';
import { webviewOptions } from '../webviewPage';

export const MODEL_CHART_VIEW_TYPE = 'communityMetrics.modelChart';
const TABLE_ROWS = 500;

const BODY = `<div class="toolbar" role="tablist">
  <button type="button" id="tab-chart" role="tab" aria-selected="true">Chart</button>
  <button type="button" id="tab-table" role="tab" aria-selected="false">Results</button>
</div>
<p id="status" role="status"></p>
<div id="pane-chart" role="tabpanel"></div>
<div id="pane-table" role="tabpanel" hidden></div>`;

interface PanelEntry {
  state: ModelChartState;
  ready: boolean;
  /** Renders started; a render posts only if no later one started meanwhile. */
  renders: number;
}

/**
 * A model's chart beside its SQL file: the result of the SQL as saved, drawn again after every save
 * of the project's files (model, yml, `.vl.json`), every run or build, and every change of the store.
 */
export class ModelChartPanels implements vscode.Disposable, vscode.WebviewPanelSerializer<ModelChartState> {
  private readonly panels = new Map<vscode.WebviewPanel, PanelEntry>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly s: ExtensionServices) {
    // ModelsService fires after runs and after reloads (a save of a model or yml file); the model
    // fires when the store file changes (a refresh, the CLI). Bursts of both draw once.
    this.subscriptions.push(
      s.models.onDidChange(() => this.redrawAll()),
      s.model.onDidChange(() => this.redrawAll()),
      registerActiveModelSource(() => {
        for (const [panel, entry] of this.panels) if (panel.active) return vscode.Uri.parse(entry.state.uri);
        return undefined;
      }),
    );
  }

  /** Draws every open chart again soon (a `.vl.json` beside a model changed, data changed). */
  redrawAll(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      for (const panel of this.panels.keys()) void this.post(panel);
    }, 150);
  }

  show(uri: vscode.Uri): vscode.WebviewPanel {
    for (const [panel, entry] of this.panels) {
      if (entry.state.uri === uri.toString()) {
        panel.reveal(vscode.ViewColumn.Beside, true);
        return panel;
      }
    }
    const panel = vscode.window.createWebviewPanel(MODEL_CHART_VIEW_TYPE, 'Chart', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(this.s.context.extensionUri));
    this.attach(panel, { uri: uri.toString(), tab: 'chart' });
    return panel;
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: ModelChartState | undefined): Promise<void> {
    if (!state || typeof state.uri !== 'string') {
      panel.dispose();
      return;
    }
    panel.webview.options = webviewOptions(this.s.context.extensionUri);
    this.attach(panel, { uri: state.uri, tab: state.tab === 'table' ? 'table' : 'chart' });
  }

  private attach(panel: vscode.WebviewPanel, state: ModelChartState): void {
    const entry: PanelEntry = { state, ready: false, renders: 0 };
    this.panels.set(panel, entry);
    panel.title = `Chart: ${vscode.Uri.parse(state.uri).path.split('/').pop()?.replace(/\.sql$/i, '') ?? 'model'}`;
    panel.webview.html = chartPage(panel.webview, this.s.context.extensionUri, 'charts-model', BODY);
    panel.onDidDispose(() => this.panels.delete(panel));
    panel.webview.onDidReceiveMessage((m: ModelChartToHost) => {
      if (m.type === 'ready') {
        entry.ready = true;
        void this.post(panel);
      } else if (m.type === 'tab') entry.state = { ...entry.state, tab: m.tab === 'table' ? 'table' : 'chart' };
      else if (m.type === 'export') void saveExport(m, this.s.model.folder?.uri).catch((err) => this.s.logger.error(`chart export: ${(err as Error).message}`));
      else if (m.type === 'error') this.s.logger.error(`model chart: ${m.message}`);
    });
  }

  private async post(panel: vscode.WebviewPanel): Promise<void> {
    const entry = this.panels.get(panel);
    if (!entry?.ready) return;
    const render = ++entry.renders;
    const uri = vscode.Uri.parse(entry.state.uri);
    // Not reload(): a reload fires onDidChange, which draws again, which would reload again, for ever.
    // The models service reloads by itself after every save; only a panel opened before its first
    // load has to wait for it.
    const project = this.s.models.project ?? (await this.s.models.reload());
    const node = this.s.models.nodeForUri(uri);
    const name = node?.name ?? uri.path.split('/').pop() ?? '';
    let message: HostToModelChart;
    if (!node) message = { type: 'failed', state: entry.state, model: name, message: 'not a model of the project.' };
    else {
      try {
        const { charts, tables, problems } = await readModelCharts(this.s, [node], {}, TABLE_ROWS, project ? { fromSavedSql: project } : {});
        const chart = charts[0];
        const table = tables[0];
        message = chart && table
          ? { type: 'render', state: entry.state, model: node.name, chart, table }
          : { type: 'failed', state: entry.state, model: node.name, message: problems.map((p) => (p.startsWith(`${node.name}: `) ? p.slice(node.name.length + 2) : p)).join(' ') || 'nothing to chart.' };
      } catch (err) {
        message = { type: 'failed', state: entry.state, model: node.name, message: (err as Error).message };
      }
    }
    // A slower, older render must not replace what a newer one drew.
    if (render !== entry.renders || !this.panels.has(panel)) return;
    await panel.webview.postMessage({ ...message, state: entry.state });
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const panel of this.panels.keys()) panel.dispose();
    for (const d of this.subscriptions) d.dispose();
  }
}
