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
 * Parameters: ?1 the repository in lower case, ?2 an event type or NULL for all types. Reads the day
 * totals kept on write (gharchive/dayTotals.ts, which holds the coverage rule above), never the
 * events: a repository's whole history is one row a day.
 */
export const GHARCHIVE_DAILY_SQL = `
  SELECT day, CASE WHEN ?2 IS NULL THEN events ELSE IFNULL(json_extract(types, '$.' || ?2), 0) END AS v, hours AS h
    FROM gharchive_day_totals WHERE repo = ?1`;

/** The parameters of GHARCHIVE_DAILY_SQL for a repository and an optional event type. */
export function gharchiveParams(name: string, eventType: string | undefined): [string, string | null] {
  return [name.toLowerCase(), eventType && EVENT_TYPE.test(eventType) ? eventType : null];
}

export interface EventTypeCount {
  type: string;
  events: number;
}

/** The event types counted for these repositories (in hours imported for them), the most frequent first. */
export function gharchiveEventTypes(db: SqlReader, repos: readonly string[]): EventTypeCount[] {
  const names = [...new Set(repos.map((r) => r.toLowerCase()))];
  if (names.length === 0) return [];
  return db
    .all<{ type: string; events: number }>(
      `SELECT j.key AS type, SUM(j.value) AS events FROM gharchive_day_totals t, json_each(t.types) j
        WHERE t.repo IN (SELECT value FROM json_each(?)) GROUP BY j.key ORDER BY events DESC, type`,
      [JSON.stringify(names)],
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
