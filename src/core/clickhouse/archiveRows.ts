import { createHash } from 'node:crypto';
import type { EventRow } from '../gharchive/eventRow';
import { hourKey } from '../gharchive/hours';
import { int, text } from './client';

/**
 * ClickHouse's `github_events` (the public table on sql-clickhouse.clickhouse.com, schema of
 * ClickHouse/github-explorer) flattens each GH Archive event into typed columns: no event, actor or
 * repository ids, and defaults (0, '', 'none') where an event lacks a field. This maps its rows onto
 * the store's `gharchive_events` columns, NULL wherever the column does not apply to the type, so the
 * starter models read them like the rows of the hourly-file import. Aliases never reuse a column's
 * name: ClickHouse resolves an alias in WHERE too, and a shadowed column changes the filter's type.
 */
export const EVENT_SELECT = `
  toUInt32(file_time) AS file_s,
  toString(event_type) AS type_name,
  actor_login,
  repo_name,
  toUInt32(created_at) AS created_s,
  toString(action) AS action_name,
  number,
  merged,
  ref,
  toString(ref_type) AS ref_type_name,
  push_size,
  push_distinct_size,
  head_sha,
  commit_id,
  release_tag_name,
  comment_id,
  toString(author_association) AS association`;

export interface ClickHouseEvent {
  file_s: number | string;
  type_name: string;
  actor_login: string;
  repo_name: string;
  created_s: number | string;
  action_name: string;
  number: number | string;
  merged: number | string;
  ref: string;
  ref_type_name: string;
  push_size: number | string;
  push_distinct_size: number | string;
  head_sha: string;
  commit_id: string;
  release_tag_name: string;
  comment_id: number | string;
  association: string;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
const orNull = (s: string) => (s === '' || s === 'none' ? null : s);
const positive = (n: number) => (n > 0 ? n : null);

const NUMBERED = new Set(['IssuesEvent', 'PullRequestEvent', 'IssueCommentEvent', 'PullRequestReviewCommentEvent', 'PullRequestReviewEvent']);
const COMMENTS = new Set(['IssueCommentEvent', 'PullRequestReviewCommentEvent', 'CommitCommentEvent', 'PullRequestReviewEvent']);
const ASSOCIATED = new Set(['IssuesEvent', 'PullRequestEvent', 'IssueCommentEvent', 'PullRequestReviewCommentEvent', 'PullRequestReviewEvent', 'CommitCommentEvent']);

/**
 * The table has no event id. The id kept is `ch:` and a hash of every selected column, numbered when
 * the same row occurs more than once in an hour (two identical events in one second are two events);
 * `seen` carries the numbering across the rows of one answer, which always holds whole hours.
 */
export function clickHouseEventRow(raw: ClickHouseEvent, tracked: string, seen: Map<string, number>, label: string): EventRow {
  const fileTime = int(raw.file_s, 'file_time', label);
  const type = text(raw.type_name, 'event_type', label);
  const created = int(raw.created_s, 'created_at', label);
  const repoName = text(raw.repo_name, 'repo_name', label);
  const line = JSON.stringify([fileTime, type, raw.actor_login, repoName, created, raw.action_name, raw.number, raw.merged, raw.ref, raw.ref_type_name, raw.push_size, raw.push_distinct_size, raw.head_sha, raw.commit_id, raw.release_tag_name, raw.comment_id, raw.association]);
  const hash = createHash('sha1').update(line).digest('hex').slice(0, 24);
  const n = (seen.get(hash) ?? 0) + 1;
  seen.set(hash, n);
  const action = orNull(text(raw.action_name, 'action', label));
  const number = int(raw.number, 'number', label);
  const row: EventRow = {
    event_id: n === 1 ? `ch:${hash}` : `ch:${hash}:${n}`,
    type,
    created_at: iso(created),
    hour: hourKey(Math.floor(fileTime / 3600) * 3_600_000),
    repo_id: null,
    repo_name: repoName,
    tracked_repo: tracked,
    actor_id: null,
    actor_login: orNull(text(raw.actor_login, 'actor_login', label)),
    org_login: null,
    action,
    number: NUMBERED.has(type) ? positive(number) : null,
    is_pull_request: type === 'PullRequestEvent' || type === 'PullRequestReviewCommentEvent' || type === 'PullRequestReviewEvent' ? 1 : null,
    merged: type === 'PullRequestEvent' ? (action === 'merged' ? 1 : int(raw.merged, 'merged', label) ? 1 : 0) : null,
    ref: null,
    ref_type: null,
    push_id: null,
    push_size: null,
    push_distinct_size: null,
    head_sha: null,
    release_id: null,
    release_tag: null,
    forkee_name: null,
    comment_id: COMMENTS.has(type) ? positive(int(raw.comment_id, 'comment_id', label)) : null,
    author_association: ASSOCIATED.has(type) ? orNull(text(raw.association, 'author_association', label)) : null,
    payload: null,
  };
  switch (type) {
    case 'PushEvent':
      row.ref = orNull(text(raw.ref, 'ref', label));
      // Since 2025-10-07 the archive carries no commit counts; the table then says 0, which is not a count.
      row.push_size = fileTime >= PUSH_SIZE_GONE ? null : int(raw.push_size, 'push_size', label);
      row.push_distinct_size = fileTime >= PUSH_SIZE_GONE ? null : int(raw.push_distinct_size, 'push_distinct_size', label);
      row.head_sha = orNull(text(raw.head_sha, 'head_sha', label));
      break;
    case 'CreateEvent':
    case 'DeleteEvent':
      row.ref = orNull(text(raw.ref, 'ref', label));
      row.ref_type = orNull(text(raw.ref_type_name, 'ref_type', label));
      break;
    case 'PullRequestEvent':
      row.head_sha = orNull(text(raw.head_sha, 'head_sha', label));
      break;
    case 'CommitCommentEvent':
      row.head_sha = orNull(text(raw.commit_id, 'commit_id', label));
      break;
    case 'ReleaseEvent':
      row.release_tag = orNull(text(raw.release_tag_name, 'release_tag_name', label));
      break;
    default:
      break;
  }
  return row;
}

/** 2025-10-07T00:00Z: push events stopped carrying size and commits (DOMAIN.md). */
const PUSH_SIZE_GONE = Date.UTC(2025, 9, 7) / 1000;

/** One daily count as the store keeps it (`gharchive_daily_counts`). */
export interface DailyCount {
  day: string;
  repo: string;
  eventType: string;
  events: number;
  actors: number;
}

export function isoDay(dayNumber: number): string {
  return new Date(dayNumber * 86_400_000).toISOString().slice(0, 10);
}
