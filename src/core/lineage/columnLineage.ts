import { Parser } from 'node-sql-parser';
import type { LineageGraph } from './lineageGraph';

/**
 * Column-level lineage of a model: for each output column, the upstream (node, column) pairs it is
 * computed from, found by parsing the model's compiled SQL with node-sql-parser and resolving every
 * column reference through CTEs, subqueries, joins, unions and `*`. Anything that cannot be resolved
 * with certainty — an ambiguous unqualified column, a relation that is not a parent, `*` over a
 * relation of unknown columns, SQL the parser cannot read — is reported as "unknown", never guessed:
 * a wrong edge is worse than a missing one.
 */
export interface ColumnInput {
  node: string;
  column: string;
}

export type Transformation = 'IDENTITY' | 'TRANSFORMATION' | 'AGGREGATION';

export interface ColumnTrace {
  /** traced: every reference resolved; partial: some inputs known, some not; unknown: none known. */
  status: 'traced' | 'partial' | 'unknown';
  inputs: ColumnInput[];
  transformation?: Transformation;
}

export interface ModelColumnLineage {
  columns: Array<{ name: string; trace: ColumnTrace }>;
  /** False when some output columns could not even be named (`*` over unknown columns). */
  complete: boolean;
  /** Why lineage is missing or partial, for the panel. */
  note?: string;
}

type Ast = Record<string, unknown>;
const isObj = (v: unknown): v is Ast => typeof v === 'object' && v !== null && !Array.isArray(v);
const UNKNOWN: ColumnTrace = { status: 'unknown', inputs: [] };

/** A name as the parser gives it: a string, or { value } / { expr: { value } } depending on dialect. */
function nameOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isObj(v)) {
    if (typeof v.value === 'string') return v.value;
    if (isObj(v.expr)) return nameOf(v.expr);
  }
  return undefined;
}

interface Relation {
  kind: 'node' | 'derived' | 'opaque';
  node?: string;
  /** Known columns of a node relation (lower case), when known. */
  known?: Set<string>;
  /** Columns of a CTE or subquery, by lower-case name. */
  derived?: Map<string, ColumnTrace>;
  /** A derived relation whose `*` could not be expanded: its column set is not fully known. */
  open?: boolean;
}

interface ScopeEntry {
  alias: string;
  /** db.table as written, when the relation has no alias: `"main"."t".x` qualifies with it. */
  full?: string | undefined;
  rel: Relation;
}

interface Scope {
  entries: ScopeEntry[];
}

function qualifies(e: ScopeEntry, qualifier: string): boolean {
  if (e.alias === qualifier) return true;
  return e.full !== undefined && (e.full === qualifier || e.full.endsWith(`.${qualifier}`) || qualifier.endsWith(`.${e.full}`));
}

interface SelectResult {
  columns: Array<{ name: string; trace: ColumnTrace }>;
  complete: boolean;
}

function merge(traces: ColumnTrace[], transformation: Transformation): ColumnTrace {
  if (traces.length === 0) return { status: 'traced', inputs: [], transformation };
  const seen = new Set<string>();
  const inputs: ColumnInput[] = [];
  let unknown = 0;
  let partial = false;
  for (const t of traces) {
    if (t.status === 'unknown') unknown++;
    if (t.status === 'partial') partial = true;
    for (const i of t.inputs) {
      const key = `${i.node}\u0000${i.column}`;
      if (!seen.has(key)) {
        seen.add(key);
        inputs.push(i);
      }
    }
  }
  inputs.sort((a, b) => a.node.localeCompare(b.node) || a.column.localeCompare(b.column));
  if (unknown === traces.length) return { ...UNKNOWN };
  return { status: unknown > 0 || partial ? 'partial' : 'traced', inputs, transformation };
}

const DATE_PARTS = new Set([
  'microsecond', 'millisecond', 'second', 'minute', 'hour', 'day', 'dayofweek', 'dayofyear', 'week', 'isoweek', 'month',
  'quarter', 'year', 'isoyear', 'date', 'time', 'datetime', 'days', 'weeks', 'months', 'years', 'hours', 'minutes', 'seconds',
]);
// Where a bare date-part keyword stands in each function: BigQuery puts it last, Snowflake and
// SQL Server first. The parser reads the keyword as a column; taking it for one would be a wrong edge.
const PART_LAST = new Set(['date_trunc', 'timestamp_trunc', 'datetime_trunc', 'time_trunc', 'last_day']);
const PART_THIRD = new Set(['date_diff', 'timestamp_diff', 'datetime_diff', 'time_diff']);
const PART_FIRST = new Set(['dateadd', 'datediff', 'timeadd', 'timediff', 'timestampadd', 'timestampdiff', 'date_part', 'datepart', 'datetrunc', 'datename']);

function functionName(expr: Ast): string {
  const name = isObj(expr.name) ? expr.name : {};
  const parts = Array.isArray(name.name) ? name.name.map(nameOf).filter((x): x is string => !!x) : [];
  return (parts[parts.length - 1] ?? nameOf(name.schema) ?? '').toLowerCase();
}

function isDatePart(arg: unknown): boolean {
  if (!isObj(arg)) return false;
  if (arg.type === 'column_ref' && !nameOf(arg.table)) return DATE_PARTS.has((nameOf(arg.column) ?? '').toLowerCase());
  return arg.type === 'origin' || arg.type === 'default';
}

function datePartFree(fn: string, args: unknown[]): unknown[] {
  const drop = (i: number) => args.filter((a, j) => j !== i || !isDatePart(a));
  if (PART_LAST.has(fn) && args.length === 2) return drop(1);
  if (PART_THIRD.has(fn) && args.length === 3) return drop(2);
  if (PART_FIRST.has(fn)) return drop(0);
  return args;
}

/** Column references of an expression; `null` when it holds something untraceable (a subquery). */
function refsOf(expr: unknown, out: Ast[], flags: { aggregate: boolean }): boolean {
  if (Array.isArray(expr)) return expr.every((e) => refsOf(e, out, flags));
  if (!isObj(expr)) return true;
  if (expr.type === 'column_ref') {
    out.push(expr);
    return true;
  }
  if (isObj(expr.ast) || expr.type === 'select') return false;
  if (expr.type === 'aggr_func') flags.aggregate = true;
  if (expr.type === 'function' && isObj(expr.args) && Array.isArray(expr.args.value)) {
    const args = datePartFree(functionName(expr), expr.args.value);
    if (!refsOf(args, out, flags)) return false;
    return Object.entries(expr).every(([k, v]) => k === 'args' || k === 'over' || k === 'loc' || refsOf(v, out, flags));
  }
  for (const [k, v] of Object.entries(expr)) {
    // A window's PARTITION BY / ORDER BY orders rows; it does not feed the value (INDIRECT lineage).
    if (k === 'over' || k === 'loc') continue;
    if (!refsOf(v, out, flags)) return false;
  }
  return true;
}

export interface ColumnLineageOptions {
  /** Compiled SQL of a node; the manifest's compiled_code when absent. */
  sqlOf?: (id: string) => string | undefined;
  /** Real columns of a relation (for example from the store), used before documented ones. */
  catalogColumns?: (id: string) => string[] | undefined;
}

const DIALECTS_BY_ADAPTER: Record<string, string[]> = {
  bigquery: ['bigquery'],
  snowflake: ['snowflake'],
  postgres: ['postgresql'],
  redshift: ['redshift', 'postgresql'],
  duckdb: ['postgresql'],
  trino: ['trino'],
  databricks: ['hive'],
  spark: ['hive'],
  mysql: ['mysql'],
  sqlite: ['sqlite'],
};
// MySQL reads "x" as a string, which would turn identifiers into constants: only for MySQL projects.
const FALLBACK_DIALECTS = ['postgresql', 'bigquery', 'snowflake', 'trino', 'sqlite'];

export class ColumnLineageIndex {
  private readonly parser = new Parser();
  private readonly memo = new Map<string, ModelColumnLineage>();
  private readonly inProgress = new Set<string>();

  constructor(
    private readonly graph: LineageGraph,
    private readonly options: ColumnLineageOptions = {},
  ) {}

  of(id: string): ModelColumnLineage {
    const cached = this.memo.get(id);
    if (cached) return cached;
    const result = this.compute(id);
    this.memo.set(id, result);
    return result;
  }

  /** Columns a relation is known to have (lower case), or undefined when unknown. */
  private columnsOfNode(id: string): Set<string> | undefined {
    const catalog = this.options.catalogColumns?.(id);
    if (catalog && catalog.length > 0) return new Set(catalog.map((c) => c.toLowerCase()));
    const node = this.graph.nodes.get(id);
    if (!node) return undefined;
    if ((node.type === 'model' || node.type === 'snapshot') && !this.inProgress.has(id)) {
      const own = this.of(id);
      if (own.complete && own.columns.length > 0) return new Set(own.columns.map((c) => c.name.toLowerCase()));
    }
    // Documented columns are a promise, not a fact, unless nothing else is known: use them only for
    // sources and seeds, whose SQL we cannot read.
    if ((node.type === 'source' || node.type === 'seed') && node.columns.length > 0) return new Set(node.columns.map((c) => c.name.toLowerCase()));
    return undefined;
  }

  private sqlOf(id: string): string | undefined {
    return this.options.sqlOf?.(id) ?? this.graph.nodes.get(id)?.compiledSql;
  }

  private parse(sql: string): Ast | undefined {
    const adapter = this.graph.adapter?.toLowerCase() ?? '';
    const dialects = [...(DIALECTS_BY_ADAPTER[adapter] ?? []), ...FALLBACK_DIALECTS];
    for (const database of [...new Set(dialects)]) {
      try {
        const ast = this.parser.astify(sql, { database }) as unknown;
        const list = Array.isArray(ast) ? ast : [ast];
        const select = [...list].reverse().find((s) => isObj(s) && s.type === 'select');
        if (isObj(select)) return select;
      } catch {
        // the next dialect may read it
      }
    }
    return undefined;
  }

  private compute(id: string): ModelColumnLineage {
    const node = this.graph.nodes.get(id);
    if (!node || (node.type !== 'model' && node.type !== 'snapshot')) return { columns: [], complete: false, note: 'Only models have SQL to trace.' };
    const sql = this.sqlOf(id);
    if (!sql) return { columns: [], complete: false, note: 'No compiled SQL: compile the project (or fix the model) to trace its columns.' };
    const ast = this.parse(sql);
    if (!ast) return { columns: [], complete: false, note: 'The SQL parser could not read this model: its columns are unknown.' };
    this.inProgress.add(id);
    try {
      const result = this.select(id, ast, new Map());
      const out: ModelColumnLineage = { columns: result.columns, complete: result.complete };
      if (!result.complete) out.note = 'Some columns come from * over a relation whose columns are unknown.';
      return out;
    } catch {
      return { columns: [], complete: false, note: 'This SQL uses a construct the lineage reader does not follow: its columns are unknown.' };
    } finally {
      this.inProgress.delete(id);
    }
  }

  /** A SELECT (with its WITH and UNION chain), in the CTEs visible from outside. */
  private select(modelId: string, ast: Ast, outerCtes: Map<string, Relation>): SelectResult {
    const ctes = new Map(outerCtes);
    for (const w of Array.isArray(ast.with) ? ast.with : []) {
      if (!isObj(w)) continue;
      const name = nameOf(w.name)?.toLowerCase();
      const stmt = isObj(w.stmt) ? (isObj(w.stmt.ast) ? w.stmt.ast : w.stmt) : undefined;
      if (!name || !stmt) continue;
      const r = this.select(modelId, stmt, ctes);
      let cols = r.columns;
      // WITH x (a, b) AS (...) renames the columns by position.
      const renamed = Array.isArray(w.columns) ? w.columns.map(nameOf) : [];
      if (renamed.length > 0 && renamed.every((n): n is string => !!n)) cols = cols.map((c, i) => ({ name: renamed[i] ?? c.name, trace: c.trace }));
      ctes.set(name, { kind: 'derived', derived: new Map(cols.map((c) => [c.name.toLowerCase(), c.trace])), open: !r.complete });
    }
    const first = this.simpleSelect(modelId, ast, ctes);
    let next = isObj(ast._next) ? ast._next : undefined;
    if (!next) return first;
    // UNION / INTERSECT / EXCEPT: columns line up by position; names come from the first branch.
    const branches = [first];
    while (next) {
      branches.push(this.simpleSelect(modelId, next, ctes));
      next = isObj(next._next) ? next._next : undefined;
    }
    const width = first.columns.length;
    const aligned = branches.every((b) => b.complete && b.columns.length === width);
    if (!aligned) return { columns: first.columns.map((c) => ({ name: c.name, trace: { ...UNKNOWN } })), complete: false };
    return {
      columns: first.columns.map((c, i) => {
        const traces = branches.map((b) => (b.columns[i] as { trace: ColumnTrace }).trace);
        const identity = traces.every((t) => t.transformation === 'IDENTITY');
        return { name: c.name, trace: merge(traces, identity ? 'IDENTITY' : traces.some((t) => t.transformation === 'AGGREGATION') ? 'AGGREGATION' : 'TRANSFORMATION') };
      }),
      complete: true,
    };
  }

  private relationFor(modelId: string, item: Ast, ctes: Map<string, Relation>): Relation {
    if (isObj(item.expr) && isObj(item.expr.ast)) {
      const r = this.select(modelId, item.expr.ast, ctes);
      return { kind: 'derived', derived: new Map(r.columns.map((c) => [c.name.toLowerCase(), c.trace])), open: !r.complete };
    }
    const rawTable = typeof item.table === 'string' ? item.table : undefined;
    if (!rawTable) return { kind: 'opaque' };
    // BigQuery's `project.dataset.table` may come back as one name.
    const parts = rawTable.split('.');
    const table = (parts.pop() as string).toLowerCase();
    const schema = (typeof item.db === 'string' ? item.db : typeof item.schema === 'string' ? item.schema : parts.pop())?.toLowerCase();
    const qualified = typeof item.db === 'string' || typeof item.schema === 'string' || parts.length > 0;
    if (!qualified) {
      const cte = ctes.get(table);
      if (cte) return cte;
    }
    const node = this.parentFor(modelId, table, schema);
    if (!node) return { kind: 'opaque' };
    const known = this.columnsOfNode(node);
    return known ? { kind: 'node', node, known } : { kind: 'node', node };
  }

  /** The parent of `modelId` stored as `table` (and `schema`, when that decides). Never a guess. */
  private parentFor(modelId: string, table: string, schema: string | undefined): string | undefined {
    const parents = this.graph.parents.get(modelId) ?? [];
    const ephemeral = table.startsWith('__dbt__cte__') ? table.slice('__dbt__cte__'.length) : undefined;
    const matches = parents.filter((p) => {
      const n = this.graph.nodes.get(p);
      if (!n) return false;
      if (ephemeral !== undefined) return n.name.toLowerCase() === ephemeral;
      return (n.relation ?? n.name).toLowerCase() === table;
    });
    if (matches.length <= 1) return matches[0];
    const bySchema = matches.filter((p) => this.graph.nodes.get(p)?.schema?.toLowerCase() === schema);
    return bySchema.length === 1 ? bySchema[0] : undefined;
  }

  private simpleSelect(modelId: string, ast: Ast, ctes: Map<string, Relation>): SelectResult {
    const scope: Scope = { entries: [] };
    for (const item of Array.isArray(ast.from) ? ast.from : []) {
      if (!isObj(item) || item.type === 'dual') continue;
      const rel = this.relationFor(modelId, item, ctes);
      const explicit = nameOf(item.as);
      const table = typeof item.table === 'string' ? item.table : '';
      const db = typeof item.db === 'string' ? item.db : typeof item.schema === 'string' ? item.schema : '';
      const alias = (explicit ?? (table.split('.').pop() as string)).toLowerCase();
      scope.entries.push({ alias, full: explicit ? undefined : (db ? `${db}.${table}` : table).toLowerCase(), rel });
    }
    const columns: Array<{ name: string; trace: ColumnTrace }> = [];
    let complete = true;
    const list = Array.isArray(ast.columns) ? ast.columns : ast.columns === '*' ? [{ expr: { type: 'column_ref', table: null, column: '*' } }] : [];
    for (const col of list) {
      if (!isObj(col)) continue;
      const expr = isObj(col.expr) ? col.expr : undefined;
      if (!expr) continue;
      if (expr.type === 'column_ref' && nameOf(expr.column) === '*') {
        const qualifier = nameOf(expr.table)?.toLowerCase();
        const entries = qualifier ? scope.entries.filter((e) => qualifies(e, qualifier)) : scope.entries;
        if (entries.length === 0) complete = false;
        for (const e of entries) {
          const expanded = this.expandStar(e.rel);
          if (!expanded) complete = false;
          else columns.push(...expanded);
        }
        continue;
      }
      const alias = nameOf(col.as);
      const name = alias ?? (expr.type === 'column_ref' ? nameOf(expr.column) : undefined);
      if (!name) {
        // An unnamed expression gets a name chosen by the warehouse: nothing downstream can name it reliably.
        complete = false;
        continue;
      }
      const refs: Ast[] = [];
      const flags = { aggregate: false };
      if (!refsOf(expr, refs, flags)) {
        columns.push({ name, trace: { ...UNKNOWN } });
        continue;
      }
      const traces = refs.map((r) => this.resolve(scope, r));
      // A bare column passes on what was done to it upstream (a CTE's sum stays an aggregation).
      const passed = expr.type === 'column_ref' && traces.length === 1 ? (traces[0]?.transformation ?? 'IDENTITY') : undefined;
      columns.push({ name, trace: merge(traces, passed ?? (flags.aggregate ? 'AGGREGATION' : 'TRANSFORMATION')) });
    }
    return { columns, complete };
  }

  private expandStar(rel: Relation): Array<{ name: string; trace: ColumnTrace }> | undefined {
    if (rel.kind === 'derived' && rel.derived && !rel.open) return [...rel.derived.entries()].map(([name, trace]) => ({ name, trace }));
    if (rel.kind === 'node' && rel.known && rel.node) {
      const node = rel.node;
      return [...rel.known].map((name) => ({ name, trace: { status: 'traced' as const, inputs: [{ node, column: name }], transformation: 'IDENTITY' as const } }));
    }
    return undefined;
  }

  private resolve(scope: Scope, ref: Ast): ColumnTrace {
    const column = nameOf(ref.column);
    if (!column) return { ...UNKNOWN };
    const lower = column.toLowerCase();
    const qualifier = nameOf(ref.table)?.toLowerCase();
    let candidates = qualifier ? scope.entries.filter((e) => qualifies(e, qualifier)) : scope.entries;
    if (!qualifier && candidates.length > 1) {
      // Unqualified with several relations: only when exactly one can have it and every other
      // is known not to have it.
      const has = candidates.filter((e) => this.mayHave(e.rel, lower) === true);
      const unsure = candidates.filter((e) => this.mayHave(e.rel, lower) === undefined);
      if (has.length === 1 && unsure.length === 0) candidates = has;
      else return { ...UNKNOWN };
    }
    if (candidates.length !== 1) return { ...UNKNOWN };
    const rel = (candidates[0] as { rel: Relation }).rel;
    if (rel.kind === 'derived') {
      const t = rel.derived?.get(lower);
      return t ? t : { ...UNKNOWN };
    }
    if (rel.kind === 'node' && rel.node) {
      if (rel.known && !rel.known.has(lower)) return { ...UNKNOWN };
      return { status: 'traced', inputs: [{ node: rel.node, column }], transformation: 'IDENTITY' };
    }
    return { ...UNKNOWN };
  }

  /** true: has the column; false: certainly has not; undefined: cannot tell. */
  private mayHave(rel: Relation, column: string): boolean | undefined {
    if (rel.kind === 'derived') {
      if (rel.derived?.has(column)) return true;
      return rel.open ? undefined : false;
    }
    if (rel.kind === 'node' && rel.known) return rel.known.has(column);
    return undefined;
  }
}
