import { SQL_FUNCTIONS, STRFTIME_ELEMENTS } from './sqlFunctions';
import { matchingParen, splitArguments, tokenizeSql } from './sqlTokenizer';
import type { SqlToken } from './sqlTokenizer';

/**
 * The small rewrite that lets the seed articles' BigQuery SQL run on SQLite. It rewrites only what
 * SQLite cannot parse or would silently get wrong (a bare `DAY` date part, `INTERVAL n DAY`,
 * `CURRENT_DATE()`, `COUNTIF`, `CAST(x AS STRING)`, ...); functions that SQLite can parse as calls
 * (`TIMESTAMP_SECONDS`, `SAFE_DIVIDE`, ...) are registered SQL functions instead (sqlFunctions.ts).
 * Warehouse-only constructs that have no faithful SQLite meaning are reported, never guessed.
 *
 * The output keeps every newline of the input in place, so that line numbers in the compiled SQL
 * still map to the source file.
 */
export interface RewriteProblem {
  /** Offset in the input SQL. */
  offset: number;
  construct: string;
  message: string;
}

export interface RewriteResult {
  sql: string;
  problems: RewriteProblem[];
}

export interface RewriteOptions {
  /**
   * Truncate dates with SQLite's own date() modifiers where an exact equivalent exists (DAY, WEEK,
   * MONTH, YEAR) instead of calling the registered JavaScript function: the same answer without a
   * call from WebAssembly into JavaScript per row. On by default; the benchmark turns it off to
   * measure the difference.
   */
  nativeDates?: boolean;
  /**
   * Evaluate calls of the registered functions whose arguments are all literals once, here
   * (`TIMESTAMP_SECONDS(1549497600)` becomes '2019-02-07T00:00:00.000Z'): sql.js cannot mark a
   * JavaScript function deterministic, so SQLite would call it again for every row. On by default.
   */
  foldConstants?: boolean;
}

const PURE_FUNCTIONS = new Map(SQL_FUNCTIONS.filter((f) => !/current|now/.test(f.name)).map((f) => [f.name, f.fn]));

const DATE_PARTS = new Set([
  'MICROSECOND', 'MILLISECOND', 'SECOND', 'MINUTE', 'HOUR', 'DAY', 'DAYOFWEEK', 'DAYOFYEAR', 'WEEK', 'ISOWEEK',
  'MONTH', 'QUARTER', 'YEAR', 'ISOYEAR', 'DATE', 'TIME',
]);

/** Warehouse-only constructs, named in the error; the value says what to do instead. */
const UNSUPPORTED_WORDS: Record<string, string> = {
  QUALIFY: 'filter a window function in an outer query instead',
  UNNEST: 'arrays do not exist in SQLite; keep one row per element in the raw table',
  STRUCT: 'structs do not exist in SQLite; select separate columns',
  ARRAY_AGG: 'use GROUP_CONCAT or STRING_AGG',
  ARRAY_CONCAT_AGG: 'arrays do not exist in SQLite',
  ARRAY_LENGTH: 'arrays do not exist in SQLite',
  GENERATE_DATE_ARRAY: 'use a recursive CTE to generate dates',
  GENERATE_TIMESTAMP_ARRAY: 'use a recursive CTE to generate timestamps',
  GENERATE_ARRAY: 'use a recursive CTE',
  APPROX_QUANTILES: 'no approximate aggregates in SQLite',
  APPROX_TOP_COUNT: 'no approximate aggregates in SQLite',
  HLL_COUNT: 'no sketches in SQLite',
  PIVOT: 'write the pivot with CASE expressions',
  UNPIVOT: 'write the unpivot with UNION ALL',
  TABLESAMPLE: 'no sampling clause in SQLite',
  MERGE: 'models are SELECT statements; use an incremental model with unique_key',
  DECLARE: 'scripting is not supported; use Jinja variables',
  FLATTEN: 'arrays do not exist in SQLite',
  SPLIT: 'arrays do not exist in SQLite',
  FARM_FINGERPRINT: 'no fingerprint function in SQLite',
  _TABLE_SUFFIX: 'wildcard tables do not exist in SQLite',
};

interface Rewriter {
  toks: SqlToken[];
  problems: RewriteProblem[];
  opts: Required<RewriteOptions>;
  qualify: QualifyPlans;
}

/**
 * BigQuery's `SELECT ... QUALIFY cond` filters rows on a window function after the window is
 * computed. SQLite has no QUALIFY, so the SELECT is wrapped: the condition becomes a column of the
 * inner SELECT (window functions are allowed in a select list) and the outer SELECT keeps the rows
 * where it is true:
 *
 *   SELECT /*cm_qualify*\/ * FROM (SELECT <list>, (cond) AS "__cm_qualify_1" FROM ...) WHERE "__cm_qualify_1"
 *
 * The outer `*` would also return the helper column, and SQLite cannot exclude a column from `*`, so
 * the marked `*` is replaced by the inner SELECT's own column names once a database is at hand
 * (resolveQualifyColumns). `SELECT DISTINCT` moves outside, as BigQuery applies DISTINCT after QUALIFY.
 */
interface QualifyPlan {
  n: number;
  select: number;
  distinct: number;
  from: number;
  qualify: number;
  end: number;
}
interface QualifyPlans {
  bySelect: Map<number, QualifyPlan>;
  byFrom: Map<number, QualifyPlan>;
  byQualify: Map<number, QualifyPlan>;
  skip: Set<number>;
}

export const QUALIFY_MARKER = '/*cm_qualify*/';
const QUALIFY_COLUMN = /^__cm_qualify_\d+(:\d+)?$/;
const QUALIFY_STOP = new Set(['ORDER', 'LIMIT', 'WINDOW', 'UNION', 'INTERSECT', 'EXCEPT']);

function planQualify(toks: SqlToken[], problems: RewriteProblem[]): QualifyPlans {
  const plans: QualifyPlans = { bySelect: new Map(), byFrom: new Map(), byQualify: new Map(), skip: new Set() };
  const depth: number[] = new Array<number>(toks.length);
  const openOf: number[] = new Array<number>(toks.length);
  const stack: number[] = [];
  let any = false;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i] as SqlToken;
    if (t.kind === 'punct' && t.text === ')') stack.pop();
    depth[i] = stack.length;
    openOf[i] = stack.length ? (stack[stack.length - 1] as number) : -1;
    if (t.kind === 'punct' && t.text === '(') stack.push(i);
    if (t.kind === 'word' && t.text.toUpperCase() === 'QUALIFY') any = true;
  }
  if (!any) return plans;
  let n = 0;
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k] as SqlToken;
    if (t.kind !== 'word' || t.text.toUpperCase() !== 'QUALIFY') continue;
    const prev = prevSignificant(toks, k - 1);
    if (prev >= 0 && (toks[prev] as SqlToken).text === '.') continue;
    const d = depth[k] as number;
    const open = openOf[k] as number;
    let select = -1;
    let from = -1;
    for (let i = k - 1; i > open; i--) {
      const u = toks[i] as SqlToken;
      if (depth[i] !== d || u.kind !== 'word') continue;
      const up = u.text.toUpperCase();
      if (up === 'FROM') from = i;
      if (up === 'SELECT') {
        select = i;
        break;
      }
    }
    if (select < 0) {
      problems.push({ offset: t.start, construct: 'QUALIFY', message: `QUALIFY is warehouse-only SQL that SQLite cannot run here (no SELECT found before it): ${UNSUPPORTED_WORDS.QUALIFY}` });
      continue;
    }
    let end = k + 1;
    for (; end < toks.length; end++) {
      const u = toks[end] as SqlToken;
      if (u.kind === 'punct' && (u.text === ';' || (u.text === ')' && depth[end] === d - 1)) && (depth[end] as number) <= d) break;
      if (depth[end] !== d || u.kind !== 'word') continue;
      const up = u.text.toUpperCase();
      if (QUALIFY_STOP.has(up) && (up !== 'ORDER' || (toks[nextSignificant(toks, end + 1)] as SqlToken | undefined)?.text.toUpperCase() === 'BY')) break;
    }
    // Keep the spaces before the stop word outside the condition.
    while (end - 1 > k && ['space', 'comment'].includes((toks[end - 1] as SqlToken).kind)) end--;
    const afterSelect = nextSignificant(toks, select + 1, k);
    const distinct = afterSelect >= 0 && (toks[afterSelect] as SqlToken).text.toUpperCase() === 'DISTINCT' ? afterSelect : -1;
    const plan: QualifyPlan = { n: ++n, select, distinct, from, qualify: k, end };
    plans.bySelect.set(select, plan);
    if (from >= 0) plans.byFrom.set(from, plan);
    plans.byQualify.set(k, plan);
    if (distinct >= 0) plans.skip.add(distinct);
  }
  return plans;
}

/** The condition of a QUALIFY, rewritten, on one line (its comments dropped). */
function qualifyCondition(r: Rewriter, plan: QualifyPlan): string {
  const text = rewriteRange(r, plan.qualify + 1, plan.end);
  return tokenizeSql(text)
    .filter((t) => t.kind !== 'comment')
    .map((t) => (t.kind === 'space' ? ' ' : t.text))
    .join('')
    .trim();
}

/**
 * The probes that give the column names of each QUALIFY wrapper's inner SELECT: a statement that
 * selects `*` from it, behind the CTEs it may read. Each probe's columns (minus the helper columns)
 * replace the marked `*` (applyQualifyColumns).
 */
export function qualifyProbes(sql: string): Array<{ marker: number; probe: string }> {
  if (!sql.includes(QUALIFY_MARKER)) return [];
  const toks = tokenizeSql(sql);
  // The statement's leading WITH: the spans of its CTE bodies.
  const ctes: Array<{ start: number; open: number; close: number }> = [];
  let withStart = -1;
  let i = nextSignificant(toks, 0);
  if (i >= 0 && (toks[i] as SqlToken).text.toUpperCase() === 'WITH') {
    withStart = i;
    i = nextSignificant(toks, i + 1);
    if (i >= 0 && (toks[i] as SqlToken).text.toUpperCase() === 'RECURSIVE') i = nextSignificant(toks, i + 1);
    while (i >= 0) {
      const start = i;
      // name [(cols)] AS [NOT] [MATERIALIZED] ( body )
      let j = nextSignificant(toks, i + 1);
      if (j >= 0 && (toks[j] as SqlToken).text === '(') j = nextSignificant(toks, matchingParen(toks, j) + 1);
      while (j >= 0 && (toks[j] as SqlToken).kind === 'word') j = nextSignificant(toks, j + 1);
      if (j < 0 || (toks[j] as SqlToken).text !== '(') break;
      const close = matchingParen(toks, j);
      if (close < 0) break;
      ctes.push({ start, open: j, close });
      const after = nextSignificant(toks, close + 1);
      if (after < 0 || (toks[after] as SqlToken).text !== ',') break;
      i = nextSignificant(toks, after + 1);
    }
  }
  const out: Array<{ marker: number; probe: string }> = [];
  for (let m = 0; m < toks.length; m++) {
    const t = toks[m] as SqlToken;
    if (t.kind !== 'comment' || t.text !== QUALIFY_MARKER) continue;
    // Marker, `*`, FROM, `(`: the inner SELECT is inside those parentheses.
    const star = nextSignificant(toks, m + 1);
    const fromKw = nextSignificant(toks, star + 1);
    const open = nextSignificant(toks, fromKw + 1);
    if (open < 0 || (toks[open] as SqlToken).text !== '(') continue;
    const close = matchingParen(toks, open);
    if (close < 0) continue;
    const inner = textOf(toks, open + 1, close);
    let prefix = '';
    if (withStart >= 0 && ctes.length > 0) {
      const within = ctes.findIndex((c) => m > c.open && m < c.close);
      const upto = within < 0 ? ctes.length : within;
      if (upto > 0) {
        const head = textOf(toks, withStart, (ctes[0] as { start: number }).start);
        prefix = `${head}${ctes.slice(0, upto).map((c) => textOf(toks, c.start, c.close + 1)).join(',\n')}\n`;
      }
    }
    out.push({ marker: t.start, probe: `${prefix}SELECT * FROM (${inner})` });
  }
  return out;
}

/** Replaces each marked `*` by the columns found for its probe (helper columns left out). */
export function applyQualifyColumns(sql: string, columns: Map<number, string[]>): string {
  let out = sql;
  const markers = [...columns.keys()].sort((a, b) => b - a);
  for (const at of markers) {
    const names = (columns.get(at) as string[]).filter((c) => !QUALIFY_COLUMN.test(c));
    if (names.length === 0) continue;
    const star = out.indexOf('*', at + QUALIFY_MARKER.length);
    if (star < 0) continue;
    out = `${out.slice(0, at)}${names.map((c) => `"${c.replace(/"/g, '""')}"`).join(', ')}${out.slice(star + 1)}`;
  }
  return out;
}

export function rewriteForSqlite(sql: string, options: RewriteOptions = {}): RewriteResult {
  const toks = tokenizeSql(sql);
  const problems: RewriteProblem[] = [];
  const r: Rewriter = { toks, problems, opts: { nativeDates: options.nativeDates ?? true, foldConstants: options.foldConstants ?? options.nativeDates ?? true }, qualify: planQualify(toks, problems) };
  const out = rewriteRange(r, 0, toks.length);
  return { sql: out, problems: r.problems };
}

function nextSignificant(toks: SqlToken[], from: number, limit = toks.length): number {
  for (let i = from; i < limit; i++) {
    const k = (toks[i] as SqlToken).kind;
    if (k !== 'space' && k !== 'comment') return i;
  }
  return -1;
}

function prevSignificant(toks: SqlToken[], from: number): number {
  for (let i = from; i >= 0; i--) {
    const k = (toks[i] as SqlToken).kind;
    if (k !== 'space' && k !== 'comment') return i;
  }
  return -1;
}

function textOf(toks: SqlToken[], from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += (toks[i] as SqlToken).text;
  return s;
}

/** A replacement for a span that dropped text: the dropped newlines are appended to keep lines. */
function keepLines(replacement: string, original: string): string {
  const missing = (original.match(/\n/g) ?? []).length - (replacement.match(/\n/g) ?? []).length;
  return missing > 0 ? replacement + '\n'.repeat(missing) : replacement;
}

/** The bare date part of an argument (`DAY`, `'day'`, `WEEK(MONDAY)`), upper-cased, or undefined. */
function datePartOf(r: Rewriter, from: number, to: number): string | undefined {
  const sig: SqlToken[] = [];
  for (let i = from; i < to; i++) {
    const t = r.toks[i] as SqlToken;
    if (t.kind !== 'space' && t.kind !== 'comment') sig.push(t);
  }
  const first = sig[0];
  if (!first) return undefined;
  if (sig.length === 1 && first.kind === 'word' && DATE_PARTS.has(first.text.toUpperCase())) return first.text.toUpperCase();
  if (sig.length === 1 && first.kind === 'string') {
    const p = first.text.slice(1, -1).toUpperCase();
    return DATE_PARTS.has(p) ? p : undefined;
  }
  // WEEK(MONDAY) and friends: weeks that start on another day.
  if (sig.length === 4 && first.text.toUpperCase() === 'WEEK' && sig[1]?.text === '(' && sig[3]?.text === ')') {
    return `WEEK(${(sig[2] as SqlToken).text.toUpperCase()})`;
  }
  return undefined;
}

function rewriteRange(r: Rewriter, from: number, to: number): string {
  const { toks } = r;
  let out = '';
  for (let i = from; i < to; i++) {
    const t = toks[i] as SqlToken;
    if (t.kind === 'backtick') {
      // `project.dataset.table` names a warehouse object; a single backticked name is fine in SQLite.
      if (t.text.slice(1, -1).includes('.')) {
        r.problems.push({ offset: t.start, construct: t.text, message: `the BigQuery table path ${t.text} does not exist in the store; use {{ source(...) }} or {{ ref(...) }}` });
      }
      out += t.text;
      continue;
    }
    if (t.kind === 'punct' && t.text === ':' && toks[i + 1]?.text === ':') {
      r.problems.push({ offset: t.start, construct: '::', message: "the '::' cast is not SQLite; use CAST(x AS type)" });
    }
    if (t.kind === 'punct' && t.text === ',') {
      // BigQuery accepts a trailing comma at the end of a select list (`max(x) AS m,\nFROM t`).
      const after = nextSignificant(toks, i + 1, to);
      if (after >= 0 && (toks[after] as SqlToken).kind === 'word' && (toks[after] as SqlToken).text.toUpperCase() === 'FROM') {
        out += ' ';
        continue;
      }
    }
    if (t.kind !== 'word') {
      out += t.text;
      continue;
    }
    if (r.qualify.skip.has(i)) continue;
    const plan = r.qualify.bySelect.get(i) ?? r.qualify.byFrom.get(i) ?? r.qualify.byQualify.get(i);
    if (plan) {
      const column = `"__cm_qualify_${plan.n}"`;
      if (plan.select === i) {
        out += `${t.text}${plan.distinct >= 0 ? ' DISTINCT' : ''} ${QUALIFY_MARKER} * FROM (${t.text}`;
        continue;
      }
      if (plan.from === i) {
        out += `, (${qualifyCondition(r, plan)}) AS ${column} ${t.text}`;
        continue;
      }
      const cond = plan.from < 0 ? `, (${qualifyCondition(r, plan)}) AS ${column}` : '';
      out += keepLines(`${cond}) WHERE ${column}`, textOf(toks, i, plan.end));
      i = plan.end - 1;
      continue;
    }
    const upper = t.text.toUpperCase();
    const next = nextSignificant(toks, i + 1, to);
    const isCall = next >= 0 && (toks[next] as SqlToken).text === '(';
    const prev = prevSignificant(toks, i - 1);
    const afterDot = prev >= 0 && (toks[prev] as SqlToken).text === '.';

    if (!afterDot && upper in UNSUPPORTED_WORDS && upper !== 'QUALIFY' && (isCall || !['SPLIT', 'FLATTEN', 'MERGE', 'DECLARE'].includes(upper))) {
      r.problems.push({ offset: t.start, construct: upper, message: `${upper} is warehouse-only SQL that SQLite cannot run: ${UNSUPPORTED_WORDS[upper]}` });
    }
    if (upper === 'SAFE' && next >= 0 && (toks[next] as SqlToken).text === '.') {
      r.problems.push({ offset: t.start, construct: 'SAFE.', message: 'the BigQuery SAFE. prefix is not supported; SQLite functions return NULL on bad input already' });
    }
    if (upper === 'ARRAY' && next >= 0 && ['(', '[', '<'].includes((toks[next] as SqlToken).text)) {
      r.problems.push({ offset: t.start, construct: 'ARRAY', message: 'arrays do not exist in SQLite' });
    }
    if ((upper === 'EXCEPT' || upper === 'REPLACE') && isCall && prev >= 0 && (toks[prev] as SqlToken).text === '*') {
      r.problems.push({ offset: t.start, construct: `SELECT * ${upper}`, message: `SELECT * ${upper}(...) is BigQuery-only; list the columns` });
    }
    const following = toks[i + 1];
    // BigQuery literals: DATE '2021-01-01', TIMESTAMP '...', and raw strings r'\d+'.
    if (next >= 0 && (toks[next] as SqlToken).kind === 'string' && !afterDot) {
      const lit = (toks[next] as SqlToken).text;
      if (upper === 'DATE') {
        out += keepLines(`date(${lit})`, textOf(toks, i, next + 1));
        i = next;
        continue;
      }
      if (upper === 'TIMESTAMP' || upper === 'DATETIME') {
        out += keepLines(`timestamp(${lit})`, textOf(toks, i, next + 1));
        i = next;
        continue;
      }
      if ((upper === 'R' || upper === 'RB') && following?.kind === 'string') {
        continue;
      }
    }
    if (upper === 'ILIKE') {
      // SQLite's LIKE already ignores ASCII case.
      out += 'LIKE';
      continue;
    }
    if (!isCall || afterDot) {
      out += t.text;
      continue;
    }
    const close = matchingParen(toks, next);
    if (close < 0) {
      out += t.text;
      continue;
    }
    const replaced = rewriteCall(r, upper, next, close);
    if (replaced === undefined) {
      out += t.text;
      continue;
    }
    out += keepLines(replaced, textOf(toks, i, close + 1));
    i = close;
  }
  return out;
}

/** Rewrites one call `NAME( ... )` spanning tokens [nameIdx, close]; undefined leaves it as is. */
function rewriteCall(r: Rewriter, name: string, open: number, close: number): string | undefined {
  const { toks } = r;
  const args = splitArguments(toks, open, close);
  const arg = (k: number): string => {
    const a = args[k];
    return a ? rewriteRange(r, a.from, a.to) : '';
  };
  const argCount = args.length;
  switch (name) {
    case 'DATE_TRUNC':
    case 'DATETIME_TRUNC':
    case 'TIMESTAMP_TRUNC': {
      if (argCount !== 2) return undefined;
      const a0 = args[0] as { from: number; to: number };
      const a1 = args[1] as { from: number; to: number };
      // BigQuery writes (value, PART); Postgres and Snowflake write ('part', value).
      let part = datePartOf(r, a1.from, a1.to);
      let value = arg(0);
      if (!part) {
        part = datePartOf(r, a0.from, a0.to);
        if (!part) return undefined;
        value = arg(1);
      }
      const fn = name === 'TIMESTAMP_TRUNC' ? 'timestamp_trunc' : name === 'DATETIME_TRUNC' ? 'datetime_trunc' : 'date_trunc';
      if (fn === 'date_trunc' && r.opts.nativeDates) {
        const v = value.trim();
        if (part === 'DAY') return `date(${v})`;
        if (part === 'MONTH') return `date(${v}, 'start of month')`;
        if (part === 'YEAR') return `date(${v}, 'start of year')`;
        if (part === 'WEEK' || part === 'WEEK(SUNDAY)') return `date(${v}, '-' || strftime('%w', ${v}) || ' days')`;
        if (part === 'ISOWEEK' || part === 'WEEK(MONDAY)') return `date(${v}, '-' || ((strftime('%w', ${v}) + 6) % 7) || ' days')`;
      }
      return `${fn}(${value}, '${part}')`;
    }
    case 'DATE_ADD':
    case 'DATE_SUB':
    case 'DATETIME_ADD':
    case 'DATETIME_SUB':
    case 'TIMESTAMP_ADD':
    case 'TIMESTAMP_SUB': {
      if (argCount !== 2) return undefined;
      const a1 = args[1] as { from: number; to: number };
      const first = nextSignificant(toks, a1.from, a1.to);
      if (first < 0 || (toks[first] as SqlToken).text.toUpperCase() !== 'INTERVAL') return undefined;
      // INTERVAL <amount> <PART>: the part is the last significant token of the argument.
      const last = prevSignificant(toks, a1.to - 1);
      const part = (toks[last] as SqlToken).text.toUpperCase();
      if (!DATE_PARTS.has(part) || last <= first) return undefined;
      const amount = rewriteRange(r, first + 1, last);
      return `${name.toLowerCase()}(${arg(0)}, ${amount.trim()}, '${part}')`;
    }
    case 'DATE_DIFF':
    case 'DATETIME_DIFF':
    case 'TIMESTAMP_DIFF': {
      if (argCount !== 3) return undefined;
      const a2 = args[2] as { from: number; to: number };
      const part = datePartOf(r, a2.from, a2.to);
      if (!part) return undefined;
      return `${name.toLowerCase()}(${arg(0)}, ${arg(1)}, '${part}')`;
    }
    case 'EXTRACT': {
      // EXTRACT(PART FROM value)
      const first = nextSignificant(toks, open + 1, close);
      const fromKw = nextSignificant(toks, first + 1, close);
      if (first < 0 || fromKw < 0 || (toks[fromKw] as SqlToken).text.toUpperCase() !== 'FROM') return undefined;
      const part = (toks[first] as SqlToken).text.toUpperCase();
      if (!DATE_PARTS.has(part)) return undefined;
      return `bq_extract('${part}', ${rewriteRange(r, fromKw + 1, close).trim()})`;
    }
    case 'CURRENT_DATE':
      return argCount === 0 ? 'CURRENT_DATE' : undefined;
    case 'CURRENT_TIMESTAMP':
    case 'CURRENT_DATETIME':
      return argCount === 0 ? 'bq_current_timestamp()' : undefined;
    case 'APPROX_COUNT_DISTINCT':
      // An exact count is a valid answer to an approximate one.
      return argCount === 1 ? `COUNT(DISTINCT ${arg(0).trim()})` : undefined;
    case 'COUNTIF':
      return argCount === 1 ? `COUNT(CASE WHEN (${arg(0)}) THEN 1 END)` : undefined;
    case 'LOGICAL_OR':
      return argCount === 1 ? `MAX((${arg(0)}) <> 0)` : undefined;
    case 'LOGICAL_AND':
      return argCount === 1 ? `MIN((${arg(0)}) <> 0)` : undefined;
    case 'ANY_VALUE':
      return argCount === 1 ? `MAX(${arg(0)})` : undefined;
    case 'GREATEST':
      // SQLite's many-argument max() and min() are the scalar GREATEST and LEAST.
      return argCount >= 2 ? `max(${args.map((_, k) => arg(k)).join(',')})` : undefined;
    case 'LEAST':
      return argCount >= 2 ? `min(${args.map((_, k) => arg(k)).join(',')})` : undefined;
    case 'STRING_AGG':
      return argCount >= 1 && argCount <= 2 ? `GROUP_CONCAT(${args.map((_, k) => arg(k)).join(',')})` : undefined;
    case 'FORMAT_DATE':
    case 'FORMAT_TIMESTAMP':
    case 'FORMAT_DATETIME':
    {
      if (argCount !== 2) return undefined;
      // strftime() returns NULL for an element it does not know (`%a`, `%b`, ...): those formats go
      // to the JavaScript implementation; the others stay in SQLite (no call into JavaScript per row).
      const fmt = significantTokens(r, args[0] as { from: number; to: number });
      const literal = fmt.length === 1 && (fmt[0] as SqlToken).kind === 'string' ? (fmt[0] as SqlToken).text.slice(1, -1) : undefined;
      const native = literal !== undefined && [...literal.matchAll(/%(.)/g)].every((m) => STRFTIME_ELEMENTS.has(m[1] as string));
      return `${native ? 'strftime' : 'bq_format_time'}(${arg(0)},${arg(1)})`;
    }
    case 'CAST':
    case 'SAFE_CAST':
      return rewriteCast(r, open, close);
    default:
      return r.opts.foldConstants ? foldConstantCall(r, name, args) : undefined;
  }
}

function significantTokens(r: Rewriter, a: { from: number; to: number }): SqlToken[] {
  const sig: SqlToken[] = [];
  for (let i = a.from; i < a.to; i++) {
    const t = r.toks[i] as SqlToken;
    if (t.kind !== 'space' && t.kind !== 'comment') sig.push(t);
  }
  return sig;
}

/** A call of a pure registered function on literals only, evaluated now; undefined otherwise. */
function foldConstantCall(r: Rewriter, name: string, args: Array<{ from: number; to: number }>): string | undefined {
  const fn = PURE_FUNCTIONS.get(name.toLowerCase());
  if (!fn || fn.length !== args.length) return undefined;
  const values: Array<string | number> = [];
  for (const a of args) {
    const sig: SqlToken[] = [];
    for (let i = a.from; i < a.to; i++) {
      const t = r.toks[i] as SqlToken;
      if (t.kind !== 'space' && t.kind !== 'comment') sig.push(t);
    }
    const only = sig.length === 1 ? sig[0] : sig.length === 2 && sig[0]?.text === '-' && sig[1]?.kind === 'number' ? { kind: 'number' as const, text: `-${sig[1].text}` } : undefined;
    if (!only) return undefined;
    if (only.kind === 'number' && Number.isFinite(Number(only.text))) values.push(Number(only.text));
    else if (only.kind === 'string') values.push(only.text.slice(1, -1).replace(/''/g, "'"));
    else return undefined;
  }
  const result = fn(...values);
  if (result === null) return 'NULL';
  return typeof result === 'number' ? String(result) : `'${result.replace(/'/g, "''")}'`;
}

/** CAST(x AS STRING) would give SQLite's NUMERIC affinity; map BigQuery's type names. */
function rewriteCast(r: Rewriter, open: number, close: number): string | undefined {
  const { toks } = r;
  let depth = 0;
  let asIdx = -1;
  for (let i = open + 1; i < close; i++) {
    const t = toks[i] as SqlToken;
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0 && t.kind === 'word' && t.text.toUpperCase() === 'AS') asIdx = i;
  }
  if (asIdx < 0) return undefined;
  const value = rewriteRange(r, open + 1, asIdx).trim();
  const typeText = textOf(toks, asIdx + 1, close).trim();
  const type = typeText.toUpperCase().replace(/\(.*\)$/, '').trim();
  switch (type) {
    case 'STRING':
    case 'TEXT':
    case 'VARCHAR':
      return `CAST(${value} AS TEXT)`;
    case 'INT64':
    case 'INT':
    case 'INTEGER':
    case 'BIGINT':
    case 'SMALLINT':
    case 'BOOL':
    case 'BOOLEAN':
      return `CAST(${value} AS INTEGER)`;
    case 'FLOAT64':
    case 'FLOAT':
    case 'DOUBLE':
    case 'NUMERIC':
    case 'BIGNUMERIC':
    case 'DECIMAL':
      return `CAST(${value} AS REAL)`;
    case 'DATE':
      return `date(${value})`;
    case 'TIMESTAMP':
    case 'DATETIME':
      return `timestamp(${value})`;
    case 'BYTES':
      return `CAST(${value} AS BLOB)`;
    default:
      return `CAST(${value} AS ${typeText})`;
  }
}

/**
 * BigQuery reads a STRUCT field as `column.field` (the seed's `file.project`). A store keeps such a
 * column as JSON text, so once SQLite says `no such column: file.project` the qualifier is known to
 * be a column, not a table, and its fields are read with json_extract.
 */
export function rewriteStructAccess(sql: string, qualifier: string): string {
  const toks = tokenizeSql(sql);
  let out = '';
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i] as SqlToken;
    const dot = toks[i + 1];
    const field = toks[i + 2];
    const before = prevSignificant(toks, i - 1);
    if (
      t.kind === 'word' && t.text.toLowerCase() === qualifier.toLowerCase() && dot?.text === '.' && field?.kind === 'word' &&
      !(before >= 0 && (toks[before] as SqlToken).text === '.')
    ) {
      // A chain reads nested fields: payload.pull_request.head -> '$.pull_request.head'.
      const fields = [field.text];
      i += 2;
      while (toks[i + 1]?.text === '.' && toks[i + 2]?.kind === 'word') {
        fields.push((toks[i + 2] as SqlToken).text);
        i += 2;
      }
      out += `json_extract(${t.text}, '$.${fields.join('.')}')`;
      continue;
    }
    out += t.text;
  }
  return out;
}
