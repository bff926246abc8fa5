import { failureState, refreshFailureMessage } from '../core/refreshReport';
import * as vscode from 'vscode';
import { CONFIG_FILE_NAME } from '../core/config/projectConfig';
import { HttpClient } from '../core/http/client';
import { describeError } from '../core/http/errors';
import { refreshAll } from '../core/refresh';
import type { RefreshResult } from '../core/refresh';
import type { ExtensionServices } from './services';
import { onSettingsChanged, readSettings } from './settings';

/**
 * Runs refreshes one at a time (palette, tree button or timer), with a progress notification per
 * source and Cancel, and keeps a status-bar item with the last refresh time and its failures.
 */
export class RefreshController implements vscode.Disposable {
  private readonly status = vscode.window.createStatusBarItem('communityMetrics.status', vscode.StatusBarAlignment.Left, 10);
  private readonly disposables: vscode.Disposable[] = [this.status];
  private running: Promise<RefreshResult | undefined> | undefined;
  private timer: NodeJS.Timeout | undefined;
  lastResult: RefreshResult | undefined;
  lastFinishedAt: Date | undefined;

  constructor(private readonly s: ExtensionServices) {
    this.status.name = 'Community Metrics';
    this.status.command = 'communityMetrics.refresh';
    this.renderStatus();
    this.disposables.push(
      onSettingsChanged((e) => {
        if (e.affectsConfiguration('communityMetrics.autoRefreshHours')) this.schedule();
      }),
      s.model.onDidChange(() => this.renderStatus()),
    );
    this.schedule();
  }

  /** Starts a refresh, or joins the one already running. */
  refresh(interactive = true): Promise<RefreshResult | undefined> {
    this.running ??= this.run(interactive).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private schedule(): void {
    clearInterval(this.timer);
    const hours = readSettings(this.s.model.folder?.uri).autoRefreshHours;
    if (hours > 0) {
      this.timer = setInterval(() => void this.refresh(false), hours * 3_600_000);
      this.s.logger.info(`automatic refresh every ${hours} h`);
    }
  }

  private async run(interactive: boolean): Promise<RefreshResult | undefined> {
    const { model, logger } = this.s;
    const storeFile = model.storeFile;
    if (!storeFile) {
      if (interactive) void vscode.window.showErrorMessage('Community Metrics: open a folder first.');
      return undefined;
    }
    await model.reloadConfig();
    if (model.config.projects.length === 0) {
      if (interactive) void vscode.window.showWarningMessage(`Community Metrics: no projects to refresh. List them in ${CONFIG_FILE_NAME}.`);
      return undefined;
    }
    const settings = readSettings(model.folder?.uri);
    const http = new HttpClient({
      githubApiUrl: settings.githubApiUrl,
      githubToken: () => this.s.secrets.getGitHubToken(),
      timeoutMs: settings.timeoutMs,
      // As the CLI: few parallel requests per GitHub token, one at a time to pepy, each per service.
      originConcurrency: { [settings.githubApiUrl]: 4, [settings.endpoints.pepyUrl]: 1 },
      logger,
      userAgent: `community-metrics-vscode/${this.s.context.extension.packageJSON.version as string}`,
    });
    this.status.text = '$(sync~spin) Metrics: refreshing…';
    try {
      const result = await vscode.window.withProgress(
        {
          location: interactive ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window,
          title: 'Community Metrics',
          cancellable: true,
        },
        async (progress, token) => {
          const abort = new AbortController();
          const sub = token.onCancellationRequested(() => abort.abort());
          let reported = 0;
          try {
            return await refreshAll(model.config, {
              store: this.s.store.client(),
              http,
              githubApiUrl: settings.githubApiUrl,
              endpoints: settings.endpoints,
              secrets: this.s.secrets,
              storeFile,
              workspaceDir: model.folder?.uri.fsPath,
              logger,
              signal: abort.signal,
              onArtifact: (p) => {
                const pct = (p.done / Math.max(1, p.total)) * 100;
                const verb = p.phase === 'started' ? 'fetching' : p.phase;
                progress.report({ message: `${p.source}: ${verb} ${p.artifact.replace(/^[a-z]+:/, '')} (${p.done}/${p.total})`, increment: pct - reported });
                reported = pct;
              },
            });
          } finally {
            sub.dispose();
          }
        },
      );
      this.lastResult = result;
      this.lastFinishedAt = new Date();
      this.s.lastRefresh = result;
      await model.reloadStore();
      this.report(result, interactive);
      return result;
    } catch (err) {
      logger.error(`refresh failed: ${describeError(err)}`);
      void vscode.window.showErrorMessage(`Community Metrics: refresh failed: ${describeError(err)}`, 'Show Log').then((choice) => {
        if (choice) this.s.log.show();
      });
      return undefined;
    } finally {
      await http.close();
      this.renderStatus();
    }
  }

  private report(result: RefreshResult, interactive: boolean): void {
    if (result.movedAside) {
      void vscode.window.showWarningMessage(`Community Metrics: the old store was unreadable and was moved to ${result.movedAside}.`);
    }
    const failed = refreshFailureMessage(result);
    if (failed) {
      // A background refresh says it only in the status bar and the tree; a requested one out loud.
      if (interactive) {
        void vscode.window
          .showWarningMessage(`Community Metrics: ${failed}`, 'Show Log')
          .then((choice) => {
            if (choice) this.s.log.show();
          });
      }
    } else if (result.cancelled) {
      void vscode.window.showInformationMessage(`Community Metrics: refresh cancelled; ${result.refreshed.length} saved.`);
    }
  }

  private renderStatus(): void {
    if (!this.s.model.hasConfigFile) {
      this.status.hide();
      return;
    }
    const r = this.lastResult;
    const at = this.lastFinishedAt;
    const failed = r?.failures.length ?? 0;
    const time = at ? at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }) : 'never';
    const offline = failed > 0 && r?.failures.every((f) => failureState(f).offline);
    this.status.text = offline ? `$(debug-disconnect) Metrics: offline at ${time}` : failed > 0 ? `$(warning) Metrics: ${time}, ${failed} failed` : `$(pulse) Metrics: ${time}`;
    const tip = new vscode.MarkdownString();
    tip.appendText(at ? `Last refresh ${at.toLocaleString()}: ${r?.refreshed.length ?? 0} refreshed, ${failed} failed.` : 'Not refreshed in this session.');
    for (const f of r?.failures.slice(0, 5) ?? []) tip.appendText(`\n${f.artifact}: ${failureState(f).detail}`);
    tip.appendText('\n\nClick to refresh.');
    this.status.tooltip = tip;
    this.status.backgroundColor = failed > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.status.show();
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
