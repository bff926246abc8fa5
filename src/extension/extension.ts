import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import { loadSqlJs } from '../core/store/sqljs';
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
    // sql.js is loaded from the extension's own dist/ on first use, not at activation.
    const wasm = vscode.Uri.joinPath(context.extensionUri, 'dist', 'sql-wasm.wasm').fsPath;
    const sql = () => loadSqlJs(wasm);
    const model = new MetricsModel(vscode.workspace.workspaceFolders?.[0], sql, logger);
    const charts = new ChartPanels(context.extensionUri, model, logger);
    const secrets = new VsCodeSecrets(context.secrets, logger);
    const partial: Omit<ExtensionServices, 'refresher' | 'models' | 'results'> = { context, log, logger, sql, model, charts, secrets };
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
