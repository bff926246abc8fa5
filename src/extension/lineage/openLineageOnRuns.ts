import * as vscode from 'vscode';
import { emitRunLineage } from '../../core/lineage/runLineageEmission';
import { buildManifest } from '../../core/project/manifest';
import type { ExtensionServices } from '../services';

export const OPENLINEAGE_KEY_SECRET = 'communityMetrics.openlineage.apiKey';

/**
 * With `communityMetrics.openlineage.url` set, every run the editor makes (Run Model, Build
 * Project, ...) is sent to that receiver as OpenLineage events once it has finished. Emission runs
 * after the run and swallows every error: a receiver that is down never fails a run.
 */
export function emitOpenLineageOnRuns(s: ExtensionServices): vscode.Disposable {
  let lastSent: string | undefined;
  return s.models.onDidChange(() => {
    const run = s.models.lastRun;
    const project = s.models.project;
    if (!run || !project || run.runId === lastSent) return;
    lastSent = run.runId;
    const url = vscode.workspace.getConfiguration('communityMetrics').get<string>('openlineage.url', '').trim();
    if (!url) return;
    void (async () => {
      const apiKey = await s.context.secrets.get(OPENLINEAGE_KEY_SECRET);
      const summary = await emitRunLineage(run, buildManifest(project), {
        url,
        ...(apiKey ? { apiKey } : {}),
        datasetNamespace: `sqlite://${(s.model.storeFile ?? 'metrics.sqlite').split('\\').join('/')}`,
        logger: s.logger,
      });
      if (summary.sent > 0) s.logger.info(`OpenLineage: ${summary.sent} event(s) of run ${run.runId} sent`);
    })();
  });
}
