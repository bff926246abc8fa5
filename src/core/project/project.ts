import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DiagnosticError, diagnostic } from './diagnostics';
import type { Diagnostic } from './diagnostics';
import { Graph } from './graph';
import { JinjaRenderer, Relation, RenderProblem } from './jinjaRenderer';
import { pyRepr, pyStr } from './jinjaSemantics';
import type { QueryTable, RenderHooks } from './jinjaRenderer';
import type { LineMap } from './lineMap';
import { stripMarkers } from './lineMap';
import { folderConfig, mergeConfig } from './nodeConfig';
import type { NodeConfig } from './nodeConfig';
import { listFiles, readProjectLayout } from './projectLayout';
import type { ProjectLayout } from './projectLayout';
import { emptyPropertyFiles, readPropertyFile } from './propertyFiles';
import type { ColumnInfo, PropertyFiles, SourceTableDefinition, TestDefinition } from './propertyFiles';

/**
 * A dbt-style project loaded from disk: its models, seeds, tests and sources as nodes keyed by dbt
 * unique_id, with configs merged and dependencies found by rendering each model once (as dbt's parse
 * does), the graph, and every problem found on the way as diagnostics. Loading never throws for a
 * problem in the user's files.
 */
export type NodeType = 'model' | 'seed' | 'test';

export interface TestInfo {
  kind: 'generic' | 'singular';
  /** unique, not_null, accepted_values, relationships, or a user's generic test. */
  testName?: string;
  namespace?: string;
  columnName?: string;
  kwargs: Record<string, unknown>;
  /** The model, seed or source the test is attached to. */
  attachedNode?: string;
}

export interface ProjectNode {
  uniqueId: string;
  resourceType: NodeType;
  /** Python models are listed but not run. */
  language?: 'python';
  name: string;
  /** Absolute path of the file that defines the node (the yml file for a generic test). */
  file: string;
  /** Line of the definition in `file` (generic tests: the yml line of the test). */
  line: number;
  column: number;
  /** Path relative to the project root (dbt's original_file_path). */
  originalFilePath: string;
  /** Path relative to its model/seed/test folder (dbt's path). */
  path: string;
  fqn: string[];
  raw: string;
  config: NodeConfig;
  description: string;
  columns: Record<string, ColumnInfo>;
  refs: Array<{ name: string; package?: string }>;
  sources: Array<[string, string]>;
  dependsOn: { nodes: string[]; macros: string[] };
  patchPath?: string;
  test?: TestInfo;
  /** Problems of this node found at load time. */
  diagnostics: Diagnostic[];
}

export interface SourceNode extends SourceTableDefinition {
  uniqueId: string;
  fqn: string[];
}

export interface Project {
  layout: ProjectLayout;
  name: string;
  root: string;
  renderer: JinjaRenderer;
  nodes: Map<string, ProjectNode>;
  /** Nodes with enabled: false (dbt's manifest `disabled`). */
  disabled: Map<string, ProjectNode>;
  sources: Map<string, SourceNode>;
  graph: Graph;
  /** Every problem found while loading (yml, Jinja, unknown refs, cycles, packages). */
  diagnostics: Diagnostic[];
  properties: PropertyFiles;
}

export function relationName(node: ProjectNode): string {
  return typeof node.config.alias === 'string' && node.config.alias ? node.config.alias : node.name;
}

export function materialization(node: ProjectNode): string {
  if (node.resourceType === 'seed') return 'seed';
  if (node.resourceType === 'test') return 'test';
  return typeof node.config.materialized === 'string' ? node.config.materialized : 'view';
}

export function findNode(project: Project, name: string, types: NodeType[] = ['model', 'seed']): ProjectNode | undefined {
  for (const n of project.nodes.values()) if (n.name === name && types.includes(n.resourceType)) return n;
  return undefined;
}

/** The node whose file is `file` (models, seeds, singular tests), for the editor's CodeLens. */
export function nodeForFile(project: Project, file: string): ProjectNode | undefined {
  const abs = path.resolve(file);
  for (const n of project.nodes.values()) if (n.file === abs && n.test?.kind !== 'generic') return n;
  return undefined;
}

const posix = (p: string) => p.split(path.sep).join('/');

export interface LoadOptions {
  /** --vars from the command line; they override dbt_project.yml's. */
  vars?: Record<string, unknown>;
  log?: (message: string) => void;
}

export async function loadProject(root: string, options: LoadOptions = {}): Promise<Project> {
  const absRoot = path.resolve(root);
  const layout = await readProjectLayout(absRoot);
  const renderer = new JinjaRenderer({
    projectName: layout.name,
    vars: { ...layout.vars, ...(options.vars ?? {}) },
    missingPackages: layout.missingPackages,
    root: absRoot,
    dispatch: layout.dispatch,
    ...(options.log ? { log: options.log } : {}),
  });
  const diagnostics: Diagnostic[] = [...layout.diagnostics];
  const project: Project = {
    layout,
    name: layout.name,
    root: absRoot,
    renderer,
    nodes: new Map(),
    disabled: new Map(),
    sources: new Map(),
    graph: new Graph(),
    diagnostics,
    properties: emptyPropertyFiles(),
  };

  // dbt renders the Jinja in dbt_project.yml's configs (`+enabled: "{{ var('x', false) }}"`).
  if (layout.projectFile) {
    const file = layout.projectFile;
    const render = (text: string) => renderer.render(file, text, resolvingHooksForProjectFile()).sql;
    try {
      layout.modelsConfig = renderConfigTree(layout.modelsConfig, render);
      layout.seedsConfig = renderConfigTree(layout.seedsConfig, render);
      layout.testsConfig = renderConfigTree(layout.testsConfig, render);
    } catch (err) {
      if (!(err instanceof DiagnosticError)) throw err;
      diagnostics.push({ ...err.diagnostic, file, line: 1, column: 1, message: `dbt_project.yml: ${err.diagnostic.message}` });
    }
  }

  // Macros: installed packages, the project's macro paths, and generic tests under test paths.
  for (const pkg of layout.installedPackages) {
    for (const f of await listFiles(pkg.macroPaths, ['.sql'])) diagnostics.push(...renderer.loadMacroFile(f, await readFile(f, 'utf8'), pkg.name));
  }
  const macroFiles = await listFiles(layout.macroPaths, ['.sql']);
  for (const f of macroFiles) diagnostics.push(...renderer.loadMacroFile(f, await readFile(f, 'utf8'), layout.name));
  const testFiles = await listFiles(layout.testPaths, ['.sql']);
  const singularTests: string[] = [];
  for (const f of testFiles) {
    const text = await readFile(f, 'utf8');
    if (/\{%-?\s*(test|macro)\s/.test(text)) diagnostics.push(...renderer.loadMacroFile(f, text, layout.name));
    else singularTests.push(f);
  }
  renderer.installMacros();

  // Property files.
  const props = project.properties;
  for (const f of await listFiles([...layout.modelPaths, ...layout.seedPaths, ...layout.testPaths], ['.yml', '.yaml'])) {
    readPropertyFile(props, f, await readFile(f, 'utf8'), absRoot);
  }
  diagnostics.push(...props.diagnostics);
  for (const s of props.sources) {
    const uniqueId = `source.${layout.name}.${s.sourceName}.${s.name}`;
    if (project.sources.has(uniqueId)) {
      diagnostics.push(diagnostic(s.file, s.line, s.column, `Source table '${s.sourceName}.${s.name}' is declared twice`, 'yml', 'warning'));
      continue;
    }
    project.sources.set(uniqueId, { ...s, uniqueId, fqn: [layout.name, s.sourceName, s.name] });
  }

  // Seeds.
  for (const folder of layout.seedPaths) {
    for (const f of await listFiles([folder], ['.csv'])) {
      const rel = posix(path.relative(folder, f));
      const name = path.basename(f).replace(/\.csv$/i, '');
      const fqn = [layout.name, ...rel.split('/').slice(0, -1), name];
      const patch = props.seeds.get(name);
      let config = folderConfig(layout.seedsConfig, fqn, { materialized: 'seed' });
      if (patch) config = mergeConfig(config, patch.config);
      addNode(project, {
        uniqueId: `seed.${layout.name}.${name}`,
        resourceType: 'seed',
        name,
        file: f,
        line: 1,
        column: 1,
        originalFilePath: posix(path.relative(absRoot, f)),
        path: rel,
        fqn,
        raw: '',
        config,
        description: patch?.description ?? '',
        columns: patch?.columns ?? {},
        refs: [],
        sources: [],
        dependsOn: { nodes: [], macros: [] },
        diagnostics: [],
        ...(patch ? { patchPath: `${layout.name}://${posix(path.relative(absRoot, patch.file))}` } : {}),
      });
    }
  }

  // Models: configs first, then one parse render each.
  const models: ProjectNode[] = [];
  for (const folder of layout.modelPaths) {
    for (const f of await listFiles([folder], ['.sql'])) {
      const rel = posix(path.relative(folder, f));
      const name = path.basename(f).replace(/\.sql$/i, '');
      const fqn = [layout.name, ...rel.split('/').slice(0, -1), name];
      const patch = props.models.get(name);
      let config = folderConfig(layout.modelsConfig, fqn, { materialized: 'view' });
      if (patch) config = mergeConfig(config, patch.config);
      const node: ProjectNode = {
        uniqueId: `model.${layout.name}.${name}`,
        resourceType: 'model',
        name,
        file: f,
        line: 1,
        column: 1,
        originalFilePath: posix(path.relative(absRoot, f)),
        path: rel,
        fqn,
        raw: await readFile(f, 'utf8'),
        config,
        description: patch?.description ?? '',
        columns: patch?.columns ?? {},
        refs: [],
        sources: [],
        dependsOn: { nodes: [], macros: [] },
        diagnostics: [],
        ...(patch ? { patchPath: `${layout.name}://${posix(path.relative(absRoot, patch.file))}` } : {}),
      };
      const existing = project.nodes.get(node.uniqueId);
      if (existing) {
        const d = diagnostic(f, 1, 1, `Two models are named '${name}': ${existing.originalFilePath} and ${node.originalFilePath}; model names must be unique`, 'duplicate', 'error', node.uniqueId);
        // Neither can be built: which one a ref means is unknown (dbt refuses the project).
        existing.diagnostics.push(d);
        continue;
      }
      project.nodes.set(node.uniqueId, node);
      models.push(node);
    }
  }
  await addPythonModels(project);
  for (const node of models) parseRender(project, node);
  for (const [uid, node] of project.nodes) {
    if (node.config.enabled === false) {
      project.nodes.delete(uid);
      project.disabled.set(uid, node);
    }
  }

  // Singular tests.
  for (const f of singularTests) {
    const folder = layout.testPaths.find((p) => f.startsWith(p + path.sep)) ?? path.dirname(f);
    const rel = posix(path.relative(folder, f));
    const name = path.basename(f).replace(/\.sql$/i, '');
    const node: ProjectNode = {
      uniqueId: `test.${layout.name}.${name}`,
      resourceType: 'test',
      name,
      file: f,
      line: 1,
      column: 1,
      originalFilePath: posix(path.relative(absRoot, f)),
      path: rel,
      fqn: [layout.name, ...rel.split('/').slice(0, -1), name],
      raw: await readFile(f, 'utf8'),
      config: folderConfig(layout.testsConfig, [layout.name, ...rel.split('/').slice(0, -1), name], { severity: 'ERROR' }),
      description: '',
      columns: {},
      refs: [],
      sources: [],
      dependsOn: { nodes: [], macros: [] },
      diagnostics: [],
      test: { kind: 'singular', kwargs: {} },
    };
    project.nodes.set(node.uniqueId, node);
    parseRender(project, node);
  }

  // Generic tests from yml.
  for (const patch of [...props.models.values(), ...props.seeds.values()]) {
    const target = findNode(project, patch.name);
    if (!target) {
      if (![...project.disabled.values()].some((d) => d.name === patch.name)) {
        diagnostics.push(diagnostic(patch.file, patch.line, 1, `'${patch.name}' is described here but there is no model or seed with that name`, 'yml', 'warning'));
      }
      continue;
    }
    for (const t of patch.tests) addGenericTest(project, t, target.uniqueId, target.name);
  }
  for (const s of project.sources.values()) for (const t of s.tests) addGenericTest(project, t, s.uniqueId, `${s.sourceName}_${s.name}`, true);

  noticeUnrunKinds(project);
  buildGraph(project);
  return project;
}

/**
 * Python models are nodes of the graph (their dbt.ref/dbt.source calls are read from the code) so
 * that lineage and the manifest match dbt's, but they are not run here: the runner reports them
 * SKIP, with the reason, and what reads them is skipped too.
 */
async function addPythonModels(project: Project): Promise<void> {
  const { layout } = project;
  for (const folder of layout.modelPaths) {
    for (const f of await listFiles([folder], ['.py'])) {
      const rel = posix(path.relative(folder, f));
      const name = path.basename(f).replace(/\.py$/i, '');
      const fqn = [layout.name, ...rel.split('/').slice(0, -1), name];
      const raw = await readFile(f, 'utf8');
      const patch = project.properties.models.get(name);
      const node: ProjectNode = {
        uniqueId: `model.${layout.name}.${name}`,
        resourceType: 'model',
        language: 'python',
        name,
        file: f,
        line: 1,
        column: 1,
        originalFilePath: posix(path.relative(project.root, f)),
        path: rel,
        fqn,
        raw,
        config: mergeConfig(folderConfig(layout.modelsConfig, fqn, { materialized: 'table' }), patch?.config ?? {}),
        description: patch?.description ?? '',
        columns: patch?.columns ?? {},
        refs: [],
        sources: [],
        dependsOn: { nodes: [], macros: [] },
        diagnostics: [diagnostic(f, 1, 1, `Python model '${name}' is listed in the manifest and lineage but not run by Community Metrics (it runs SQL models only); models that read it are skipped`, 'python-model', 'info')],
      };
      if (project.nodes.has(node.uniqueId)) {
        project.nodes.get(node.uniqueId)?.diagnostics.push(diagnostic(f, 1, 1, `Two models are named '${name}'`, 'duplicate', 'error', node.uniqueId));
        continue;
      }
      for (const m of raw.matchAll(/dbt\.ref\(\s*['"]([^'"]+)['"]\s*\)/g)) node.refs.push({ name: m[1] as string });
      for (const m of raw.matchAll(/dbt\.source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)/g)) node.sources.push([m[1] as string, m[2] as string]);
      project.nodes.set(node.uniqueId, node);
    }
  }
  // Resolve once every SQL and Python model is known.
  for (const node of project.nodes.values()) {
    if (node.language !== 'python') continue;
    const deps = new Set<string>();
    for (const r of node.refs) {
      const t = findNode(project, r.name);
      if (t) deps.add(t.uniqueId);
      else node.diagnostics.push(diagnostic(node.file, 1, 1, `'${node.name}' depends on '${r.name}', which is not a model or seed of this project`, 'ref', 'error', node.uniqueId));
    }
    for (const [sn, tn] of node.sources) {
      const uid = `source.${project.name}.${sn}.${tn}`;
      if (project.sources.has(uid)) deps.add(uid);
    }
    node.dependsOn.nodes = [...deps].sort();
    project.diagnostics.push(...node.diagnostics.map((d) => ({ ...d, uniqueId: node.uniqueId })));
  }
}

const KIND_WORDS: Record<string, string> = { unit_test: 'unit tests', semantic_model: 'semantic models', metric: 'metrics', saved_query: 'saved queries', exposure: 'exposures' };

/** One notice per kind that is listed in the manifest but not run here. */
function noticeUnrunKinds(project: Project): void {
  for (const kind of ['unit_test', 'semantic_model', 'metric', 'saved_query'] as const) {
    const list = project.properties.others.filter((o) => o.kind === kind);
    const first = list[0];
    if (!first) continue;
    const names = list.map((o) => o.name);
    project.diagnostics.push(
      diagnostic(
        first.file,
        first.line,
        1,
        `${list.length} ${KIND_WORDS[kind]} (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''}) are listed in target/manifest.json but not run by Community Metrics`,
        'not-run',
        'info',
      ),
    );
  }
}

function resolvingHooksForProjectFile(): RenderHooks {
  const fail = () => {
    throw new RenderProblem('ref() and source() cannot be used in dbt_project.yml', 'yml');
  };
  return { ref: fail, source: fail, config: () => undefined, configGet: () => undefined, isIncremental: () => false, execute: false };
}

/** What dbt's native rendering makes of a rendered string: Python literals become values. */
export function nativeValue(text: string): unknown {
  const t = text.trim();
  if (t === 'True' || t === 'true') return true;
  if (t === 'False' || t === 'false') return false;
  if (t === 'None' || t === '') return t === '' ? '' : null;
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  return text;
}

function renderConfigTree(value: unknown, render: (text: string) => string): unknown {
  if (typeof value === 'string') return /\{\{|\{%/.test(value) ? nativeValue(render(value)) : value;
  if (Array.isArray(value)) return value.map((v) => renderConfigTree(v, render));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderConfigTree(v, render)]));
  return value;
}

function addNode(project: Project, node: ProjectNode): void {
  if (project.nodes.has(node.uniqueId)) {
    project.diagnostics.push(diagnostic(node.file, 1, 1, `Two resources are named '${node.name}'`, 'duplicate', 'error', node.uniqueId));
    return;
  }
  project.nodes.set(node.uniqueId, node);
}

/** Where to tell the user to declare a source. */
function sourceAdvice(project: Project, sourceName: string, table: string): string {
  const declared = project.properties.sourceFiles.get(sourceName);
  const rel = (f: string) => posix(path.relative(project.root, f));
  if (declared) return `add a table '${table}' under the source '${sourceName}' in ${rel(declared)}`;
  const anyYml = project.properties.ymlFiles.find((f) => project.layout.modelPaths.some((p) => f.startsWith(p)));
  const file = anyYml ? rel(anyYml) : `${rel(project.layout.modelPaths[0] ?? path.join(project.root, 'models'))}/sources.yml`;
  return `declare it in ${file} under 'sources:' (- name: ${sourceName}, tables: [- name: ${table}])`;
}

/** Hooks shared by parse, compile and run renders: they resolve names and record dependencies. */
export function resolvingHooks(
  project: Project,
  node: ProjectNode,
  record: { refs: Set<string>; sources: Set<string>; refCalls: Array<{ name: string; package?: string }>; sourceCalls: Array<[string, string]> },
  relationFor: (target: ProjectNode) => Relation,
  extra: Partial<RenderHooks> = {},
): RenderHooks {
  return {
    ref(name, pkg) {
      const clean = stripMarkers(name);
      if (pkg !== undefined && pkg !== project.name && !project.layout.installedPackages.some((p) => p.name === pkg)) {
        throw new RenderProblem(`ref('${pkg}', '${clean}'): the package '${pkg}' is not part of this project`, 'ref');
      }
      const target = findNode(project, clean) ?? [...project.disabled.values()].find((d) => d.name === clean);
      if (!target) {
        throw new RenderProblem(`'${node.name}' depends on '${clean}', which is not a model or seed of this project`, 'ref');
      }
      if (project.disabled.has(target.uniqueId)) throw new RenderProblem(`'${node.name}' depends on '${clean}', which is disabled`, 'ref');
      if (!record.refs.has(target.uniqueId)) record.refCalls.push(pkg === undefined ? { name: clean } : { name: clean, package: pkg });
      record.refs.add(target.uniqueId);
      return relationFor(target);
    },
    source(sourceName, table) {
      const uid = `source.${project.name}.${sourceName}.${table}`;
      const src = project.sources.get(uid);
      if (!src) throw new RenderProblem(`Source '${sourceName}.${table}' is not declared: ${sourceAdvice(project, sourceName, table)}`, 'source');
      if (!record.sources.has(uid)) record.sourceCalls.push([sourceName, table]);
      record.sources.add(uid);
      return new Relation(src.identifier);
    },
    config(values) {
      node.config = mergeConfig(node.config, cleanConfig(values));
    },
    configGet(key) {
      return node.config[key];
    },
    isIncremental: () => false,
    execute: false,
    thisRelation: new Relation(relationName(node)),
    model: { name: node.name, unique_id: node.uniqueId, config: node.config, path: node.path, original_file_path: node.originalFilePath, resource_type: node.resourceType, fqn: node.fqn },
    ...extra,
  };
}

function cleanConfig(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) out[k] = typeof v === 'string' ? stripMarkers(v) : v;
  return out;
}

function newRecord() {
  return { refs: new Set<string>(), sources: new Set<string>(), refCalls: [] as Array<{ name: string; package?: string }>, sourceCalls: [] as Array<[string, string]> };
}

/** dbt's parse: render once with execute = false; config() calls and ref/source calls are recorded. */
function parseRender(project: Project, node: ProjectNode): void {
  const record = newRecord();
  const hooks = resolvingHooks(project, node, record, (t) => new Relation(relationName(t)));
  try {
    const result = project.renderer.render(node.file, node.raw, hooks);
    node.dependsOn.macros = result.macros;
    for (const w of result.warnings) node.diagnostics.push({ ...w, uniqueId: node.uniqueId });
  } catch (err) {
    if (!(err instanceof DiagnosticError)) throw err;
    node.diagnostics.push({ ...err.diagnostic, uniqueId: node.uniqueId });
  }
  node.refs = record.refCalls;
  node.sources = record.sourceCalls;
  node.dependsOn.nodes = [...record.refs, ...record.sources].sort();
  project.diagnostics.push(...node.diagnostics);
}

/**
 * dbt's names for a generic test (synthesize_generic_test_names): the full name
 * `<namespace_><test>_<target>_` then every argument but `model`, sorted by name, flattened (dict
 * values, list items) as Python's str(), each cleaned to [0-9a-zA-Z_] and joined with `__`; and the
 * short name for the compiled file and the relation (alias): the same when under 64 characters,
 * else the first 30 characters of `<namespace_><test>_<target>`, `_`, and the md5 of the full name.
 */
export function testNodeNames(def: Pick<TestDefinition, 'testName' | 'namespace' | 'columnName' | 'kwargs'>, targetName: string, onSource = false): { name: string; shortName: string } {
  const args: Record<string, unknown> = { ...def.kwargs };
  if (def.columnName) args.column_name = def.columnName;
  const flat: string[] = [];
  for (const key of Object.keys(args).sort()) {
    if (key === 'model') continue;
    const v = args[key];
    const parts = Array.isArray(v) ? v : v && typeof v === 'object' ? Object.values(v) : [v];
    flat.push(...parts.map((p) => pyStr(p)));
  }
  const testName = def.namespace ? `${def.namespace}_${def.testName}` : def.testName;
  const identifier = `${onSource ? 'source_' : ''}${testName}_${targetName}`;
  const name = `${identifier}_${flat.map((a) => a.replace(/[^0-9a-zA-Z_]+/g, '_')).join('__')}`;
  const shortName = name.length >= 64 ? `${identifier.slice(0, 30)}_${createHash('md5').update(name).digest('hex')}` : name;
  return { name, shortName };
}

export function testNodeName(def: Pick<TestDefinition, 'testName' | 'namespace' | 'columnName' | 'kwargs'>, targetName: string, onSource = false): string {
  return testNodeNames(def, targetName, onSource).name;
}

/**
 * The hash ending a generic test's unique_id, as dbt computes it (create_test_node): the last 10
 * hex digits of the md5 of the test's name followed by Python's repr() of its metadata
 * `{'kwargs': ..., 'name': ..., 'namespace': ...}` with dict keys sorted and every leaf value as
 * str() — kwargs being the test's arguments with `column_name` and `model` (the Jinja dbt passes).
 */
export function testUniqueIdHash(name: string, def: Pick<TestDefinition, 'testName' | 'namespace' | 'columnName' | 'kwargs'>, model: string): string {
  const kwargs: Record<string, unknown> = { ...def.kwargs, model };
  if (def.columnName !== undefined) kwargs.column_name = def.columnName;
  const hashable = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(hashable);
    if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, hashable((v as Record<string, unknown>)[k])]));
    return pyStr(v === undefined ? null : v);
  };
  const metadata = hashable({ namespace: def.namespace ?? null, name: def.testName, kwargs });
  return createHash('md5').update(name + pyRepr(metadata)).digest('hex').slice(-10);
}

function addGenericTest(project: Project, def: TestDefinition, attached: string, targetName: string, onSource = false): void {
  const src = project.sources.get(attached);
  const names = testNodeNames(def, targetName, onSource);
  // A `name:` given in the yml names the test (dbt 1.9+); otherwise dbt's synthesized names.
  const custom = typeof def.kwargs.name === 'string' && def.kwargs.name ? def.kwargs.name : undefined;
  const kwargs = { ...def.kwargs };
  delete kwargs.name;
  const name = custom ?? names.name;
  const shortName = custom ?? names.shortName;
  const model = src ? `{{ get_where_subquery(source('${src.sourceName}', '${src.name}')) }}` : `{{ get_where_subquery(ref('${project.nodes.get(attached)?.name ?? targetName}')) }}`;
  const uniqueId = `test.${project.name}.${name}.${testUniqueIdHash(name, { ...def, kwargs }, model)}`;
  const config = mergeConfig(folderConfig(project.layout.testsConfig, [project.name, name], { severity: 'ERROR' }), def.config);
  // dbt uses the short name as the alias of a test whose full name is too long.
  if (shortName !== name && config.alias === undefined) config.alias = shortName;
  const node: ProjectNode = {
    uniqueId,
    resourceType: 'test',
    name,
    file: def.file,
    line: def.line,
    column: def.column,
    originalFilePath: posix(path.relative(project.root, def.file)),
    path: `${shortName}.sql`,
    fqn: [project.name, name],
    raw: '',
    config,
    description: '',
    columns: {},
    refs: [],
    sources: [],
    dependsOn: { nodes: [attached], macros: [] },
    diagnostics: [],
    test: { kind: 'generic', testName: def.testName, kwargs, attachedNode: attached, ...(def.columnName ? { columnName: def.columnName } : {}), ...(def.namespace ? { namespace: def.namespace } : {}) },
  };
  const attachedNode = project.nodes.get(attached);
  if (attachedNode) node.refs.push({ name: attachedNode.name });
  if (src) node.sources.push([src.sourceName, src.name]);
  // relationships' `to: ref('x')` is Jinja: render it to find the dependency, as dbt does.
  for (const [k, v] of Object.entries(kwargs)) {
    if (typeof v !== 'string' || !/\{\{|ref\(|source\(/.test(v)) continue;
    const record = newRecord();
    const text = v.includes('{{') ? v : `{{ ${v} }}`;
    try {
      project.renderer.render(def.file, text, resolvingHooks(project, node, record, (t) => new Relation(relationName(t))));
      for (const r of record.refCalls) node.refs.push(r);
      node.sources.push(...record.sourceCalls);
      node.dependsOn.nodes = [...new Set([...node.dependsOn.nodes, ...record.refs, ...record.sources])].sort();
    } catch (err) {
      if (!(err instanceof DiagnosticError)) throw err;
      node.diagnostics.push({ ...err.diagnostic, file: def.file, line: def.line, column: def.column, message: `${k}: ${err.diagnostic.message}`, uniqueId });
    }
  }
  const builtin = ['unique', 'not_null', 'accepted_values', 'relationships'].includes(def.testName) && (!def.namespace || def.namespace === 'dbt');
  if (!builtin && !project.renderer.genericTestMacro(def.testName, def.namespace)) {
    const missing = def.namespace && project.layout.missingPackages.includes(def.namespace);
    const message = missing
      ? `Test '${def.namespace}.${def.testName}' comes from the package '${def.namespace}', which is not installed: run 'community-metrics deps'`
      : def.namespace && def.namespace !== project.name && !project.layout.installedPackages.some((p) => p.name === def.namespace)
        ? `Test '${def.namespace}.${def.testName}': no package '${def.namespace}' is declared in packages.yml`
        : `Unknown test '${def.namespace ? `${def.namespace}.` : ''}${def.testName}': define it with {% test ${def.testName}(model, column_name) %} in the macro or test paths`;
    node.diagnostics.push(diagnostic(def.file, def.line, def.column, message, 'test', 'error', uniqueId));
  }
  project.diagnostics.push(...node.diagnostics);
  if (node.config.enabled === false) project.disabled.set(uniqueId, node);
  else project.nodes.set(uniqueId, node);
}

function buildGraph(project: Project): void {
  const g = project.graph;
  for (const id of project.sources.keys()) g.addNode(id);
  for (const n of project.nodes.values()) {
    g.addNode(n.uniqueId);
    for (const p of n.dependsOn.nodes) g.addEdge(p, n.uniqueId);
  }
  const cycle = g.findCycle();
  if (cycle) {
    const first = project.nodes.get(cycle[0] as string);
    const next = project.nodes.get(cycle[1] as string);
    const names = cycle.map((id) => project.nodes.get(id)?.name ?? id);
    let line = 1;
    let column = 1;
    if (first && next) {
      // Only to point at the call: the dependency itself was found by rendering.
      const m = new RegExp(`ref\\s*\\(\\s*(['"])${next.name}\\1`).exec(first.raw);
      if (m) {
        const before = first.raw.slice(0, m.index).split('\n');
        line = before.length;
        column = (before[before.length - 1] as string).length + 1;
      }
    }
    const d = diagnostic(first?.file ?? project.root, line, column, `Dependency cycle: ${names.join(' -> ')}`, 'cycle', 'error', cycle[0]);
    project.diagnostics.push(d);
    for (const id of new Set(cycle)) project.nodes.get(id)?.diagnostics.push({ ...d, uniqueId: id });
  }
}

export interface CompileContext {
  /** The store, when compiling to run: is_incremental() and run_query need it. */
  db?: { relationExists(identifier: string): boolean; runQuery(sql: string): QueryTable; columnsOf(identifier: string): string[] };
  fullRefresh?: boolean;
  execute?: boolean;
}

export interface CompiledNode {
  sql: string;
  lineMap: LineMap;
  /** Ephemeral models this node inlines, in dependency order. */
  ephemerals: string[];
  warnings: Diagnostic[];
}

/** Renders a model or singular test for running or for `compile` (refs resolved to relations). */
export function compileNode(project: Project, node: ProjectNode, ctx: CompileContext = {}): CompiledNode {
  const record = newRecord();
  const ephemerals: string[] = [];
  const relationFor = (t: ProjectNode) => {
    if (materialization(t) === 'ephemeral') {
      if (!ephemerals.includes(t.uniqueId)) ephemerals.push(t.uniqueId);
      return new Relation(t.name, 'main', 'main', `__dbt__cte__${t.name}`);
    }
    return new Relation(relationName(t));
  };
  const self = relationName(node);
  const db = ctx.db;
  const hooks = resolvingHooks(project, node, record, relationFor, {
    execute: ctx.execute ?? true,
    fullRefresh: ctx.fullRefresh ?? false,
    isIncremental: () => materialization(node) === 'incremental' && !ctx.fullRefresh && !!db?.relationExists(self),
    ...(db
      ? {
          runQuery: (sql: string) => db.runQuery(sql),
          relationExists: (id: string) => db.relationExists(id),
          columnsOf: (r: Relation) => db.columnsOf(r.identifier),
        }
      : {}),
  });
  // Configs were settled by the parse render; a compile render must not add tags twice.
  const savedConfig = node.config;
  try {
    const result = project.renderer.render(node.file, node.raw, hooks);
    return { sql: result.sql, lineMap: result.lineMap, ephemerals, warnings: result.warnings };
  } finally {
    node.config = savedConfig;
  }
}
