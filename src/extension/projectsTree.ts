import * as vscode from 'vscode';
import type { GitHubRepository, TrackedProject } from '../core/config/projectConfig';
import type { ArtifactSummary, MetricSummary } from '../core/store/artifactMetrics';
import type { ArtifactFailure } from '../core/refresh';
import { failureState } from '../core/refreshReport';
import type { MetricsModel } from './metricsModel';

type Source = ArtifactSummary['source'];

export interface ArtifactRef {
  source: Source;
  name: string;
  /** `source:name`, the key of refresh results and summaries. */
  id: string;
}

export type ProjectsNode =
  | { kind: 'project'; project: TrackedProject }
  | { kind: 'repository'; project: TrackedProject; repo: GitHubRepository }
  | { kind: 'artifact'; project: TrackedProject; artifact: ArtifactRef }
  | { kind: 'metric'; project: TrackedProject; artifactId: string; metric: MetricSummary }
  | { kind: 'flag'; project: TrackedProject; artifactId: string; flag: ArtifactFlag }
  | { kind: 'gap'; project: TrackedProject; artifactId: string; gap: GapItem };

/** A day range a kept series was not observed (see core/coverage), or the count of older ones. */
export interface GapItem {
  message: string;
  open: boolean;
  /** All gaps of the artifact, for the tooltip of the "older gaps" item. */
  more?: string[];
}

/** Gaps shown per artifact, most recent first; the rest are summed up in one item. */
const SHOWN_GAPS = 5;

function gapItems(summary: ArtifactSummary | undefined): GapItem[] {
  const gaps = (summary?.coverage ?? []).flatMap((c) => c.gaps).sort((a, b) => b.to.localeCompare(a.to));
  const items: GapItem[] = gaps.slice(0, SHOWN_GAPS).map((g) => ({ message: g.message, open: g.open }));
  const rest = gaps.slice(SHOWN_GAPS);
  if (rest.length > 0) items.push({ message: `${rest.length} earlier gap${rest.length === 1 ? '' : 's'} (community-metrics coverage lists all)`, open: false, more: rest.map((g) => g.message) });
  return items;
}

/** A flag on an artifact (an insight), with the command that opens its chart. */
export interface ArtifactFlag {
  title: string;
  explanation: string;
  command: vscode.Command;
}

/** Where flags come from: the charts feature supplies its insights through `setFlags`. */
export interface ArtifactFlags {
  flagsFor(artifactId: string): readonly ArtifactFlag[];
  readonly onDidChange: vscode.Event<void>;
}

const ICONS: Record<Source, string> = { github: 'github', pypi: 'package', npm: 'package', docker: 'server-environment', slack: 'comment-discussion' };

/** The artifacts of a project other than its GitHub repositories, in the configuration's order. */
function otherArtifacts(p: TrackedProject): ArtifactRef[] {
  const refs: ArtifactRef[] = [];
  const add = (source: Source, names: string[]) => names.forEach((name) => refs.push({ source, name, id: `${source}:${name}` }));
  add('pypi', (p.pypi ?? []).map((x) => x.name));
  add('npm', (p.npm ?? []).map((x) => x.name));
  add('docker', (p.docker ?? []).map((x) => x.fullName));
  add('slack', (p.slack ?? []).map((x) => x.domain));
  return refs;
}

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });
const signed = (n: number) => `${n > 0 ? '+' : n < 0 ? '−' : '±'}${fmt(Math.abs(n))}`;

export function describeMetric(m: MetricSummary): string {
  if (m.latest === undefined) return 'no data yet';
  const parts = [fmt(m.latest)];
  if (m.change7d !== undefined) parts.push(`${signed(m.change7d)} 7d`);
  if (m.change30d !== undefined) parts.push(`${signed(m.change30d)} 30d`);
  return parts.join(' · ');
}

/** Maps the model to tree items: project → artifact → metric. No I/O here; the model has read it all. */
export class ProjectsTreeProvider implements vscode.TreeDataProvider<ProjectsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ProjectsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private flags: ArtifactFlags | undefined;

  constructor(
    private readonly model: MetricsModel,
    /** The failures of the last refresh in this window (none before the first). */
    private readonly lastFailures: () => readonly ArtifactFailure[] = () => [],
  ) {
    this.subscription = model.onDidChange(() => this.changed.fire(undefined));
  }

  /** Shows `flags` on artifacts (first among their children) and redraws when they change. */
  setFlags(flags: ArtifactFlags): vscode.Disposable {
    this.flags = flags;
    this.changed.fire(undefined);
    return flags.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(node?: ProjectsNode): ProjectsNode[] {
    if (!node) return this.model.config.projects.map((project) => ({ kind: 'project', project }));
    if (node.kind === 'project') {
      return [
        ...node.project.github.map((repo): ProjectsNode => ({ kind: 'repository', project: node.project, repo })),
        ...otherArtifacts(node.project).map((artifact): ProjectsNode => ({ kind: 'artifact', project: node.project, artifact })),
      ];
    }
    const id = node.kind === 'repository' ? `github:${node.repo.fullName}` : node.kind === 'artifact' ? node.artifact.id : undefined;
    if (!id) return [];
    return [
      ...(this.flags?.flagsFor(id) ?? []).map((flag): ProjectsNode => ({ kind: 'flag', project: node.project, artifactId: id, flag })),
      ...(this.model.summaries.get(id)?.metrics ?? []).map((metric): ProjectsNode => ({ kind: 'metric', project: node.project, artifactId: id, metric })),
      ...gapItems(this.model.summaries.get(id)).map((gap): ProjectsNode => ({ kind: 'gap', project: node.project, artifactId: id, gap })),
    ];
  }

  getTreeItem(node: ProjectsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'project': {
        const item = new vscode.TreeItem(node.project.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `project:${node.project.name}`;
        item.contextValue = 'project';
        item.iconPath = new vscode.ThemeIcon('project');
        const repos = node.project.github.length;
        const others = otherArtifacts(node.project).length;
        item.description = others === 0 ? `${repos} ${repos === 1 ? 'repository' : 'repositories'}` : `${repos + others} ${repos + others === 1 ? 'artifact' : 'artifacts'}`;
        return item;
      }
      case 'repository': {
        const latest = this.model.latest.get(node.repo.fullName);
        const id = `github:${node.repo.fullName}`;
        const item = new vscode.TreeItem(node.repo.fullName, this.model.summaries.get(id)?.metrics.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.id = `${id}@${node.project.name}`;
        item.contextValue = 'repository';
        item.iconPath = new vscode.ThemeIcon('github');
        item.description = latest ? `★ ${latest.stars.toLocaleString('en-US')}` : 'not refreshed yet';
        const tooltip = new vscode.MarkdownString();
        tooltip.appendText(`${node.repo.fullName}\n\n`);
        tooltip.appendText(latest ? `${latest.stars.toLocaleString('en-US')} stars at ${latest.timestamp}` : 'No snapshot yet: run Community Metrics: Refresh.');
        item.tooltip = tooltip;
        item.command = { command: 'communityMetrics.openChart', title: 'Open Chart', arguments: [node] };
        this.markFailed(item, id, tooltip);
        this.markFlagged(item, id);
        return item;
      }
      case 'artifact': {
        const summary = this.model.summaries.get(node.artifact.id);
        const head = summary?.metrics.find((m) => m.latest !== undefined);
        const item = new vscode.TreeItem(node.artifact.name, summary?.metrics.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.id = `${node.artifact.id}@${node.project.name}`;
        item.contextValue = `artifact.${node.artifact.source}`;
        item.iconPath = new vscode.ThemeIcon(ICONS[node.artifact.source]);
        item.description = head ? `${node.artifact.source} · ${head.label}: ${fmt(head.latest as number)}` : `${node.artifact.source} · not refreshed yet`;
        const tooltip = new vscode.MarkdownString();
        tooltip.appendText(`${node.artifact.id}\n\n`);
        tooltip.appendText(head ? `${head.label}: ${fmt(head.latest as number)}${head.latestAt ? ` (${head.latestAt})` : ''}` : 'No data yet: run Community Metrics: Refresh.');
        item.tooltip = tooltip;
        this.markFailed(item, node.artifact.id, tooltip);
        this.markFlagged(item, node.artifact.id);
        return item;
      }
      case 'metric': {
        const item = new vscode.TreeItem(node.metric.label, vscode.TreeItemCollapsibleState.None);
        item.id = `${node.artifactId}#${node.metric.key}@${node.project.name}`;
        item.contextValue = 'metric';
        item.description = describeMetric(node.metric);
        const tip = new vscode.MarkdownString();
        tip.appendText(`${node.metric.label}: ${node.metric.description}`);
        if (node.metric.latestAt) tip.appendText(`\nLatest: ${node.metric.latestAt}`);
        item.tooltip = tip;
        // Clicking a metric charts it, as clicking a repository charts its stars.
        item.command = { command: 'communityMetrics.openMetricChart', title: 'Open Metric Chart', arguments: [node] };
        return item;
      }
      case 'flag': {
        const item = new vscode.TreeItem(node.flag.title, vscode.TreeItemCollapsibleState.None);
        item.id = `${node.artifactId}!${node.flag.title}@${node.project.name}`;
        item.contextValue = 'flag';
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
        const tip = new vscode.MarkdownString();
        tip.appendText(node.flag.explanation);
        item.tooltip = tip;
        item.command = node.flag.command;
        return item;
      }
      case 'gap': {
        const item = new vscode.TreeItem(node.gap.message, vscode.TreeItemCollapsibleState.None);
        item.id = `${node.artifactId}~${node.gap.message}@${node.project.name}`;
        item.contextValue = 'gap';
        item.iconPath = new vscode.ThemeIcon('debug-disconnect', node.gap.open ? new vscode.ThemeColor('list.warningForeground') : undefined);
        const tip = new vscode.MarkdownString();
        tip.appendText(node.gap.more ? node.gap.more.join('\n') : `${node.gap.message}\n\nNo refresh observed these days: charts leave them as gaps, neither 0 nor interpolated.`);
        item.tooltip = tip;
        return item;
      }
    }
  }

  /**
   * An artifact whose last refresh failed says so: an error icon, "offline" / "unreachable" / "failed"
   * before its values (which are the saved ones), and the cause with what to do in its tooltip.
   */
  private markFailed(item: vscode.TreeItem, artifactId: string, tooltip: vscode.MarkdownString): void {
    const failure = this.lastFailures().find((f) => f.artifact === artifactId);
    if (!failure) return;
    const state = failureState(failure);
    item.iconPath = new vscode.ThemeIcon(state.unreachable ? 'debug-disconnect' : 'error', new vscode.ThemeColor(state.unreachable ? 'list.warningForeground' : 'list.errorForeground'));
    item.description = `${state.short} · ${String(item.description ?? '')}`;
    tooltip.appendText(`\n\n${state.detail}`);
  }

  /** A flagged artifact opens to show its flags, and says how many it has. */
  private markFlagged(item: vscode.TreeItem, artifactId: string): void {
    const n = this.flags?.flagsFor(artifactId).length ?? 0;
    if (n === 0) return;
    item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
    // VS Code keeps the collapsed state of an id it has drawn and ignores the new one: the artifact
    // was drawn before the insights were computed, so only another id lets it open on its flags.
    item.id = `${item.id ?? artifactId}#flagged`;
    item.description = `⚠ ${n} · ${String(item.description ?? '')}`;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
