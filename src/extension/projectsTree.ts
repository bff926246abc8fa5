import * as vscode from 'vscode';
import type { GitHubRepository, TrackedProject } from '../core/config/projectConfig';
import type { MetricsModel } from './metricsModel';

export type ProjectsNode =
  | { kind: 'project'; project: TrackedProject }
  | { kind: 'repository'; project: TrackedProject; repo: GitHubRepository };

/** Maps the model to tree items; no I/O here, the model has already read everything. */
export class ProjectsTreeProvider implements vscode.TreeDataProvider<ProjectsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ProjectsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly model: MetricsModel) {
    this.subscription = model.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(node?: ProjectsNode): ProjectsNode[] {
    if (!node) return this.model.config.projects.map((project) => ({ kind: 'project', project }));
    if (node.kind === 'project') return node.project.github.map((repo) => ({ kind: 'repository', project: node.project, repo }));
    return [];
  }

  getTreeItem(node: ProjectsNode): vscode.TreeItem {
    if (node.kind === 'project') {
      const item = new vscode.TreeItem(node.project.name, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `project:${node.project.name}`;
      item.contextValue = 'project';
      item.iconPath = new vscode.ThemeIcon('project');
      const n = node.project.github.length;
      item.description = `${n} ${n === 1 ? 'repository' : 'repositories'}`;
      return item;
    }
    const latest = this.model.latest.get(node.repo.fullName);
    const item = new vscode.TreeItem(node.repo.fullName, vscode.TreeItemCollapsibleState.None);
    item.id = `github:${node.project.name}:${node.repo.fullName}`;
    item.contextValue = 'repository';
    item.iconPath = new vscode.ThemeIcon('github');
    item.description = latest ? `★ ${latest.stars.toLocaleString('en-US')}` : 'not refreshed yet';
    const tooltip = new vscode.MarkdownString();
    tooltip.appendText(`${node.repo.fullName}\n\n`);
    tooltip.appendText(latest ? `${latest.stars.toLocaleString('en-US')} stars at ${latest.timestamp}` : 'No snapshot yet: run Community Metrics: Refresh.');
    item.tooltip = tooltip;
    item.command = { command: 'communityMetrics.openChart', title: 'Open Chart', arguments: [node] };
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
