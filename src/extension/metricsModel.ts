import * as vscode from 'vscode';
import path from 'node:path';
import { CONFIG_FILE_NAME, parseProjectConfig } from '../core/config/projectConfig';
import type { ConfigProblem, ProjectConfig } from '../core/config/projectConfig';
import type { Logger } from '../core/log';
import type { StoreClient } from '../core/store/api/client';
import type { StarPoint } from '../core/store/store';
import type { ArtifactSummary } from '../core/store/artifactMetrics';
import { readSettings } from './settings';

/**
 * What the views show, read from the workspace: the parsed configuration (with its diagnostics) and
 * the latest values in the store. Views map this to their items; only this class does I/O.
 */
export class MetricsModel implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('community-metrics');
  private parseTimer: NodeJS.Timeout | undefined;

  config: ProjectConfig = { projects: [] };
  latest = new Map<string, StarPoint>();
  /** Per artifact (`source:name`): its metrics with latest value and 7/30-day change. */
  summaries = new Map<string, ArtifactSummary>();
  hasConfigFile = false;

  constructor(
    readonly folder: vscode.WorkspaceFolder | undefined,
    private readonly store: () => StoreClient,
    private readonly logger: Logger,
  ) {
    this.disposables.push(this.diagnostics);
    if (!folder) return;
    const configWatcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, CONFIG_FILE_NAME));
    const storeWatcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, readSettings(folder.uri).storePath));
    const reloadConfig = () => void this.reloadConfig();
    const reloadStore = () => void this.reloadStore();
    this.disposables.push(
      configWatcher,
      storeWatcher,
      configWatcher.onDidCreate(reloadConfig),
      configWatcher.onDidChange(reloadConfig),
      configWatcher.onDidDelete(reloadConfig),
      storeWatcher.onDidCreate(reloadStore),
      storeWatcher.onDidChange(reloadStore),
      // Diagnostics follow the editor buffer as the user types, not only saves.
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.isConfigDocument(e.document)) this.scheduleParse();
      }),
      vscode.workspace.onDidOpenTextDocument((d) => {
        if (this.isConfigDocument(d)) this.scheduleParse();
      }),
    );
  }

  get configUri(): vscode.Uri | undefined {
    return this.folder ? vscode.Uri.joinPath(this.folder.uri, CONFIG_FILE_NAME) : undefined;
  }

  get storeFile(): string | undefined {
    return this.folder ? path.resolve(this.folder.uri.fsPath, readSettings(this.folder.uri).storePath) : undefined;
  }

  async load(): Promise<void> {
    // The store's summaries are per configured artifact: read the configuration first.
    await this.reloadConfig();
    await this.reloadStore();
  }

  private isConfigDocument(doc: vscode.TextDocument): boolean {
    return this.configUri !== undefined && doc.uri.toString() === this.configUri.toString();
  }

  private scheduleParse(): void {
    clearTimeout(this.parseTimer);
    this.parseTimer = setTimeout(() => void this.reloadConfig(), 150);
  }

  async reloadConfig(): Promise<void> {
    const uri = this.configUri;
    if (!uri) return;
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    let text: string | undefined;
    if (open) {
      text = open.getText();
    } else {
      try {
        text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      } catch {
        text = undefined;
      }
    }
    this.hasConfigFile = text !== undefined;
    await vscode.commands.executeCommand('setContext', 'communityMetrics.hasConfig', this.hasConfigFile);
    if (text === undefined) {
      this.config = { projects: [] };
      this.diagnostics.delete(uri);
    } else {
      const parsed = parseProjectConfig(text);
      this.config = parsed.config;
      this.diagnostics.set(uri, parsed.problems.map(toDiagnostic));
      for (const p of parsed.problems) this.logger.debug(`${CONFIG_FILE_NAME}:${p.range.startLine + 1}: ${p.message}`);
    }
    this.changed.fire();
  }

  async reloadStore(): Promise<void> {
    const file = this.storeFile;
    if (!file) return;
    try {
      const { latest, summaries } = await this.store().call('treeSummaries', { config: this.config });
      this.latest = latest;
      this.summaries = new Map(summaries.map((a) => [a.artifact, a]));
    } catch (err) {
      this.logger.error(`Cannot read the store ${file}: ${(err as Error).message}`);
      void vscode.window.showErrorMessage(`Community Metrics: cannot read the store ${file}. See the log for details.`);
    }
    this.changed.fire();
  }

  async starHistory(repo: string): Promise<StarPoint[]> {
    return this.store().call('starHistory', { repo });
  }

  dispose(): void {
    clearTimeout(this.parseTimer);
    for (const d of this.disposables) d.dispose();
  }
}

function toDiagnostic(p: ConfigProblem): vscode.Diagnostic {
  const range = new vscode.Range(p.range.startLine, p.range.startColumn, p.range.endLine, p.range.endColumn);
  const d = new vscode.Diagnostic(range, p.message, p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
  d.source = 'community-metrics';
  return d;
}
