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

/** Each row's series (an index), pixel column (-1: x not placeable) and x as a number. */
interface Placed {
  series: Int32Array;
  column: Int32Array;
  xs: Float64Array;
  seriesCount: number;
  columns: number;
}

function place(values: readonly Row[], shape: ReducibleShape, columns: number): Placed {
  const cols = Math.max(1, Math.floor(columns));
  const n = values.length;
  const xs = new Float64Array(n);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = xNumber((values[i] as Row)[shape.x]);
    xs[i] = x;
    if (Number.isFinite(x)) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  const width = hi - lo;
  const series = new Int32Array(n);
  const column = new Int32Array(n);
  const ids = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const r = values[i] as Row;
    const key = shape.series.length === 0 ? '' : shape.series.length === 1 ? String(r[shape.series[0] as string] ?? '\u0000null') : shape.series.map((f) => String(r[f] ?? '\u0000null')).join('\u0001');
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
    }
    series[i] = id;
    const x = xs[i] as number;
    column[i] = !Number.isFinite(x) ? -1 : width > 0 ? Math.min(cols - 1, Math.floor(((x - lo) / width) * cols)) : 0;
  }
  return { series, column, xs, seriesCount: ids.size, columns: cols };
}

/**
 * A slot per (series, column) cell that holds rows: the cell's own index while series × columns is
 * small, else numbered as met (a spec coloured by a field unique per row has as many series as rows).
 */
function cellSlots(p: Placed, rows: number): { slots: number; slotOf: (i: number) => number } {
  const cells = p.seriesCount * p.columns;
  if (cells <= Math.max(4 * rows, 65_536)) return { slots: cells, slotOf: (i) => (p.series[i] as number) * p.columns + (p.column[i] as number) };
  const seen = new Map<number, number>();
  return {
    slots: rows,
    slotOf: (i) => {
      const c = (p.series[i] as number) * p.columns + (p.column[i] as number);
      let s = seen.get(c);
      if (s === undefined) {
        s = seen.size;
        seen.set(c, s);
      }
      return s;
    },
  };
}

/**
 * The rows to draw at `columns` pixel columns: for each series and each column its first and last
 * row by x and its lowest and highest by y (M4: the line drawn through them covers the same pixels
 * as the line through every row, so spikes and the ends stay), plus the first row of a column whose
 * y is missing, so that a gap in a line stays a gap. Rows whose x cannot be placed are kept as they
 * are (Vega-Lite leaves them out of the drawing). Rows keep their order and are the same objects.
 */
export function reduceToColumns<T extends Row>(values: readonly T[], shape: ReducibleShape, columns: number): T[] {
  const p = place(values, shape, columns);
  const { slots: cells, slotOf } = cellSlots(p, values.length);
  // Per cell (series × column): the row index of the first, last, lowest, highest and first gap.
  const first = new Int32Array(cells).fill(-1);
  const last = new Int32Array(cells).fill(-1);
  const min = new Int32Array(cells).fill(-1);
  const max = new Int32Array(cells).fill(-1);
  const gap = new Int32Array(cells).fill(-1);
  const ys = new Float64Array(values.length);
  const keep = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const col = p.column[i] as number;
    if (col < 0) {
      keep[i] = 1;
      continue;
    }
    const c = slotOf(i);
    const y = yNumber((values[i] as T)[shape.y]);
    ys[i] = y;
    if (!Number.isFinite(y)) {
      if ((gap[c] as number) < 0) gap[c] = i;
      continue;
    }
    const x = p.xs[i] as number;
    const f = first[c] as number;
    if (f < 0) {
      first[c] = i;
      last[c] = i;
      min[c] = i;
      max[c] = i;
      continue;
    }
    if (x < (p.xs[f] as number)) first[c] = i;
    if (x > (p.xs[last[c] as number] as number)) last[c] = i;
    if (y < (ys[min[c] as number] as number)) min[c] = i;
    if (y > (ys[max[c] as number] as number)) max[c] = i;
  }
  for (let c = 0; c < cells; c++) {
    for (const a of [first, last, min, max, gap]) {
      const i = a[c] as number;
      if (i >= 0) keep[i] = 1;
    }
  }
  const out: T[] = [];
  for (let i = 0; i < values.length; i++) if (keep[i]) out.push(values[i] as T);
  return out;
}

/** At most this many rows of a series per pixel column: M4's first, last, lowest and highest. */
export const ROWS_PER_COLUMN = 4;

/**
 * Whether some series has more than ROWS_PER_COLUMN rows in one of `columns` pixel columns: only
 * then are rows left out (below that, every row is drawn and nothing needs saying).
 */
export function denserThanColumns(values: readonly Row[], shape: ReducibleShape, columns: number): boolean {
  const p = place(values, shape, columns);
  const { slots, slotOf } = cellSlots(p, values.length);
  const counts = new Uint32Array(slots);
  for (let i = 0; i < values.length; i++) {
    const col = p.column[i] as number;
    if (col < 0) continue;
    const c = slotOf(i);
    if (++(counts[c] as number) > ROWS_PER_COLUMN) return true;
  }
  return false;
}

/** The sentence a chart's summary gets when its rows were reduced (and only then). */
export function reductionNote(kept: number, total: number): string {
  const n = (v: number) => v.toLocaleString('en-US');
  return `More rows than pixel columns: drawn is each series' first, last, lowest and highest value per pixel column (${n(kept)} of ${n(total)} rows; the CSV export has all).`;
}
