import * as vscode from 'vscode';
import type { ProjectsNode } from '../projectsTree';
import type { ExtensionServices } from '../services';
import type { SeriesRef } from '../../../webview/charts/metric/protocol';
import { METRIC_CHART_VIEW_TYPE, MetricChartPanels } from './metricChartPanel';

/** Charts, dashboard and insights: their panels, serializers and commands, owned by the caller's subscriptions. */
export function registerCharts(s: ExtensionServices): vscode.Disposable[] {
  const metricCharts = new MetricChartPanels(s);
  return [
    metricCharts,
    vscode.window.registerWebviewPanelSerializer(METRIC_CHART_VIEW_TYPE, metricCharts),
    vscode.commands.registerCommand('communityMetrics.openMetricChart', async (node?: ProjectsNode | SeriesRef) => {
      const ref = await pickMetric(s, node);
      return ref ? metricCharts.show(ref) : undefined;
    }),
  ];
}

/** The metric of a tree node, or the one the user picks. */
async function pickMetric(s: ExtensionServices, node?: ProjectsNode | SeriesRef): Promise<SeriesRef | undefined> {
  if (node && 'kind' in node && node.kind === 'metric') return { artifactId: node.artifactId, metricKey: node.metric.key };
  if (node && 'artifactId' in node && 'metricKey' in node) return { artifactId: node.artifactId, metricKey: node.metricKey };
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
