import { createHash, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DiagnosticError } from './diagnostics';
import type { Diagnostic } from './diagnostics';
import { materialization, relationName } from './project';
import type { Project, ProjectNode, SourceNode } from './project';
import { compiledSqlOf } from './runner';

/**
 * dbt's target/manifest.json (schema v12 shape) for any project, even one whose SQL targets another
 * warehouse: compiling renders Jinja only and never needs SQLite-compatible SQL.
 */
export interface CompileOutput {
  manifest: Record<string, unknown>;
  compiled: Map<string, string>;
  diagnostics: Diagnostic[];
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function columns(cols: ProjectNode['columns']): Record<string, unknown> {
  return Object.fromEntries(
    Object.values(cols).map((c) => [c.name, { name: c.name, description: c.description, meta: {}, data_type: c.dataType ?? null, constraints: [], quote: null, tags: [] }]),
  );
}

function nodeJson(project: Project, n: ProjectNode, compiled: string | undefined): Record<string, unknown> {
  const alias = relationName(n);
  const config = { enabled: true, alias: n.config.alias ?? null, schema: n.config.schema ?? null, database: null, tags: [], meta: {}, ...n.config, materialized: materialization(n) };
  const out: Record<string, unknown> = {
    database: 'main',
    schema: 'main',
    name: n.name,
    resource_type: n.resourceType,
    package_name: project.name,
    path: n.path,
    original_file_path: n.originalFilePath,
    unique_id: n.uniqueId,
    fqn: n.fqn,
    alias,
    checksum: { name: 'sha256', checksum: sha256(n.raw) },
    config,
    tags: n.config.tags ?? [],
    description: n.description,
    columns: columns(n.columns),
    meta: (n.config.meta as Record<string, unknown> | undefined) ?? {},
    group: null,
    docs: { show: true, node_color: null },
    patch_path: n.patchPath ?? null,
    build_path: null,
    unrendered_config: {},
    created_at: Date.now() / 1000,
    relation_name: n.resourceType === 'test' || materialization(n) === 'ephemeral' ? null : `"main"."${alias}"`,
    raw_code: n.raw,
    language: n.language ?? 'sql',
    refs: n.refs.map((r) => ({ name: r.name, package: r.package ?? null, version: null })),
    sources: n.sources,
    metrics: [],
    depends_on: { macros: n.dependsOn.macros, nodes: n.dependsOn.nodes },
    compiled_path: compiled === undefined ? null : path.posix.join('target/compiled', project.name, n.originalFilePath),
    compiled: compiled !== undefined,
    compiled_code: compiled ?? null,
    extra_ctes_injected: compiled !== undefined,
    extra_ctes: [],
    contract: { enforced: false, alias_types: true, checksum: null },
    access: n.resourceType === 'model' ? 'protected' : undefined,
    constraints: [],
    version: null,
    latest_version: null,
    deprecation_date: null,
  };
  if (n.test) {
    if (n.test.kind === 'generic') {
      const attached = n.test.attachedNode ? (project.nodes.get(n.test.attachedNode)?.name ?? project.sources.get(n.test.attachedNode)?.name) : undefined;
      out.test_metadata = {
        name: n.test.testName,
        kwargs: { ...n.test.kwargs, ...(n.test.columnName ? { column_name: n.test.columnName } : {}), model: `{{ get_where_subquery(ref('${attached ?? ''}')) }}` },
        namespace: n.test.namespace ?? null,
      };
      out.column_name = n.test.columnName ?? null;
      out.attached_node = n.test.attachedNode && project.nodes.has(n.test.attachedNode) ? n.test.attachedNode : null;
      out.file_key_name = n.test.attachedNode?.startsWith('source.') ? `sources.${project.sources.get(n.test.attachedNode)?.sourceName}` : `models.${attached ?? ''}`;
    }
    delete out.access;
  }
  if (out.access === undefined) delete out.access;
  return out;
}

function sourceJson(project: Project, s: SourceNode): Record<string, unknown> {
  return {
    database: s.database ?? 'main',
    schema: s.schema,
    name: s.name,
    resource_type: 'source',
    package_name: project.name,
    path: path.relative(project.root, s.file).split(path.sep).join('/'),
    original_file_path: path.relative(project.root, s.file).split(path.sep).join('/'),
    unique_id: s.uniqueId,
    fqn: s.fqn,
    source_name: s.sourceName,
    source_description: '',
    loader: s.loader,
    identifier: s.identifier,
    quoting: { database: null, schema: null, identifier: null, column: null },
    loaded_at_field: null,
    freshness: { warn_after: { count: null, period: null }, error_after: { count: null, period: null }, filter: null },
    external: null,
    description: s.description,
    columns: columns(s.columns),
    meta: s.meta,
    source_meta: {},
    tags: s.tags,
    config: { enabled: true },
    patch_path: null,
    unrendered_config: {},
    relation_name: `"main"."${s.identifier}"`,
    created_at: Date.now() / 1000,
  };
}

export function buildManifest(project: Project, compiled: Map<string, string> = new Map()): Record<string, unknown> {
  const nodes: Record<string, unknown> = {};
  for (const n of project.nodes.values()) nodes[n.uniqueId] = nodeJson(project, n, compiled.get(n.uniqueId));
  const sources: Record<string, unknown> = {};
  for (const s of project.sources.values()) sources[s.uniqueId] = sourceJson(project, s);
  const macros: Record<string, unknown> = {};
  for (const m of project.renderer.macroList()) {
    macros[m.uniqueId] = {
      name: m.name,
      resource_type: 'macro',
      package_name: m.namespace,
      path: path.relative(project.root, m.file).split(path.sep).join('/'),
      original_file_path: path.relative(project.root, m.file).split(path.sep).join('/'),
      unique_id: m.uniqueId,
      depends_on: { macros: [] },
      description: '',
      meta: {},
      docs: { show: true, node_color: null },
      patch_path: null,
      arguments: [],
      created_at: Date.now() / 1000,
      supported_languages: null,
    };
  }
  const parentMap: Record<string, string[]> = {};
  const childMap: Record<string, string[]> = {};
  for (const id of [...project.sources.keys(), ...project.nodes.keys()].sort()) {
    parentMap[id] = [...(project.graph.parents.get(id) ?? [])].filter((p) => project.nodes.has(p) || project.sources.has(p)).sort();
    childMap[id] = [...(project.graph.children.get(id) ?? [])].filter((c) => project.nodes.has(c)).sort();
  }
  const disabled: Record<string, unknown[]> = {};
  for (const [id, n] of project.disabled) disabled[id] = [{ ...nodeJson(project, n, undefined), config: { ...n.config, enabled: false } }];
  return {
    metadata: {
      dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json',
      dbt_version: '1.8.0',
      generated_at: new Date().toISOString(),
      invocation_id: randomUUID(),
      env: {},
      project_name: project.name,
      project_id: createHash('md5').update(project.name).digest('hex'),
      user_id: null,
      send_anonymous_usage_stats: false,
      adapter_type: 'sqlite',
    },
    nodes,
    sources,
    macros,
    docs: {},
    groups: {},
    selectors: {},
    disabled,
    parent_map: parentMap,
    child_map: childMap,
    group_map: {},
    ...otherResources(project),
  };
}

const OTHER_KEYS = { unit_test: 'unit_tests', semantic_model: 'semantic_models', metric: 'metrics', saved_query: 'saved_queries', exposure: 'exposures' } as const;

/** unit_tests, semantic_models, metrics, saved_queries and exposures as dbt lists them (not run here). */
function otherResources(project: Project): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = { unit_tests: {}, semantic_models: {}, metrics: {}, saved_queries: {}, exposures: {} };
  const refTarget = (text: unknown): string | undefined => {
    const m = typeof text === 'string' ? /ref\(\s*['"]([^'"]+)['"]\s*\)/.exec(text) : null;
    return m ? [...project.nodes.values()].find((n) => n.name === m[1] && n.resourceType !== 'test')?.uniqueId : undefined;
  };
  for (const o of project.properties.others) {
    const rel = path.relative(project.root, o.file).split(path.sep).join('/');
    const model = o.kind === 'unit_test' ? [...project.nodes.values()].find((n) => n.name === o.definition.model)?.uniqueId : refTarget(o.definition.model);
    const dependsOn = new Set<string>(model ? [model] : []);
    if (Array.isArray(o.definition.depends_on)) for (const d of o.definition.depends_on) {
      const t = refTarget(d);
      if (t) dependsOn.add(t);
    }
    const uniqueId = o.kind === 'unit_test' ? `unit_test.${project.name}.${String(o.definition.model ?? '')}.${o.name}` : `${o.kind}.${project.name}.${o.name}`;
    out[OTHER_KEYS[o.kind]]![uniqueId] = {
      ...o.definition,
      name: o.name,
      resource_type: o.kind,
      package_name: project.name,
      path: rel,
      original_file_path: rel,
      unique_id: uniqueId,
      fqn: [project.name, o.name],
      depends_on: { macros: [], nodes: [...dependsOn].sort() },
    };
  }
  return out;
}

/** `compile`: renders every enabled model and test (no store needed) and builds the manifest. */
export function compileProject(project: Project): CompileOutput {
  const compiled = new Map<string, string>();
  const diagnostics: Diagnostic[] = [...project.diagnostics];
  for (const n of project.nodes.values()) {
    if (n.resourceType === 'seed' || n.diagnostics.some((d) => d.severity === 'error')) continue;
    try {
      compiled.set(n.uniqueId, compiledSqlOf(project, n));
    } catch (err) {
      if (!(err instanceof DiagnosticError)) throw err;
      diagnostics.push({ ...err.diagnostic, uniqueId: n.uniqueId });
    }
  }
  return { manifest: buildManifest(project, compiled), compiled, diagnostics };
}

/** Writes target/manifest.json and target/compiled/<project>/<path> like dbt. */
export async function writeCompileOutput(project: Project, out: CompileOutput): Promise<string> {
  const target = project.layout.targetPath;
  await mkdir(target, { recursive: true });
  const manifestFile = path.join(target, 'manifest.json');
  await writeFile(manifestFile, JSON.stringify(out.manifest, null, 2));
  for (const [id, sql] of out.compiled) {
    const n = project.nodes.get(id);
    if (!n) continue;
    const file = path.join(target, 'compiled', project.name, n.test?.kind === 'generic' ? path.join(path.dirname(n.originalFilePath), n.path) : n.originalFilePath);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, sql);
  }
  return manifestFile;
}
