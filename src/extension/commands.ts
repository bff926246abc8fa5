import * as vscode from 'vscode';
import { CONFIG_FILE_NAME } from '../core/config/projectConfig';
import { describeError } from '../core/http/errors';
import { starterProjectFiles } from '../core/project/starterProject';
import { writeScaffold } from '../core/project/writeScaffold';
import { gharchiveStarterFiles } from '../core/gharchive/starter/gharchiveModels';
import { activeModelUri } from './activeModel';
import { importPypiHistoryCommand, setClickHousePassword } from './clickhouseCommands';
import { importGhArchiveCommand, importGhArchiveViaClickHouseCommand } from './gharchiveImport';
import { CompiledSqlProvider } from './models/languageFeatures';
import type { ExtensionServices } from './services';
import type { ProjectsNode } from './projectsTree';

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
    vscode.commands.registerCommand('communityMetrics.refresh', () => s.refresher.refresh()),
    vscode.commands.registerCommand('communityMetrics.openChart', (node?: ProjectsNode | string) => openChart(s, node)),
    vscode.commands.registerCommand('communityMetrics.createConfig', () => createConfig(s)),
    vscode.commands.registerCommand('communityMetrics.setGitHubToken', () => setGitHubToken(s)),
    vscode.commands.registerCommand('communityMetrics.signInToGitHub', () => signInToGitHub(s)),
    vscode.commands.registerCommand('communityMetrics.setPepyKey', () => setPepyKey(s)),
    vscode.commands.registerCommand('communityMetrics.setSlackToken', () => setSlackToken(s)),
    vscode.commands.registerCommand('communityMetrics.showLog', () => s.log.show()),
    vscode.commands.registerCommand('communityMetrics.runModel', (uri?: vscode.Uri) => runModel(s, uri)),
    vscode.commands.registerCommand('communityMetrics.buildProject', () => s.models.run('build')),
    vscode.commands.registerCommand('communityMetrics.testProject', () => s.models.run('test')),
    vscode.commands.registerCommand('communityMetrics.previewModel', (uri?: vscode.Uri) => withModelUri(uri, (u) => s.results.show(u))),
    vscode.commands.registerCommand('communityMetrics.showCompiledSql', (uri?: vscode.Uri) => withModelUri(uri, (u) => showCompiledSql(u))),
    vscode.commands.registerCommand('communityMetrics.createStarterProject', () => createStarterProject(s)),
    vscode.commands.registerCommand('communityMetrics.importGhArchive', (range?: { from: string; to: string }) => importGhArchiveCommand(s, range)),
    vscode.commands.registerCommand('communityMetrics.importGhArchiveViaClickHouse', (range?: { from: string; to: string }) => importGhArchiveViaClickHouseCommand(s, range)),
    vscode.commands.registerCommand('communityMetrics.importPypiHistory', (packages?: string[]) => importPypiHistoryCommand(s, packages)),
    vscode.commands.registerCommand('communityMetrics.setClickHousePassword', () => setClickHousePassword(s)),
  ];
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
  const token = await askSecret('GitHub token for Community Metrics', 'A token raises GitHub’s limit from 60 to 5,000 requests an hour. Public data needs no scope. Leave empty to remove the stored token.');
  if (token === undefined) return;
  await s.secrets.setGitHubToken(token || undefined);
  void vscode.window.showInformationMessage(token ? 'Community Metrics: GitHub token stored in the secret storage.' : 'Community Metrics: GitHub token removed.');
}

async function signInToGitHub(s: ExtensionServices): Promise<void> {
  try {
    const account = await s.secrets.signInToGitHub();
    void vscode.window.showInformationMessage(`Community Metrics: signed in to GitHub as ${account ?? 'your account'}.`);
  } catch (err) {
    void vscode.window.showErrorMessage(`Community Metrics: GitHub sign-in is not available here (${describeError(err)}). Use “Set GitHub Token” instead.`);
  }
}

async function setPepyKey(s: ExtensionServices): Promise<void> {
  const key = await askSecret('pepy.tech API key', 'Per-version PyPI downloads come from pepy.tech, which needs an API key. Leave empty to remove it.');
  if (key === undefined) return;
  await s.secrets.setPepyKey(key || undefined);
  void vscode.window.showInformationMessage(key ? 'Community Metrics: pepy.tech key stored.' : 'Community Metrics: pepy.tech key removed.');
}

async function setSlackToken(s: ExtensionServices): Promise<void> {
  const domains = s.model.config.projects.flatMap((p) => (p.slack ?? []).map((w) => w.domain));
  const domain = domains.length === 1
    ? domains[0]
    : domains.length > 1
      ? await vscode.window.showQuickPick(domains, { placeHolder: 'Which Slack workspace?' })
      : await vscode.window.showInputBox({ title: 'Slack workspace', prompt: 'The workspace domain, as in DOMAIN.slack.com' });
  if (!domain) return;
  const token = await askSecret(`Slack bot token for ${domain}`, 'A bot token (xoxb-…) with channels:history, channels:read and users:read. Leave empty to remove it.');
  if (token === undefined) return;
  await s.secrets.setSlackToken(domain, token || undefined);
  void vscode.window.showInformationMessage(token ? `Community Metrics: Slack token for ${domain} stored.` : `Community Metrics: Slack token for ${domain} removed.`);
}

async function askSecret(title: string, prompt: string): Promise<string | undefined> {
  const value = await vscode.window.showInputBox({ title, prompt, password: true, ignoreFocusOut: true });
  return value === undefined ? undefined : value.trim();
}

function withModelUri<T>(uri: vscode.Uri | undefined, fn: (uri: vscode.Uri) => T): T | undefined {
  const target = uri ?? activeModelUri();
  if (!target) {
    void vscode.window.showWarningMessage('Community Metrics: open a model file first.');
    return undefined;
  }
  return fn(target);
}

async function runModel(s: ExtensionServices, uri?: vscode.Uri) {
  return withModelUri(uri, async (u) => {
    await s.models.reload();
    const node = s.models.nodeForUri(u);
    if (!node) {
      void vscode.window.showWarningMessage(`Community Metrics: ${vscode.workspace.asRelativePath(u)} is not a model of the project.`);
      return undefined;
    }
    // The model with what it reads (dbt's +name): on a fresh store its parents do not exist yet.
    return s.models.run('build', { ids: [node.uniqueId], parents: true, label: `+${node.name}` });
  });
}

async function showCompiledSql(uri: vscode.Uri): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(CompiledSqlProvider.uriFor(uri));
  await vscode.languages.setTextDocumentLanguage(doc, 'sql');
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
}

async function createStarterProject(s: ExtensionServices): Promise<void> {
  const folder = s.model.folder;
  if (!folder) {
    void vscode.window.showErrorMessage('Community Metrics: open a folder first.');
    return;
  }
  const { written, kept } = await writeScaffold(folder.uri.fsPath, [...starterProjectFiles(), ...gharchiveStarterFiles()]);
  await Promise.all([s.model.reloadConfig(), s.models.reload()]);
  const first = written.find((f) => f.endsWith('.sql'));
  if (first) await vscode.window.showTextDocument(vscode.Uri.joinPath(folder.uri, first));
  void vscode.window.showInformationMessage(
    `Community Metrics: starter project created (${written.length} files${kept.length ? `; kept ${kept.length} existing` : ''}). Run Refresh, then Build Project.`,
  );
}
