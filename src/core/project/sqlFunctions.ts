import { createHash } from 'node:crypto';

/**
 * BigQuery functions the seed articles use, implemented once in JavaScript and registered on any
 * SQLite engine (sql.js in the product, better-sqlite3 in the benchmark). Dates are 'YYYY-MM-DD'
 * text and timestamps are ISO-8601 UTC text ('2021-11-29T00:00:00.000Z'), the format the store writes.
 */
type SqlArg = number | string | bigint | null | Uint8Array;
type SqlResult = number | string | null;

export interface SqlFunction {
  name: string;
  fn: (...args: SqlArg[]) => SqlResult;
}

const MS_PER_DAY = 86_400_000;
const WEEKDAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];

/** Reads a date or timestamp value; text without a zone is UTC. Undefined when unreadable. */
export function parseTemporal(v: SqlArg): Date | undefined {
  if (v === null || v === undefined || v instanceof Uint8Array) return undefined;
  if (typeof v === 'number' || typeof v === 'bigint') {
    const d = new Date(Number(v) * 1000);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  const s = v.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?$/i.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), Math.round(Number(`0${frac || '.0'}`) * 1000));
  if (zone && /^[+-]/.test(zone)) {
    const z = zone.replace(':', '');
    const offset = (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5))) * (z.startsWith('-') ? -1 : 1);
    ms -= offset * 60_000;
  }
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export const formatDate = (d: Date): string => d.toISOString().slice(0, 10);
export const formatTimestamp = (d: Date): string => d.toISOString();
const formatDatetime = (d: Date): string => d.toISOString().slice(0, 19).replace('T', ' ');

function truncate(d: Date, part: string): Date | undefined {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = d.getUTCDate();
  const upper = part.toUpperCase();
  const weekStart = /^WEEK\((\w+)\)$/.exec(upper)?.[1];
  switch (upper) {
    case 'MICROSECOND':
    case 'MILLISECOND':
      return new Date(d.getTime());
    case 'SECOND':
      return new Date(Math.floor(d.getTime() / 1000) * 1000);
    case 'MINUTE':
      return new Date(Math.floor(d.getTime() / 60_000) * 60_000);
    case 'HOUR':
      return new Date(Math.floor(d.getTime() / 3_600_000) * 3_600_000);
    case 'DAY':
    case 'DATE':
      return new Date(Date.UTC(y, m, day));
    case 'WEEK':
      return startOfWeek(d, 0);
    case 'ISOWEEK':
      return startOfWeek(d, 1);
    case 'MONTH':
      return new Date(Date.UTC(y, m, 1));
    case 'QUARTER':
      return new Date(Date.UTC(y, m - (m % 3), 1));
    case 'YEAR':
      return new Date(Date.UTC(y, 0, 1));
    case 'ISOYEAR': {
      const jan4 = new Date(Date.UTC(y, 0, 4));
      const start = startOfWeek(jan4, 1);
      return d < start ? startOfWeek(new Date(Date.UTC(y - 1, 0, 4)), 1) : start;
    }
    default:
      if (weekStart && WEEKDAYS.includes(weekStart)) return startOfWeek(d, WEEKDAYS.indexOf(weekStart));
      return undefined;
  }
}

function startOfWeek(d: Date, firstDay: number): Date {
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const back = (d.getUTCDay() - firstDay + 7) % 7;
  return new Date(midnight - back * MS_PER_DAY);
}

function add(d: Date, amount: number, part: string): Date | undefined {
  const n = Math.trunc(amount);
  switch (part.toUpperCase()) {
    case 'MILLISECOND':
      return new Date(d.getTime() + n);
    case 'SECOND':
      return new Date(d.getTime() + n * 1000);
    case 'MINUTE':
      return new Date(d.getTime() + n * 60_000);
    case 'HOUR':
      return new Date(d.getTime() + n * 3_600_000);
    case 'DAY':
      return new Date(d.getTime() + n * MS_PER_DAY);
    case 'WEEK':
      return new Date(d.getTime() + n * 7 * MS_PER_DAY);
    case 'MONTH':
    case 'QUARTER':
    case 'YEAR': {
      const months = n * (part.toUpperCase() === 'MONTH' ? 1 : part.toUpperCase() === 'QUARTER' ? 3 : 12);
      const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()));
      // BigQuery clamps to the last day of a shorter month (Jan 31 + 1 MONTH = Feb 28/29).
      const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
      target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
      return target;
    }
    default:
      return undefined;
  }
}

function diff(a: Date, b: Date, part: string): number | null {
  const upper = part.toUpperCase();
  switch (upper) {
    case 'MILLISECOND':
      return a.getTime() - b.getTime();
    case 'SECOND':
      return Math.trunc((a.getTime() - b.getTime()) / 1000);
    case 'MINUTE':
      return Math.trunc((a.getTime() - b.getTime()) / 60_000);
    case 'HOUR':
      return Math.trunc((a.getTime() - b.getTime()) / 3_600_000);
    case 'DAY':
      return Math.round((truncate(a, 'DAY')!.getTime() - truncate(b, 'DAY')!.getTime()) / MS_PER_DAY);
    case 'WEEK':
    case 'ISOWEEK':
      return Math.round((truncate(a, upper)!.getTime() - truncate(b, upper)!.getTime()) / (7 * MS_PER_DAY));
    case 'MONTH':
      return (a.getUTCFullYear() - b.getUTCFullYear()) * 12 + a.getUTCMonth() - b.getUTCMonth();
    case 'QUARTER':
      return (a.getUTCFullYear() - b.getUTCFullYear()) * 4 + Math.floor(a.getUTCMonth() / 3) - Math.floor(b.getUTCMonth() / 3);
    case 'YEAR':
      return a.getUTCFullYear() - b.getUTCFullYear();
    default:
      return null;
  }
}

function extract(part: string, d: Date): number | string | null {
  switch (part.toUpperCase()) {
    case 'YEAR':
      return d.getUTCFullYear();
    case 'QUARTER':
      return Math.floor(d.getUTCMonth() / 3) + 1;
    case 'MONTH':
      return d.getUTCMonth() + 1;
    case 'DAY':
      return d.getUTCDate();
    case 'DAYOFWEEK':
      return d.getUTCDay() + 1;
    case 'DAYOFYEAR':
      return Math.round((truncate(d, 'DAY')!.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / MS_PER_DAY) + 1;
    case 'WEEK':
      return Math.floor((truncate(d, 'WEEK')!.getTime() - startOfWeek(new Date(Date.UTC(d.getUTCFullYear(), 0, 1)), 0).getTime()) / (7 * MS_PER_DAY)) +
        (new Date(Date.UTC(d.getUTCFullYear(), 0, 1)).getUTCDay() === 0 ? 1 : 0);
    case 'HOUR':
      return d.getUTCHours();
    case 'MINUTE':
      return d.getUTCMinutes();
    case 'SECOND':
      return d.getUTCSeconds();
    case 'MILLISECOND':
      return d.getUTCMilliseconds();
    case 'DATE':
      return formatDate(d);
    default:
      return null;
  }
}

const num = (v: SqlArg): number | undefined => (v === null || v instanceof Uint8Array || v === undefined ? undefined : Number(v));
const str = (v: SqlArg): string | undefined => (v === null || v === undefined || v instanceof Uint8Array ? undefined : String(v));

/** BigQuery's regular expressions are RE2; JavaScript's cover what models use. */
function regex(pattern: SqlArg): RegExp | undefined {
  const p = str(pattern);
  if (p === undefined) return undefined;
  try {
    return new RegExp(p);
  } catch {
    return undefined;
  }
}

function temporal(kind: 'date' | 'timestamp' | 'datetime', d: Date | undefined): SqlResult {
  if (!d) return null;
  return kind === 'date' ? formatDate(d) : kind === 'timestamp' ? formatTimestamp(d) : formatDatetime(d);
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Format elements SQLite's strftime() knows (others make it return NULL). */
export const STRFTIME_ELEMENTS = new Set('dfHjmMSwYsWuFTRIpPkleJVGg%'.split(''));

/**
 * BigQuery's FORMAT_TIMESTAMP / FORMAT_DATE for the format elements SQLite's strftime() lacks
 * (`%a`, `%b`, `%B`, `%y`, `%Z`, ...), in UTC. Elements it does not know are kept as written.
 */
export function formatBigQueryTime(format: string, d: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const h = d.getUTCHours();
  return format.replace(/%([a-zA-Z%])/g, (all, c: string) => {
    switch (c) {
      case 'a': return (DAYS[d.getUTCDay()] as string).slice(0, 3);
      case 'A': return DAYS[d.getUTCDay()] as string;
      case 'b': case 'h': return (MONTHS[d.getUTCMonth()] as string).slice(0, 3);
      case 'B': return MONTHS[d.getUTCMonth()] as string;
      case 'C': return pad(Math.floor(d.getUTCFullYear() / 100));
      case 'y': return pad(d.getUTCFullYear() % 100);
      case 'Y': return String(d.getUTCFullYear());
      case 'm': return pad(d.getUTCMonth() + 1);
      case 'd': return pad(d.getUTCDate());
      case 'e': return String(d.getUTCDate()).padStart(2, ' ');
      case 'H': return pad(h);
      case 'I': return pad(h % 12 === 0 ? 12 : h % 12);
      case 'p': return h < 12 ? 'AM' : 'PM';
      case 'M': return pad(d.getUTCMinutes());
      case 'S': return pad(d.getUTCSeconds());
      case 'j': return pad(Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / MS_PER_DAY) + 1, 3);
      case 'u': return String(d.getUTCDay() === 0 ? 7 : d.getUTCDay());
      case 'w': return String(d.getUTCDay());
      case 'F': return formatDate(d);
      case 'D': return `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${pad(d.getUTCFullYear() % 100)}`;
      case 'T': return `${pad(h)}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
      case 'R': return `${pad(h)}:${pad(d.getUTCMinutes())}`;
      case 's': return String(Math.floor(d.getTime() / 1000));
      case 'Z': return 'UTC';
      case 'z': return '+0000';
      case 'Q': return String(Math.floor(d.getUTCMonth() / 3) + 1);
      case '%': return '%';
      default: return all;
    }
  });
}

export const SQL_FUNCTIONS: readonly SqlFunction[] = [
  { name: 'bq_format_time', fn: (f, v) => ((d) => (d && str(f) !== undefined ? formatBigQueryTime(str(f)!, d) : null))(parseTemporal(v)) },
  { name: 'date_trunc', fn: (v, p) => temporal('date', ((d) => d && truncate(d, String(p)))(parseTemporal(v))) },
  { name: 'timestamp_trunc', fn: (v, p) => temporal('timestamp', ((d) => d && truncate(d, String(p)))(parseTemporal(v))) },
  { name: 'datetime_trunc', fn: (v, p) => temporal('datetime', ((d) => d && truncate(d, String(p)))(parseTemporal(v))) },
  { name: 'date_add', fn: (v, n, p) => temporal('date', ((d) => d && num(n) !== undefined ? add(d, num(n)!, String(p)) : undefined)(parseTemporal(v))) },
  { name: 'date_sub', fn: (v, n, p) => temporal('date', ((d) => d && num(n) !== undefined ? add(d, -num(n)!, String(p)) : undefined)(parseTemporal(v))) },
  { name: 'timestamp_add', fn: (v, n, p) => temporal('timestamp', ((d) => d && num(n) !== undefined ? add(d, num(n)!, String(p)) : undefined)(parseTemporal(v))) },
  { name: 'timestamp_sub', fn: (v, n, p) => temporal('timestamp', ((d) => d && num(n) !== undefined ? add(d, -num(n)!, String(p)) : undefined)(parseTemporal(v))) },
  { name: 'datetime_add', fn: (v, n, p) => temporal('datetime', ((d) => d && num(n) !== undefined ? add(d, num(n)!, String(p)) : undefined)(parseTemporal(v))) },
  { name: 'datetime_sub', fn: (v, n, p) => temporal('datetime', ((d) => d && num(n) !== undefined ? add(d, -num(n)!, String(p)) : undefined)(parseTemporal(v))) },
  ...['date_diff', 'timestamp_diff', 'datetime_diff'].map((name) => ({
    name,
    fn: (a: SqlArg, b: SqlArg, p: SqlArg) => {
      const da = parseTemporal(a);
      const db = parseTemporal(b);
      return da && db ? diff(da, db, String(p)) : null;
    },
  })),
  { name: 'bq_extract', fn: (p, v) => ((d) => (d ? extract(String(p), d) : null))(parseTemporal(v)) },
  { name: 'bq_current_timestamp', fn: () => formatTimestamp(new Date()) },
  { name: 'timestamp', fn: (v) => temporal('timestamp', parseTemporal(v)) },
  { name: 'timestamp_seconds', fn: (n) => (num(n) === undefined ? null : temporal('timestamp', new Date(num(n)! * 1000))) },
  { name: 'timestamp_millis', fn: (n) => (num(n) === undefined ? null : temporal('timestamp', new Date(num(n)!))) },
  { name: 'timestamp_micros', fn: (n) => (num(n) === undefined ? null : temporal('timestamp', new Date(Math.floor(num(n)! / 1000)))) },
  { name: 'unix_seconds', fn: (v) => ((d) => (d ? Math.floor(d.getTime() / 1000) : null))(parseTemporal(v)) },
  { name: 'unix_millis', fn: (v) => ((d) => (d ? d.getTime() : null))(parseTemporal(v)) },
  { name: 'unix_date', fn: (v) => ((d) => (d ? Math.floor(d.getTime() / MS_PER_DAY) : null))(parseTemporal(v)) },
  { name: 'date_from_unix_date', fn: (n) => (num(n) === undefined ? null : temporal('date', new Date(num(n)! * MS_PER_DAY))) },
  {
    name: 'safe_divide',
    fn: (a, b) => {
      const x = num(a);
      const y = num(b);
      return x === undefined || y === undefined || y === 0 ? null : x / y;
    },
  },
  { name: 'regexp_contains', fn: (s, p) => ((re, v) => (re && v !== undefined ? (re.test(v) ? 1 : 0) : null))(regex(p), str(s)) },
  {
    name: 'regexp_extract',
    fn: (s, p) => {
      const re = regex(p);
      const v = str(s);
      if (!re || v === undefined) return null;
      const m = re.exec(v);
      return m ? (m[1] ?? m[0]) : null;
    },
  },
  {
    name: 'regexp_replace',
    fn: (s, p, r) => {
      const re = regex(p);
      const v = str(s);
      if (!re || v === undefined) return null;
      // BigQuery writes group references as \1; JavaScript as $1.
      return v.replace(new RegExp(re.source, 'g'), (str(r) ?? '').replace(/\\(\d)/g, '$$$1'));
    },
  },
  { name: 'starts_with', fn: (s, p) => (str(s) === undefined || str(p) === undefined ? null : str(s)!.startsWith(str(p)!) ? 1 : 0) },
  { name: 'ends_with', fn: (s, p) => (str(s) === undefined || str(p) === undefined ? null : str(s)!.endsWith(str(p)!) ? 1 : 0) },
  { name: 'md5', fn: (v) => (str(v) === undefined ? null : createHash('md5').update(str(v)!).digest('hex')) },
  {
    name: 'split_part',
    fn: (v, d, p) => {
      const text = str(v);
      const n = num(p);
      if (text === undefined || n === undefined) return null;
      const parts = text.split(str(d) ?? '');
      return parts[n > 0 ? n - 1 : parts.length + n] ?? '';
    },
  },
  { name: 'div', fn: (a, b) => (num(a) === undefined || !num(b) ? null : Math.trunc(num(a)! / num(b)!)) },
  // Snowflake's convert_timezone(source_tz, target_tz, ts) (dbt_date's default), and the 2-argument form.
  { name: 'convert_timezone', fn: (a, b, c) => (c === undefined ? convertTimezone('UTC', a, b) : convertTimezone(a, b, c)) },
  // BigQuery's JSON type is JSON text here: PARSE_JSON checks and keeps it; field access reads it.
  { name: 'parse_json', fn: (v) => (typeof v === 'string' && jsonValue(v) !== NOT_JSON ? v : null) },
  { name: 'to_json_string', fn: (v) => (v === null ? 'null' : typeof v === 'string' && jsonValue(v) !== NOT_JSON ? v : JSON.stringify(v)) },
  { name: 'json_value', fn: (v, p) => scalarText(jsonPath(v, p)) },
  { name: 'json_extract_scalar', fn: (v, p) => scalarText(jsonPath(v, p)) },
  { name: 'json_query', fn: (v, p) => ((x) => (x === undefined ? null : JSON.stringify(x)))(jsonPath(v, p)) },
  { name: 'lax_int64', fn: (v) => ((x) => (typeof x === 'number' ? Math.trunc(x) : typeof x === 'boolean' ? Number(x) : typeof x === 'string' && /^-?\d+(\.\d+)?$/.test(x.trim()) ? Math.trunc(Number(x)) : null))(laxValue(v)) },
  { name: 'lax_float64', fn: (v) => ((x) => (typeof x === 'number' ? x : typeof x === 'string' && x.trim() !== '' && Number.isFinite(Number(x)) ? Number(x) : null))(laxValue(v)) },
  { name: 'lax_bool', fn: (v) => ((x) => (typeof x === 'boolean' ? Number(x) : typeof x === 'number' ? Number(x !== 0) : typeof x === 'string' && /^(true|false)$/i.test(x) ? Number(x.toLowerCase() === 'true') : null))(laxValue(v)) },
  { name: 'lax_string', fn: (v) => ((x) => (x === null || x === undefined || typeof x === 'object' ? null : String(x)))(laxValue(v)) },
];

const NOT_JSON = Symbol('not json');

function jsonValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}

/** A JSON value read leniently: JSON text is parsed, a plain SQL value is itself (LAX_ functions). */
function laxValue(v: SqlArg): unknown {
  if (v === null || v instanceof Uint8Array) return null;
  if (typeof v !== 'string') return Number(v);
  const parsed = jsonValue(v);
  return parsed === NOT_JSON ? v : parsed;
}

/** `$.a.b[0]` (and `$["a b"]`) of a JSON text; undefined when absent. */
function jsonPath(v: SqlArg, p: SqlArg): unknown {
  if (typeof v !== 'string') return undefined;
  let cur = jsonValue(v);
  if (cur === NOT_JSON) return undefined;
  const path = typeof p === 'string' ? p : '$';
  const parts = [...path.replace(/^\$/, '').matchAll(/\.([^.[\]]+)|\[(\d+)\]|\["([^"]+)"\]|\['([^']+)'\]/g)].map((m) => m[1] ?? m[3] ?? m[4] ?? Number(m[2]));
  for (const key of parts) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

function scalarText(x: unknown): SqlResult {
  if (x === undefined || x === null || typeof x === 'object') return null;
  return String(x);
}

/** Wall-clock conversion between two IANA zones of a timestamp text; the result has no zone, like Snowflake's. */
function convertTimezone(source: SqlArg, target: SqlArg, ts: SqlArg): SqlResult {
  const d = parseTemporal(ts);
  if (!d || typeof source !== 'string' || typeof target !== 'string') return null;
  const offset = (zone: string, at: Date): number => {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(at);
    const get = (t: string) => Number(parts.find((x) => x.type === t)?.value);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - Math.floor(at.getTime() / 1000) * 1000;
  };
  try {
    // The input is wall-clock time in `source`: find the instant, then its wall-clock time in `target`.
    const instant = new Date(d.getTime() - offset(source, d));
    const out = new Date(instant.getTime() + offset(target, instant));
    return out.toISOString().replace('Z', '').replace(/\.000$/, '');
  } catch {
    return null;
  }
}

/** The subset of sql.js's Database this module needs (keeps better-sqlite3 and sql.js interchangeable). */
interface SqlJsLike {
  create_function(name: string, fn: (...args: never[]) => unknown): unknown;
}

/** Registers the functions on a sql.js database. */
export function registerSqlFunctions(db: SqlJsLike): void {
  for (const f of SQL_FUNCTIONS) db.create_function(f.name, f.fn as (...args: never[]) => unknown);
}
