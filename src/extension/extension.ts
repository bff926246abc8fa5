import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import { CHART_VIEW_TYPE, ChartPanels } from './chartPanel';
import { registerCommands } from './commands';
import { registerLineage } from './lineage/registerLineage';
import { registerCharts } from './charts/registerCharts';
import { MetricsModel } from './metricsModel';
import { ProjectsTreeProvider } from './projectsTree';
import { RefreshController } from './refreshController';
import { VsCodeSecrets } from './secrets';
import { registerModelLanguageFeatures } from './models/languageFeatures';
import { ModelsService } from './models/modelsService';
import { RESULTS_VIEW_TYPE, ResultsPanels } from './models/resultsPanel';
import type { ExtensionServices } from './services';
import { StoreHost } from './storeHost';

/** What the extension returns from activate(); the integration tests read the state through it. */
export interface CommunityMetricsApi {
  services: ExtensionServices;
  treeProvider: ProjectsTreeProvider;
}

export async function activate(context: vscode.ExtensionContext): Promise<CommunityMetricsApi> {
  const log = vscode.window.createOutputChannel('Community Metrics', { log: true });
  context.subscriptions.push(log);
  const logger: Logger = {
    trace: (m) => log.trace(m),
    debug: (m) => log.debug(m),
    info: (m) => log.info(m),
    warn: (m) => log.warn(m),
    error: (m) => log.error(m),
  };
  try {
    // The store lives in a worker thread (dist/storeWorker.js), loaded once on first use; sql.js is
    // never loaded on the extension host's thread.
    const holder: { model?: MetricsModel } = {};
    const store = new StoreHost(context.extensionUri, () => holder.model?.storeFile, logger, log);
    context.subscriptions.push(store);
    const model = new MetricsModel(vscode.workspace.workspaceFolders?.[0], () => store.client(), logger);
    holder.model = model;
    const charts = new ChartPanels(context.extensionUri, model, logger);
    const secrets = new VsCodeSecrets(context.secrets, logger);
    const partial: Omit<ExtensionServices, 'refresher' | 'models' | 'results'> = { context, log, logger, store, model, charts, secrets };
    const services = partial as ExtensionServices;
    services.refresher = new RefreshController(services);
    services.models = new ModelsService(services);
    services.results = new ResultsPanels(context.extensionUri, services.models, logger);
    const treeProvider = new ProjectsTreeProvider(model, () => services.lastRefresh?.failures ?? []);
    context.subscriptions.push(
      model,
      charts,
      services.refresher,
      services.models,
      services.results,
      vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, services.results),
      ...registerModelLanguageFeatures(services.models),
      treeProvider,
      vscode.window.createTreeView('communityMetrics.projects', { treeDataProvider: treeProvider, showCollapseAll: true }),
      vscode.window.registerWebviewPanelSerializer(CHART_VIEW_TYPE, charts),
      ...registerCommands(services),
      ...registerLineage(services),
      ...registerCharts(services, treeProvider),
      // Internal (not in the palette): the bench's stall probe, and the tests' worker-crash hook.
      vscode.commands.registerCommand('communityMetrics._maxEventLoopStallMs', (reset?: boolean) => store.maxStallMs(reset === true)),
      vscode.commands.registerCommand('communityMetrics._crashStoreWorker', () => store.worker().crashForTest()),
    );
    await model.load();
    // The models project loads in the background: a large project must not delay activation.
    void services.models.reload();
    logger.info(`activated; store ${model.storeFile ?? '(no folder open)'}`);
    return { services, treeProvider };
  } catch (err) {
    logger.error(`activation failed: ${(err as Error).stack ?? String(err)}`);
    void vscode.window.showErrorMessage(`Community Metrics failed to start: ${(err as Error).message}`, 'Show Log').then((c) => {
      if (c) log.show();
    });
    throw err;
  }
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
