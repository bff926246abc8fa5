import type { ChartPayload } from './chartPayload';
import { CHART_DATASET, VEGA_LITE_SCHEMA } from './chartPayload';
import { MAX_MARKED_PER_SERIES, countY, inferGrain, maxOf, spanOf, timeX } from './axes';

/** A model's name in words, for a title: "star_history" → "Star history". */
export function humanize(model: string): string {
  const words = model.replace(/[_-]+/g, ' ').replace(/\s+/g, ' ').trim();
  return words ? words[0]?.toUpperCase() + words.slice(1) : model;
}

/** How a model's result is read: run SQL on the store and get columns and rows back. */
export interface TableReader {
  query(sql: string, params?: (string | number)[]): { columns: string[]; rows: unknown[][] };
}

/** What `config(meta={'chart': {...}})` may say; every key optional, the rest inferred. */
export interface DeclaredChart {
  mark?: 'line' | 'bar' | 'area' | 'point';
  x?: string;
  y?: string | string[];
  color?: string;
  title?: string;
  aggregate?: 'sum' | 'avg' | 'min' | 'max';
}

export interface ModelChartInput {
  model: string;
  /** The relation holding the model's result in the store. */
  relation: string;
  /** node.config.meta.chart, when declared. */
  declared?: unknown;
  /** A vega-lite spec from `<model>.vl.json` beside the model, when present. */
  vegaLite?: Record<string, unknown>;
  range?: { from?: string; to?: string };
}

/** A model chart carries at most this many rows; more are aggregated away in SQL or cut. */
export const MAX_MODEL_ROWS = 20_000;
const SAMPLE = 200;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const TEMPORAL = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const q = (id: string) => `"${id.replace(/"/g, '""')}"`;

type Kind = 'temporal' | 'numeric' | 'text';

/** Column kinds from a sample: every non-null value a date → temporal, a number → numeric, else text. */
export function columnKinds(columns: string[], rows: unknown[][]): Record<string, Kind> {
  const out: Record<string, Kind> = {};
  columns.forEach((c, i) => {
    const vals = rows.map((r) => r[i]).filter((v) => v !== null && v !== undefined);
    if (vals.length > 0 && vals.every((v) => typeof v === 'string' && TEMPORAL.test(v))) out[c] = 'temporal';
    else if (vals.length > 0 && vals.every((v) => typeof v === 'number' || typeof v === 'bigint')) out[c] = 'numeric';
    else out[c] = vals.length === 0 && /(^|_)(day|date|week|month|time|timestamp)$/i.test(c) ? 'temporal' : vals.length === 0 ? 'numeric' : 'text';
  });
  return out;
}

function asDeclared(x: unknown): DeclaredChart {
  if (!x || typeof x !== 'object' || Array.isArray(x)) return {};
  const d = x as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const out: DeclaredChart = {};
  if (['line', 'bar', 'area', 'point'].includes(String(d.mark))) out.mark = d.mark as DeclaredChart['mark'];
  if (str(d.x)) out.x = str(d.x);
  if (Array.isArray(d.y)) out.y = d.y.filter((v): v is string => typeof v === 'string');
  else if (str(d.y)) out.y = str(d.y);
  if (str(d.color)) out.color = str(d.color);
  if (str(d.title)) out.title = str(d.title);
  if (['sum', 'avg', 'min', 'max'].includes(String(d.aggregate))) out.aggregate = d.aggregate as DeclaredChart['aggregate'];
  return out;
}

/**
 * A model's chart: the `.vl.json` spec beside it if any, else the declared `meta.chart`, else
 * inferred (temporal → x, numeric → y, text → colour). The rows are grouped in SQL by x and colour,
 * so the webview gets at most MAX_MODEL_ROWS aggregated rows; the date range filters x in SQL.
 */
export function modelChart(db: TableReader, input: ModelChartInput): ChartPayload {
  const sample = db.query(`SELECT * FROM ${q(input.relation)} LIMIT ${SAMPLE}`);
  const kinds = columnKinds(sample.columns, sample.rows);
  const declared = asDeclared(input.declared);
  const temporal = sample.columns.filter((c) => kinds[c] === 'temporal');
  const numeric = sample.columns.filter((c) => kinds[c] === 'numeric');
  const text = sample.columns.filter((c) => kinds[c] === 'text');
  const x = declared.x && kinds[declared.x] ? declared.x : (temporal[0] ?? text[0] ?? sample.columns[0]);
  const ys = (Array.isArray(declared.y) ? declared.y : declared.y ? [declared.y] : numeric.filter((c) => c !== x)).filter((c) => kinds[c] && c !== x);
  const color = declared.color && kinds[declared.color] ? declared.color : text.find((c) => c !== x);
  // A title for people: the declared one, the .vl.json's own (then not drawn twice), or the model's
  // name in words ("star_history" → "Star history").
  const vlTitle = typeof input.vegaLite?.title === 'string' ? input.vegaLite.title : undefined;
  const title = (input.vegaLite ? vlTitle : undefined) ?? declared.title ?? humanize(input.model);
  const range = input.range ?? {};
  const where = x && kinds[x] === 'temporal'
    ? [range.from && DAY.test(range.from) ? `substr(${q(x)}, 1, 10) >= '${range.from}'` : '', range.to && DAY.test(range.to) ? `substr(${q(x)}, 1, 10) <= '${range.to}'` : ''].filter(Boolean).join(' AND ') || '1'
    : '1';

  if (sample.rows.length === 0) {
    // Nothing to infer from and nothing to draw: say so, instead of bare axes reading 0.000000.
    return { id: `model:${input.model}`, title, spec: { $schema: VEGA_LITE_SCHEMA, data: { name: CHART_DATASET }, mark: 'point' }, dataset: CHART_DATASET, values: [], columns: sample.columns, summary: `${input.model}: no rows.`,
      series: [], empty: `${input.model} returns no rows: the tables it reads are empty. Run “Community Metrics: Refresh” to fetch data (and “Community Metrics: Build Project” for the models it reads).` };
  }
  if (input.vegaLite) {
    const res = db.query(`SELECT * FROM ${q(input.relation)} WHERE ${where} LIMIT ${MAX_MODEL_ROWS}`);
    const values = res.rows.map((r) => Object.fromEntries(res.columns.map((c, i) => [c, cell(r[i])])));
    const { title: _drawnAbove, ...own } = input.vegaLite;
    void _drawnAbove;
    const spec = { $schema: VEGA_LITE_SCHEMA, width: 'container', height: 'container', autosize: { type: 'fit', contains: 'padding', resize: true }, ...withTimeAxis(own, values), data: { name: CHART_DATASET } };
    return { id: `model:${input.model}`, title, spec, dataset: CHART_DATASET, values, columns: res.columns, summary: `${title}: ${values.length.toLocaleString('en-US')} ${values.length === 1 ? 'row' : 'rows'} of the model ${input.model}, drawn as ${input.model}.vl.json says.`, series: [] };
  }
  if (!x || ys.length === 0) {
    return { id: `model:${input.model}`, title, spec: { $schema: VEGA_LITE_SCHEMA, data: { name: CHART_DATASET }, mark: 'text' }, dataset: CHART_DATASET, values: [], columns: [], summary: `${input.model}: no numeric column to chart. Declare one with config(meta={'chart': {'y': 'column'}}).`, series: [] };
  }
  const agg = (declared.aggregate ?? 'sum').toUpperCase();
  const groups = [x, ...(color ? [color] : [])];
  const sql = `SELECT ${groups.map(q).join(', ')}, ${ys.map((y) => `${agg}(${q(y)}) AS ${q(y)}`).join(', ')}
                 FROM ${q(input.relation)} WHERE ${where} GROUP BY ${groups.map(q).join(', ')} ORDER BY ${groups.map(q).join(', ')} LIMIT ${MAX_MODEL_ROWS}`;
  const res = db.query(sql);
  // Several numeric columns without a text column: each column becomes a series.
  const values: ChartPayload['values'] = [];
  for (const r of res.rows) {
    ys.forEach((y, i) => {
      const series = color ? String(r[1] ?? '(none)') + (ys.length > 1 ? ` · ${y}` : '') : y;
      values.push({ x: cell(r[0]), series, value: cell(r[groups.length + i]) as number | null });
    });
  }
  const series = [...new Set(values.map((v) => String(v.series)))];
  const mark = declared.mark ?? (kinds[x] === 'temporal' ? 'line' : 'bar');
  const isTime = kinds[x] === 'temporal';
  const days = isTime ? values.map((v) => String(v.x ?? '')).filter((d) => d.length >= 10) : [];
  const span = spanOf(values, 'x');
  const perSeries = series.length ? values.length / series.length : values.length;
  const spec: Record<string, unknown> = {
    $schema: VEGA_LITE_SCHEMA,
    description: `${title}: ${ys.join(', ')} by ${x}${color ? ` and ${color}` : ''}`,
    width: 'container',
    height: 'container',
    autosize: { type: 'fit', contains: 'padding', resize: true },
    data: { name: CHART_DATASET },
    mark: { type: mark, ...(mark === 'line' ? { point: perSeries <= MAX_MARKED_PER_SERIES, invalid: 'break-paths-show-domains', strokeWidth: 2 } : {}) },
    encoding: {
      x: isTime ? timeX('x', inferGrain(days), span.first, span.last, x) : { field: 'x', type: 'nominal', title: x, sort: null },
      y: countY('value', ys.length === 1 ? `${agg.toLowerCase()} of ${ys[0]}` : `${agg.toLowerCase()} of value`, { integer: false, ...(mark === 'line' || mark === 'point' ? { max: maxOf(values, 'value') } : {}) }),
      color: { field: 'series', type: 'nominal', title: color ?? null, ...(!color && series.length <= 1 ? { legend: null } : { legend: { orient: 'top', direction: 'vertical', labelLimit: 0 } }) },
      tooltip: [{ field: 'x', title: x }, { field: 'series', type: 'nominal', title: color ?? 'series' }, { field: 'value', type: 'quantitative', format: ',.2~f' }],
    },
  };
  const xs = res.rows.map((r) => r[0]).filter((v) => v !== null);
  const summary = `${title}: ${ys.join(', ')} by ${x}${color ? `, one series per ${color}` : ''} (${series.length} series, ${values.length.toLocaleString('en-US')} points` +
    (xs.length ? `, from ${String(xs[0])} to ${String(xs[xs.length - 1])}` : '') + `${res.rows.length >= MAX_MODEL_ROWS ? `; cut at ${MAX_MODEL_ROWS.toLocaleString('en-US')} rows` : ''}).`;
  const empty = values.length === 0 ? { empty: `${input.model} has no rows in this date range${range.from || range.to ? ` (${range.from ?? '…'} to ${range.to ?? '…'})` : ''}: widen the range.` } : {};
  return { id: `model:${input.model}`, title, spec, dataset: CHART_DATASET, values, columns: ['x', 'series', 'value'], summary, series, ...empty };
}

/**
 * A `.vl.json` whose x is a date column and says nothing of its axis gets the time axis of every
 * other chart (calendar ticks, one label format, years where the range crosses one; UTC, as the
 * dates are UTC days) instead of Vega's default, which mixes "October", "2019" and "April" on one
 * axis. Whatever the spec says of its axis or scale is left as it is.
 */
export function withTimeAxis(spec: Record<string, unknown>, values: ReadonlyArray<Record<string, unknown>>): Record<string, unknown> {
  const encoding = spec.encoding;
  if (!encoding || typeof encoding !== 'object' || Array.isArray(encoding)) return spec;
  const x = (encoding as Record<string, unknown>).x;
  if (!x || typeof x !== 'object' || Array.isArray(x)) return spec;
  const def = x as Record<string, unknown>;
  if (def.type !== 'temporal' || typeof def.field !== 'string' || def.timeUnit !== undefined || def.bin !== undefined || def.aggregate !== undefined) return spec;
  if (def.axis === null || (def.axis !== undefined && (typeof def.axis !== 'object' || ['values', 'format', 'labelExpr', 'tickCount', 'formatType'].some((k) => (def.axis as Record<string, unknown>)[k] !== undefined)))) return spec;
  const scale = def.scale;
  if (scale === null || (scale !== undefined && (typeof scale !== 'object' || (scale as Record<string, unknown>).type !== undefined || (scale as Record<string, unknown>).domain !== undefined))) return spec;
  const days = values.map((v) => v[def.field as string]).filter((d): d is string => typeof d === 'string' && DAY.test(d.slice(0, 10)) && (d.length === 10 || d[10] === 'T' || d[10] === ' ')).map((d) => d.slice(0, 10));
  if (days.length === 0) return spec;
  const span = spanOf(days.map((d) => ({ d })), 'd');
  const ours = timeX(def.field, inferGrain(days), span.first, span.last) as { scale: Record<string, unknown>; axis?: Record<string, unknown>; title: string };
  const x2 = { ...def, scale: { ...((scale as Record<string, unknown> | undefined) ?? {}), ...ours.scale }, ...(ours.axis ? { axis: { ...ours.axis, ...((def.axis as Record<string, unknown> | undefined) ?? {}) } } : {}) };
  return { ...spec, encoding: { ...(encoding as Record<string, unknown>), x: x2 } };
}

function cell(v: unknown): string | number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return Number(v);
  return String(v);
}
