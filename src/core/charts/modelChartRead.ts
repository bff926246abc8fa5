import { existsSync, readFileSync } from 'node:fs';
import type { Database } from 'sql.js';
import type { ChartPayload } from './chartPayload';
import { modelChart } from './modelChart';
import { parseVegaLiteFile } from './vegaLiteFile';
import { materialization, relationName } from '../project/project';
import type { Project, ProjectNode } from '../project/project';
import { prepareDatabase, runProject } from '../project/runner';
import { columnsOf, query } from '../project/storeAccess';

export interface ModelTable {
  columns: string[];
  rows: (string | number | null)[][];
  total: number;
}

export interface ModelChartsResult {
  charts: ChartPayload[];
  tables: ModelTable[];
  problems: string[];
}

/** `<model>.vl.json` beside the model's SQL file, when there is one. */
export function vegaLiteBeside(node: ProjectNode): Record<string, unknown> | undefined {
  const file = node.file.replace(/\.sql$/i, '.vl.json');
  if (file === node.file || !existsSync(file)) return undefined;
  const { spec, problems } = parseVegaLiteFile(readFileSync(file, 'utf8'));
  const first = problems[0];
  // Named as in the project (models/x.vl.json:3:5), like the engine names a model's SQL errors.
  const where = node.originalFilePath.replace(/\.sql$/i, '.vl.json');
  if (!spec || first) throw new Error(`${where}:${first?.line ?? 1}:${first?.column ?? 1}: ${first?.message ?? 'not a vega-lite spec'}`);
  return spec;
}

export function declaredChart(node: ProjectNode): unknown {
  return (node.config.meta as Record<string, unknown> | undefined)?.chart;
}

/** Whether the project declares a chart for this model (meta.chart or a .vl.json), for the dashboard. */
export function hasDeclaredChart(node: ProjectNode): boolean {
  return node.resourceType === 'model' && (declaredChart(node) !== undefined || existsSync(node.file.replace(/\.sql$/i, '.vl.json')));
}

/**
 * Charts (and optionally the first rows) of models, read from the live database. With
 * `fromSavedSql`, each model is first run, so the chart is the result of the SQL file as saved now;
 * the caller runs this inside a write that is not saved, or on a database it throws away.
 */
export async function readModelChartsFromDb(
  db: Database,
  nodes: ProjectNode[],
  range: { from?: string; to?: string },
  tableRows = 0,
  options: { fromSavedSql?: Project; beforeSql?: (sql: string) => void } = {},
): Promise<ModelChartsResult> {
  prepareDatabase(db, false);
  const charts: ChartPayload[] = [];
  const tables: ModelTable[] = [];
  const problems: string[] = [];
  for (const node of nodes) {
    const relation = relationName(node);
    const project = options.fromSavedSql;
    if (project && node.resourceType === 'model' && materialization(node) !== 'ephemeral') {
      const run = await runProject(project, db, { command: 'run', nodes: { ids: [node.uniqueId] }, ...(options.beforeSql ? { beforeSql: options.beforeSql } : {}) });
      const mine = run.results.find((r) => r.uniqueId === node.uniqueId);
      if (mine && mine.status !== 'success') {
        const missing = /no such table: (?:main\.)?(\S+)/.exec(mine.message);
        problems.push(missing ? `${node.name} reads ${missing[1]}, which has not been built yet: run ${node.name} (it builds what it reads) first.` : `${node.name}: ${mine.message}`);
        continue;
      }
    }
    if (columnsOf(db, relation).length === 0) {
      problems.push(`${node.name} has not been built yet: run it first.`);
      continue;
    }
    try {
      const reader = { query: (sql: string, params: (string | number)[] = []) => query(db, sql, params) };
      charts.push(modelChart(reader, { model: node.name, relation, declared: declaredChart(node), vegaLite: vegaLiteBeside(node), range }));
      if (tableRows > 0) {
        const q = `"${relation.replace(/"/g, '""')}"`;
        const t = query(db, `SELECT * FROM ${q} LIMIT ${tableRows}`);
        const total = Number(query(db, `SELECT COUNT(*) FROM ${q}`).rows[0]?.[0] ?? 0);
        tables.push({ columns: t.columns, rows: t.rows.map((r) => r.map((v) => (v === null || typeof v === 'number' || typeof v === 'string' ? v : String(v)))), total });
      }
    } catch (err) {
      problems.push(`${node.name}: ${(err as Error).message}`);
    }
  }
  return { charts, tables, problems };
}
