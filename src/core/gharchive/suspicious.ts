/**
 * Flags archive hours with far fewer events than the hours around them. GH Archive has had outages
 * and partial hours (sharp drops in 2025–2026); the models must be able to show such a gap for what it
 * is instead of reading it as a drop in a project's activity. The flag goes in the data, never a filter.
 *
 * The reference is the median event count of the imported hours within a week either side: robust to
 * the daily and weekly rhythm (night hours are about half the peak) and to a few bad neighbours. With
 * too few neighbours there is no reference, and only an empty hour is flagged.
 */
export interface HourVolume {
  /** Hour start in ms since the epoch. */
  ms: number;
  events: number;
}

export interface SuspicionRule {
  windowHours: number;
  minNeighbours: number;
  /** Below this fraction of the reference the hour is suspicious. */
  ratio: number;
}

export const DEFAULT_SUSPICION: SuspicionRule = { windowHours: 7 * 24, minNeighbours: 12, ratio: 0.3 };

export interface Suspicion {
  suspicious: boolean;
  /** The reference (median of the neighbours), or null when there were too few of them. */
  expected: number | null;
}

export function judgeHours(all: readonly HourVolume[], targets: readonly number[], rule: SuspicionRule = DEFAULT_SUSPICION): Map<number, Suspicion> {
  const sorted = [...all].sort((a, b) => a.ms - b.ms);
  const byMs = new Map(sorted.map((h) => [h.ms, h.events]));
  const span = rule.windowHours * 3_600_000;
  const out = new Map<number, Suspicion>();
  for (const ms of targets) {
    const events = byMs.get(ms);
    if (events === undefined) continue;
    const neighbours = sorted.filter((h) => h.ms !== ms && Math.abs(h.ms - ms) <= span).map((h) => h.events);
    const expected = neighbours.length >= rule.minNeighbours ? median(neighbours) : null;
    const suspicious = events === 0 || (expected !== null && events < rule.ratio * expected);
    out.set(ms, { suspicious, expected });
  }
  return out;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : Math.round(((s[mid - 1] as number) + (s[mid] as number)) / 2);
}
