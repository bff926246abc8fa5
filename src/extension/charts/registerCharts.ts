import * as vscode from 'vscode';
import { activeModelUri } from '../activeModel';
import type { ProjectsNode, ProjectsTreeProvider } from '../projectsTree';
import type { ExtensionServices } from '../services';
import type { MetricChartState, SeriesRef } from '../../../webview/charts/metric/protocol';
import { DASHBOARD_VIEW_TYPE, DashboardPanel } from './dashboardPanel';
import { InsightsService } from './insightsService';
import { METRIC_CHART_VIEW_TYPE, MetricChartPanels } from './metricChartPanel';
import { MODEL_CHART_VIEW_TYPE, ModelChartPanels } from './modelChartPanel';

type ChartRef = SeriesRef & Partial<Pick<MetricChartState, 'grain' | 'mode'>>;

/** Charts, dashboard and insights: their panels, serializers, commands and tree flags, owned by the caller's subscriptions. */
export function registerCharts(s: ExtensionServices, tree: ProjectsTreeProvider): vscode.Disposable[] {
  const metricCharts = new MetricChartPanels(s);
  const modelCharts = new ModelChartPanels(s);
  const insights = new InsightsService(s);
  const openRef = (ref: ChartRef) => metricCharts.show({ artifactId: ref.artifactId, metricKey: ref.metricKey }, { ...(ref.grain ? { grain: ref.grain } : {}), ...(ref.mode ? { mode: ref.mode } : {}) });
  const dashboard = new DashboardPanel(s, insights, (ref) => openRef(ref as ChartRef));
  // A `<model>.vl.json` is no file of the models project (its watcher skips it), yet it is the chart.
  const specs = s.model.folder ? vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(s.model.folder, '**/*.vl.json')) : undefined;
  const specChanged = () => {
    modelCharts.redrawAll();
    dashboard.redraw();
  };
  return [
    ...(specs ? [specs, specs.onDidCreate(specChanged), specs.onDidChange(specChanged), specs.onDidDelete(specChanged)] : []),
    metricCharts,
    modelCharts,
    insights,
    dashboard,
    tree.setFlags(insights),
    vscode.window.registerWebviewPanelSerializer(METRIC_CHART_VIEW_TYPE, metricCharts),
    vscode.window.registerWebviewPanelSerializer(MODEL_CHART_VIEW_TYPE, modelCharts),
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, dashboard),
    vscode.commands.registerCommand('communityMetrics.openMetricChart', async (node?: ProjectsNode | ChartRef) => {
      if (node && !('kind' in node) && 'artifactId' in node) return openRef(node);
      const ref = await pickMetric(s, node);
      return ref ? metricCharts.show(ref) : undefined;
    }),
    vscode.commands.registerCommand('communityMetrics.openModelChart', (uri?: vscode.Uri) => {
      const target = uri ?? activeModelUri();
      if (!target) {
        void vscode.window.showWarningMessage('Community Metrics: open a model file first.');
        return undefined;
      }
      return modelCharts.show(target);
    }),
    vscode.commands.registerCommand('communityMetrics.openDashboard', () => dashboard.show()),
  ];
}

/** The metric of a tree node, or the one the user picks. */
async function pickMetric(s: ExtensionServices, node?: ProjectsNode): Promise<SeriesRef | undefined> {
  if (node?.kind === 'metric') return { artifactId: node.artifactId, metricKey: node.metric.key };
  const picks = [...s.model.summaries.values()].flatMap((a) =>
    a.metrics.map((m) => ({ label: `${a.name} · ${m.label}`, description: a.project, detail: m.description, ref: { artifactId: a.artifact, metricKey: m.key } })),
  );
  if (picks.length === 0) {
    void vscode.window.showWarningMessage('Community Metrics: no metrics yet. Add artifacts to community-metrics.yml and run Refresh.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(picks, { placeHolder: 'Chart which metric?', matchOnDescription: true });
  return picked?.ref;
}
