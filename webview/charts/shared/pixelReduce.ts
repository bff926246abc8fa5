// Fewer rows for a chart than its drawing has pixel columns, for specs whose meaning that cannot
// change. Pure (no DOM): the chart view calls it with the plot's width, the unit tests directly.

type Row = Record<string, unknown>;

/** What a reducible spec draws: y over a continuous x, one line (or area, or points) per series. */
export interface ReducibleShape {
  x: string;
  y: string;
  /** The fields that split rows into series (colour, detail, stroke dash…); none for one series. */
  series: string[];
}

const MARKS = new Set(['line', 'area', 'point', 'circle', 'square']);
/** Channels whose field splits the rows into separately drawn series. */
const SERIES_CHANNELS = new Set(['color', 'fill', 'stroke', 'detail', 'strokeDash', 'shape', 'opacity', 'fillOpacity', 'strokeOpacity', 'size', 'strokeWidth']);
/** Channels that only describe a row (a kept row still says its own values). */
const PASSIVE_CHANNELS = new Set(['tooltip', 'href', 'description']);
/** View keys that change which rows are drawn or where: a spec with any of them is left alone. */
const REFUSED_KEYS = ['transform', 'facet', 'repeat', 'concat', 'hconcat', 'vconcat', 'spec'];
const LINEAR_X = new Set([undefined, 'linear', 'time', 'utc']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A plain column name: Vega-Lite reads `a.b` and `a[0]` as nested access, which rows here never have. */
const plainField = (f: unknown): f is string => typeof f === 'string' && f.length > 0 && !/[.[\]\\]/.test(f);
const transforms = (def: Record<string, unknown>) => ['aggregate', 'bin', 'timeUnit', 'impute', 'condition'].some((k) => def[k] !== undefined && def[k] !== null && def[k] !== false);

/**
 * The shape of `spec` when reducing its rows per pixel column cannot change what it shows, else
 * undefined. Only a single view (or layers of such views over the same data, x and y) with a line,
 * area or point mark; x a plain temporal or quantitative field on a linear scale with the domain
 * taken from the data; y a plain quantitative field, not stacked; no transform, aggregate, bin, time
 * unit, impute, facet or selection; the other channels either split series or describe a row.
 */
export function reducibleShape(spec: Record<string, unknown>): ReducibleShape | undefined {
  if (REFUSED_KEYS.some((k) => spec[k] !== undefined) || hasSelection(spec)) return undefined;
  const shared = isObject(spec.encoding) ? spec.encoding : {};
  const views = Array.isArray(spec.layer) ? spec.layer : [spec];
  if (views.length === 0) return undefined;
  let shape: ReducibleShape | undefined;
  for (const view of views) {
    if (!isObject(view)) return undefined;
    if (view !== spec && (view.data !== undefined || view.layer !== undefined || REFUSED_KEYS.some((k) => view[k] !== undefined) || hasSelection(view))) return undefined;
    const own = viewShape(view, view === spec ? {} : shared);
    if (!own) return undefined;
    if (shape && (own.x !== shape.x || own.y !== shape.y)) return undefined;
    shape = shape ? { ...shape, series: [...new Set([...shape.series, ...own.series])] } : own;
  }
  return shape;
}

function hasSelection(view: Record<string, unknown>): boolean {
  // A selection (brush, zoom bound to the scales) would show the reduced rows up close.
  return Array.isArray(view.params) && view.params.some((p) => isObject(p) && p.select !== undefined);
}

function viewShape(view: Record<string, unknown>, inherited: Record<string, unknown>): ReducibleShape | undefined {
  const mark = isObject(view.mark) ? view.mark.type : view.mark;
  if (typeof mark !== 'string' || !MARKS.has(mark)) return undefined;
  const encoding = { ...inherited, ...(isObject(view.encoding) ? view.encoding : {}) };
  const x = encoding.x;
  const y = encoding.y;
  if (!isObject(x) || !isObject(y) || !plainField(x.field) || !plainField(y.field) || transforms(x) || transforms(y)) return undefined;
  if (x.type !== 'temporal' && x.type !== 'quantitative') return undefined;
  if (y.type !== 'quantitative') return undefined;
  if (x.scale !== undefined) {
    // No scale (null) places rows at raw pixels; a set domain or a non-linear scale makes columns of data unequal in pixels.
    if (!isObject(x.scale) || !LINEAR_X.has(x.scale.type as string | undefined)) return undefined;
    const scale = x.scale;
    if (['domain', 'domainMin', 'domainMax', 'domainMid', 'domainRaw'].some((k) => scale[k] !== undefined)) return undefined;
  }
  const series: string[] = [];
  for (const [channel, def] of Object.entries(encoding)) {
    if (channel === 'x' || channel === 'y') continue;
    if (PASSIVE_CHANNELS.has(channel)) {
      const defs = Array.isArray(def) ? def : [def];
      if (defs.some((d) => isObject(d) && (transforms(d) || (d.field !== undefined && !plainField(d.field))))) return undefined;
      continue;
    }
    if (!SERIES_CHANNELS.has(channel) || !isObject(def) || transforms(def)) return undefined;
    if (def.field === undefined) continue;
    if (!plainField(def.field)) return undefined;
    series.push(def.field);
  }
  // Stacked areas (the default for an area split in series) add up rows of the same x: reduced
  // series would no longer share their x values.
  const stack = y.stack;
  if (stack !== undefined && stack !== null && stack !== false) return undefined;
  if (mark === 'area' && series.length > 0 && stack !== null && stack !== false) return undefined;
  return { x: x.field, y: y.field, series };
}

/** x as a number: timestamps for dates (Date, ISO text), the number itself otherwise. */
function xNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : Date.parse(v);
  }
  return Number.NaN;
}

function yNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return Number.NaN;
}

interface Column {
  first: number;
  firstX: number;
  last: number;
  lastX: number;
  min: number;
  minY: number;
  max: number;
  maxY: number;
  gap: number;
}

/**
 * The rows to draw at `columns` pixel columns: for each series and each column its first and last
 * row by x and its lowest and highest by y (M4: the line drawn through them covers the same pixels
 * as the line through every row, so spikes and the ends stay), plus the first row of a column whose
 * y is missing, so that a gap in a line stays a gap. Rows whose x cannot be placed are kept as they
 * are (Vega-Lite leaves them out of the drawing). Rows keep their order and are the same objects.
 */
export function reduceToColumns<T extends Row>(values: readonly T[], shape: ReducibleShape, columns: number): T[] {
  const cols = Math.max(1, Math.floor(columns));
  let lo = Infinity;
  let hi = -Infinity;
  const xs = new Float64Array(values.length);
  values.forEach((r, i) => {
    const x = xNumber(r[shape.x]);
    xs[i] = x;
    if (Number.isFinite(x)) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  });
  const keep = new Uint8Array(values.length);
  const bins = new Map<string, Column>();
  const width = hi - lo;
  values.forEach((r, i) => {
    const x = xs[i] as number;
    if (!Number.isFinite(x)) {
      keep[i] = 1;
      return;
    }
    const col = width > 0 ? Math.min(cols - 1, Math.floor(((x - lo) / width) * cols)) : 0;
    const key = `${shape.series.map((f) => String(r[f] ?? '\u0000null')).join('\u0001')}\u0002${col}`;
    const y = yNumber(r[shape.y]);
    let c = bins.get(key);
    if (!c) {
      c = { first: -1, firstX: Infinity, last: -1, lastX: -Infinity, min: -1, minY: Infinity, max: -1, maxY: -Infinity, gap: -1 };
      bins.set(key, c);
    }
    if (!Number.isFinite(y)) {
      if (c.gap < 0) c.gap = i;
      return;
    }
    if (x < c.firstX) {
      c.first = i;
      c.firstX = x;
    }
    if (x > c.lastX) {
      c.last = i;
      c.lastX = x;
    }
    if (y < c.minY) {
      c.min = i;
      c.minY = y;
    }
    if (y > c.maxY) {
      c.max = i;
      c.maxY = y;
    }
  });
  for (const c of bins.values()) for (const i of [c.first, c.last, c.min, c.max, c.gap]) if (i >= 0) keep[i] = 1;
  const out: T[] = [];
  values.forEach((r, i) => {
    if (keep[i]) out.push(r);
  });
  return out;
}

/** The sentence a chart's summary gets when its rows were reduced (and only then). */
export function reductionNote(kept: number, total: number, columns: number): string {
  const n = (v: number) => v.toLocaleString('en-US');
  return `Drawn at the chart's ${n(columns)} pixel columns: each series' first, last, lowest and highest value per column (${n(kept)} of ${n(total)} rows; the CSV export has all).`;
}
