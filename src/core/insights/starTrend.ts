import type { Insight } from './insight';
import { fmt } from './insight';
import { mannKendallZ, median, theilSenSlope } from './robustStats';

export interface StarTrend {
  direction: 'accelerating' | 'flattening';
  /** Stars per week at the start and end of the window, on the fitted trend. */
  from: number;
  to: number;
  slope: number;
  z: number;
  weeks: number;
}

/**
 * Whether star growth is accelerating or flattening: the trend of the weekly rate (stars gained per
 * complete week, oldest first). Theil–Sen gives the slope, Mann–Kendall whether it is a trend at
 * all (|z| > 1.96); and the rate must change by at least `minChange` of its level across the window.
 */
export function detectStarTrend(weekly: readonly number[], options: { weeks?: number; minChange?: number } = {}): StarTrend | undefined {
  const n = options.weeks ?? 26;
  const minChange = options.minChange ?? 0.4;
  const ys = weekly.slice(-n);
  if (ys.length < 12) return undefined;
  const level = median(ys);
  if (level <= 0 && Math.max(...ys) <= 0) return undefined;
  const slope = theilSenSlope(ys);
  const z = mannKendallZ(ys);
  const mid = (ys.length - 1) / 2;
  const from = Math.max(0, level - slope * mid);
  const to = Math.max(0, level + slope * mid);
  const change = (to - from) / Math.max(level, 1);
  if (z > 1.96 && change >= minChange) return { direction: 'accelerating', from, to, slope, z, weeks: ys.length };
  if (z < -1.96 && -change >= minChange) return { direction: 'flattening', from, to, slope, z, weeks: ys.length };
  return undefined;
}

export function starTrendInsight(artifactId: string, name: string, counts: string, t: StarTrend): Insight {
  return {
    kind: 'star-trend',
    artifactId,
    title: `Star growth is ${t.direction}`,
    explanation:
      `${name}: the weekly rate of new stars went from about ${fmt(t.from)} to about ${fmt(t.to)} a week over the last ${t.weeks} complete weeks ` +
      `(Theil–Sen trend ${t.slope >= 0 ? '+' : ''}${t.slope.toFixed(2)} stars a week per week; Mann–Kendall z = ${t.z.toFixed(1)}, a trend beyond chance). Counting ${counts}.`,
    chart: { artifactId, metricKey: 'stars', grain: 'week', mode: 'new' },
  };
}
