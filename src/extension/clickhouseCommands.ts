import * as vscode from 'vscode';
import { CLICKPY_DEFAULTS, GITHUB_EVENTS_DEFAULTS } from '../core/clickhouse/connection';
import type { ClickHouseConnection } from '../core/clickhouse/connection';
import type { PypiHistoryResult } from '../core/clickhouse/pypiHistory';
import type { ExtensionServices } from './services';
import { readSettings } from './settings';

/**
 * The ClickHouse connections of the editor: `communityMetrics.clickhouse.githubEvents.*` and
 * `communityMetrics.clickhouse.clickpy.*` (URL, user, database; machine scope, read from user values
 * only, so a workspace cannot point them elsewhere), and their passwords in secret storage, keyed by
 * origin and user: a password set for one server is never sent to another one the settings name later.
 */
export type ClickHouseTarget = 'githubEvents' | 'clickpy';

const DEFAULTS: Record<ClickHouseTarget, Readonly<ClickHouseConnection>> = { githubEvents: GITHUB_EVENTS_DEFAULTS, clickpy: CLICKPY_DEFAULTS };
const LABEL: Record<ClickHouseTarget, string> = { githubEvents: 'GH Archive (github_events)', clickpy: 'PyPI downloads (ClickPy)' };

const passwordKey = (c: ClickHouseConnection) => {
  let origin = c.url;
  try {
    origin = new URL(c.url).origin;
  } catch {
    // checked again before any request
  }
  return `communityMetrics.clickhouse.password ${origin} ${c.user}`;
};

export async function clickHouseConnection(s: ExtensionServices, target: ClickHouseTarget): Promise<ClickHouseConnection> {
  const c = vscode.workspace.getConfiguration('communityMetrics');
  const machine = (key: keyof ClickHouseConnection): string => {
    const inspected = c.inspect<string>(`clickhouse.${target}.${key}`);
    const v = inspected?.globalValue;
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : (DEFAULTS[target][key] as string);
  };
  const connection: ClickHouseConnection = { url: machine('url'), user: machine('user'), database: machine('database') };
  const password = await s.context.secrets.get(passwordKey(connection));
  return password ? { ...connection, password } : connection;
}

/**
 * The settings of the ClickHouse HTTP client; the client itself is made in the store worker, where the
 * imports run, for ClickHouse only (no GitHub token is given to it).
 */
export function clickHouseHttpSettings(s: ExtensionServices): { timeoutMs: number; userAgent: string } {
  const timeoutMs = Math.max(readSettings().timeoutMs, 300_000);
  return { timeoutMs, userAgent: `community-metrics-vscode/${s.context.extension.packageJSON.version as string}` };
}

export async function setClickHousePassword(s: ExtensionServices): Promise<void> {
  const picked = await vscode.window.showQuickPick(
    (Object.keys(LABEL) as ClickHouseTarget[]).map((t) => ({ label: LABEL[t], target: t })),
    { placeHolder: 'Password for which ClickHouse connection?' },
  );
  if (!picked) return;
  const connection = await clickHouseConnection(s, picked.target);
  const value = await vscode.window.showInputBox({
    title: `ClickHouse password for ${connection.user} at ${connection.url}`,
    prompt: 'Sent to this server only, as HTTP Basic authentication. The public services need none. Leave empty to remove it.',
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined) return;
  const key = passwordKey(connection);
  if (value.trim()) await s.context.secrets.store(key, value.trim());
  else await s.context.secrets.delete(key);
  void vscode.window.showInformationMessage(`Community Metrics: ClickHouse password for ${connection.user} at ${connection.url} ${value.trim() ? 'stored' : 'removed'}.`);
}

/** "Import PyPI History (ClickPy)": every tracked PyPI package, with progress and Cancel. */
export async function importPypiHistoryCommand(s: ExtensionServices, packagesArg?: string[]): Promise<PypiHistoryResult | undefined> {
  const storeFile = s.model.storeFile;
  await s.model.reloadConfig();
  const packages = packagesArg ?? s.model.config.projects.flatMap((p) => (p.pypi ?? []).map((x) => x.name));
  if (!storeFile || packages.length === 0) {
    void vscode.window.showWarningMessage('Community Metrics: PyPI history needs PyPI packages in community-metrics.yml.');
    return undefined;
  }
  const connection = await clickHouseConnection(s, 'clickpy');
  const { timeoutMs, userAgent } = clickHouseHttpSettings(s);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Community Metrics: PyPI history (ClickPy)', cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      try {
        // The whole import runs in the store worker (see importGhArchiveViaClickHouseCommand).
        return await s.store.client().call(
          'importPypiHistory',
          { connection, packages, timeoutMs, userAgent },
          {
            signal: abort.signal,
            onProgress: (value) => {
              const p = value as { package: string; phase: string };
              progress.report({ message: `${p.package}: ${p.phase}` });
            },
          },
        );
      } finally {
        sub.dispose();
      }
    },
  );
  await Promise.all([s.model.reloadStore(), s.models.reload()]);
  const failed = result.packages.filter((p) => p.status === 'failed');
  const rows = result.packages.reduce((a, p) => a + p.rows, 0);
  const summary = `${result.packages.filter((p) => p.status === 'stored').length} packages, ${rows.toLocaleString('en-US')} daily rows from ${connection.url}${result.cancelled ? '; cancelled' : ''}`;
  if (failed.length > 0) {
    void vscode.window.showWarningMessage(`Community Metrics: PyPI history: ${summary}; ${failed[0]?.package}: ${failed[0]?.message ?? 'failed'}`, 'Show Log').then((c) => c && s.log.show());
  } else {
    void vscode.window.showInformationMessage(`Community Metrics: PyPI history: ${summary}.`);
  }
  return result;
}
