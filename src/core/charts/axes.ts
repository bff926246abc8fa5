import type { Grain } from './grain';

/**
 * The one visual language of every time chart: ticks on calendar boundaries chosen here (not by
 * Vega, whose weeks start on Sunday and whose formats change with the zoom), each kind of tick
 * with one label format, the year on every label when the range crosses a year and in the axis
 * title when it does not. Counts start at zero; percentages carry a % sign.
 */
type TickKind = 'day' | 'week' | 'month' | 'quarter' | 'year';

const DAY_MS = 86_400_000;
const utc = (day: string) => Date.parse(`${day.slice(0, 10)}T00:00:00Z`);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The label format of each kind of tick (d3-time-format, UTC). */
export const TICK_FORMAT: Record<TickKind, { sameYear: string; acrossYears: string }> = {
  day: { sameYear: '%b %-d', acrossYears: '%b %-d, %Y' },
  week: { sameYear: '%b %-d', acrossYears: '%b %-d, %Y' },
  month: { sameYear: '%b', acrossYears: '%b %Y' },
  quarter: { sameYear: 'Q%q', acrossYears: 'Q%q %Y' },
  year: { sameYear: '%Y', acrossYears: '%Y' },
};

/** How a period of each grain is written in tooltips and summaries. */
export const PERIOD_FORMAT: Record<Grain, string> = { day: '%b %-d, %Y', week: 'week of %b %-d, %Y', month: '%b %Y', quarter: 'Q%q %Y' };

interface Candidate {
  kind: TickKind;
  ticks: string[];
}

function daysEvery(first: string, last: string, step: number, monday: boolean): string[] {
  const out: string[] = [];
  let t = utc(first);
  if (monday) while (new Date(t).getUTCDay() !== 1) t += DAY_MS;
  for (; t <= utc(last); t += step * DAY_MS) out.push(iso(t));
  return out;
}

function monthsEvery(first: string, last: string, step: number): string[] {
  const out: string[] = [];
  const a = new Date(utc(first));
  const y = a.getUTCFullYear();
  let m = a.getUTCMonth();
  if (a.getUTCDate() !== 1) m += 1;
  // Aligned to the calendar: quarters on Jan/Apr/Jul/Oct, years on January.
  while (m % step !== 0) m += 1;
  for (;;) {
    const t = Date.UTC(y + Math.floor(m / 12), m % 12, 1);
    if (t > utc(last)) break;
    out.push(iso(t));
    m += step;
  }
  return out;
}

/**
 * Tick positions (`YYYY-MM-DD`) and their label format for a time axis over [first, last] at
 * `grain`: the finest calendar sequence with at most `maxTicks` ticks, never finer than the grain.
 */
export function timeTicks(grain: Grain, first: string, last: string, maxTicks = 8): { values: string[]; format: string; kind: TickKind; acrossYears: boolean } {
  const acrossYears = first.slice(0, 4) !== last.slice(0, 4);
  const candidates: Candidate[] = [];
  if (grain === 'day') for (const step of [1, 2]) candidates.push({ kind: 'day', ticks: daysEvery(first, last, step, false) });
  if (grain === 'day' || grain === 'week') for (const step of [1, 2]) candidates.push({ kind: 'week', ticks: daysEvery(first, last, 7 * step, true) });
  if (grain !== 'quarter') for (const step of [1, 2]) candidates.push({ kind: 'month', ticks: monthsEvery(first, last, step) });
  // Every 3 or 6 months: quarters on a quarterly chart, months ("Apr 2024") on finer ones.
  for (const step of [3, 6]) candidates.push({ kind: grain === 'quarter' ? 'quarter' : 'month', ticks: monthsEvery(first, last, step) });
  for (const step of [12, 24, 60, 120]) candidates.push({ kind: 'year', ticks: monthsEvery(first, last, step) });
  const fit = candidates.find((c) => c.ticks.length >= 2 && c.ticks.length <= maxTicks)
    ?? candidates.find((c) => c.ticks.length >= 1 && c.ticks.length <= maxTicks)
    ?? { kind: grain === 'day' ? 'day' : grain, ticks: [first] } as Candidate;
  // A range too short for any calendar boundary (one period): its own start.
  const values = fit.ticks.length ? fit.ticks : [first];
  const kind = fit.ticks.length ? fit.kind : (grain as TickKind);
  // A one-year axis whose month ticks would read 'Jan' alone: the year goes in the title.
  const format = TICK_FORMAT[kind][acrossYears ? 'acrossYears' : 'sameYear'];
  return { values, format, kind, acrossYears };
}

const dateTime = (day: string) => ({ year: Number(day.slice(0, 4)), month: Number(day.slice(5, 7)), date: Number(day.slice(8, 10)), utc: true });

/** The x encoding of a time chart over `field` (YYYY-MM-DD text parsed as UTC dates). */
export function timeX(field: string, grain: Grain, first: string | undefined, last: string | undefined, what = grain as string): Record<string, unknown> {
  if (!first || !last) return { field, type: 'temporal', title: `${what} (UTC)`, scale: { type: 'utc' } };
  const t = timeTicks(grain, first, last);
  const year = t.acrossYears || t.kind === 'year' ? '' : `${first.slice(0, 4)}, `;
  return {
    field,
    type: 'temporal',
    title: `${year}${what} (UTC)`,
    scale: { type: 'utc' },
    // DateTime objects: Vega-Lite drops plain timestamps as the values of a temporal axis.
    axis: { values: t.values.map(dateTime), format: t.format, labelOverlap: 'greedy', labelFlush: false, grid: false },
  };
}

/** Counts as people write them: 950, 1,500, 12k, 1.2M. */
export const COUNT_LABEL = "abs(datum.value) >= 10000 ? format(datum.value, '.3~s') : format(datum.value, ',~r')";

/** The largest number among `values[field]` (0 when there is none). */
export function maxOf(values: readonly Record<string, unknown>[], field: string): number {
  let max = 0;
  for (const v of values) {
    const n = v[field];
    if (typeof n === 'number' && Number.isFinite(n) && n > max) max = n;
  }
  return max;
}

/**
 * The y encoding of a count or amount: from zero, SI-abbreviated labels, integer ticks, the unit as
 * title. Given the largest value drawn (not for stacked bars or areas, whose tops are sums), the axis goes a little above it (a flat line at 1,400 was drawn on
 * the plot's top edge, where the nice axis ended), as star-history's and OSS Insight's do.
 */
export function countY(field: string, unit: string, options: { log?: boolean; integer?: boolean; max?: number } = {}): Record<string, unknown> {
  const headroom = options.max !== undefined && options.max > 0 ? { domainMax: options.max * 1.04 } : {};
  return {
    field,
    type: 'quantitative',
    title: unit,
    scale: options.log ? { type: 'symlog' } : { zero: true, nice: true, ...headroom },
    // Not format '~s': Vega's tick formatter gives every label the prefix of the largest ("0.2k").
    axis: { labelExpr: COUNT_LABEL, ...(options.integer === false ? {} : { tickMinStep: 1 }), titleLimit: 0, labelLimit: 80 },
  };
}

/** The y encoding of a percentage already in percent units (12.5 = 12.5 %): zero line drawn, % on every label. */
export function percentY(field: string, title: string): Record<string, unknown> {
  return {
    field,
    type: 'quantitative',
    title,
    scale: { zero: true, nice: true },
    axis: { labelExpr: "format(datum.value, '~r') + '%'", titleLimit: 0 },
  };
}

/** The period starts of a list of rows' `field`, as first and last `YYYY-MM-DD`. */
export function spanOf(values: readonly Record<string, unknown>[], field: string): { first?: string; last?: string } {
  let first: string | undefined;
  let last: string | undefined;
  for (const v of values) {
    const d = v[field];
    if (typeof d !== 'string' || d.length < 10) continue;
    const day = d.slice(0, 10);
    if (!first || day < first) first = day;
    if (!last || day > last) last = day;
  }
  return { first, last };
}

/** Point markers only while neighbours stand apart: at most this many points per series. */
export const MAX_MARKED_PER_SERIES = 100;

/** The grain of a list of period starts, from how far apart they are (model charts say nothing about it). */
export function inferGrain(days: readonly string[]): Grain {
  const sorted = [...new Set(days.map((d) => d.slice(0, 10)))].sort();
  if (sorted.length < 2) return 'day';
  let minGap = Infinity;
  for (let i = 1; i < sorted.length; i++) minGap = Math.min(minGap, (utc(sorted[i] as string) - utc(sorted[i - 1] as string)) / DAY_MS);
  const allFirst = sorted.every((d) => d.endsWith('-01'));
  if (allFirst && minGap >= 89) return 'quarter';
  if (allFirst && minGap >= 28) return 'month';
  if (minGap >= 7 && minGap % 7 === 0) return 'week';
  return 'day';
}
