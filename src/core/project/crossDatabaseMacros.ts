/**
 * dbt's cross-database macros (`dbt.date_trunc`, `dbt.dateadd`, ...), rendered for SQLite with the
 * conventions of sqlFunctions.ts (dates as 'YYYY-MM-DD', timestamps as ISO-8601 UTC text). The
 * same functions back the `dbt_utils` names that older projects still call.
 */
type Macro = (...args: unknown[]) => string;

const s = (v: unknown): string => String(v ?? '').trim();
const unit = (v: unknown): string => s(v).replace(/^['"]|['"]$/g, '').toUpperCase();

/** A literal number stays inline; an expression is evaluated by SQLite. */
function amountSql(v: unknown, factor = 1): string {
  const text = s(v);
  if (/^-?\d+$/.test(text)) return String(Number(text) * factor);
  return factor === 1 ? `(${text})` : `((${text}) * ${factor})`;
}

export function dateTruncSql(datepart: unknown, date: unknown): string {
  const part = unit(datepart);
  const d = s(date);
  switch (part) {
    case 'DAY':
      return `date(${d})`;
    case 'MONTH':
      return `date(${d}, 'start of month')`;
    case 'YEAR':
      return `date(${d}, 'start of year')`;
    case 'WEEK':
      // dbt's default week starts on Monday on most warehouses.
      return `date(${d}, '-' || ((strftime('%w', ${d}) + 6) % 7) || ' days')`;
    case 'HOUR':
      return `strftime('%Y-%m-%dT%H:00:00.000Z', ${d})`;
    case 'MINUTE':
      return `strftime('%Y-%m-%dT%H:%M:00.000Z', ${d})`;
    default:
      return `date_trunc(${d}, '${part}')`;
  }
}

export function dateaddSql(datepart: unknown, interval: unknown, from: unknown): string {
  const part = unit(datepart);
  const modifiers: Record<string, [string, number]> = {
    SECOND: ['seconds', 1], MINUTE: ['minutes', 1], HOUR: ['hours', 1], DAY: ['days', 1], WEEK: ['days', 7],
    MONTH: ['months', 1], QUARTER: ['months', 3], YEAR: ['years', 1],
  };
  const m = modifiers[part];
  if (!m) return `timestamp_add(${s(from)}, ${amountSql(interval)}, '${part}')`;
  return `strftime('%Y-%m-%dT%H:%M:%fZ', ${s(from)}, printf('%+d ${m[0]}', ${amountSql(interval, m[1])}))`;
}

export function datediffSql(first: unknown, second: unknown, datepart: unknown): string {
  return `date_diff(${s(second)}, ${s(first)}, '${unit(datepart)}')`;
}

export function sqliteType(type: unknown): string {
  const t = s(type).toLowerCase();
  if (/^(string|text|varchar|char|character varying)/.test(t)) return 'text';
  if (/^(int|integer|bigint|smallint|int64|bool|boolean)/.test(t)) return 'integer';
  if (/^(float|double|real|float64|numeric|decimal|bignumeric)/.test(t)) return 'real';
  return t || 'text';
}

const quoteLiteral = (v: unknown) => `'${String(v).replace(/'/g, "''")}'`;

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

export const CROSS_DATABASE_MACROS: Record<string, Macro> = {
  date_trunc: (datepart, date) => dateTruncSql(datepart, date),
  dateadd: (datepart, interval, from) => dateaddSql(datepart, interval, from),
  datediff: (first, second, datepart) => datediffSql(first, second, datepart),
  last_day: (date, datepart) => (unit(datepart) === 'YEAR' ? `date(${s(date)}, 'start of year', '+1 year', '-1 day')` : `date(${s(date)}, 'start of month', '+1 month', '-1 day')`),
  safe_cast: (field, type) => `cast(${s(field)} as ${sqliteType(type)})`,
  cast: (field, type) => `cast(${s(field)} as ${sqliteType(type)})`,
  concat: (fields) => list(fields).map(s).join(' || '),
  hash: (field) => `md5(cast(${s(field)} as text))`,
  current_timestamp: () => 'bq_current_timestamp()',
  current_timestamp_backcompat: () => 'bq_current_timestamp()',
  current_timestamp_in_utc_backcompat: () => 'bq_current_timestamp()',
  type_string: () => 'text',
  type_int: () => 'integer',
  type_bigint: () => 'integer',
  type_float: () => 'real',
  type_numeric: () => 'numeric',
  type_timestamp: () => 'timestamp',
  type_boolean: () => 'integer',
  string_literal: (v) => quoteLiteral(v),
  escape_single_quotes: (v) => String(v).replace(/'/g, "''"),
  listagg: (measure, delimiter) => `group_concat(${s(measure)}${delimiter === undefined ? '' : `, ${s(delimiter)}`})`,
  bool_or: (expr) => `max(${s(expr)})`,
  any_value: (expr) => `max(${s(expr)})`,
  position: (substring, string) => `instr(${s(string)}, ${s(substring)})`,
  length: (expr) => `length(${s(expr)})`,
  replace: (field, oldChars, newChars) => `replace(${s(field)}, ${s(oldChars)}, ${s(newChars)})`,
  right: (string, n) => `substr(${s(string)}, -(${s(n)}))`,
  split_part: (string, delimiter, part) => `split_part(${s(string)}, ${s(delimiter)}, ${s(part)})`,
  except: () => 'except',
  intersect: () => 'intersect',
  cast_bool_to_text: (field) => `case when ${s(field)} then 'true' when not ${s(field)} then 'false' end`,
  date: (year, month, day) => `printf('%04d-%02d-%02d', ${s(year)}, ${s(month)}, ${s(day)})`,
  array_construct: () => {
    throw new Error('arrays do not exist in SQLite (dbt.array_construct)');
  },
};
