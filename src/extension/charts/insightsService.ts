import * as vscode from 'vscode';
import type { Insight } from '../../core/insights/insight';
import { normalizePypiName } from '../../core/config/projectConfig';
import { markedVersionsOf } from '../../core/insights/storeInsights';
import type { ArtifactFlag, ArtifactFlags } from '../projectsTree';
import type { ExtensionServices } from '../services';
import { storeCall } from './storeReader';

export const MARKED_VERSIONS_SETTING = 'communityMetrics.insights.markedVersions';

/**
 * The insights of the tracked artifacts, recomputed from the store when it changes (refresh, CLI,
 * reload) or when the user marks another version. The tree shows them as flags; the dashboard lists them.
 */
export class InsightsService implements ArtifactFlags, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [this.changed];
  private timer: NodeJS.Timeout | undefined;
  insights: Insight[] = [];

  constructor(private readonly s: ExtensionServices) {
    this.subscriptions.push(
      s.model.onDidChange(() => this.schedule()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(MARKED_VERSIONS_SETTING)) this.schedule();
      }),
    );
    this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.recompute(), 300);
  }

  async recompute(): Promise<Insight[]> {
    const artifacts = [...this.s.model.summaries.values()].map((a) => ({ artifact: a.artifact, source: a.source, name: a.name }));
    // community-metrics.yml's marked_version (shared with the CLI), then the setting, which wins.
    const setting = vscode.workspace.getConfiguration().get<Record<string, string>>(MARKED_VERSIONS_SETTING) ?? {};
    const marked = markedVersionsOf(this.s.model.config);
    for (const [key, version] of Object.entries(setting)) if (typeof version === 'string') marked[key.includes(':') ? key : `pypi:${normalizePypiName(key)}`] = version;
    try {
      this.insights = artifacts.length ? await storeCall(this.s, 'insights', { artifacts, options: { markedVersions: marked, asOf: new Date().toISOString().slice(0, 10) } }) : [];
    } catch (err) {
      this.s.logger.error(`insights: ${(err as Error).message}`);
      this.insights = [];
    }
    this.changed.fire();
    return this.insights;
  }

  flagsFor(artifactId: string): ArtifactFlag[] {
    return this.insights
      .filter((i) => i.artifactId === artifactId)
      .map((i) => ({ title: i.title, explanation: i.explanation, command: { command: 'communityMetrics.openMetricChart', title: 'Open Chart', arguments: [i.chart] } }));
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.subscriptions) d.dispose();
  }
}
