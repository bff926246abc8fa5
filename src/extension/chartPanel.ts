import { CHARTS_BUNDLE } from './charts/webviewPage';
import * as vscode from 'vscode';
import { STAR_DATASET, starChartSpec, summarizeStars } from '../core/charts/starChart';
import type { Logger } from '../core/log';
import type { ChartState, ChartToHost, HostToChart } from '../../webview/chart/protocol';
import type { MetricsModel } from './metricsModel';
import { escapeHtml, webviewOptions, webviewPage } from './webviewPage';

export const CHART_VIEW_TYPE = 'communityMetrics.chart';

/** One star chart per repository, beside the editor; data goes by postMessage after `ready`. */
export class ChartPanels implements vscode.Disposable, vscode.WebviewPanelSerializer<ChartState> {
  private readonly panels = new Map<string, { panel: vscode.WebviewPanel; ready: boolean }>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly model: MetricsModel,
    private readonly logger: Logger,
  ) {
    this.subscriptions.push(
      model.onDidChange(() => {
        for (const repo of this.panels.keys()) void this.post(repo);
      }),
    );
  }

  show(repo: string): vscode.WebviewPanel {
    const existing = this.panels.get(repo);
    if (existing) {
      existing.panel.reveal(vscode.ViewColumn.Beside);
      return existing.panel;
    }
    // Beside the SQL or YAML file being edited; in the active group when no editor is open.
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    const panel = vscode.window.createWebviewPanel(CHART_VIEW_TYPE, `Stars: ${repo}`, column, webviewOptions(this.extensionUri));
    this.attach(panel, repo);
    return panel;
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: ChartState | undefined): Promise<void> {
    if (!state || typeof state.repo !== 'string') {
      panel.dispose();
      return;
    }
    panel.webview.options = webviewOptions(this.extensionUri);
    this.attach(panel, state.repo);
  }

  private attach(panel: vscode.WebviewPanel, repo: string): void {
    const entry = { panel, ready: false };
    this.panels.set(repo, entry);
    panel.title = `Stars: ${repo}`;
    panel.webview.html = this.html(panel.webview, repo);
    panel.onDidDispose(() => this.panels.delete(repo));
    panel.webview.onDidReceiveMessage((message: ChartToHost) => {
      if (message.type === 'ready') {
        entry.ready = true;
        void this.post(repo);
      } else if (message.type === 'error') {
        this.logger.error(`chart ${repo}: ${message.message}`);
      } else if (message.type === 'rendered') {
        this.logger.debug(`chart ${repo}: ${message.points} points drawn`);
      }
    });
  }

  private async post(repo: string): Promise<void> {
    const entry = this.panels.get(repo);
    if (!entry?.ready) return;
    try {
      const values = await this.model.starHistory(repo);
      const message: HostToChart = {
        type: 'render',
        repo,
        spec: starChartSpec(repo, values),
        dataset: STAR_DATASET,
        values,
        summary: summarizeStars(repo, values),
      };
      await entry.panel.webview.postMessage(message);
    } catch (err) {
      this.logger.error(`chart ${repo}: ${(err as Error).message}`);
    }
  }

  private html(webview: vscode.Webview, repo: string): string {
    return webviewPage(webview, this.extensionUri, {
      // The one charts bundle (Vega once in the VSIX), as its repository stars page.
      script: CHARTS_BUNDLE,
      bodyAttributes: 'data-page="chart"',
      stylesheet: 'chart.css',
      title: `Stars: ${repo}`,
      body: `<h1>GitHub stars: ${escapeHtml(repo)}</h1>
<p id="summary" role="status"></p>
<div id="error" role="alert"></div>
<div id="chart" role="img" aria-label="Line chart of GitHub stars of ${escapeHtml(repo)}"></div>`,
    });
  }

  dispose(): void {
    for (const { panel } of this.panels.values()) panel.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
