/** Time grains of a chart and the SQLite expressions that put a day into its period. */
export type Grain = 'day' | 'week' | 'month' | 'quarter';

export const GRAINS: readonly Grain[] = ['day', 'week', 'month', 'quarter'];

/** Rough days per period, to bound the number of points before running a query. */
export const GRAIN_DAYS: Record<Grain, number> = { day: 1, week: 7, month: 30.44, quarter: 91.31 };

/**
 * The first day (`YYYY-MM-DD`) of the period holding `dayExpr`. Weeks start on Monday (ISO), so that
 * a week's total never mixes two weekends.
 */
export function periodStartSql(grain: Grain, dayExpr: string): string {
  switch (grain) {
    case 'day':
      return `date(${dayExpr})`;
    case 'week':
      // 'weekday 1' moves forward to the next Monday (or stays); minus 7 days gives this week's Monday.
      return `date(${dayExpr}, '-6 days', 'weekday 1')`;
    case 'month':
      return `date(${dayExpr}, 'start of month')`;
    case 'quarter':
      return `date(${dayExpr}, 'start of month', printf('-%d months', (CAST(strftime('%m', ${dayExpr}) AS INTEGER) - 1) % 3))`;
  }
}

/** The SQLite modifier that moves a period start to the next one. */
export function periodStepSql(grain: Grain): string {
  return { day: "'+1 day'", week: "'+7 days'", month: "'+1 month'", quarter: "'+3 months'" }[grain];
}

/** The same computation in TypeScript (UTC), for tests and for bounding ranges. */
export function periodStart(grain: Grain, day: string): string {
  const d = new Date(`${day.slice(0, 10)}T00:00:00Z`);
  if (grain === 'week') d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  if (grain === 'month' || grain === 'quarter') d.setUTCDate(1);
  if (grain === 'quarter') d.setUTCMonth(d.getUTCMonth() - (d.getUTCMonth() % 3));
  return d.toISOString().slice(0, 10);
}

/** Number of periods from `from` to `to` inclusive (both `YYYY-MM-DD`). */
export function periodCount(grain: Grain, from: string, to: string): number {
  const a = new Date(`${periodStart(grain, from)}T00:00:00Z`);
  const b = new Date(`${periodStart(grain, to)}T00:00:00Z`);
  if (b < a) return 0;
  if (grain === 'day' || grain === 'week') return Math.round((b.getTime() - a.getTime()) / 86_400_000 / GRAIN_DAYS[grain]) + 1;
  const months = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth();
  return grain === 'month' ? months + 1 : months / 3 + 1;
}

/** The finest grain, not finer than `wanted`, that draws the range in at most `maxPoints` points. */
export function grainWithin(wanted: Grain, from: string, to: string, maxPoints: number): Grain {
  for (let i = GRAINS.indexOf(wanted); i < GRAINS.length; i++) {
    const g = GRAINS[i] as Grain;
    if (periodCount(g, from, to) <= maxPoints) return g;
  }
  return 'quarter';
}
