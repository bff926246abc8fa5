import { runSummary } from '../../core/project/runSummary';
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic as EngineDiagnostic } from '../../core/project/diagnostics';
import { loadProject, nodeForFile } from '../../core/project/project';
import type { Project, ProjectNode } from '../../core/project/project';
import type { RecordedResult } from '../../core/project/runHistory';
import { compiledSqlOf } from '../../core/project/runner';
import type { ProgressEvent, RunCommand, RunResult } from '../../core/project/runner';
import { buildColumnCatalog, catalogIdentifiers } from '../../core/project/columnCatalog';
import type { ColumnCatalog, StoredColumns } from '../../core/project/columnCatalog';
import type { QueryTable } from '../../core/project/jinjaRenderer';
import type { NodePick } from '../../core/project/selection';
import type { ExtensionServices } from '../services';

const PROJECT_FILES = '**/{*.sql,*.yml,*.yaml,*.csv}';

/**
 * The workspace's dbt-style project as the editor sees it: loaded on activation and again after
 * every save of a model, yml, macro or seed; its problems (and those of the last run) published as
 * diagnostics on the source files; runs on the store with progress and Cancel.
 */
export class ModelsService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('community-metrics-models');
  private readonly disposables: vscode.Disposable[] = [this.changed, this.diagnostics];
  private reloadTimer: NodeJS.Timeout | undefined;
  private columnsTimer: NodeJS.Timeout | undefined;
  private loading: Promise<Project | undefined> | undefined;
  private runDiagnostics: EngineDiagnostic[] = [];
  project: Project | undefined;
  /** Goes up at every load: the store worker loads the same version of the project once. */
  projectVersion = 0;
  lastRun: RunResult | undefined;
  /** Latest recorded result per node, read from the store (survives reloads). */
  lastResults = new Map<string, RecordedResult>();
  /** Columns of every relation the project reads or builds, for completion; refreshed at each load and run. */
  columns: ColumnCatalog = new Map();

  constructor(private readonly s: ExtensionServices) {
    const folder = s.model.folder;
    if (!folder) return;
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, PROJECT_FILES));
    const schedule = (uri: vscode.Uri) => {
      // The store's own folder and build output are not part of the project.
      if (/[\\/](\.community-metrics|target|node_modules|\.tmp)[\\/]/.test(uri.fsPath)) return;
      this.scheduleReload();
    };
    this.disposables.push(watcher, watcher.onDidChange(schedule), watcher.onDidCreate(schedule), watcher.onDidDelete(schedule));
    // A refresh (or the CLI) adds raw tables and columns: re-read them for completion, quietly.
    this.disposables.push(s.model.onDidChange(() => {
      clearTimeout(this.columnsTimer);
      this.columnsTimer = setTimeout(() => void (this.loading ?? this.readLastResults()), 1000);
    }));
  }

  get root(): string | undefined {
    return this.s.model.folder?.uri.fsPath;
  }

  /** A workspace has a project when it has dbt_project.yml or a models/ folder. */
  hasProject(): boolean {
    const root = this.root;
    return !!root && (existsSync(path.join(root, 'dbt_project.yml')) || existsSync(path.join(root, 'models')));
  }

  scheduleReload(): void {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => void this.reload(), 200);
  }

  reload(): Promise<Project | undefined> {
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<Project | undefined> {
    const root = this.root;
    await vscode.commands.executeCommand('setContext', 'communityMetrics.hasModels', this.hasProject());
    if (!root || !this.hasProject()) {
      this.project = undefined;
      this.publish();
      this.changed.fire();
      return undefined;
    }
    try {
      this.project = await loadProject(root, { log: (m) => this.s.logger.debug(m) });
      this.projectVersion++;
      await this.readLastResults();
    } catch (err) {
      this.s.logger.error(`cannot load the models project: ${(err as Error).stack ?? String(err)}`);
      this.project = undefined;
    }
    // A fixed file's problems go away: run diagnostics of files that changed are dropped at reload.
    this.runDiagnostics = [];
    this.publish();
    this.changed.fire();
    return this.project;
  }

  /** The run history and the relations' columns, in one read of the store. */
  private async readLastResults(): Promise<void> {
    const project = this.project;
    const file = this.s.model.storeFile;
    let stored: StoredColumns = new Map();
    if (file && existsSync(file)) {
      try {
        const result = await this.s.store.client().call('runHistory', project ? { identifiers: catalogIdentifiers(project) } : {});
        this.lastResults = result.results;
        stored = result.stored;
      } catch (err) {
        this.s.logger.warn(`cannot read run history: ${(err as Error).message}`);
      }
    }
    this.columns = project ? buildColumnCatalog(project, stored) : new Map();
  }

  nodeForUri(uri: vscode.Uri): ProjectNode | undefined {
    return this.project ? nodeForFile(this.project, uri.fsPath) : undefined;
  }

  /**
   * Runs, builds or tests on the store, under its lock, with a progress notification and Cancel: every
   * node, a selection by selector strings, or nodes picked by unique id (named in `label`).
   */
  async run(command: RunCommand, select?: string[] | (NodePick & { label: string })): Promise<RunResult | undefined> {
    const project = (await this.reload()) ?? this.project;
    const file = this.s.model.storeFile;
    if (!project || !file) {
      void vscode.window.showWarningMessage('Community Metrics: this workspace has no models (dbt_project.yml or models/). Run “Create Starter Project” to start one.');
      return undefined;
    }
    const picked = select && !Array.isArray(select) ? select : undefined;
    const selectors = Array.isArray(select) ? select : undefined;
    const title = `Community Metrics: ${command}${picked ? ` ${picked.label}` : selectors?.length ? ` ${selectors.join(' ')}` : ''}`;
    const run = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      try {
        const { run: ran, stored } = await this.s.store.client().call(
          'runProject',
          {
            project: { root: project.root, version: this.projectVersion },
            command,
            ...(picked ? { nodes: { ids: picked.ids, ...(picked.parents !== undefined ? { parents: picked.parents } : {}) } } : selectors ? { select: selectors } : {}),
            columnsOf: catalogIdentifiers(project),
          },
          {
            signal: abort.signal,
            onProgress: (value) => {
              const e = value as ProgressEvent;
              if (e.kind === 'start') progress.report({ message: `${e.name} (${e.index + 1}/${e.total})`, increment: 100 / Math.max(1, e.total) });
              else this.s.logger.info(`${e.result.status.toUpperCase()} ${e.result.name} ${e.result.durationMs} ms${e.result.rowsAffected !== undefined ? `, ${e.result.rowsAffected} rows` : ''}`);
            },
          },
        );
        // What was just built has columns now: completion offers them at once.
        if (stored) this.columns = buildColumnCatalog(project, stored);
        return ran;
      } finally {
        sub.dispose();
      }
    });
    this.lastRun = run;
    this.runDiagnostics = run.diagnostics;
    for (const r of run.results) {
      this.lastResults.set(r.uniqueId, { ...r, resourceType: r.resourceType });
    }
    this.publish();
    this.changed.fire();
    const failed = run.results.filter((r) => r.status === 'error' || r.status === 'fail');
    const skipped = run.results.filter((r) => r.status === 'skipped').length;
    if (run.cancelled) void vscode.window.showInformationMessage(`${title}: cancelled.`);
    else if (failed.length > 0) {
      void vscode.window
        .showErrorMessage(`${title}: ${failed.length} failed (${failed.slice(0, 3).map((f) => f.name).join(', ')})${skipped ? `, ${skipped} skipped downstream` : ''}. See the Problems panel.`, 'Show Log')
        .then((c) => c && this.s.log.show());
    } else if (!picked && !selectors?.length) {
      // A whole-project build, seed or test ends with a message saying what it did.
      void vscode.window.showInformationMessage(`Community Metrics: ${runSummary(run)}`);
    } else vscode.window.setStatusBarMessage(`$(check) ${title}: ${runSummary(run)}`, 5000);
    return run;
  }

  /** The SQL that would run for a node, compiled against the current store. */
  async compiledSql(node: ProjectNode): Promise<string> {
    const project = this.project;
    const file = this.s.model.storeFile;
    if (!project) throw new Error('No models project is loaded.');
    if (!file || !existsSync(file)) return compiledSqlOf(project, node);
    return this.s.store.client().call('compiledSql', { project: { root: project.root, version: this.projectVersion }, uniqueId: node.uniqueId });
  }

  /** The first rows of a node's relation in the store. */
  async preview(node: ProjectNode, limit = 500): Promise<QueryTable & { total: number }> {
    const file = this.s.model.storeFile;
    if (!file || !existsSync(file)) throw new Error('The store is empty: run Refresh and Build first.');
    const name = typeof node.config.alias === 'string' && node.config.alias ? node.config.alias : node.name;
    return this.s.store.client().call('preview', { relation: name, model: node.name, limit });
  }

  private publish(): void {
    this.diagnostics.clear();
    const all = [...(this.project?.diagnostics ?? []), ...this.runDiagnostics];
    const byFile = new Map<string, vscode.Diagnostic[]>();
    const seen = new Set<string>();
    for (const d of all) {
      const key = `${d.file}:${d.line}:${d.column}:${d.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const range = new vscode.Range(d.line - 1, d.column - 1, d.line - 1, Number.MAX_SAFE_INTEGER);
      const diag = new vscode.Diagnostic(range, d.message, d.severity === 'error' ? vscode.DiagnosticSeverity.Error : d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information);
      diag.source = 'community-metrics';
      diag.code = d.code;
      const list = byFile.get(d.file) ?? [];
      list.push(diag);
      byFile.set(d.file, list);
    }
    for (const [file, list] of byFile) this.diagnostics.set(vscode.Uri.file(file), list);
  }

  dispose(): void {
    clearTimeout(this.reloadTimer);
    clearTimeout(this.columnsTimer);
    for (const d of this.disposables) d.dispose();
  }
}
