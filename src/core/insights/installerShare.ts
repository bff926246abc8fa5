import type { InstallerShare } from '../clickhouse/pypiHistoryStore';
import type { Insight } from './insight';
import { fmt, pct } from './insight';

/**
 * Who downloads a package (needs ClickPy's per-installer history, `pypi history`): mirrors copy every
 * release whether anyone uses it, and plain HTTP clients and unknown agents are mostly CI and bots. When
 * they make up this share or more of the recent downloads, the download count overstates use.
 */
export const NOT_PEOPLE_SHARE = 0.3;

export function detectInstallerShare(share: InstallerShare | undefined): InstallerShare | undefined {
  if (!share || share.total <= 0) return undefined;
  return (share.mirror + share.other) / share.total >= NOT_PEOPLE_SHARE ? share : undefined;
}

export function installerShareInsight(artifactId: string, name: string, s: InstallerShare): Insight {
  const notPeople = s.mirror + s.other;
  const top = s.top.map((t) => `${t.installer} (${t.group === 'installer' ? 'people' : t.group === 'mirror' ? 'mirror' : 'other tool'}) ${pct(t.downloads / s.total)}`).join(', ');
  return {
    kind: 'installer-share',
    artifactId,
    title: `${pct(notPeople / s.total)} of ${name}'s downloads are mirrors or bots`,
    explanation:
      `From ${s.from} to ${s.to}, ClickPy counted ${fmt(s.total)} downloads of ${name}: ${fmt(s.mirror)} (${pct(s.mirror / s.total)}) by mirrors, ` +
      `${fmt(s.other)} (${pct(s.other / s.total)}) by other tools and unknown agents (mostly CI and bots), and ${fmt(s.installer)} (${pct(s.installer / s.total)}) ` +
      `by installers people run (pip, uv, poetry…; CI runs them too, so this is an upper bound on people). Largest: ${top}. ` +
      `Flagged when mirrors and other tools reach ${pct(NOT_PEOPLE_SHARE)}: the download count then overstates use.`,
    chart: { artifactId, metricKey: 'downloads_daily', grain: 'week', mode: 'new' },
  };
}
