import type { ChartPayload } from './chartPayload';
import { CHART_DATASET, VEGA_LITE_SCHEMA } from './chartPayload';
import type { MetricSeries } from './metricSeries';

export interface MetricChartOptions {
  log?: boolean;
  align?: boolean;
  title?: string;
}

/** Ticks on period boundaries, labelled at the grain: a monthly chart has no mid-month ticks. */
const TIME_AXIS: Record<string, Record<string, unknown>> = {
  day: { format: '%Y-%m-%d' },
  week: { format: '%Y-%m-%d' },
  month: { tickCount: 'month', format: '%b %Y' },
  quarter: { tickCount: 'month', format: '%b %Y' },
};

/** Point markers only while they can be told apart; a 10-year daily line is drawn as a line. */
const MAX_MARKED_POINTS = 400;

/**
 * Several metric series in one line chart: colour per series (its label says what it counts), x the
 * period (or periods since the first non-zero value when aligned), y the value; nulls break the
 * line, so a gap stays visible. Log scale is symlog, which keeps zeros and negative % changes.
 */
export function metricChart(series: MetricSeries[], options: MetricChartOptions = {}): ChartPayload {
  const values = series.flatMap((s) => s.points.map((p) => ({ series: s.label, period: p.period, offset: p.offset ?? null, value: p.value })));
  const grain = series[0]?.grain ?? 'day';
  const marked = values.length <= MAX_MARKED_POINTS;
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
    mark: { type: 'line', point: marked ? { size: 30, filled: true } : false, interpolate: 'linear', invalid: 'break-paths-show-domains', clip: true },
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
      ],
    },
  };
  return {
    id: series.map((s) => `${s.artifactId}#${s.metricKey}`).join('+'),
    title,
    spec,
    dataset: CHART_DATASET,
    values,
    columns: options.align ? ['series', 'period', 'offset', 'value'] : ['series', 'period', 'value'],
    summary: summarizeSeries(series),
    series: series.map((s) => s.label),
  };
}

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 2 });

/** A text summary of each series, for screen readers and the caption: span, latest, range, gaps. */
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
        (gaps ? `; ${gaps} ${gaps === 1 ? s.grain : `${s.grain}s`} without data, shown as gaps.` : '.');
    })
    .join(' ');
}
