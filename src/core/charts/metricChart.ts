import type { ChartPayload } from './chartPayload';
import { CHART_DATASET, VEGA_LITE_SCHEMA } from './chartPayload';
import type { MetricSeries } from './metricSeries';
import { MAX_MARKED_PER_SERIES, PERIOD_FORMAT, countY, maxOf, percentY, spanOf, timeX } from './axes';

export interface MetricChartOptions {
  log?: boolean;
  align?: boolean;
  title?: string;
  /** Releases of the charted projects, drawn as labelled rules (not on aligned charts, whose x is no date). */
  events?: readonly ChartEvent[];
}

/** The layer that rings partly-read periods; its marks are drawn in the group of class `${PARTIAL_LAYER}_marks`. */
export const PARTIAL_LAYER = 'partial';
/** The layer of the hollow point of a period still running; class `${SO_FAR_LAYER}_marks`. */
export const SO_FAR_LAYER = 'sofar';
/** The layer of release rules; class `${RELEASE_LAYER}_marks`. */
export const RELEASE_LAYER = 'releases';

/** A release (or any dated event) drawn as a labelled vertical rule on time charts. */
export interface ChartEvent {
  day: string;
  label: string;
}

/**
 * Several metric series in one line chart: colour per series, x the period (or periods since the
 * first non-zero value when aligned), y the value from zero in its unit; nulls break the line, so a
 * gap stays visible. The last period, when still running, is not joined to the line: a hollow
 * point labelled "so far" (left out of % changes): a week three days old is not a drop. Log scale is symlog, which keeps
 * zeros and negative % changes. Releases, when given, are labelled rules that the page can hide.
 */
export function metricChart(series: MetricSeries[], options: MetricChartOptions = {}): ChartPayload {
  // Series read by the hour (GH Archive) say, per period, when only some of its hours were read.
  const hourly = series.some((s) => s.points.some((p) => p.partial));
  // The running period: a % change of a part-period is meaningless, so it is left out; any other
  // value is drawn apart from the line (a hollow point labelled "so far"), never joined to it as a drop.
  const running = (p: MetricSeries['points'][number]) => !!p.soFar && !options.align;
  const soFar = series.some((s) => s.mode !== 'pct' && s.points.some((p) => running(p)));
  const values = series.flatMap((s) =>
    s.points
      .filter((p) => !(s.mode === 'pct' && running(p)))
      .map((p) => ({
        series: s.label, period: p.period, offset: p.offset ?? null, value: p.value,
        ...(hourly ? { coverage: p.partial ? `partial: ${p.partial.hours} of ${p.partial.of} hours imported` : null } : {}),
        ...(soFar ? { status: p.soFar ? `so far (${p.soFar.days} of ${p.soFar.of} days)` : 'complete' } : {}),
      })),
  );
  const grain = series[0]?.grain ?? 'day';
  const perSeries = Math.max(0, ...series.map((s) => s.points.length));
  const marked = perSeries <= MAX_MARKED_PER_SERIES;
  const line = { type: 'line', point: marked ? { size: 30, filled: true } : false, interpolate: 'linear', invalid: 'break-paths-show-domains', clip: true, strokeWidth: 2 };
  const pct = series.length > 0 && series.every((s) => s.mode === 'pct');
  const title = options.title ?? (series.length === 1 ? (series[0] as MetricSeries).name : `${series.length} series compared`);
  const span = spanOf(values, 'period');
  const x = options.align
    ? { field: 'offset', type: 'quantitative', title: `${grain}s since the first non-zero value`, axis: { tickMinStep: 1, format: 'd', grid: false } }
    : timeX('period', grain, span.first, span.last);
  const titles = [...new Set(series.map((s) => s.axisTitle))];
  const yTitle = titles.length === 1 ? (titles[0] as string) : titles.join(' · ');
  const y = pct ? percentY('value', yTitle) : countY('value', yTitle, { log: options.log, integer: series.every((s) => s.mode !== 'pct'), max: maxOf(values, 'value') });
  const events = options.align ? [] : (options.events ?? []).filter((e) => (!span.first || e.day >= span.first) && (!span.last || e.day <= span.last));
  const enc = {
    y,
    // One series: its name is the chart's title and the axis says what it counts, no legend.
    color: { field: 'series', type: 'nominal', title: null, legend: series.length > 1 ? { orient: 'top', direction: 'vertical', labelLimit: 0, symbolType: 'stroke', symbolStrokeWidth: 3 } : null },
    tooltip: [
      { field: 'series', type: 'nominal', title: 'Series' },
      { field: 'period', type: 'temporal', title: grain, format: PERIOD_FORMAT[grain], scale: { type: 'utc' } },
      { field: 'value', type: 'quantitative', title: yTitle, format: ',.2~f' },
      ...(soFar ? [{ field: 'status', type: 'nominal', title: 'Period' }] : []),
      ...(hourly ? [{ field: 'coverage', type: 'nominal', title: 'Coverage' }] : []),
    ],
  };
  // A dense line (no point markers) carries no tooltip per point: Vega would evaluate one tooltip
  // expression per row while drawing, which is most of a large chart's first render; the page's
  // hover readout (usermeta.readout) shows every series' value at the period under the pointer.
  const { tooltip: _perPoint, ...lineEnc } = enc;
  const lineEncoding = marked ? enc : lineEnc;
  const layers: Record<string, unknown>[] = [soFar ? { mark: line, encoding: lineEncoding, transform: [{ filter: "datum.status == 'complete'" }] } : { mark: line, encoding: lineEncoding }];
  if (soFar) {
    layers.push(
      { name: SO_FAR_LAYER, mark: { type: 'point', size: 60, filled: false, strokeWidth: 2, strokeDash: [2, 2] }, encoding: enc, transform: [{ filter: "datum.status != 'complete'" }] },
      { mark: { type: 'text', text: 'so far', dy: -12, fontSize: 11 }, encoding: { y, color: enc.color }, transform: [{ filter: "datum.status != 'complete'" }] },
    );
  }
  if (hourly) layers.push({ name: PARTIAL_LAYER, mark: { type: 'point', size: 150, filled: false, strokeWidth: 1.5, clip: true }, encoding: enc, transform: [{ filter: 'datum.coverage != null' }] });
  if (events.length) layers.push(...releaseLayers(events));
  const spec: Record<string, unknown> = {
    $schema: VEGA_LITE_SCHEMA,
    description: `Line chart: ${series.map((s) => s.label).join('; ')}`,
    width: 'container',
    height: 'container',
    autosize: { type: 'fit', contains: 'padding', resize: true },
    data: { name: CHART_DATASET },
    ...(events.length ? { params: [{ name: 'showReleases', value: true }] } : {}),
    layer: layers,
    encoding: { x },
    ...(marked ? {} : { usermeta: { readout: { x: options.align ? 'offset' : 'period', series: 'series', value: 'value', grain, temporal: !options.align, valueTitle: yTitle } } }),
  };
  const nothing = series.every((s) => s.points.every((p) => p.value === null));
  return {
    ...(nothing ? { empty: emptyText(series) } : {}),
    id: series.map((s) => `${s.artifactId}#${s.metricKey}`).join('+'),
    title,
    spec,
    dataset: CHART_DATASET,
    values,
    columns: [...(options.align ? ['series', 'period', 'offset', 'value'] : ['series', 'period', 'value']), ...(soFar ? ['status'] : []), ...(hourly ? ['coverage'] : [])],
    summary: summarizeSeries(series) + (events.length ? ` ${events.length} release${events.length === 1 ? '' : 's'} marked.` : ''),
    series: series.map((s) => s.label),
  };
}

/**
 * Releases as labelled vertical rules, on their own dataset (the rows of the chart are periods),
 * hidden together with the `showReleases` parameter that the page's toggle sets.
 */
export function releaseLayers(events: readonly ChartEvent[]): Record<string, unknown>[] {
  const data = { values: events.map((e) => ({ period: e.day, label: e.label })), format: { parse: { period: 'date' } } };
  // Many releases: label only as many as fit; the tooltip names each.
  const labelled = events.length <= 12;
  return [
    {
      name: RELEASE_LAYER,
      data,
      transform: [{ filter: 'showReleases' }],
      mark: { type: 'rule', strokeDash: [2, 3], strokeWidth: 1, opacity: 0.8 },
      encoding: { tooltip: [{ field: 'label', type: 'nominal', title: 'Release' }, { field: 'period', type: 'temporal', title: 'Published', format: '%b %-d, %Y', scale: { type: 'utc' } }] },
    },
    ...(labelled
      ? [{
          data,
          transform: [{ filter: 'showReleases' }],
          mark: { type: 'text', angle: 270, align: 'right', baseline: 'bottom', dx: -4, dy: -2, fontSize: 10, limit: 90 },
          encoding: { y: { value: 0 }, text: { field: 'label' } },
        }]
      : []),
  ];
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

/** The running last period, in words: its value is a count so far, drawn dashed. */
function soFarNote(s: MetricSeries): string {
  const last = s.points[s.points.length - 1];
  if (!last?.soFar) return '';
  const days = `${last.soFar.days} of ${last.soFar.of} days`;
  return s.mode === 'pct'
    ? ` The ${s.grain} of ${last.period} is not over (${days}): its change is left out.`
    : ` The ${s.grain} of ${last.period} is not over (${days}): its ${fmt(last.value ?? 0)} is so far, drawn apart as a hollow point.`;
}

/** Why the chart is coarser than asked: more periods than the panel has room for. */
function grainNote(s: MetricSeries): string {
  return s.askedGrain ? ` Aggregated to ${s.grain}s: the range has more ${s.askedGrain}s than the chart has room for.` : '';
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
        partialNote(s) + soFarNote(s) + grainNote(s);
    })
    .join(' ');
}
