import type { Insight } from './insight';
import { fmt, pct } from './insight';
import { median, robustSigma } from './robustStats';

export interface DailyValue {
  day: string;
  value: number | null;
}

export interface RateDropOptions {
  /** Weeks before the last one that make "normal". */
  baselineWeeks?: number;
  /** How many robust standard deviations below normal counts as a drop. */
  sigmas?: number;
  /** And at least this fraction below the normal level, so tiny series do not flag on noise. */
  minDrop?: number;
}

export interface RateDrop {
  lastWeek: number;
  usual: number;
  low: number;
  high: number;
  drop: number;
  endDay: string;
}

/**
 * A pull or download rate that dropped beyond its normal variation. Whole 7-day totals are
 * compared, so the weekly cycle (weekend dips) is inside every total and cannot look like a drop:
 * the last 7 days against the median and spread of the `baselineWeeks` 7-day totals before them.
 * Windows with a day without data are not judged (a gap is not a drop).
 */
export function detectRateDrop(daily: readonly DailyValue[], options: RateDropOptions = {}): RateDrop | undefined {
  const weeks = options.baselineWeeks ?? 8;
  const sigmas = options.sigmas ?? 3;
  const minDrop = options.minDrop ?? 0.2;
  if (daily.length < 7 * (weeks + 1)) return undefined;
  const tail = daily.slice(-7 * (weeks + 1));
  const totals: number[] = [];
  for (let w = 0; w <= weeks; w++) {
    const days = tail.slice(w * 7, w * 7 + 7);
    if (days.some((d) => d.value === null)) {
      if (w === weeks) return undefined;
      continue;
    }
    totals.push(days.reduce((s, d) => s + (d.value as number), 0));
  }
  const lastWeek = totals.pop() as number;
  if (totals.length < Math.ceil(weeks / 2)) return undefined;
  const usual = median(totals);
  if (usual <= 0) return undefined;
  // Counts vary at least as much as Poisson noise; a perfectly flat history must not make any dip a drop.
  const sigma = Math.max(robustSigma(totals), Math.sqrt(usual), 0.03 * usual);
  const low = usual - sigmas * sigma;
  const drop = 1 - lastWeek / usual;
  if (lastWeek >= low || drop < minDrop) return undefined;
  return { lastWeek, usual, low: Math.max(0, low), high: usual + sigmas * sigma, drop, endDay: (tail[tail.length - 1] as DailyValue).day };
}

export function rateDropInsight(artifactId: string, name: string, unit: string, metricKey: string, d: RateDrop): Insight {
  return {
    kind: 'rate-drop',
    artifactId,
    title: `${unit[0]?.toUpperCase()}${unit.slice(1)} dropped ${pct(d.drop)} in the last 7 days`,
    explanation:
      `${name}: ${fmt(d.lastWeek)} ${unit} in the 7 days to ${d.endDay}, against a usual ${fmt(d.usual)} ` +
      `(median of the 7-day totals of the weeks before; normal range ${fmt(d.low)}–${fmt(d.high)}). ` +
      `Whole weeks are compared, so weekend dips are not mistaken for a drop.`,
    chart: { artifactId, metricKey, grain: 'day', mode: 'new' },
  };
}
