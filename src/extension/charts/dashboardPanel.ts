import * as vscode from 'vscode';
import type { ChartPayload } from '../../core/charts/chartPayload';
import type { DashboardState, DashboardToHost, HostToDashboard, ProjectMessage } from '../../../webview/charts/dashboard/protocol';
import type { ExtensionServices } from '../services';
import { saveExport } from './exportSaver';
import type { Insight } from '../../core/insights/insight';
import type { InsightsService } from './insightsService';
import { hasDeclaredChart, readModelCharts } from './modelChartData';
import { storeCall } from './storeReader';
import { chartPage } from './webviewPage';
import { webviewOptions } from '../webviewPage';

export const DASHBOARD_VIEW_TYPE = 'communityMetrics.dashboard';

const BODY = `<header class="dash-header">
  <h1>Community Metrics dashboard</h1>
  <form id="range" class="toolbar" aria-label="Date range for every chart">
    <label>From <input type="date" name="from"></label>
    <label>To <input type="date" name="to"></label>
  </form>
</header>
<p id="problems" role="status"></p>
<div id="projects"></div>
<section id="insights-section" aria-labelledby="insights-title">
  <h2 id="insights-title">Insights</h2>
  <ul id="insights" class="insights"><li class="loading">Reading the store…</li></ul>
</section>
<div id="charts" class="dashboard-grid"></div>`;

/**
 * Every chart of the project on one page with one date range: the models that declare a chart
 * (meta.chart or a .vl.json), the seed article's ready-made views over the tracked artifacts, and
 * the insight flags, each opening its chart. One dashboard per window.
 */
export class DashboardPanel implements vscode.Disposable, vscode.WebviewPanelSerializer<DashboardState> {
  private panel: vscode.WebviewPanel | undefined;
  private state: DashboardState = {};
  private ready = false;
  /** Renders started; only the latest one posts. */
  private renders = 0;
  /** The insights as last shown, in the order the page lists them: a click names one by index. */
  private shown: Insight[] = [];
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly s: ExtensionServices, private readonly insights: InsightsService, private readonly openChart: (ref: { artifactId: string; metricKey: string; grain?: string; mode?: string }) => void) {
    const redraw = () => void this.post();
    this.subscriptions.push(insights.onDidChange(redraw), s.models.onDidChange(redraw));
  }

  show(): vscode.WebviewPanel {
    if (this.panel) {
      this.panel.reveal();
      return this.panel;
    }
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'Community Metrics Dashboard', vscode.ViewColumn.Active, webviewOptions(this.s.context.extensionUri));
    this.attach(panel, {});
    return panel;
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: DashboardState | undefined): Promise<void> {
    panel.webview.options = webviewOptions(this.s.context.extensionUri);
    this.attach(panel, sanitize(state ?? {}));
  }

  private attach(panel: vscode.WebviewPanel, state: DashboardState): void {
    this.panel = panel;
    this.state = state;
    this.ready = false;
    panel.webview.html = chartPage(panel.webview, this.s.context.extensionUri, 'charts-dashboard', BODY);
    panel.onDidDispose(() => {
      if (this.panel === panel) this.panel = undefined;
    });
    panel.webview.onDidReceiveMessage((m: DashboardToHost) => {
      if (m.type === 'ready') {
        this.ready = true;
        void this.post();
      } else if (m.type === 'range') {
        this.state = sanitize(m.state);
        void this.post();
      } else if (m.type === 'openInsight') {
        const insight = this.shown[m.index];
        if (insight) this.openChart(insight.chart);
      } else if (m.type === 'export') void saveExport(m, this.s.model.folder?.uri).catch((err) => this.s.logger.error(`chart export: ${(err as Error).message}`));
      else if (m.type === 'error') this.s.logger.error(`dashboard: ${m.message}`);
    });
  }

  /** Draws the dashboard again (a chart's `.vl.json` changed). */
  redraw(): void {
    void this.post();
  }

  private async post(): Promise<void> {
    const panel = this.panel;
    if (!panel || !this.ready) return;
    const render = ++this.renders;
    const state = this.state;
    const problems: string[] = [];
    let charts: ChartPayload[] = [];
    let projects: ProjectMessage[] = [];
    try {
      const project = this.s.models.project;
      const declared = project ? [...project.nodes.values()].filter(hasDeclaredChart) : [];
      if (declared.length) {
        const models = await readModelCharts(this.s, declared, state);
        charts.push(...models.charts);
        problems.push(...models.problems);
      }
      const artifacts = [...this.s.model.summaries.values()].map((a) => ({ artifact: a.artifact, source: a.source, name: a.name, project: a.project }));
      // Today: the week or month holding it is still running, drawn as "so far".
      const asOf = new Date().toISOString().slice(0, 10);
      const names = [...new Set(artifacts.map((a) => a.project))];
      const read = await storeCall(this.s, 'dashboard', { artifacts, range: { ...state, asOf }, projects: names });
      charts = charts.concat(read.views);
      projects = read.projects;
    } catch (err) {
      problems.push((err as Error).message);
      this.s.logger.error(`dashboard: ${(err as Error).stack ?? String(err)}`);
    }
    // A slower render of an older range must not replace the newer one (nor reset the inputs to it).
    if (render !== this.renders || this.panel !== panel) return;
    const names = new Map([...this.s.model.summaries.values()].map((a) => [a.artifact, a.name]));
    const projectOf = new Map([...this.s.model.summaries.values()].map((a) => [a.artifact, a.project]));
    const shown = [...this.insights.insights];
    const message: HostToDashboard = {
      type: 'render',
      state,
      projects,
      charts,
      insights: shown.map((i) => ({ title: i.title, explanation: i.explanation, subject: names.get(i.artifactId) ?? i.artifactId, ...(projectOf.has(i.artifactId) ? { project: projectOf.get(i.artifactId) } : {}) })),
      problems,
      hasData: [...this.s.model.summaries.values()].some((a) => a.metrics.some((m) => m.latest !== undefined)),
    };
    this.shown = shown;
    await panel.webview.postMessage(message);
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.subscriptions) d.dispose();
  }
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
function sanitize(s: DashboardState): DashboardState {
  return { ...(typeof s.from === 'string' && DAY.test(s.from) ? { from: s.from } : {}), ...(typeof s.to === 'string' && DAY.test(s.to) ? { to: s.to } : {}) };
}
