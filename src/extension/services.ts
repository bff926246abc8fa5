import type * as vscode from 'vscode';
import type { Logger } from '../core/log';
import type { RefreshResult } from '../core/refresh';
import type { ChartPanels } from './chartPanel';
import type { MetricsModel } from './metricsModel';
import type { ModelsService } from './models/modelsService';
import type { ResultsPanels } from './models/resultsPanel';
import type { RefreshController } from './refreshController';
import type { VsCodeSecrets } from './secrets';
import type { StoreHost } from './storeHost';

/** What activate() builds once and hands to commands and views. */
export interface ExtensionServices {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  logger: Logger;
  /** The store worker: every SQL statement of the extension runs there. */
  store: StoreHost;
  model: MetricsModel;
  charts: ChartPanels;
  secrets: VsCodeSecrets;
  models: ModelsService;
  results: ResultsPanels;
  /** Set right after construction; commands run only after activate() has returned. */
  refresher: RefreshController;
  lastRefresh?: RefreshResult;
}
