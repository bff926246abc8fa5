import type { Grain } from './grain';
import { grainWithin, periodStart, periodStartSql, periodStepSql } from './grain';
import type { SqlValue } from 'sql.js';
import type { ArtifactSource, MetricDefinition, SeriesFilter } from './metricCatalog';
import { parseArtifactId, resolveMetric } from './metricCatalog';
import type { SqlReader } from './sqlReader';

/** total: the period's value; new: what was added in the period; cumulative: running total; pct: % change over the previous period. */
export type ValueMode = 'total' | 'new' | 'cumulative' | 'pct';
export const VALUE_MODES: readonly ValueMode[] = ['total', 'new', 'cumulative', 'pct'];

/** A chart never carries more points per series than this: 10 years of days fit. */
export const MAX_POINTS_PER_SERIES = 3700;

export interface SeriesOptions extends SeriesFilter {
  grain: Grain;
  mode: ValueMode;
  /** Inclusive `YYYY-MM-DD` bounds. */
  from?: string;
  to?: string;
  /** Draw every series from its first non-zero period: x becomes periods since then. */
  align?: boolean;
  maxPoints?: number;
  /**
   * Today (`YYYY-MM-DD`, UTC): the period holding it is still running, so its value is "so far"
   * even when its data reaches today. Without it only the data's last day says so.
   */
  asOf?: string;
}

export interface SeriesPoint {
  /** First day of the period (YYYY-MM-DD). */
  period: string;
  /** null: no data for the period (a gap, drawn as a gap). */
  value: number | null;
  /** Periods since the series' first non-zero value (aligned charts only). */
  offset?: number;
  /** Series read by the hour (GH Archive): the period had only `hours` of its `of` hours read. */
  partial?: { hours: number; of: number };
  /**
   * The last period, not complete: its data stop before its end (or it holds today). Its value is a
   * count so far, drawn apart (dashed, labelled) so that it never reads as a drop. `days` of `of`.
   */
  soFar?: { days: number; of: number };
}

export interface MetricSeries {
  artifactId: string;
  metricKey: string;
  name: string;
  /** Legend label: the artifact and what the values count. */
  label: string;
  /** The full sentence of what one value is. */
  counts: string;
  unit: string;
  kind: MetricDefinition['kind'];
  mode: ValueMode;
  /** The grain used: coarser than asked when the range would exceed the point bound. */
  grain: Grain;
  /** The grain asked for, when the point bound made `grain` coarser. */
  askedGrain?: Grain;
  /** The axis title of the values: the unit per period ("downloads per week", "% change over the previous month"). */
  axisTitle: string;
  points: SeriesPoint[];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function checkDay(d: string | undefined, what: string): string | undefined {
  if (d === undefined || d === '') return undefined;
  if (!DAY.test(d) || Number.isNaN(Date.parse(`${d}T00:00:00Z`))) throw new Error(`${what} must be a date YYYY-MM-DD, not ${JSON.stringify(d)}`);
  return d;
}

/** What one value of the series is, in words, for legends and summaries. */
export function describeValues(def: MetricDefinition, mode: ValueMode, grain: Grain): string {
  const per = `per ${grain}`;
  if (def.kind === 'flow') {
    if (mode === 'cumulative') return `cumulative ${def.unit}: ${def.counts}`;
    if (mode === 'pct') return `% change of ${def.unit} ${per} over the previous ${grain}: ${def.counts}`;
    return `${def.unit} ${per}: ${def.counts}`;
  }
  if (mode === 'new') return `${def.unit} added ${per} (difference of readings): ${def.counts}`;
  if (mode === 'pct') return `% change over the previous ${grain}: ${def.counts}`;
  return def.counts;
}

/**
 * One metric of one artifact as a series of periods, aggregated in SQL: a calendar of every period
 * from the first to the last day with data (inside the range), the period's value by the series'
 * kind, then the value mode by window functions. Periods without data are null — never filled.
 */
export function metricSeries(db: SqlReader, artifactId: string, metricKey: string, options: SeriesOptions): MetricSeries {
  const artifact = parseArtifactId(artifactId);
  if (!artifact) throw new Error(`Not an artifact id: ${artifactId}`);
  const def = resolveMetric(db, artifact.source, metricKey, artifact.name);
  if (!def) throw new Error(`No chartable metric ${metricKey} for ${artifact.source} artifacts`);
  return seriesOf(db, def, artifact.source, artifact.name, artifactId, metricKey, options);
}

function seriesOf(db: SqlReader, def: MetricDefinition, _source: ArtifactSource, name: string, artifactId: string, metricKey: string, options: SeriesOptions): MetricSeries {
  const from = checkDay(options.from, 'from');
  const to = checkDay(options.to, 'to');
  const inRange = [from ? `day >= '${from}'` : '', to ? `day <= '${to}'` : ''].filter(Boolean).join(' AND ') || '1';
  const params: SqlValue[] = def.params ? def.params(db, name, options) : [name];
  const maxPoints = options.maxPoints ?? MAX_POINTS_PER_SERIES;
  // One query at the grain asked for; only a series with more periods than a chart can hold is read
  // again, at the finest grain that fits its first and last day with data.
  let grain = options.grain;
  let rows = db.all<SeriesRow>(seriesSql(def, options, grain, from, to, inRange), params);
  const bounds = rows.length > maxPoints
    ? db.all<{ lo: string | null; hi: string | null }>(`WITH raw AS (${def.dailySql}) SELECT MIN(day) AS lo, MAX(day) AS hi FROM raw WHERE ${inRange}`, params)[0]
    : undefined;
  if (bounds?.lo && bounds.hi) {
    const coarser = grainWithin(grain, bounds.lo, bounds.hi, maxPoints);
    if (coarser !== grain) {
      grain = coarser;
      rows = db.all<SeriesRow>(seriesSql(def, options, grain, from, to, inRange), params);
    }
  }
  const counted = def.countsFor ? { ...def, counts: def.countsFor(options) } : def;
  const base: Omit<MetricSeries, 'points'> = {
    artifactId, metricKey, name,
    label: `${name}: ${describeValues(counted, options.mode, grain)}`,
    counts: describeValues(counted, options.mode, grain),
    unit: def.unit, kind: def.kind, mode: options.mode, grain,
    ...(grain !== options.grain ? { askedGrain: options.grain } : {}),
    axisTitle: axisTitleOf(def, options.mode, grain),
  };
  let points: SeriesPoint[] = rows.map((r) => {
    const pt: SeriesPoint = { period: r.period, value: r.value === null || r.value === undefined ? null : Number(r.value) };
    // A period with no hour read is a gap already; one with some but not all is partial.
    if (r.hours !== null && r.expected !== null && Number(r.hours) > 0 && Number(r.hours) < Number(r.expected)) pt.partial = { hours: Number(r.hours), of: Number(r.expected) };
    return pt;
  });
  const last = points[points.length - 1];
  // A flow counted from events (stars, issues) has no row on a quiet day: its last event says
  // nothing about whether the period is over, only today does.
  const lastDay = def.kind === 'flow' && def.emptyIsZero ? (options.asOf && last && options.asOf >= last.period ? options.asOf : undefined) : (rows[rows.length - 1]?.last_day ?? undefined);
  if (last && lastDay && periodIsRunning(def, options.mode)) {
    const soFar = incompletePeriod(grain, last.period, lastDay, options.asOf);
    if (soFar) last.soFar = soFar;
  }
  if (options.align) points = alignAtFirstNonZero(points);
  return { ...base, points };
}

interface SeriesRow {
  period: string;
  value: number | null;
  hours: number | null;
  expected: number | null;
  last_day: string | null;
}

/** The values whose last period grows as its days come in: a flow's total, any difference or % change. A level's reading or a running total is complete as read. */
function periodIsRunning(def: MetricDefinition, mode: ValueMode): boolean {
  return mode === 'pct' || mode === 'new' || (def.kind === 'flow' && mode === 'total');
}

/** The days of `period` (at `grain`) that the data cover, when fewer than all of them, or when the period holds today. */
export function incompletePeriod(grain: Grain, period: string, lastDay: string, asOf?: string): { days: number; of: number } | undefined {
  const start = Date.parse(`${period}T00:00:00Z`);
  const end = Date.parse(`${periodStart(grain, nextPeriod(grain, period))}T00:00:00Z`);
  const of = Math.round((end - start) / 86_400_000);
  const days = Math.round((Date.parse(`${lastDay.slice(0, 10)}T00:00:00Z`) - start) / 86_400_000) + 1;
  const running = asOf !== undefined && asOf >= period && Date.parse(`${asOf}T00:00:00Z`) < end;
  if (days < of || running) return { days: Math.max(1, Math.min(days, of)), of };
  return undefined;
}

function nextPeriod(grain: Grain, period: string): string {
  const d = new Date(`${period}T00:00:00Z`);
  if (grain === 'day') d.setUTCDate(d.getUTCDate() + 1);
  else if (grain === 'week') d.setUTCDate(d.getUTCDate() + 7);
  else d.setUTCMonth(d.getUTCMonth() + (grain === 'month' ? 1 : 3));
  return d.toISOString().slice(0, 10);
}

/** The y-axis title: what one value is, in its unit, per period. */
export function axisTitleOf(def: Pick<MetricDefinition, 'kind' | 'unit'>, mode: ValueMode, grain: Grain): string {
  if (mode === 'pct') return `% change over the previous ${grain}`;
  if (def.kind === 'flow') return mode === 'cumulative' ? `${def.unit}, running total` : `${def.unit} per ${grain}`;
  return mode === 'new' ? `${def.unit} added per ${grain}` : def.unit;
}

/** The SQL of one series at one grain: a row per period from the first to the last day with data. */
function seriesSql(def: MetricDefinition, options: SeriesOptions, grain: Grain, from: string | undefined, to: string | undefined, inRange: string): string {
  const p = (expr: string) => periodStartSql(grain, expr);
  const hours = def.hourCoverage === true && def.kind === 'flow';
  const agg = def.kind === 'level'
    ? `SELECT p, v, NULL AS h FROM (SELECT ${p('day')} AS p, v, ROW_NUMBER() OVER (PARTITION BY ${p('day')} ORDER BY day DESC) AS rn FROM r) WHERE rn = 1`
    : `SELECT ${p('day')} AS p, SUM(v) AS v, ${hours ? 'SUM(h)' : 'NULL'} AS h FROM r GROUP BY 1`;
  // The hours a period has inside the range: a week cut by the range's start is not partial for that.
  const periodEnd = `date(p, ${periodStepSql(grain)})`;
  const expected = hours
    ? `CAST(ROUND((julianday(${to ? `MIN(${periodEnd}, date('${to}', '+1 day'))` : periodEnd}) - julianday(${from ? `MAX(p, '${from}')` : 'p'})) * 24) AS INTEGER)`
    : 'NULL';
  const joinedValue = def.kind === 'flow' && def.emptyIsZero ? 'COALESCE(agg.v, 0)' : 'agg.v';
  // What came before the range: a running total starts from it, a first difference needs it.
  const before = from
    ? def.kind === 'flow'
      ? `(SELECT COALESCE(SUM(v), 0) FROM raw WHERE day < '${from}')`
      : `(SELECT v FROM raw WHERE day < '${from}' ORDER BY day DESC LIMIT 1)`
    : def.kind === 'flow' ? '0' : 'NULL';
  const prev = `CASE WHEN ROW_NUMBER() OVER w = 1 THEN ${def.kind === 'level' ? before : 'NULL'} ELSE LAG(v) OVER w END`;
  let value: string;
  switch (options.mode) {
    case 'total':
      value = 'v';
      break;
    case 'new':
      value = def.kind === 'flow' ? 'v' : `v - (${prev})`;
      break;
    case 'cumulative':
      value = def.kind === 'flow' ? `CASE WHEN v IS NULL THEN NULL ELSE ${before} + SUM(v) OVER (w ROWS UNBOUNDED PRECEDING) END` : 'v';
      break;
    case 'pct':
      value = `CASE WHEN (${prev}) > 0 THEN ROUND((v - (${prev})) * 100.0 / (${prev}), 2) END`;
      break;
  }
  return `
    WITH RECURSIVE raw AS (${def.dailySql}),
    r AS (SELECT day, v${hours ? ', h' : ''} FROM raw WHERE ${inRange}),
    bounds AS (SELECT MIN(day) AS lo, MAX(day) AS hi FROM r),
    cal(p) AS (
      SELECT ${p('lo')} FROM bounds WHERE lo IS NOT NULL
      UNION ALL SELECT date(p, ${periodStepSql(grain)}) FROM cal, bounds WHERE date(p, ${periodStepSql(grain)}) <= hi
    ),
    agg AS (${agg}),
    -- A grouped union rather than a LEFT JOIN: SQLite may scan agg once per calendar row otherwise.
    merged AS (SELECT p, SUM(v) AS v, SUM(h) AS h FROM (SELECT p, NULL AS v, NULL AS h FROM cal UNION ALL SELECT p, v, h FROM agg) GROUP BY p),
    joined AS (SELECT p, ${joinedValue.replace('agg.v', 'v')} AS v, h FROM merged)
    SELECT p AS period, ${value} AS value, h AS hours, ${expected} AS expected, (SELECT hi FROM bounds) AS last_day FROM joined WINDOW w AS (ORDER BY p) ORDER BY p`;
}

/** Drops the periods before the first non-zero value and numbers the rest from 0. */
export function alignAtFirstNonZero(points: SeriesPoint[]): SeriesPoint[] {
  const first = points.findIndex((pt) => pt.value !== null && pt.value !== 0);
  if (first < 0) return [];
  return points.slice(first).map((pt, i) => ({ ...pt, offset: i }));
}
