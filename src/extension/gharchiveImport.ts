import * as vscode from 'vscode';
import type { ClickHouseArchiveProgress, ClickHouseArchiveResult } from '../core/clickhouse/archiveImport';
import { describeError } from '../core/http/errors';
import { clickHouseConnection, clickHouseHttpSettings } from './clickhouseCommands';
import { DEFAULT_GHARCHIVE_URL } from '../core/gharchive/importer';
import type { GhArchiveImportResult, GhArchiveProgress } from '../core/gharchive/importer';
import type { ExtensionServices } from './services';

const HOUR = /^\d{4}-\d{2}-\d{2}(?:T\d{1,2})?$/;

/**
 * "Import GH Archive": asks for an hour range, streams the hourly files for the tracked repositories
 * into the store with progress and Cancel. Hours already imported are skipped; failures are named.
 */
export async function importGhArchiveCommand(s: ExtensionServices, range?: { from: string; to: string }): Promise<GhArchiveImportResult | undefined> {
  const storeFile = s.model.storeFile;
  await s.model.reloadConfig();
  const repos = s.model.config.projects.flatMap((p) => p.github.map((r) => r.fullName));
  if (!storeFile || repos.length === 0) {
    void vscode.window.showWarningMessage('Community Metrics: GH Archive import needs GitHub repositories in community-metrics.yml.');
    return undefined;
  }
  const validate = (v: string) => (HOUR.test(v.trim()) ? undefined : 'YYYY-MM-DD or YYYY-MM-DDTHH (UTC), e.g. 2015-01-01T12');
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const from = range?.from ?? (await vscode.window.showInputBox({ title: 'GH Archive: first hour (UTC)', value: `${yesterday}T00`, validateInput: validate, ignoreFocusOut: true }));
  if (!from) return undefined;
  const to = range?.to ?? (await vscode.window.showInputBox({ title: 'GH Archive: last hour (UTC)', value: from.includes('T') ? `${from.slice(0, 10)}T23` : from, validateInput: validate, ignoreFocusOut: true }));
  if (!to) return undefined;
  const baseUrl = vscode.workspace.getConfiguration('communityMetrics').inspect<string>('gharchive.url')?.globalValue ?? DEFAULT_GHARCHIVE_URL;

  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Community Metrics: GH Archive', cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      let reported = 0;
      try {
        // The whole import runs in the store worker: downloading, decompressing and parsing hours
        // is seconds of CPU that must not block the extension host.
        return await s.store.client().call('importGhArchive', { repos, from: from.trim(), to: to.trim(), baseUrl }, {
          signal: abort.signal,
          onProgress: (value) => {
            const p = value as GhArchiveProgress;
            const pct = (p.hoursDone / Math.max(1, p.hoursTotal)) * 100;
            const mb = p.bytes !== undefined ? ` ${(p.bytes / 1e6).toFixed(1)} MB` : '';
            progress.report({ message: `${p.hour.slice(0, 13)} ${p.phase}${mb} (${p.hoursDone}/${p.hoursTotal})`, increment: pct - reported });
            reported = pct;
          },
        });
      } finally {
        sub.dispose();
      }
    },
  );
  await Promise.all([s.model.reloadStore(), s.models.reload()]);
  const bad = result.hours.filter((h) => h.status === 'missing' || h.status === 'corrupt' || h.status === 'failed');
  const suspicious = result.hours.filter((h) => h.suspicious).length;
  const summary = `${result.imported} hours imported, ${result.skipped} already there, ${result.added.toLocaleString('en-US')} events added${suspicious ? `, ${suspicious} hours with suspiciously few events (flagged)` : ''}${result.cancelled ? '; cancelled' : ''}`;
  if (bad.length > 0) {
    void vscode.window
      .showWarningMessage(`Community Metrics: GH Archive: ${summary}; ${bad.length} hours not imported (${bad[0]?.hour.slice(0, 13)}: ${bad[0]?.message ?? bad[0]?.status}).`, 'Show Log')
      .then((c) => c && s.log.show());
  } else {
    void vscode.window.showInformationMessage(`Community Metrics: GH Archive: ${summary}.`);
  }
  for (const h of bad) s.logger.warn(`gharchive ${h.hour}: ${h.status}: ${h.message ?? ''}`);
  return result;
}

/**
 * "Import GH Archive via ClickHouse": whole UTC days (any range since 2011) from the github_events
 * table of the configured ClickHouse; the server filters and counts, only the tracked repositories'
 * rows come back. Days already imported are not asked again; a failure names its days and keeps the
 * days stored before it.
 */
export async function importGhArchiveViaClickHouseCommand(s: ExtensionServices, range?: { from: string; to: string }): Promise<ClickHouseArchiveResult | undefined> {
  const storeFile = s.model.storeFile;
  await s.model.reloadConfig();
  const repos = s.model.config.projects.flatMap((p) => p.github.map((r) => r.fullName));
  if (!storeFile || repos.length === 0) {
    void vscode.window.showWarningMessage('Community Metrics: GH Archive import needs GitHub repositories in community-metrics.yml.');
    return undefined;
  }
  const validate = (v: string) => (/^\d{4}-\d{2}-\d{2}$/.test(v.trim()) ? undefined : 'YYYY-MM-DD (UTC), e.g. 2015-01-01');
  const from = range?.from ?? (await vscode.window.showInputBox({ title: 'GH Archive via ClickHouse: first day (UTC)', value: `${new Date().getUTCFullYear() - 1}-01-01`, validateInput: validate, ignoreFocusOut: true }));
  if (!from) return undefined;
  const to = range?.to ?? (await vscode.window.showInputBox({ title: 'GH Archive via ClickHouse: last day (UTC)', value: new Date().toISOString().slice(0, 10), validateInput: validate, ignoreFocusOut: true }));
  if (!to) return undefined;
  const connection = await clickHouseConnection(s, 'githubEvents');
  const { timeoutMs, userAgent } = clickHouseHttpSettings(s);
  let result: ClickHouseArchiveResult;
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Community Metrics: GH Archive via ClickHouse`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        let reported = 0;
        try {
          // The whole import runs in the store worker: parsing the answers is CPU work that must
          // not block the extension host.
          return await s.store.client().call(
            'importGhArchiveViaClickHouse',
            { connection, repos, from: from.trim(), to: to.trim(), timeoutMs, userAgent },
            {
              signal: abort.signal,
              onProgress: (value) => {
                const p = value as ClickHouseArchiveProgress;
                const pct = (p.chunksDone / Math.max(1, p.chunksTotal)) * 100;
                progress.report({ message: `${p.from} … ${p.to} ${p.phase} (${p.chunksDone}/${p.chunksTotal})`, increment: pct - reported });
                reported = pct;
              },
            },
          );
        } finally {
          sub.dispose();
        }
      },
    );
  } catch (err) {
    void vscode.window.showErrorMessage(`Community Metrics: GH Archive via ClickHouse: ${describeError(err)}`);
    return undefined;
  }
  await Promise.all([s.model.reloadStore(), s.models.reload()]);
  const summary = `${result.days - result.skippedDays} days asked (${result.skippedDays} already imported), ${result.added.toLocaleString('en-US')} events and ${result.counts.toLocaleString('en-US')} daily counts stored, ${result.stats.requests} queries, ${(result.stats.bytes / 1e6).toFixed(1)} MB${result.cancelled ? '; cancelled' : ''}`;
  if (result.failed) {
    void vscode.window.showWarningMessage(`Community Metrics: GH Archive via ClickHouse: ${summary}. Stopped at ${result.failed}`, 'Show Log').then((c) => c && s.log.show());
  } else {
    void vscode.window.showInformationMessage(`Community Metrics: GH Archive via ClickHouse: ${summary}.`);
  }
  return result;
}
