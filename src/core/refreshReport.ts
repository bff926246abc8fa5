// What a refresh's failures say to a person: one message for the whole refresh (a notification, a
// CLI line) and, per artifact, a short state and a full explanation (the tree's description and
// tooltip). A refresh with no network fails every artifact the same way: that is said once, as
// "offline", instead of a list of URLs.
import type { ArtifactFailure, RefreshResult } from './refresh';

/** How the HTTP client words a request that never got an answer (client.ts, networkError). */
const UNREACHABLE = /^Cannot reach (\S+): (host not found|connection refused|timed out|connection dropped)\b/;

export interface FailureState {
  /** A few words for the tree: "offline", "unreachable", "failed". */
  short: string;
  /** The full cause, in words, with what to do. */
  detail: string;
  /** Every part failed because its host could not be reached. */
  unreachable: boolean;
  /** ... and for want of a name lookup, which is what "no network" looks like. */
  offline: boolean;
  hosts: string[];
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function failureState(f: ArtifactFailure): FailureState {
  const messages = f.datasets?.length ? f.datasets.map((d) => d.message) : [f.message];
  const matches = messages.map((m) => UNREACHABLE.exec(m));
  const unreachable = matches.every((m) => m !== null);
  if (!unreachable) {
    return { short: 'failed', detail: `The last refresh failed: ${f.message}`, unreachable: false, offline: false, hosts: [] };
  }
  const hosts = [...new Set(matches.map((m) => hostOf((m as RegExpExecArray)[1] as string)))];
  const reasons = [...new Set(matches.map((m) => (m as RegExpExecArray)[2] as string))];
  const offline = reasons.every((r) => r === 'host not found');
  const detail = offline
    ? `Offline: the last refresh could not look up ${hosts.join(', ')} (no network, or no DNS). The saved data is kept; refresh again once online.`
    : `Unreachable: the last refresh could not reach ${hosts.join(', ')} (${reasons.join(', ')}). The saved data is kept; refresh again later, or check the service's URL in the settings.`;
  return { short: offline ? 'offline' : 'unreachable', detail, unreachable: true, offline, hosts };
}

/** One message for a refresh that had failures, or undefined when none failed. */
export function refreshFailureMessage(result: Pick<RefreshResult, 'failures' | 'refreshed'>): string | undefined {
  const { failures, refreshed } = result;
  if (failures.length === 0) return undefined;
  const states = failures.map(failureState);
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  const outcome = refreshed.length === 0 ? `none of ${n(failures.length, 'artifact')} refreshed` : `${n(failures.length, 'artifact')} of ${refreshed.length + failures.length} not refreshed`;
  if (states.every((s) => s.unreachable)) {
    const hosts = [...new Set(states.flatMap((s) => s.hosts))];
    const shown = hosts.length > 3 ? `${hosts.slice(0, 3).join(', ')} and ${hosts.length - 3} more` : hosts.join(', ');
    return states.every((s) => s.offline)
      ? `Offline: could not look up ${shown}, so ${outcome}. The saved data is kept; run Refresh again once you are online.`
      : `Could not reach ${shown}, so ${outcome} (offline, or the service is down). The saved data is kept; run Refresh again later.`;
  }
  const first = failures[0] as ArtifactFailure;
  const others = failures.length - 1;
  const cause = first.datasets?.[0] ? `${first.datasets[0].message} (${first.datasets[0].dataset})` : first.message;
  return `${outcome}. ${first.artifact}: ${cause}${others > 0 ? ` — and ${n(others, 'other artifact')} (their causes are in the tree's tooltips and the log)` : ''}. The saved data is kept.`;
}
