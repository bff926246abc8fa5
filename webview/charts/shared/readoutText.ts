// The DOM-free half of the hover readout (readout.ts): what the spec says, and the lookups and texts.

/**
 * What a dense line chart's spec says (in `usermeta.readout`) so the page can answer "what were the
 * values here?" without a tooltip on every point: Vega evaluates a tooltip expression for every
 * mark item when it draws (through the CSP-safe interpreter, about 40 % of a 5,000-point chart's
 * render, bench/charts.ts), whereas the readout looks values up only when the pointer moves.
 */
export interface ReadoutSpec {
  /** The x field: a `YYYY-MM-DD` period (temporal) or a number (aligned charts). */
  x: string;
  series: string;
  value: string;
  /** Temporal x: how a period is written ("week of Mar 4, 2024"); numeric x: the unit ("weeks since …"). */
  grain: 'day' | 'week' | 'month' | 'quarter';
  temporal: boolean;
  /** What the values are (the y axis title), for the readout's accessible text. */
  valueTitle: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A period start (UTC ms) written as the tooltips and summaries write it (axes.ts' PERIOD_FORMAT). */
export function periodLabel(t: number, grain: ReadoutSpec['grain']): string {
  const d = new Date(t);
  const m = MONTHS[d.getUTCMonth()] as string;
  const y = d.getUTCFullYear();
  if (grain === 'quarter') return `Q${Math.floor(d.getUTCMonth() / 3) + 1} ${y}`;
  if (grain === 'month') return `${m} ${y}`;
  const day = `${m} ${d.getUTCDate()}, ${y}`;
  return grain === 'week' ? `week of ${day}` : day;
}

/** The entry of sorted `xs` nearest to `x`. */
export function nearest(xs: readonly number[], x: number): number | undefined {
  if (xs.length === 0) return undefined;
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((xs[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  const after = xs[lo] as number;
  const before = lo > 0 ? (xs[lo - 1] as number) : after;
  return x - before <= after - x ? before : after;
}

