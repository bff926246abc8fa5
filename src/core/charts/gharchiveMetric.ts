import type { SqlReader } from './sqlReader';

/**
 * GH Archive events of a tracked repository as a daily series (`gharchive_events`, `gharchive_hours`).
 *
 * A day's value counts only events from hours that were imported *for this repository* (the hour's
 * `repos` lists the repositories it was read for: an hour read before the repository was tracked says
 * nothing about it). A day none of whose hours were imported has no row, so it is a gap; a day with
 * imported hours and no matching event is 0; `h` says how many of its 24 hours were read, so that a
 * period with fewer is reported as partial. Events are bucketed by the archive hour they came in,
 * the same hour the coverage is counted by.
 */
export const GHARCHIVE_METRIC_KEY = 'gharchive_events';

/** An archive event type as the chart accepts it (`WatchEvent`): letters and digits, bounded. */
export const EVENT_TYPE = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

/**
 * Parameters: ?1 the repository in lower case (as `gharchive_hours.repos` keeps it), ?2 a JSON array
 * of the spellings its events are stored under, ?3 an event type or NULL for all types. A grouped
 * union of hours and events (not a join): each source is read once, events through their repository
 * index (`+hour` keeps the planner off the hour index, which would read every tracked repository's
 * events), and every event row's day is a covered day by construction.
 */
export const GHARCHIVE_DAILY_SQL = `
  SELECT day, SUM(v) AS v, SUM(h) AS h FROM (
    SELECT substr(hour, 1, 10) AS day, 0 AS v, 1 AS h FROM gharchive_hours
     WHERE status = 'imported' AND EXISTS (SELECT 1 FROM json_each(gharchive_hours.repos) WHERE value = ?1)
    UNION ALL
    SELECT substr(hour, 1, 10) AS day, 1 AS v, 0 AS h FROM gharchive_events
     WHERE tracked_repo IN (SELECT value FROM json_each(?2)) AND (?3 IS NULL OR type = ?3)
       AND +hour IN (SELECT hour FROM gharchive_hours WHERE status = 'imported' AND EXISTS (SELECT 1 FROM json_each(gharchive_hours.repos) WHERE value = ?1))
  ) GROUP BY day`;

/**
 * The spellings a repository's events are stored under. The importer stores the name as configured
 * at import time, so a later change of case in community-metrics.yml leaves older events under the
 * old spelling. Walks the distinct names through the (tracked_repo, created_at) index: one seek per
 * tracked name, never a scan of the events.
 */
export function storedRepoSpellings(db: SqlReader, name: string): string[] {
  const want = name.toLowerCase();
  // Every case variant sorts between the all-upper and the all-lower spelling (same length, and each
  // upper-case ASCII letter sorts before its lower case): the walk stays inside that range.
  const hi = want;
  const out: string[] = [];
  let at = name.toUpperCase();
  let inclusive = true;
  for (let i = 0; i < 10_000; i++) {
    const t = db.all<{ t: string | null }>(`SELECT MIN(tracked_repo) AS t FROM gharchive_events WHERE tracked_repo ${inclusive ? '>=' : '>'} ?`, [at])[0]?.t;
    if (t === null || t === undefined || t > hi) break;
    if (t.toLowerCase() === want) out.push(t);
    at = t;
    inclusive = false;
  }
  return out;
}

/** The parameters of GHARCHIVE_DAILY_SQL for a repository and an optional event type. */
export function gharchiveParams(db: SqlReader, name: string, eventType: string | undefined): [string, string, string | null] {
  return [name.toLowerCase(), JSON.stringify(storedRepoSpellings(db, name)), eventType && EVENT_TYPE.test(eventType) ? eventType : null];
}

export interface EventTypeCount {
  type: string;
  events: number;
}

/** The event types stored for these repositories, the most frequent first. */
export function gharchiveEventTypes(db: SqlReader, repos: readonly string[]): EventTypeCount[] {
  const spellings = [...new Set(repos.flatMap((r) => storedRepoSpellings(db, r)))];
  if (spellings.length === 0) return [];
  return db
    .all<{ type: string; events: number }>(
      'SELECT type, COUNT(*) AS events FROM gharchive_events WHERE tracked_repo IN (SELECT value FROM json_each(?)) GROUP BY type ORDER BY events DESC, type',
      [JSON.stringify(spellings)],
    )
    .map((r) => ({ type: String(r.type), events: Number(r.events) }));
}

/** What one event of a type is, in words (GH Archive's types are GitHub's public event types). */
const MEANING: Record<string, string> = {
  // There is no un-star event: WatchEvent counts are gross (DOMAIN.md).
  WatchEvent: 'stars given',
  PushEvent: 'pushes',
  IssuesEvent: 'issues opened, closed, reopened and other issue actions',
  PullRequestEvent: 'pull requests opened, closed, reopened and other pull request actions',
  ForkEvent: 'forks created',
  IssueCommentEvent: 'comments on issues and pull requests',
  PullRequestReviewCommentEvent: 'review comments on pull request changes',
  PullRequestReviewEvent: 'pull request reviews',
  CommitCommentEvent: 'comments on commits',
  CreateEvent: 'branches, tags or the repository created',
  DeleteEvent: 'branches or tags deleted',
  ReleaseEvent: 'releases published',
  GollumEvent: 'wiki page edits',
  MemberEvent: 'collaborators added',
  PublicEvent: 'repository made public',
};

/** The series' `counts`: which events, and that they are the archive's view, not GitHub's totals. */
export function gharchiveCounts(eventType: string | undefined): string {
  if (!eventType || !EVENT_TYPE.test(eventType)) return 'GH Archive events of every type (as GH Archive saw them)';
  const meaning = MEANING[eventType];
  return `GH Archive ${eventType} events (${meaning ? `${meaning}, ` : ''}as GH Archive saw them)`;
}
