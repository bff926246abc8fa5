import type { ChartPayload } from './chartPayload';
import { CHART_DATASET, VEGA_LITE_SCHEMA } from './chartPayload';
import type { MetricSeries } from './metricSeries';

export interface MetricChartOptions {
  log?: boolean;
  align?: boolean;
  title?: string;
}

/**
 * Ticks on period boundaries, labelled at the grain: a monthly chart has no mid-month ticks, and a
 * daily chart of a few days no 6-hourly ticks all labelled with the same date.
 */
const TIME_AXIS: Record<string, Record<string, unknown>> = {
  day: { format: '%Y-%m-%d', tickMinStep: 86_400_000 },
  week: { format: '%Y-%m-%d' },
  month: { tickCount: 'month', format: '%b %Y' },
  quarter: { tickCount: 'month', format: '%b %Y' },
};

/** Point markers only while they can be told apart; a 10-year daily line is drawn as a line. */
const MAX_MARKED_POINTS = 400;
/** The layer that rings partly-read periods; its marks are drawn in the group of class `${PARTIAL_LAYER}_marks`. */
export const PARTIAL_LAYER = 'partial';

/**
 * Several metric series in one line chart: colour per series (its label says what it counts), x the
 * period (or periods since the first non-zero value when aligned), y the value; nulls break the
 * line, so a gap stays visible. Log scale is symlog, which keeps zeros and negative % changes.
 */
export function metricChart(series: MetricSeries[], options: MetricChartOptions = {}): ChartPayload {
  // Series read by the hour (GH Archive) say, per period, when only some of its hours were read.
  const hourly = series.some((s) => s.points.some((p) => p.partial));
  const values = series.flatMap((s) =>
    s.points.map((p) => ({
      series: s.label, period: p.period, offset: p.offset ?? null, value: p.value,
      ...(hourly ? { coverage: p.partial ? `partial: ${p.partial.hours} of ${p.partial.of} hours imported` : null } : {}),
    })),
  );
  const grain = series[0]?.grain ?? 'day';
  const marked = values.length <= MAX_MARKED_POINTS;
  const line = { type: 'line', point: marked ? { size: 30, filled: true } : false, interpolate: 'linear', invalid: 'break-paths-show-domains', clip: true };
  const pct = series.length > 0 && series.every((s) => s.mode === 'pct');
  const title = options.title ?? (series.length === 1 ? (series[0] as MetricSeries).name : `${series.length} series compared`);
  const x = options.align
    ? { field: 'offset', type: 'quantitative', title: `${grain}s since the first non-zero value`, axis: { tickMinStep: 1, format: 'd' } }
    : { field: 'period', type: 'temporal', title: `${grain} (UTC)`, scale: { type: 'utc' }, axis: { labelOverlap: true, ...TIME_AXIS[grain] } };
  const spec: Record<string, unknown> = {
    $schema: VEGA_LITE_SCHEMA,
    description: `Line chart: ${series.map((s) => s.label).join('; ')}`,
    width: 'container',
    height: 320,
    autosize: { type: 'fit', contains: 'padding', resize: true },
    data: { name: CHART_DATASET },
    ...(hourly
      ? {
          // A period only partly read (GH Archive hours missing) is ringed: its count is a floor.
          layer: [
            { mark: line },
            { name: PARTIAL_LAYER, mark: { type: 'point', size: 150, filled: false, strokeWidth: 1.5, clip: true }, transform: [{ filter: 'datum.coverage != null' }] },
          ],
        }
      : { mark: line }),
    encoding: {
      x,
      y: {
        field: 'value',
        type: 'quantitative',
        title: pct ? '% change over the previous period' : (series[0]?.unit ?? 'value'),
        scale: options.log ? { type: 'symlog' } : { zero: false },
        axis: { format: pct ? '.1f' : '~s' },
      },
      color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', direction: 'vertical', labelLimit: 900 } },
      tooltip: [
        { field: 'series', type: 'nominal', title: 'Series' },
        { field: 'period', type: 'temporal', title: `${grain} starting`, format: '%Y-%m-%d', scale: { type: 'utc' } },
        { field: 'value', type: 'quantitative', title: 'Value', format: ',.2~f' },
        ...(hourly ? [{ field: 'coverage', type: 'nominal', title: 'Coverage' }] : []),
      ],
    },
  };
  const nothing = series.every((s) => s.points.every((p) => p.value === null));
  return {
    ...(nothing ? { empty: emptyText(series) } : {}),
    id: series.map((s) => `${s.artifactId}#${s.metricKey}`).join('+'),
    title,
    spec,
    dataset: CHART_DATASET,
    values,
    columns: [...(options.align ? ['series', 'period', 'offset', 'value'] : ['series', 'period', 'value']), ...(hourly ? ['coverage'] : [])],
    summary: summarizeSeries(series),
    series: series.map((s) => s.label),
  };
}

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 2 });

/** What a metric chart with nothing to draw says: which series, and how to get data for them. */
function emptyText(series: MetricSeries[]): string {
  if (series.length === 0) return 'No series selected: tick one under Compare.';
  const some = series.some((s) => s.points.length > 0);
  const names = series.map((s) => s.label).join('; ');
  return some
    ? `No data in this date range for ${names}. Widen the range, or run “Community Metrics: Refresh”.`
    : `No data yet for ${names}. Run “Community Metrics: Refresh” to fetch it (the chart grows with every refresh).`;
}

/** How many periods were read only in part, and which (the first few), in words. */
function partialNote(s: MetricSeries): string {
  const partial = s.points.filter((p) => p.partial);
  if (partial.length === 0) return '';
  const shown = partial.slice(0, 3).map((p) => `${p.period}: ${p.partial?.hours} of ${p.partial?.of} hours`);
  const more = partial.length > shown.length ? `, and ${partial.length - shown.length} more` : '';
  const n = partial.length === 1 ? `1 ${s.grain} is` : `${partial.length} ${s.grain}s are`;
  return ` ${n} partial, only some of the hours imported (${shown.join('; ')}${more}): ${partial.length === 1 ? 'its value counts' : 'their values count'} only those hours, and ${partial.length === 1 ? 'it is' : 'they are'} ringed in the chart.`;
}

/** A text summary of each series, for screen readers and the caption: span, latest, range, gaps, partial periods. */
export function summarizeSeries(series: MetricSeries[]): string {
  if (series.length === 0) return 'No series selected.';
  return series
    .map((s) => {
      const known = s.points.filter((p) => p.value !== null);
      if (known.length === 0) return `${s.label}: no data yet.`;
      const first = s.points[0]?.period;
      const lastPoint = known[known.length - 1];
      const vals = known.map((p) => p.value as number);
      const gaps = s.points.length - known.length;
      return `${s.label}: ${s.points.length} ${s.grain}s from ${first} to ${s.points[s.points.length - 1]?.period}; ` +
        `latest ${fmt(lastPoint?.value as number)} (${s.grain} of ${lastPoint?.period}); lowest ${fmt(Math.min(...vals))}, highest ${fmt(Math.max(...vals))}` +
        (gaps ? `; ${gaps} ${gaps === 1 ? s.grain : `${s.grain}s`} without data, shown as gaps.` : '.') +
        partialNote(s);
    })
    .join(' ');
}
