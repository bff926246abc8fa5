import { createHash } from 'node:crypto';
import type { ColumnLineageIndex, Transformation } from './columnLineage';
import type { LineageGraph, LineageNode } from './lineageGraph';

/**
 * OpenLineage RunEvents (spec 2-0-2) for a run of the project: a parent run for the whole command
 * and, for each model and seed that ran, START then COMPLETE or FAIL, with the input and output
 * datasets (schema facet; column-lineage facet where every input is known; row count), the SQL and
 * job-type job facets, and the error facet on failure. Pure: building events never does I/O.
 */
export const OPENLINEAGE_SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';
export const PRODUCER = 'https://example.invalid/community-metrics/0.1.0';

const FACETS = {
  schema: 'https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet',
  columnLineage: 'https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet',
  sql: 'https://openlineage.io/spec/facets/1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet',
  jobType: 'https://openlineage.io/spec/facets/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet',
  errorMessage: 'https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet',
  parent: 'https://openlineage.io/spec/facets/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet',
  outputStatistics: 'https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet',
} as const;

const facet = (kind: keyof typeof FACETS, body: Record<string, unknown>) => ({ _producer: PRODUCER, _schemaURL: FACETS[kind], ...body });

/** What a run must say about itself: the runner's RunResult and the store's recorded runs both fit. */
export interface RunForLineage {
  runId: string;
  command: string;
  startedAt: string;
  completedAt: string;
  success: boolean;
  results: Array<{
    uniqueId: string;
    status: string;
    message: string;
    rowsAffected?: number;
    startedAt: string;
    completedAt: string;
    compiledSql?: string;
  }>;
}

export interface OpenLineageNaming {
  /** Namespace of jobs (default "community-metrics"). */
  jobNamespace?: string;
  /** Namespace of datasets: where the tables live, e.g. sqlite://<path of the store>. */
  datasetNamespace: string;
}

export type RunEvent = Record<string, unknown> & { eventType: 'START' | 'COMPLETE' | 'FAIL'; eventTime: string };

/** A stable UUID for a node's run inside a parent run, so START and COMPLETE share it. */
export function childRunId(parentRunId: string, uniqueId: string): string {
  const h = createHash('sha256').update(`${parentRunId}\u0000${uniqueId}`).digest('hex');
  const variant = ((parseInt(h[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** dbt's relation_name (database.schema.table as the warehouse knows it), as OpenLineage's dbt integration names datasets. */
export function datasetName(node: LineageNode): string {
  if (node.relationParts) return node.relationParts.join('.');
  const relation = node.relation ?? node.name;
  const schema = node.schema ?? 'main';
  return node.database && node.database !== schema ? `${node.database}.${schema}.${relation}` : `${schema}.${relation}`;
}

/** Ephemeral models have no table: a model reading one reads what the ephemeral model reads. */
function physicalParents(graph: LineageGraph, id: string, seen = new Set<string>()): string[] {
  const out: string[] = [];
  for (const p of graph.parents.get(id) ?? []) {
    if (seen.has(p)) continue;
    seen.add(p);
    const n = graph.nodes.get(p);
    if (!n) continue;
    if (n.materialized === 'ephemeral') out.push(...physicalParents(graph, p, seen));
    else out.push(p);
  }
  return [...new Set(out)].sort();
}

export interface EventContext {
  graph: LineageGraph;
  naming: OpenLineageNaming;
  columns?: ColumnLineageIndex;
  /** Real columns of a relation (the store's), when known. */
  catalogColumns?: (id: string) => Array<{ name: string; type?: string }> | undefined;
}

function jobNamespace(ctx: EventContext): string {
  return ctx.naming.jobNamespace ?? 'community-metrics';
}

function fieldsOf(ctx: EventContext, id: string): Array<{ name: string; type?: string; description?: string; ordinal_position: number }> {
  const node = ctx.graph.nodes.get(id);
  const documented = new Map((node?.columns ?? []).map((c) => [c.name.toLowerCase(), c]));
  let names: Array<{ name: string; type?: string }> | undefined = ctx.catalogColumns?.(id);
  if (!names?.length && ctx.columns && node && (node.type === 'model' || node.type === 'snapshot')) {
    const l = ctx.columns.of(id);
    if (l.complete && l.columns.length > 0) names = l.columns.map((c) => ({ name: c.name }));
  }
  if (!names?.length) names = (node?.columns ?? []).map((c) => (c.dataType ? { name: c.name, type: c.dataType } : { name: c.name }));
  return names.map((c, i) => {
    const doc = documented.get(c.name.toLowerCase());
    const type = c.type ?? doc?.dataType;
    return { name: c.name, ...(type ? { type } : {}), ...(doc?.description ? { description: doc.description } : {}), ordinal_position: i + 1 };
  });
}

function dataset(ctx: EventContext, id: string): Record<string, unknown> {
  const node = ctx.graph.nodes.get(id) as LineageNode;
  return { namespace: ctx.naming.datasetNamespace, name: datasetName(node), facets: { schema: facet('schema', { fields: fieldsOf(ctx, id) }) } };
}

const SUBTYPE: Record<Transformation, string> = { IDENTITY: 'IDENTITY', TRANSFORMATION: 'TRANSFORMATION', AGGREGATION: 'AGGREGATION' };

/** Only fully traced columns: a facet with a partial list would claim a wrong, complete story. */
function columnLineageFacet(ctx: EventContext, id: string): Record<string, unknown> | undefined {
  if (!ctx.columns) return undefined;
  const fields: Record<string, unknown> = {};
  for (const c of ctx.columns.of(id).columns) {
    if (c.trace.status !== 'traced' || c.trace.inputs.length === 0) continue;
    fields[c.name] = {
      inputFields: c.trace.inputs.map((i) => ({
        namespace: ctx.naming.datasetNamespace,
        name: datasetName(ctx.graph.nodes.get(i.node) as LineageNode),
        field: i.column,
        transformations: [{ type: 'DIRECT', subtype: SUBTYPE[c.trace.transformation ?? 'TRANSFORMATION'] }],
      })),
    };
  }
  return Object.keys(fields).length > 0 ? facet('columnLineage', { fields }) : undefined;
}

export interface ParentRef {
  runId: string;
  jobName: string;
}

export function parentJobName(ctx: EventContext, command: string): string {
  return `${ctx.graph.projectName || 'project'}.${command}`;
}

const base = (eventType: RunEvent['eventType'], eventTime: string) => ({ eventType, eventTime, producer: PRODUCER, schemaURL: OPENLINEAGE_SCHEMA_URL });

export function parentRunEvent(ctx: EventContext, run: RunForLineage, eventType: RunEvent['eventType']): RunEvent {
  const job = {
    namespace: jobNamespace(ctx),
    name: parentJobName(ctx, run.command),
    facets: { jobType: facet('jobType', { processingType: 'BATCH', integration: 'DBT', jobType: 'JOB' }) },
  };
  const runFacets: Record<string, unknown> = {};
  if (eventType === 'FAIL') {
    const failed = run.results.filter((r) => r.status === 'error' || r.status === 'fail').length;
    runFacets.errorMessage = facet('errorMessage', { message: `${failed} node(s) failed`, programmingLanguage: 'SQL' });
  }
  return { ...base(eventType, eventType === 'START' ? run.startedAt : run.completedAt), run: { runId: run.runId, facets: runFacets }, job, inputs: [], outputs: [] };
}

export function nodeRunEvents(ctx: EventContext, parent: ParentRef, result: RunForLineage['results'][number]): RunEvent[] {
  const node = ctx.graph.nodes.get(result.uniqueId);
  if (!node) return [];
  const runId = childRunId(parent.runId, node.id);
  const parentFacet = facet('parent', {
    run: { runId: parent.runId },
    job: { namespace: jobNamespace(ctx), name: parent.jobName },
    root: { run: { runId: parent.runId }, job: { namespace: jobNamespace(ctx), name: parent.jobName } },
  });
  const jobFacets: Record<string, unknown> = { jobType: facet('jobType', { processingType: 'BATCH', integration: 'DBT', jobType: node.type.toUpperCase() }) };
  const sql = result.compiledSql ?? node.compiledSql;
  if (sql) jobFacets.sql = facet('sql', { query: sql, dialect: ctx.graph.adapter ?? 'sqlite' });
  const job = { namespace: jobNamespace(ctx), name: node.id, facets: jobFacets };
  const inputs = physicalParents(ctx.graph, node.id).map((p) => dataset(ctx, p));
  const output = dataset(ctx, node.id);
  const start: RunEvent = { ...base('START', result.startedAt), run: { runId, facets: { parent: parentFacet } }, job, inputs, outputs: [output] };
  const failed = result.status === 'error' || result.status === 'fail';
  const endOutput: Record<string, unknown> = { ...output };
  if (!failed) {
    const lineage = columnLineageFacet(ctx, node.id);
    if (lineage) endOutput.facets = { ...(output.facets as Record<string, unknown>), columnLineage: lineage };
    if (result.rowsAffected !== undefined) endOutput.outputFacets = { outputStatistics: facet('outputStatistics', { rowCount: Math.max(0, Math.trunc(result.rowsAffected)) }) };
  }
  const runFacets: Record<string, unknown> = { parent: parentFacet };
  if (failed) runFacets.errorMessage = facet('errorMessage', { message: result.message || 'failed', programmingLanguage: 'SQL' });
  const end: RunEvent = { ...base(failed ? 'FAIL' : 'COMPLETE', result.completedAt), run: { runId, facets: runFacets }, job, inputs, outputs: [endOutput] };
  return [start, end];
}

/** Every event of a run, in the order a receiver expects them. Tests and skipped nodes send none. */
export function runEvents(ctx: EventContext, run: RunForLineage): RunEvent[] {
  const parent: ParentRef = { runId: run.runId, jobName: parentJobName(ctx, run.command) };
  const events: RunEvent[] = [parentRunEvent(ctx, run, 'START')];
  for (const r of run.results) {
    const node = ctx.graph.nodes.get(r.uniqueId);
    if (!node || (node.type !== 'model' && node.type !== 'seed' && node.type !== 'snapshot') || r.status === 'skipped') continue;
    events.push(...nodeRunEvents(ctx, parent, r));
  }
  events.push(parentRunEvent(ctx, run, run.success ? 'COMPLETE' : 'FAIL'));
  return events;
}
