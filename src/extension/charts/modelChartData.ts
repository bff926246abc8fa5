import { existsSync } from 'node:fs';
import type { ModelChartsResult } from '../../core/charts/modelChartRead';
import type { Project, ProjectNode } from '../../core/project/project';
import type { ExtensionServices } from '../services';

export type { ModelTable } from '../../core/charts/modelChartRead';
export { declaredChart, hasDeclaredChart, vegaLiteBeside } from '../../core/charts/modelChartRead';

/**
 * Charts (and optionally the first rows) of models, read in the store worker. With `fromSavedSql`,
 * each model is first run there inside a savepoint that is rolled back, so the chart is the result of
 * the SQL file as saved now (a save redraws it without a Run), and the store keeps what was built.
 */
export async function readModelCharts(
  s: ExtensionServices,
  nodes: ProjectNode[],
  range: { from?: string; to?: string },
  tableRows = 0,
  options: { fromSavedSql?: Project } = {},
): Promise<ModelChartsResult> {
  const file = s.model.storeFile;
  if (!file || !existsSync(file)) return { charts: [], tables: [], problems: ['The store is empty: run Refresh and Build first.'] };
  const root = options.fromSavedSql?.root ?? s.models.project?.root ?? s.models.root;
  if (!root || nodes.length === 0) return { charts: [], tables: [], problems: [] };
  return s.store.client().call('modelCharts', {
    project: { root, version: s.models.projectVersion },
    ids: nodes.map((n) => n.uniqueId),
    range: { ...(range.from ? { from: range.from } : {}), ...(range.to ? { to: range.to } : {}) },
    tableRows,
    fromSavedSql: options.fromSavedSql !== undefined,
  });
}
