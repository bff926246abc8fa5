/**
 * Orders package versions well enough to say "older than": PEP 440 / semver shapes, release
 * numbers compared numerically, pre-releases (a, b, rc, alpha, beta, dev, -pre) before their release.
 */
export function compareVersions(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  const n = Math.max(pa.release.length, pb.release.length);
  for (let i = 0; i < n; i++) {
    const d = (pa.release[i] ?? 0) - (pb.release[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return Math.sign(pa.stage - pb.stage) || Math.sign(pa.stageNumber - pb.stageNumber);
}

/** Whether `v` reads as a version number at all (pepy and BigQuery also report e.g. "unknown"). */
export function isVersion(v: string): boolean {
  return parse(v).release.length > 0;
}

const STAGES: Record<string, number> = { dev: 0, a: 1, alpha: 1, b: 2, beta: 2, c: 3, rc: 3, pre: 3, preview: 3 };

function parse(v: string): { release: number[]; stage: number; stageNumber: number } {
  const s = v.trim().toLowerCase().replace(/^v/, '').replace(/^\d+!/, '').split('+')[0] as string;
  const m = /^(\d+(?:\.\d+)*)(.*)$/.exec(s);
  if (!m) return { release: [], stage: 4, stageNumber: 0 };
  const release = (m[1] as string).split('.').map(Number);
  const rest = (m[2] as string).replace(/^[-._]/, '');
  const tag = /^(dev|alpha|beta|preview|pre|rc|a|b|c)[-._]?(\d*)/.exec(rest);
  if (tag) return { release, stage: STAGES[tag[1] as string] ?? 4, stageNumber: Number(tag[2] || 0) };
  // post-releases (1.0.post1, 1.0-1) come after the release.
  const post = /^(?:post|rev|r)?[-._]?(\d+)/.exec(rest);
  return { release, stage: post && rest ? 5 : 4, stageNumber: post ? Number(post[1]) : 0 };
}
