/** Robust statistics the detectors share: they must not be fooled by one odd week. */

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Median absolute deviation, scaled to estimate a standard deviation for normal data. */
export function robustSigma(xs: readonly number[]): number {
  const m = median(xs);
  return 1.4826 * median(xs.map((x) => Math.abs(x - m)));
}

/** Theil–Sen slope of ys against their index: the median of all pairwise slopes. */
export function theilSenSlope(ys: readonly number[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < ys.length; i++) for (let j = i + 1; j < ys.length; j++) slopes.push(((ys[j] as number) - (ys[i] as number)) / (j - i));
  return median(slopes);
}

/**
 * Mann–Kendall trend test: the normal score of S (concordant minus discordant pairs), with the
 * variance corrected for ties. |z| > 1.96 is a monotonic trend at the 5% level.
 */
export function mannKendallZ(ys: readonly number[]): number {
  const n = ys.length;
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) s += Math.sign((ys[j] as number) - (ys[i] as number));
  const ties = new Map<number, number>();
  for (const y of ys) ties.set(y, (ties.get(y) ?? 0) + 1);
  let tieTerm = 0;
  for (const t of ties.values()) tieTerm += t * (t - 1) * (2 * t + 5);
  const variance = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
  if (variance <= 0) return 0;
  return s > 0 ? (s - 1) / Math.sqrt(variance) : s < 0 ? (s + 1) / Math.sqrt(variance) : 0;
}
