import type { Logger } from '../log';
import { ColumnLineageIndex } from './columnLineage';
import { lineageGraphFromManifest } from './lineageGraph';
import { emitEvents } from './openLineageEmitter';
import type { EmitSummary } from './openLineageEmitter';
import { runEvents } from './openLineageEvents';
import type { EventContext, RunForLineage, RunEvent } from './openLineageEvents';

/**
 * The hook between a finished run and an OpenLineage receiver: takes the run's results and the
 * project's manifest, builds the events and sends them. Never throws (a broken manifest or a down
 * receiver is logged), so a caller can await it after any run without a try/catch.
 */
export interface RunLineageOptions {
  url: string;
  apiKey?: string;
  datasetNamespace: string;
  jobNamespace?: string;
  logger?: Logger;
  timeoutMs?: number;
  /** Real columns per unique_id (the store's), for the schema facets. */
  catalogColumns?: EventContext['catalogColumns'];
}

export function eventsForRun(run: RunForLineage, manifest: unknown, options: Pick<RunLineageOptions, 'datasetNamespace' | 'jobNamespace' | 'catalogColumns'>): RunEvent[] {
  const graph = lineageGraphFromManifest(manifest);
  // The SQL that ran is the best source for column lineage; the manifest's compiled code otherwise.
  const ranSql = new Map(run.results.filter((r) => r.compiledSql).map((r) => [r.uniqueId, r.compiledSql as string]));
  const catalog = options.catalogColumns;
  const columns = new ColumnLineageIndex(graph, {
    sqlOf: (id) => ranSql.get(id),
    ...(catalog ? { catalogColumns: (id: string) => catalog(id)?.map((c) => c.name) } : {}),
  });
  const ctx: EventContext = {
    graph,
    columns,
    naming: { datasetNamespace: options.datasetNamespace, ...(options.jobNamespace ? { jobNamespace: options.jobNamespace } : {}) },
    ...(catalog ? { catalogColumns: catalog } : {}),
  };
  return runEvents(ctx, run);
}

export async function emitRunLineage(run: RunForLineage, manifest: unknown, options: RunLineageOptions): Promise<EmitSummary> {
  let events: RunEvent[];
  try {
    events = eventsForRun(run, manifest, options);
  } catch (err) {
    options.logger?.warn(`OpenLineage: events for run ${run.runId} could not be built: ${(err as Error).message}`);
    return { sent: 0, dropped: 0, error: (err as Error).message };
  }
  return emitEvents(events, {
    url: options.url,
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
}
