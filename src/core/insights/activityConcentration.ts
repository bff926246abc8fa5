import type { Insight } from './insight';
import { fmt, pct } from './insight';

export interface PersonActivity {
  person: string;
  count: number;
}

export interface Concentration {
  /** Contributor absence factor: fewest people accounting for half of the activity. */
  absenceFactor: number;
  top: PersonActivity;
  next?: PersonActivity;
  total: number;
  people: number;
}

/** Contributor absence factor (CHAOSS, ex bus factor): the smallest k whose top-k reach 50% of the total. */
export function absenceFactor(counts: readonly PersonActivity[]): number {
  const total = counts.reduce((s, c) => s + c.count, 0);
  const sorted = [...counts].sort((a, b) => b.count - a.count);
  let sum = 0;
  for (let k = 0; k < sorted.length; k++) {
    sum += (sorted[k] as PersonActivity).count;
    if (sum * 2 >= total) return k + 1;
  }
  return sorted.length;
}

/**
 * One person accounting for most recent activity: an absence factor of 1 over enough activity to
 * mean something. Silent below `minTotal` events.
 */
export function detectConcentration(counts: readonly PersonActivity[], options: { minTotal?: number } = {}): Concentration | undefined {
  const total = counts.reduce((s, c) => s + c.count, 0);
  if (total < (options.minTotal ?? 20) || counts.length === 0) return undefined;
  const sorted = [...counts].sort((a, b) => b.count - a.count || a.person.localeCompare(b.person));
  const factor = absenceFactor(sorted);
  if (factor !== 1) return undefined;
  return { absenceFactor: 1, top: sorted[0] as PersonActivity, ...(sorted[1] ? { next: sorted[1] } : {}), total, people: sorted.length };
}

export function concentrationInsight(artifactId: string, place: string, what: string, days: number, endDay: string, metricKey: string, c: Concentration): Insight {
  return {
    kind: 'concentration',
    artifactId,
    title: `${c.top.person} accounts for ${pct(c.top.count / c.total)} of recent ${what}`,
    explanation:
      `${place}: ${c.top.person} made ${fmt(c.top.count)} of the ${fmt(c.total)} ${what} by ${c.people} ${c.people === 1 ? 'person' : 'people'} in the ${days} days to ${endDay}` +
      (c.next ? ` (next: ${c.next.person}, ${pct(c.next.count / c.total)})` : '') +
      `. Contributor absence factor 1: if ${c.top.person} steps away, half of the activity goes too.`,
    chart: { artifactId, metricKey, grain: 'week', mode: 'total' },
  };
}
