import type { Insight } from './insight';
import { fmt, pct } from './insight';
import { compareVersions, isVersion } from './versionOrder';

export interface VersionDownloads {
  version: string;
  downloads: number;
}

export interface OldVersionShare {
  share: number;
  old: number;
  total: number;
  /** The older versions, most downloaded first. */
  top: VersionDownloads[];
}

/**
 * Downloads still on versions older than the one the user marked (e.g. the release that fixed a
 * vulnerability). Flags when their share reaches `threshold` and there are enough downloads to say so.
 */
export function detectOldVersionShare(rows: readonly VersionDownloads[], marked: string, options: { threshold?: number; minTotal?: number } = {}): OldVersionShare | undefined {
  const threshold = options.threshold ?? 0.25;
  const total = rows.reduce((s, r) => s + r.downloads, 0);
  if (total < (options.minTotal ?? 100)) return undefined;
  // A row whose version is not a version number ("unknown", empty) is neither older nor newer.
  const older = rows.filter((r) => isVersion(r.version) && compareVersions(r.version, marked) < 0).sort((a, b) => b.downloads - a.downloads);
  const old = older.reduce((s, r) => s + r.downloads, 0);
  const share = old / total;
  return share >= threshold ? { share, old, total, top: older.slice(0, 3) } : undefined;
}

export function oldVersionInsight(artifactId: string, name: string, marked: string, days: number, endDay: string, r: OldVersionShare, counter: 'pepy' | 'npm' = 'pepy'): Insight {
  const list = r.top.map((v) => `${v.version} (${pct(v.downloads / r.total)})`).join(', ');
  return {
    kind: 'old-versions',
    artifactId,
    title: `${pct(r.share)} of downloads are of versions older than ${marked}`,
    explanation:
      `${name}: ${fmt(r.old)} of ${fmt(r.total)} downloads in the ${days} days to ${endDay} were of versions older than ${marked}, ` +
      `the version you marked. Most downloaded of those: ${list}. ` +
      (counter === 'npm' ? `Counts from npm's per-version downloads of the 7 days to the snapshot of ${endDay}.` : 'Counts from pepy.tech include mirrors.'),
    chart: { artifactId, metricKey: 'downloads_daily', grain: 'month', mode: 'total' },
  };
}
