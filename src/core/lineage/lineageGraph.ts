import { findCycle } from './lineageCycle';

/**
 * The lineage graph read from a dbt manifest (ours from buildManifest, or any dbt project's
 * target/manifest.json): sources, seeds, models, snapshots and exposures as nodes keyed by unique_id,
 * edges from parent_map/child_map. Tests are not nodes: they become badges on the nodes they test, so
 * that a project with many tests stays readable. Only fields dbt has written for years are read, and
 * every one defensively: a manifest is a file, and a file can hold anything.
 */
export interface LineageColumn {
  name: string;
  dataType?: string;
  description?: string;
}

export interface LineageTest {
  id: string;
  name: string;
  column?: string;
}

export interface LineageNode {
  id: string;
  name: string;
  /** dbt resource_type: source, seed, model, snapshot, exposure, analysis, ... */
  type: string;
  /** config.materialized for models and seeds; the source's loader for sources. */
  materialized?: string;
  tags: string[];
  /** original_file_path, relative to the project root with '/' separators. */
  path?: string;
  fqn: string[];
  packageName?: string;
  description?: string;
  columns: LineageColumn[];
  tests: LineageTest[];
  /** The table or view name the node is stored as (alias, identifier, else name). */
  relation?: string;
  schema?: string;
  database?: string;
  sourceName?: string;
  /** relation_name split into its parts, unquoted: ["main", "github_stars"]. */
  relationParts?: string[];
  compiledSql?: string;
}

export interface LineageProblem {
  kind: 'cycle' | 'broken' | 'missing';
  message: string;
  nodes: string[];
}

export interface LineageGraph {
  projectName: string;
  /** metadata.adapter_type: a hint for the SQL dialect of compiled code. */
  adapter?: string;
  nodes: Map<string, LineageNode>;
  parents: Map<string, string[]>;
  children: Map<string, string[]>;
  problems: LineageProblem[];
}

/** Resource types drawn as nodes; tests become badges, macros and docs are not data. */
const DRAWN = new Set(['source', 'seed', 'model', 'snapshot', 'exposure', 'analysis', 'metric', 'semantic_model', 'saved_query']);

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function columnsOf(v: unknown): LineageColumn[] {
  if (!isObject(v)) return [];
  const out: LineageColumn[] = [];
  for (const [key, c] of Object.entries(v)) {
    const col = isObject(c) ? c : {};
    const name = str(col.name) ?? key;
    const entry: LineageColumn = { name };
    const dataType = str(col.data_type);
    const description = str(col.description);
    if (dataType) entry.dataType = dataType;
    if (description) entry.description = description;
    out.push(entry);
  }
  return out;
}

function nodeFrom(id: string, raw: Json): LineageNode {
  const type = str(raw.resource_type) ?? id.split('.')[0] ?? 'model';
  const config = isObject(raw.config) ? raw.config : {};
  const node: LineageNode = {
    id,
    name: str(raw.name) ?? id.split('.').pop() ?? id,
    type,
    tags: [...new Set([...strings(raw.tags), ...strings(config.tags)])].sort(),
    fqn: strings(raw.fqn),
    columns: columnsOf(raw.columns),
    tests: [],
  };
  const materialized = type === 'source' ? undefined : str(config.materialized);
  if (materialized) node.materialized = materialized;
  const path = str(raw.original_file_path) ?? str(raw.path);
  if (path) node.path = path.split('\\').join('/');
  const pkg = str(raw.package_name);
  if (pkg) node.packageName = pkg;
  const description = str(raw.description);
  if (description) node.description = description;
  const relation = type === 'source' ? (str(raw.identifier) ?? str(raw.name)) : (str(raw.alias) ?? str(raw.name));
  if (relation) node.relation = relation;
  const schema = str(raw.schema);
  if (schema) node.schema = schema;
  const database = str(raw.database);
  if (database) node.database = database;
  const relationName = str(raw.relation_name);
  if (relationName) {
    const parts = [...relationName.matchAll(/"((?:[^"]|"")*)"|`([^`]*)`|\[([^\]]*)\]|([^."`[\]]+)/g)].map((m) => (m[1]?.replace(/""/g, '"') ?? m[2] ?? m[3] ?? m[4] ?? '').trim()).filter(Boolean);
    if (parts.length > 0) node.relationParts = parts;
  }
  const sourceName = str(raw.source_name);
  if (sourceName) node.sourceName = sourceName;
  // dbt ≥ 1.3 writes compiled_code, older versions compiled_sql.
  const compiled = str(raw.compiled_code) ?? str(raw.compiled_sql);
  if (compiled) node.compiledSql = compiled;
  return node;
}

function dependsOn(raw: Json): string[] {
  return isObject(raw.depends_on) ? strings(raw.depends_on.nodes) : [];
}

export function lineageGraphFromManifest(manifest: unknown): LineageGraph {
  const m = isObject(manifest) ? manifest : {};
  const metadata = isObject(m.metadata) ? m.metadata : {};
  const graph: LineageGraph = {
    projectName: str(metadata.project_name) ?? '',
    nodes: new Map(),
    parents: new Map(),
    children: new Map(),
    problems: [],
  };
  const adapter = str(metadata.adapter_type);
  if (adapter) graph.adapter = adapter;

  const tests: Array<[string, Json]> = [];
  const declaredParents = new Map<string, string[]>();
  for (const section of ['sources', 'nodes', 'exposures', 'metrics', 'semantic_models', 'saved_queries']) {
    const entries = isObject(m[section]) ? (m[section] as Json) : {};
    for (const [id, value] of Object.entries(entries)) {
      if (!isObject(value)) continue;
      const type = str(value.resource_type) ?? id.split('.')[0] ?? '';
      if (type === 'test' || type === 'unit_test') {
        tests.push([id, value]);
        continue;
      }
      if (!DRAWN.has(type)) continue;
      graph.nodes.set(id, nodeFrom(id, value));
      declaredParents.set(id, dependsOn(value));
    }
  }
  if (!graph.projectName) graph.projectName = [...graph.nodes.values()].find((n) => n.type === 'model')?.packageName ?? '';

  // parent_map is the authority when present (a partial parse may leave depends_on stale); a
  // hand-written or older manifest without it still has depends_on.
  const parentMap = isObject(m.parent_map) ? m.parent_map : undefined;
  for (const id of [...graph.nodes.keys()].sort()) {
    const fromMap = parentMap && Array.isArray(parentMap[id]) ? strings(parentMap[id]) : undefined;
    const parents = [...new Set(fromMap ?? declaredParents.get(id) ?? [])].filter((p) => graph.nodes.has(p)).sort();
    graph.parents.set(id, parents);
    if (!graph.children.has(id)) graph.children.set(id, []);
    for (const p of parents) {
      const list = graph.children.get(p) ?? [];
      list.push(id);
      graph.children.set(p, list);
    }
    const missing = (fromMap ?? declaredParents.get(id) ?? []).filter((p) => !graph.nodes.has(p) && !p.startsWith('test.') && !p.startsWith('macro.'));
    if (missing.length > 0) graph.problems.push({ kind: 'missing', message: `${graph.nodes.get(id)?.name ?? id} depends on ${missing.join(', ')}, which the manifest does not hold`, nodes: [id] });
  }
  for (const list of graph.children.values()) list.sort();

  for (const [id, t] of tests.sort((a, b) => a[0].localeCompare(b[0]))) {
    const attached = str(t.attached_node);
    const targets = attached ? [attached] : (parentMap && Array.isArray(parentMap[id]) ? strings(parentMap[id]) : dependsOn(t));
    const name = isObject(t.test_metadata) ? (str(t.test_metadata.name) ?? str(t.name) ?? id) : (str(t.name) ?? id);
    const column = str(t.column_name);
    for (const target of targets) {
      const node = graph.nodes.get(target);
      if (!node) continue;
      node.tests.push(column ? { id, name, column } : { id, name });
    }
  }

  const cycle = findCycle(graph.parents);
  if (cycle) {
    graph.problems.push({
      kind: 'cycle',
      message: `Dependency cycle: ${cycle.map((id) => graph.nodes.get(id)?.name ?? id).join(' → ')}`,
      nodes: [...new Set(cycle)],
    });
  }
  return graph;
}

/** Nodes whose name (or unique_id) is `name`: models and seeds first, as dbt's ref() resolves. */
export function nodesNamed(graph: LineageGraph, name: string): LineageNode[] {
  const direct = graph.nodes.get(name);
  if (direct) return [direct];
  return [...graph.nodes.values()].filter((n) => n.name === name);
}
