import { randomUUID } from 'node:crypto';
import type { Database } from 'sql.js';
import { applyQualifyColumns, qualifyProbes, rewriteForSqlite, rewriteStructAccess } from './bigqueryRewrite';
import { DiagnosticError, diagnostic } from './diagnostics';
import type { Diagnostic } from './diagnostics';
import { executableSql } from './executableSql';
import { Relation } from './jinjaRenderer';
import { LineMap } from './lineMap';
import { assertOwned, materialize, recordOwnership, wrapperPrefix } from './materializations';
import type { MaterializeInput } from './materializations';
import { materialization, relationName, resolvingHooks } from './project';
import type { CompileContext, Project, ProjectNode } from './project';
import { ensureRunTables, recordRun } from './runHistory';
import { builtinTestSql } from './schemaTests';
import { loadSeed, readSeed } from './seedLoader';
import { pickNodes, selectNodes } from './selection';
import type { NodePick } from './selection';
import { registerSqlFunctions } from './sqlFunctions';
import { sqlErrorDiagnostic } from './sqlDiagnostics';
import type { SqlContext } from './sqlDiagnostics';
import { columnsOf, query, relationKind, scalar } from './storeAccess';

/**
 * Runs a project on the store: seeds, models and tests in dependency order, each in its own
 * transaction, with per-node status, duration and row count. Nodes downstream of a failure are
 * skipped; a cancelled run stops between nodes. Every run is recorded in the store.
 */
export type RunCommand = 'run' | 'build' | 'test' | 'seed';
export type NodeStatus = 'success' | 'error' | 'skipped' | 'pass' | 'fail' | 'warn';

export interface NodeResult {
  uniqueId: string;
  name: string;
  resourceType: ProjectNode['resourceType'];
  materialized: string;
  status: NodeStatus;
  message: string;
  rowsAffected?: number;
  /** Failing rows of a test. */
  failures?: number;
  startedAt: string;
  completedAt: string;
  durationMs: number;
  diagnostics: Diagnostic[];
  /** The SQL that ran (after the BigQuery rewrite), for "Compiled SQL" views. */
  compiledSql?: string;
}

export type ProgressEvent =
  | { kind: 'start'; uniqueId: string; name: string; index: number; total: number }
  | { kind: 'end'; result: NodeResult; index: number; total: number };

export interface RunOptions {
  command: RunCommand;
  select?: string[];
  exclude?: string[];
  /** Instead of `select`/`exclude`: these nodes by unique id (an editor command's "this model"). */
  nodes?: NodePick;
  fullRefresh?: boolean;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /** Engine tuning (pragmas, key indexes, native date truncation); on by default. Off only to benchmark. */
  tuned?: boolean;
  /**
   * Called with SQL about to run (a model's statement and hooks, a test's query, a `run_query`), outside
   * any transaction: the live store loads the partitioned tables it names (store/readNeeds.ts).
   */
  beforeSql?: (sql: string) => void;
}

export interface RunResult {
  runId: string;
  command: RunCommand;
  startedAt: string;
  completedAt: string;
  elapsedMs: number;
  results: NodeResult[];
  /** Load-time problems of the project plus every node's diagnostics. */
  diagnostics: Diagnostic[];
  cancelled: boolean;
  success: boolean;
  /** Errors of the project as a whole (cycle, duplicate names, unreadable files): they fail the run. */
  projectErrors: Diagnostic[];
}

const TYPES: Record<RunCommand, Array<ProjectNode['resourceType']>> = {
  run: ['model'],
  seed: ['seed'],
  test: ['test'],
  build: ['seed', 'model', 'test'],
};

export function prepareDatabase(db: Database, tuned = true): void {
  registerSqlFunctions(db);
  ensureRunTables(db);
  if (tuned) {
    // A 64 MB page cache for the main schema and for temp tables (an incremental model's merge).
    // temp_store is left at SQLite's default (FILE: sql.js's in-memory file system), as native SQLite
    // runs it. With temp_store = MEMORY, SQLite's sorter (every GROUP BY or ORDER BY that no index
    // serves) allocates each row separately in the WebAssembly heap: measurably slower (bench/models.ts)
    // and the whole sort stays in a heap that never shrinks; with FILE it sorts in one buffer of up to
    // cache_size and spills larger sorts to temp files outside that heap. Setting temp_store would
    // also drop every temp table and view the connection holds.
    // The store lives in memory and is saved as a whole by the caller: SQLite's rollback journal only
    // needs to survive a failed statement, so keep it in memory too (refused inside a transaction,
    // such as a chart preview's savepoint: tuning is only an optimisation, so go on without it).
    try {
      db.exec('PRAGMA cache_size = -65536; PRAGMA temp.cache_size = -65536; PRAGMA journal_mode = MEMORY;');
    } catch {
      // keep the current settings
    }
  }
}

export function storeAccess(db: Database, beforeSql?: (sql: string) => void): NonNullable<CompileContext['db']> {
  return {
    relationExists: (id) => relationKind(db, id) !== undefined,
    runQuery: (sql) => {
      const rewritten = resolveQualifyColumns(db, rewriteForSqlite(sql).sql);
      beforeSql?.(rewritten);
      return query(db, rewritten);
    },
    columnsOf: (id) => columnsOf(db, id),
  };
}

/**
 * A QUALIFY translated for SQLite selects `*` from a wrapper that also holds the filter's helper
 * column (bigqueryRewrite.ts): the `*` is replaced by the columns SQLite finds for the inner SELECT,
 * so that the model's relation has exactly the columns it has in BigQuery. A probe SQLite refuses
 * leaves the `*` as it is; running the statement then reports the real error.
 */
export function resolveQualifyColumns(db: Database, sql: string): string {
  const probes = qualifyProbes(sql);
  if (probes.length === 0) return sql;
  const columns = new Map<number, string[]>();
  for (const p of probes) {
    try {
      const stmt = db.prepare(p.probe);
      try {
        columns.set(p.marker, stmt.getColumnNames());
      } finally {
        stmt.free();
      }
    } catch {
      // left as `*`
    }
  }
  return applyQualifyColumns(sql, columns);
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function runProject(project: Project, db: Database, options: RunOptions): Promise<RunResult> {
  const tuned = options.tuned ?? true;
  prepareDatabase(db, tuned);
  const runId = randomUUID();
  const started = Date.now();
  const selected = options.nodes ? pickNodes(project, options.nodes) : selectNodes(project, options.select, options.exclude);
  const types = TYPES[options.command];
  const runnable = [...selected].filter((id) => {
    const n = project.nodes.get(id);
    return n && types.includes(n.resourceType) && !(n.resourceType === 'model' && materialization(n) === 'ephemeral');
  });
  // Tests run as soon as their parents are built, before models downstream (dbt build's order).
  // Order the whole graph and keep the runnable nodes: ephemeral models and unselected nodes in
  // between still constrain the order.
  const runnableSet = new Set(runnable);
  const order = project.graph.order().filter((id) => runnableSet.has(id));
  // Nodes in a dependency cycle, and everything downstream of one, have no topological place: they
  // still get a result (ERROR for the cycle's members, SKIP downstream), never silently dropped.
  const placed = new Set(order);
  const unplaced = runnable.filter((id) => !placed.has(id)).sort();
  const hasErrors = (id: string) => (project.nodes.get(id)?.diagnostics ?? []).some((d) => d.severity === 'error');
  const prioritized = [...prioritizeTests(project, order), ...unplaced.filter(hasErrors), ...unplaced.filter((id) => !hasErrors(id))];
  const results: NodeResult[] = [];
  const skipped = new Map<string, string>();
  let cancelled = false;
  const ctx: CompileContext = { db: storeAccess(db, options.beforeSql), fullRefresh: options.fullRefresh ?? false, execute: true };

  for (let i = 0; i < prioritized.length; i++) {
    const id = prioritized[i] as string;
    const node = project.nodes.get(id) as ProjectNode;
    if (options.signal?.aborted) cancelled = true;
    options.onProgress?.({ kind: 'start', uniqueId: id, name: node.name, index: i, total: prioritized.length });
    const startedAt = new Date();
    let result: Omit<NodeResult, 'startedAt' | 'completedAt' | 'durationMs' | 'uniqueId' | 'name' | 'resourceType' | 'materialized'>;
    if (cancelled) result = { status: 'skipped', message: 'cancelled', diagnostics: [] };
    else if (skipped.has(id) && (placed.has(id) || !hasErrors(id))) result = { status: 'skipped', message: `skipped: ${skipped.get(id)} failed upstream`, diagnostics: [] };
    else if (!placed.has(id) && !hasErrors(id)) result = { status: 'skipped', message: 'skipped: downstream of a dependency cycle', diagnostics: [] };
    else {
      const loadErrors = node.diagnostics.filter((d) => d.severity === 'error');
      if (loadErrors.length > 0) result = { status: 'error', message: loadErrors[0]?.message ?? 'error', diagnostics: loadErrors };
      else if (node.language === 'python') result = { status: 'skipped', message: 'skipped: Python models are not run by Community Metrics', diagnostics: [] };
      else if (node.resourceType === 'seed') result = await runSeed(db, node);
      else if (node.resourceType === 'model') result = runModel(project, db, node, ctx, tuned, options.beforeSql);
      else result = runTest(project, db, node, ctx, tuned, options.beforeSql);
    }
    const completedAt = new Date();
    const full: NodeResult = {
      uniqueId: id,
      name: node.name,
      resourceType: node.resourceType,
      materialized: materialization(node),
      startedAt: startedAt.toISOString(),
      completedAt: completedAt.toISOString(),
      durationMs: completedAt.getTime() - startedAt.getTime(),
      ...result,
    };
    results.push(full);
    const blocking = full.status === 'error' || (full.status === 'fail' && options.command === 'build') || node.language === 'python';
    if (blocking) {
      const from = node.test?.attachedNode && project.nodes.has(node.test.attachedNode) ? node.test.attachedNode : id;
      for (const d of project.graph.descendants(from)) {
        const dn = project.nodes.get(d);
        // Other tests of the same node still run; what is built from it, and its tests, do not.
        const siblingTest = node.resourceType === 'test' && dn?.resourceType === 'test' && dn.test?.attachedNode === from;
        if (dn && !siblingTest && !skipped.has(d)) skipped.set(d, node.name);
      }
    }
    options.onProgress?.({ kind: 'end', result: full, index: i, total: prioritized.length });
    await yieldToEventLoop();
  }

  const completed = Date.now();
  // A project-level error (a cycle, two models with one name, a yml or macro file that does not
  // load) fails the run as it fails dbt's, even when every node that ran passed.
  const projectErrors = project.diagnostics.filter((d) => d.severity === 'error' && (!d.uniqueId || selected.has(d.uniqueId)) && (d.code === 'cycle' || d.code === 'duplicate' || !d.uniqueId));
  const run: RunResult = {
    runId,
    command: options.command,
    startedAt: new Date(started).toISOString(),
    completedAt: new Date(completed).toISOString(),
    elapsedMs: completed - started,
    results,
    diagnostics: [...project.diagnostics.filter((d) => !d.uniqueId || selected.has(d.uniqueId)), ...results.flatMap((r) => r.diagnostics)],
    cancelled,
    success: !cancelled && projectErrors.length === 0 && results.every((r) => r.status === 'success' || r.status === 'pass' || r.status === 'warn'),
    projectErrors,
  };
  recordRun(db, {
    runId,
    command: options.command,
    selector: [...(options.select ?? []), ...(options.exclude ?? []).map((e) => `--exclude ${e}`)].join(' '),
    startedAt: run.startedAt,
    completedAt: run.completedAt,
    elapsedMs: run.elapsedMs,
    success: run.success,
    cancelled,
    results: results.map(({ diagnostics: _d, compiledSql: _c, ...r }) => r),
  });
  return run;
}

function prioritizeTests(project: Project, order: string[]): string[] {
  const out: string[] = [];
  const placed = new Set<string>();
  const tests = order.filter((id) => project.nodes.get(id)?.resourceType === 'test');
  const place = (id: string) => {
    if (placed.has(id)) return;
    placed.add(id);
    out.push(id);
    // Right after a node, every test whose parents are all done.
    for (const t of tests) {
      if (placed.has(t)) continue;
      const parents = [...(project.graph.parents.get(t) ?? [])].filter((p) => order.includes(p));
      if (parents.every((p) => placed.has(p))) place(t);
    }
  };
  for (const t of tests) if ([...(project.graph.parents.get(t) ?? [])].every((p) => !order.includes(p))) place(t);
  for (const id of order) if (project.nodes.get(id)?.resourceType !== 'test') place(id);
  for (const t of tests) place(t);
  return out;
}

type PartialResult = Omit<NodeResult, 'startedAt' | 'completedAt' | 'durationMs' | 'uniqueId' | 'name' | 'resourceType' | 'materialized'>;

function located(node: ProjectNode, d: Diagnostic): Diagnostic {
  return { ...d, file: d.file || node.file, uniqueId: node.uniqueId };
}

/**
 * A savepoint: outside a transaction it is BEGIN/COMMIT; inside one (a chart preview that runs a model
 * and rolls everything back afterwards, in the live database) it nests.
 */
function transaction<T>(db: Database, fn: () => T): T {
  db.exec('SAVEPOINT cm_node');
  try {
    const out = fn();
    db.exec('RELEASE cm_node');
    return out;
  } catch (err) {
    db.exec('ROLLBACK TO cm_node; RELEASE cm_node');
    throw err;
  }
}

async function runSeed(db: Database, node: ProjectNode): Promise<PartialResult> {
  try {
    const data = await readSeed(node.file, (node.config.column_types as Record<string, string> | undefined) ?? {});
    const relation = relationName(node);
    const rows = transaction(db, () => {
      assertOwned(db, relation, node.uniqueId);
      const n = loadSeed(db, relation, data);
      recordOwnership(db, relation, node.uniqueId, 'seed');
      return n;
    });
    return { status: 'success', message: `loaded ${rows} rows`, rowsAffected: rows, diagnostics: [] };
  } catch (err) {
    if (err instanceof DiagnosticError) return { status: 'error', message: err.message, diagnostics: [located(node, err.diagnostic)] };
    const d = diagnostic(node.file, 1, 1, `Seed failed: ${(err as Error).message}`, 'csv', 'error', node.uniqueId);
    return { status: 'error', message: d.message, diagnostics: [d] };
  }
}

interface Prepared {
  sql: string;
  lineMap: LineMap;
  warnings: Diagnostic[];
  problems: Diagnostic[];
}

/** Compiles, then rewrites BigQuery habits; warehouse-only constructs become diagnostics. */
function prepare(project: Project, node: ProjectNode, ctx: CompileContext, tuned: boolean): Prepared {
  const exec = executableSql(project, node, ctx);
  const rw = rewriteForSqlite(exec.sql, { nativeDates: tuned });
  const sqlCtx = sqlContext(project, node, rw.sql, exec.lineMap);
  const problems = rw.problems.map((p) => {
    const d = sqlErrorDiagnostic(sqlCtx, '', 'unsupported-sql');
    const at = locateOffset(project, node, exec.sql, exec.lineMap, p.offset);
    return { ...d, ...at, message: `${p.message} (${p.construct})` };
  });
  return { sql: rw.sql, lineMap: exec.lineMap, warnings: exec.warnings.map((w) => ({ ...w, uniqueId: node.uniqueId })), problems };
}

function locateOffset(project: Project, node: ProjectNode, sql: string, lineMap: LineMap, offset: number): { file: string; line: number; column: number } {
  const before = sql.slice(0, offset).split('\n');
  const line = before.length;
  const col = (before[before.length - 1] as string).length + 1;
  const at = lineMap.locate(line, col);
  const file = project.renderer.files[at.fileIndex] ?? node.file;
  const word = /^[\w`.]+/.exec(sql.slice(offset))?.[0] ?? '';
  const srcLine = sourceText(project, at.fileIndex)?.split('\n')[at.line - 1] ?? '';
  const idx = word ? srcLine.toLowerCase().indexOf(word.toLowerCase()) : -1;
  return { file, line: at.line, column: idx >= 0 ? idx + 1 : 1 };
}

function sourceText(project: Project, fileIndex: number): string | undefined {
  const file = project.renderer.files[fileIndex];
  for (const n of project.nodes.values()) if (n.file === file && n.raw) return n.raw;
  return undefined;
}

function sqlContext(project: Project, node: ProjectNode, sql: string, lineMap: LineMap): SqlContext {
  return { sql, lineMap, files: project.renderer.files, sourceText: (i) => sourceText(project, i), uniqueId: node.uniqueId };
}

function runModel(project: Project, db: Database, node: ProjectNode, ctx: CompileContext, tuned: boolean, beforeSql?: (sql: string) => void): PartialResult {
  let prepared: Prepared;
  try {
    prepared = prepare(project, node, ctx, tuned);
  } catch (err) {
    if (err instanceof DiagnosticError) return { status: 'error', message: err.message, diagnostics: [located(node, err.diagnostic)] };
    throw err;
  }
  if (prepared.problems.length > 0) {
    return { status: 'error', message: prepared.problems[0]?.message ?? 'unsupported SQL', diagnostics: [...prepared.warnings, ...prepared.problems] };
  }
  const mat = materialization(node);
  if (mat !== 'view' && mat !== 'table' && mat !== 'incremental') {
    const d = diagnostic(node.file, 1, 1, `Materialization '${mat}' is not supported (use view, table, incremental or ephemeral)`, 'config', 'error', node.uniqueId);
    return { status: 'error', message: d.message, diagnostics: [d] };
  }
  const relation = relationName(node);
  const uk = node.config.unique_key;
  const uniqueKey = typeof uk === 'string' ? uk.split(',').map((s) => s.trim()).filter(Boolean) : Array.isArray(uk) ? uk.map(String) : undefined;
  let sql = resolveQualifyColumns(db, prepared.sql);
  const rewrittenQualifiers = new Set<string>();
  for (let attempt = 0; ; attempt++) {
    const input: MaterializeInput = {
      relation,
      uniqueId: node.uniqueId,
      sql,
      materialized: mat,
      incrementalExists: mat === 'incremental' && !ctx.fullRefresh && relationKind(db, relation) === 'table',
      indexKeys: tuned,
      directAppend: tuned,
      ...(uniqueKey ? { uniqueKey } : {}),
    };
    beforeSql?.([sql, ...hooks(node.config.pre_hook), ...hooks(node.config.post_hook)].join('\n'));
    try {
      const out = transaction(db, () => {
        assertOwned(db, relation, node.uniqueId);
        for (const hook of hooks(node.config.pre_hook)) db.exec(rewriteForSqlite(hook).sql);
        const o = materialize(db, input);
        for (const hook of hooks(node.config.post_hook)) db.exec(rewriteForSqlite(hook).sql);
        recordOwnership(db, relation, node.uniqueId, mat);
        return o;
      });
      return { status: 'success', message: out.message, ...(out.rowsAffected !== undefined ? { rowsAffected: out.rowsAffected } : {}), diagnostics: prepared.warnings, compiledSql: sql };
    } catch (err) {
      if (err instanceof DiagnosticError) return { status: 'error', message: err.message, diagnostics: [located(node, err.diagnostic)] };
      const message = (err as Error).message;
      // BigQuery STRUCT field access (`file.project`): read the JSON column's field instead.
      const struct = /no such column: (\w+)\.(\w+)/.exec(message);
      if (struct && attempt < 8 && !rewrittenQualifiers.has(struct[1] as string) && relationKind(db, struct[1] as string) === undefined) {
        rewrittenQualifiers.add(struct[1] as string);
        const next = rewriteStructAccess(sql, struct[1] as string);
        if (next !== sql) {
          sql = resolveQualifyColumns(db, next);
          continue;
        }
      }
      const prefixed = `${wrapperPrefix(input)}\n${sql}\n`;
      const at = { fileIndex: project.renderer.fileIndex(node.file), line: 1 };
      const d = sqlErrorDiagnostic(sqlContext(project, node, prefixed, prepared.lineMap.withPrefix(1, at)), message);
      return { status: 'error', message: d.message, diagnostics: [...prepared.warnings, d], compiledSql: sql };
    }
  }
}

function hooks(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map(String).filter((s) => s.trim());
}

function testRelation(project: Project, id: string | undefined): Relation | undefined {
  if (!id) return undefined;
  const n = project.nodes.get(id);
  if (n) return new Relation(relationName(n));
  const s = project.sources.get(id);
  return s ? new Relation(s.identifier) : undefined;
}

function runTest(project: Project, db: Database, node: ProjectNode, ctx: CompileContext, tuned: boolean, beforeSql?: (sql: string) => void): PartialResult {
  let sql: string;
  let lineMap: LineMap;
  const info = node.test;
  try {
    if (info?.kind === 'generic') {
      const generated = genericTestSql(project, node, ctx);
      const rw = rewriteForSqlite(generated, { nativeDates: tuned });
      sql = rw.sql;
      lineMap = LineMap.generated(sql, { fileIndex: project.renderer.fileIndex(node.file), line: node.line });
    } else {
      const p = prepare(project, node, ctx, tuned);
      if (p.problems.length > 0) return { status: 'error', message: p.problems[0]?.message ?? '', diagnostics: p.problems };
      sql = resolveQualifyColumns(db, p.sql);
      lineMap = p.lineMap;
    }
  } catch (err) {
    if (err instanceof DiagnosticError) {
      const d = info?.kind === 'generic' ? { ...err.diagnostic, file: node.file, line: node.line, column: node.column } : err.diagnostic;
      return { status: 'error', message: err.message, diagnostics: [located(node, d)] };
    }
    throw err;
  }
  const wrapped = `SELECT count(*) FROM (\n${sql}\n)`;
  let failures: number;
  try {
    beforeSql?.(wrapped);
    failures = Number(scalar(db, wrapped));
  } catch (err) {
    const at = { fileIndex: project.renderer.fileIndex(node.file), line: node.line };
    const d = sqlErrorDiagnostic(sqlContext(project, node, wrapped, lineMap.withPrefix(1, at)), (err as Error).message);
    if (info?.kind === 'generic') Object.assign(d, { file: node.file, line: node.line, column: node.column });
    return { status: 'error', message: d.message, diagnostics: [d], compiledSql: sql };
  }
  if (failures === 0) return { status: 'pass', message: 'pass', failures: 0, diagnostics: [], compiledSql: sql };
  const warn = String(node.config.severity ?? 'error').toLowerCase() === 'warn';
  const what = info?.kind === 'generic' ? `${info.testName} test on ${describeTarget(project, info.attachedNode)}${info.columnName ? `.${info.columnName}` : ''}` : `test ${node.name}`;
  const d = diagnostic(node.file, node.line, node.column, `${what} failed: ${failures} failing row${failures === 1 ? '' : 's'}`, 'test', warn ? 'warning' : 'error', node.uniqueId);
  return { status: warn ? 'warn' : 'fail', message: d.message, failures, diagnostics: [d], compiledSql: sql };
}

function describeTarget(project: Project, id: string | undefined): string {
  if (!id) return '?';
  const n = project.nodes.get(id);
  if (n) return n.name;
  const s = project.sources.get(id);
  return s ? `${s.sourceName}.${s.name}` : id;
}

/** The SQL of a generic test: a built-in, or the user's `{% test %}` macro called like dbt does. */
export function genericTestSql(project: Project, node: ProjectNode, ctx: CompileContext): string {
  const info = node.test as NonNullable<ProjectNode['test']>;
  const rel = testRelation(project, info.attachedNode) ?? new Relation('');
  const relation = rel.toString();
  const record = { refs: new Set<string>(), sources: new Set<string>(), refCalls: [], sourceCalls: [] };
  const renderValue = (v: string) => {
    const text = v.includes('{{') ? v : `{{ ${v} }}`;
    return project.renderer.render(node.file, text, resolvingHooks(project, node, record, (t) => new Relation(relationName(t)), { execute: true })).sql.trim();
  };
  const where = typeof node.config.where === 'string' ? node.config.where : undefined;
  const builtinName = info.testName ?? '';
  const toRelation = typeof info.kwargs.to === 'string' ? renderValue(info.kwargs.to) : undefined;
  const builtin = builtinTestSql({
    testName: builtinName,
    relation,
    kwargs: info.kwargs,
    ...(info.columnName ? { columnName: info.columnName } : {}),
    ...(where ? { where } : {}),
    ...(toRelation ? { toRelation } : {}),
  });
  const custom = project.renderer.genericTestMacro(builtinName, info.namespace);
  if (custom) {
    const model = where ? new Relation(rel.identifier, rel.schema, rel.database, `(select * from ${relation} where ${where})`) : rel;
    const kwargs: Record<string, unknown> = { __keywords: true, model, ...info.kwargs };
    if (info.columnName) kwargs.column_name = info.columnName;
    const hooksForTest = resolvingHooks(project, node, record, (t) => new Relation(relationName(t)), {
      execute: true,
      ...(ctx.db ? { runQuery: (s: string) => ctx.db!.runQuery(s), relationExists: (id: string) => ctx.db!.relationExists(id) } : {}),
    });
    return project.renderer.callMacro(node.file, hooksForTest, custom, [kwargs]);
  }
  if (builtin) return builtin;
  throw new DiagnosticError(diagnostic(node.file, node.line, node.column, `Test '${builtinName}' is missing arguments (column_name, values, to/field)`, 'test', 'error', node.uniqueId));
}

/** `compile` for one node: the SQL dbt would show, with ephemerals inlined (no store needed). */
export function compiledSqlOf(project: Project, node: ProjectNode, ctx: CompileContext = {}): string {
  if (node.resourceType === 'seed') return '';
  if (node.language === 'python') return node.raw;
  if (node.test?.kind === 'generic') return genericTestSql(project, node, ctx);
  return executableSql(project, node, ctx).sql;
}

