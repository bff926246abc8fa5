import * as vscode from 'vscode';
import { CONFIG_FILE_NAME } from '../core/config/projectConfig';
import { HttpClient } from '../core/http/client';
import { describeError } from '../core/http/errors';
import { refreshAll } from '../core/refresh';
import type { RefreshResult } from '../core/refresh';
import type { ExtensionServices } from './services';
import type { ProjectsNode } from './projectsTree';
import { readSettings } from './settings';

const GITHUB_TOKEN_SECRET = 'communityMetrics.github.token';

const STARTER_CONFIG = `# Projects whose community metrics Community Metrics tracks.
# github: 'owner/repo' or 'https://github.com/owner/repo'
projects:
  - name: openlineage
    github:
      - OpenLineage/OpenLineage
  - name: marquez
    github:
      - MarquezProject/marquez
`;

/** The one command table: every command the extension contributes is registered here. */
export function registerCommands(s: ExtensionServices): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('communityMetrics.refresh', () => refresh(s)),
    vscode.commands.registerCommand('communityMetrics.openChart', (node?: ProjectsNode | string) => openChart(s, node)),
    vscode.commands.registerCommand('communityMetrics.createConfig', () => createConfig(s)),
    vscode.commands.registerCommand('communityMetrics.setGitHubToken', () => setGitHubToken(s)),
    vscode.commands.registerCommand('communityMetrics.showLog', () => s.log.show()),
  ];
}

async function refresh(s: ExtensionServices): Promise<RefreshResult | undefined> {
  const { model } = s;
  const storeFile = model.storeFile;
  if (!storeFile) {
    void vscode.window.showErrorMessage('Community Metrics: open a folder first.');
    return undefined;
  }
  await model.reloadConfig();
  if (model.config.projects.length === 0) {
    void vscode.window.showWarningMessage(`Community Metrics: no projects to refresh. List them in ${CONFIG_FILE_NAME}.`);
    return undefined;
  }
  const settings = readSettings(model.folder?.uri);
  const http = new HttpClient({
    githubApiUrl: settings.githubApiUrl,
    githubToken: () => s.context.secrets.get(GITHUB_TOKEN_SECRET),
    timeoutMs: settings.timeoutMs,
    logger: s.logger,
    userAgent: `community-metrics-vscode/${s.context.extension.packageJSON.version as string}`,
  });
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Community Metrics: refreshing', cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        try {
          let last = 0;
          return await refreshAll(model.config, {
            SQL: await s.sql(),
            http,
            githubApiUrl: settings.githubApiUrl,
            storeFile,
            logger: s.logger,
            signal: abort.signal,
            onProgress: (done, total, artifact) => {
              const pct = (done / total) * 100;
              progress.report({ message: `GitHub ${artifact} (${done}/${total})`, increment: pct - last });
              last = pct;
            },
          });
        } finally {
          sub.dispose();
        }
      },
    );
    s.lastRefresh = result;
    await model.reloadStore();
    report(s, result);
    return result;
  } catch (err) {
    s.logger.error(`refresh failed: ${describeError(err)}`);
    void vscode.window.showErrorMessage(`Community Metrics: refresh failed: ${describeError(err)}`, 'Show Log').then((choice) => {
      if (choice) s.log.show();
    });
    return undefined;
  } finally {
    await http.close();
  }
}

function report(s: ExtensionServices, result: RefreshResult): void {
  if (result.movedAside) {
    void vscode.window.showWarningMessage(`Community Metrics: the old store was unreadable and was moved to ${result.movedAside}.`);
  }
  if (result.failures.length > 0) {
    const first = result.failures[0];
    const more = result.failures.length > 1 ? ` (and ${result.failures.length - 1} more)` : '';
    const prefix = result.refreshed.length === 0 ? 'refresh failed' : `refreshed ${result.refreshed.length}, failed ${result.failures.length}`;
    void vscode.window
      .showWarningMessage(`Community Metrics: ${prefix}: ${first?.artifact}: ${first?.message}${more}. Saved snapshots are kept.`, 'Show Log')
      .then((choice) => {
        if (choice) s.log.show();
      });
  } else if (result.cancelled) {
    void vscode.window.showInformationMessage(`Community Metrics: refresh cancelled; ${result.refreshed.length} saved.`);
  } else {
    vscode.window.setStatusBarMessage(`$(check) Community Metrics: refreshed ${result.refreshed.length}`, 5000);
  }
}

async function openChart(s: ExtensionServices, node?: ProjectsNode | string): Promise<vscode.WebviewPanel | undefined> {
  let repo: string | undefined;
  if (typeof node === 'string') repo = node;
  else if (node?.kind === 'repository') repo = node.repo.fullName;
  if (!repo) {
    const picks = s.model.config.projects.flatMap((p) =>
      p.github.map((r) => ({ label: r.fullName, description: p.name, detail: starsText(s, r.fullName) })),
    );
    if (picks.length === 0) {
      void vscode.window.showWarningMessage(`Community Metrics: no repositories are tracked in ${CONFIG_FILE_NAME}.`);
      return undefined;
    }
    const picked = picks.length === 1 ? picks[0] : await vscode.window.showQuickPick(picks, { placeHolder: 'Chart the stars of which repository?' });
    repo = picked?.label;
  }
  return repo ? s.charts.show(repo) : undefined;
}

function starsText(s: ExtensionServices, repo: string): string {
  const latest = s.model.latest.get(repo);
  return latest ? `★ ${latest.stars.toLocaleString('en-US')}` : 'not refreshed yet';
}

async function createConfig(s: ExtensionServices): Promise<void> {
  const uri = s.model.configUri;
  if (!uri) {
    void vscode.window.showErrorMessage('Community Metrics: open a folder first.');
    return;
  }
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(STARTER_CONFIG));
  }
  await vscode.window.showTextDocument(uri);
  await s.model.reloadConfig();
}

async function setGitHubToken(s: ExtensionServices): Promise<void> {
  const token = await vscode.window.showInputBox({
    title: 'GitHub token for Community Metrics',
    prompt: 'A token raises GitHub’s limit from 60 to 5,000 requests an hour. Public data needs no scope. Leave empty to remove the stored token.',
    password: true,
    ignoreFocusOut: true,
  });
  if (token === undefined) return;
  if (token.trim() === '') {
    await s.context.secrets.delete(GITHUB_TOKEN_SECRET);
    void vscode.window.showInformationMessage('Community Metrics: GitHub token removed.');
  } else {
    await s.context.secrets.store(GITHUB_TOKEN_SECRET, token.trim());
    void vscode.window.showInformationMessage('Community Metrics: GitHub token stored in the secret storage.');
  }
}
