import path from 'node:path';
import type { Diagnostic } from './diagnostics';
import { YamlFile, isRecord } from './yamlFile';

/**
 * What the `*.yml` property files of a project declare: sources (with identifier, schema, columns,
 * tests), and patches for models and seeds (description, config, columns, tests).
 */
export interface ColumnInfo {
  name: string;
  description: string;
  dataType?: string;
}

/** One test as written in yml: `unique`, `{accepted_values: {values: [...]}}`, `{relationships: {...}}`. */
export interface TestDefinition {
  testName: string;
  /** The macro namespace when written `package.test_name`. */
  namespace?: string;
  kwargs: Record<string, unknown>;
  config: Record<string, unknown>;
  columnName?: string;
  file: string;
  line: number;
  column: number;
}

export interface SourceTableDefinition {
  sourceName: string;
  name: string;
  identifier: string;
  schema: string;
  database?: string;
  description: string;
  loader: string;
  columns: Record<string, ColumnInfo>;
  tests: TestDefinition[];
  meta: Record<string, unknown>;
  tags: string[];
  file: string;
  line: number;
  column: number;
}

export interface NodePatch {
  name: string;
  description: string;
  config: Record<string, unknown>;
  columns: Record<string, ColumnInfo>;
  tests: TestDefinition[];
  file: string;
  line: number;
}

export type OtherKind = 'unit_test' | 'semantic_model' | 'metric' | 'saved_query' | 'exposure';

export interface OtherDefinition {
  kind: OtherKind;
  name: string;
  file: string;
  line: number;
  /** The yml entry as written. */
  definition: Record<string, unknown>;
}

export interface PropertyFiles {
  sources: SourceTableDefinition[];
  /** Source name -> the yml file that declares it (to tell the user where to add a table). */
  sourceFiles: Map<string, string>;
  models: Map<string, NodePatch>;
  seeds: Map<string, NodePatch>;
  ymlFiles: string[];
  diagnostics: Diagnostic[];
  /** unit_tests, semantic_models, metrics, saved_queries, exposures: listed, not run here. */
  others: OtherDefinition[];
}

export function emptyPropertyFiles(): PropertyFiles {
  return { sources: [], sourceFiles: new Map(), models: new Map(), seeds: new Map(), ymlFiles: [], diagnostics: [], others: [] };
}

function str(v: unknown, fallback = ''): string {
  return typeof v === 'string' ? v : fallback;
}

function readTests(y: YamlFile, list: unknown, at: Array<string | number>, columnName?: string): TestDefinition[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    return [];
  }
  const out: TestDefinition[] = [];
  list.forEach((entry: unknown, i: number) => {
    const pos = y.position([...at, i]);
    let name: string | undefined;
    let args: Record<string, unknown> = {};
    if (typeof entry === 'string') name = entry;
    else if (isRecord(entry)) {
      const keys = Object.keys(entry);
      // { accepted_values: { values: [...] } } or { name: x, test_name: accepted_values, ... }
      if (typeof entry.test_name === 'string') {
        name = entry.test_name;
        args = { ...entry };
        delete args.test_name;
      } else if (keys.length >= 1) {
        name = keys[0];
        const v = entry[name as string];
        args = isRecord(v) ? { ...v } : {};
      }
    }
    if (!name) return;
    // dbt 1.10 nests a test's arguments under `arguments:`; older versions put them beside config.
    if (isRecord(args.arguments)) args = { ...args, ...args.arguments };
    delete args.arguments;
    const config: Record<string, unknown> = isRecord(args.config) ? { ...args.config } : {};
    delete args.config;
    // dbt's CONFIG_ARGS (generic_test_builders.py): configs, not arguments of the test macro.
    for (const k of ['severity', 'where', 'limit', 'warn_if', 'error_if', 'fail_calc', 'tags', 'enabled', 'store_failures', 'store_failures_as', 'meta', 'database', 'schema', 'alias']) {
      if (k in args) {
        config[k] = args[k];
        delete args[k];
      }
    }
    const [ns, bare] = name.includes('.') ? (name.split('.', 2) as [string, string]) : [undefined, name];
    const def: TestDefinition = { testName: bare, kwargs: args, config, file: y.file, line: pos.line, column: pos.column };
    if (ns) def.namespace = ns;
    if (columnName !== undefined) def.columnName = columnName;
    out.push(def);
  });
  return out;
}

function readColumns(y: YamlFile, list: unknown, at: Array<string | number>): { columns: Record<string, ColumnInfo>; tests: TestDefinition[] } {
  const columns: Record<string, ColumnInfo> = {};
  const tests: TestDefinition[] = [];
  if (!Array.isArray(list)) return { columns, tests };
  list.forEach((c: unknown, i: number) => {
    if (!isRecord(c) || typeof c.name !== 'string') return;
    const info: ColumnInfo = { name: c.name, description: str(c.description) };
    if (typeof c.data_type === 'string') info.dataType = c.data_type;
    columns[c.name] = info;
    tests.push(...readTests(y, c.data_tests ?? c.tests, [...at, i, c.data_tests !== undefined ? 'data_tests' : 'tests'], c.name));
  });
  return { columns, tests };
}

export function readPropertyFile(props: PropertyFiles, file: string, text: string, rootDir: string): void {
  const y = YamlFile.parse(file, text);
  props.ymlFiles.push(file);
  props.diagnostics.push(...y.diagnostics);
  if (y.value === undefined || y.value === null) return;
  if (!isRecord(y.value)) {
    props.diagnostics.push(y.diagnosticAt([], `${path.relative(rootDir, file)} must be a mapping with keys such as 'version', 'sources' and 'models'`));
    return;
  }
  const doc = y.value;
  if (doc.sources !== undefined) {
    if (!Array.isArray(doc.sources)) props.diagnostics.push(y.diagnosticAt(['sources'], "'sources' must be a list of sources, each with a 'name' and 'tables'"));
    else
      doc.sources.forEach((src: unknown, i: number) => {
        if (!isRecord(src) || typeof src.name !== 'string') {
          props.diagnostics.push(y.diagnosticAt(['sources', i], "each source needs a 'name'"));
          return;
        }
        const sourceName = src.name;
        if (!props.sourceFiles.has(sourceName)) props.sourceFiles.set(sourceName, file);
        const tables = src.tables ?? [];
        if (!Array.isArray(tables)) {
          props.diagnostics.push(y.diagnosticAt(['sources', i, 'tables'], `'tables' of source '${src.name}' must be a list`));
          return;
        }
        tables.forEach((t: unknown, j: number) => {
          if (!isRecord(t) || typeof t.name !== 'string') {
            props.diagnostics.push(y.diagnosticAt(['sources', i, 'tables', j], `each table of source '${src.name}' needs a 'name'`));
            return;
          }
          const pos = y.position(['sources', i, 'tables', j]);
          const { columns, tests } = readColumns(y, t.columns, ['sources', i, 'tables', j, 'columns']);
          tests.push(...readTests(y, t.data_tests ?? t.tests, ['sources', i, 'tables', j, t.data_tests !== undefined ? 'data_tests' : 'tests']));
          const def: SourceTableDefinition = {
            sourceName,
            name: t.name,
            identifier: str(t.identifier, t.name),
            schema: str(src.schema, sourceName),
            description: str(t.description),
            loader: str(src.loader),
            columns,
            tests,
            meta: isRecord(t.meta) ? t.meta : {},
            tags: Array.isArray(t.tags) ? t.tags.map(String) : [],
            file,
            line: pos.line,
            column: pos.column,
          };
          if (typeof src.database === 'string') def.database = src.database;
          props.sources.push(def);
        });
      });
  }
  const OTHER: Array<[string, OtherKind]> = [
    ['unit_tests', 'unit_test'],
    ['semantic_models', 'semantic_model'],
    ['metrics', 'metric'],
    ['saved_queries', 'saved_query'],
    ['exposures', 'exposure'],
  ];
  for (const [key, kind] of OTHER) {
    const list = doc[key];
    if (!Array.isArray(list)) continue;
    list.forEach((m: unknown, i: number) => {
      if (isRecord(m) && typeof m.name === 'string') props.others.push({ kind, name: m.name, file, line: y.position([key, i]).line, definition: m });
    });
  }
  for (const kind of ['models', 'seeds'] as const) {
    const list = doc[kind];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      props.diagnostics.push(y.diagnosticAt([kind], `'${kind}' must be a list`));
      continue;
    }
    list.forEach((m: unknown, i: number) => {
      if (!isRecord(m) || typeof m.name !== 'string') {
        props.diagnostics.push(y.diagnosticAt([kind, i], `each entry of '${kind}' needs a 'name'`));
        return;
      }
      const { columns, tests } = readColumns(y, m.columns, [kind, i, 'columns']);
      tests.push(...readTests(y, m.data_tests ?? m.tests, [kind, i, m.data_tests !== undefined ? 'data_tests' : 'tests']));
      const config: Record<string, unknown> = isRecord(m.config) ? { ...m.config } : {};
      // Pre-1.0 property files put some configs beside the name.
      for (const k of ['tags', 'meta', 'docs']) if (m[k] !== undefined && config[k] === undefined) config[k] = m[k];
      const patch: NodePatch = { name: m.name, description: str(m.description), config, columns, tests, file, line: y.position([kind, i]).line };
      (kind === 'models' ? props.models : props.seeds).set(m.name, patch);
    });
  }
}
