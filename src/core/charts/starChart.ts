import type { StarPoint } from '../store/store';
import { COUNT_LABEL } from './axes';

/** A vega-lite spec without data or colours: data arrives by message, colours from the theme. */
export interface ChartSpec {
  $schema: string;
  [key: string]: unknown;
}

export const STAR_DATASET = 'points';
const DAY_MS = 86_400_000;

/**
 * The star snapshots of one repository as a line with one point per snapshot. The series says what
 * it counts: each point is the repository's stargazers_count when the snapshot was taken.
 */
export function starChartSpec(repo: string, points: readonly StarPoint[] = []): ChartSpec {
  // One snapshot time leaves the time scale an empty domain, which Vega ticks in milliseconds (a lone
  // tick labelled ".227"): give it a day either side, ticked by day.
  const times = new Set(points.map((p) => Date.parse(p.timestamp)).filter((t) => !Number.isNaN(t)));
  const single = times.size === 1 ? ([...times][0] as number) : undefined;
  const x = single === undefined
    ? { field: 'timestamp', type: 'temporal', title: 'Snapshot time (UTC)', axis: { labelOverlap: true } }
    : { field: 'timestamp', type: 'temporal', title: 'Snapshot time (UTC)', scale: { domain: [single - DAY_MS, single + DAY_MS] }, axis: { labelOverlap: true, tickCount: 'day', format: '%Y-%m-%d' } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `GitHub stars of ${repo}, one point per snapshot`,
    width: 'container',
    height: 300,
    autosize: { type: 'fit', contains: 'padding', resize: true },
    data: { name: STAR_DATASET },
    mark: { type: 'line', point: { size: 40, filled: true }, interpolate: 'linear' },
    encoding: {
      x,
      // Counts from zero, like every chart: a rise of 3 stars on 1,200 is not drawn as a cliff.
      y: { field: 'stars', type: 'quantitative', title: 'stars', scale: { zero: true, nice: true }, axis: { labelExpr: COUNT_LABEL, tickMinStep: 1 } },
      tooltip: [
        { field: 'timestamp', type: 'temporal', title: 'Snapshot', timeUnit: 'utcyearmonthdatehoursminutesseconds' },
        { field: 'stars', type: 'quantitative', title: 'Stars', format: ',d' },
      ],
    },
  };
}

/** A short text summary of the series, for screen readers and the panel's caption. */
export function summarizeStars(repo: string, points: StarPoint[]): string {
  if (points.length === 0) return `${repo}: no star snapshots yet. Run Community Metrics: Refresh.`;
  const first = points[0] as StarPoint;
  const last = points[points.length - 1] as StarPoint;
  const change = last.stars - first.stars;
  const plural = points.length === 1 ? 'snapshot' : 'snapshots';
  return `${repo}: ${points.length} ${plural}; latest ${last.stars.toLocaleString('en-US')} stars at ${utcMinute(last.timestamp)}` +
    (points.length > 1 ? `; ${change >= 0 ? '+' : ''}${change.toLocaleString('en-US')} since ${utcMinute(first.timestamp)}.` : '.');
}

function utcMinute(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
