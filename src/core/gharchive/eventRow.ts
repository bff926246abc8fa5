import { createHash } from 'node:crypto';
import type { RepoRef } from './repoMatcher';

/**
 * One archive event as the store keeps it (`gharchive_events`): the common fields, and per event type
 * the payload fields the models need. Absent fields are null, never guessed: since 2025-10-07 push
 * events carry no size/commits and pull request payloads are slimmer, and that must show as NULL.
 */
export interface EventRow {
  event_id: string;
  type: string;
  created_at: string;
  hour: string;
  repo_id: number | null;
  repo_name: string;
  tracked_repo: string;
  actor_id: number | null;
  actor_login: string | null;
  org_login: string | null;
  action: string | null;
  number: number | null;
  is_pull_request: number | null;
  merged: number | null;
  ref: string | null;
  ref_type: string | null;
  push_id: number | null;
  push_size: number | null;
  push_distinct_size: number | null;
  head_sha: string | null;
  release_id: number | null;
  release_tag: string | null;
  forkee_name: string | null;
  comment_id: number | null;
  author_association: string | null;
  payload: string | null;
  /** The archive's JSON line (not a column of gharchive_events; kept in gharchive_raw_events). */
  raw?: string;
}

export const EVENT_COLUMNS: ReadonlyArray<Exclude<keyof EventRow, 'raw'>> = [
  'event_id', 'type', 'created_at', 'hour', 'repo_id', 'repo_name', 'tracked_repo', 'actor_id', 'actor_login', 'org_login',
  'action', 'number', 'is_pull_request', 'merged', 'ref', 'ref_type', 'push_id', 'push_size', 'push_distinct_size', 'head_sha',
  'release_id', 'release_tag', 'forkee_name', 'comment_id', 'author_association', 'payload',
];

/** Types whose useful payload fields have columns; any other type keeps its raw payload JSON. */
const KNOWN_TYPES = new Set([
  'WatchEvent', 'IssuesEvent', 'PullRequestEvent', 'PushEvent', 'ForkEvent', 'ReleaseEvent', 'IssueCommentEvent',
  'PullRequestReviewCommentEvent', 'PullRequestReviewEvent', 'CommitCommentEvent', 'CreateEvent', 'DeleteEvent',
  'MemberEvent', 'PublicEvent', 'GollumEvent',
]);

type Json = Record<string, unknown>;

const obj = (v: unknown): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);
const bool = (v: unknown): number | null => (typeof v === 'boolean' ? (v ? 1 : 0) : null);

/**
 * The repository an event is about. Since 2015 it is `repo {id, name: "owner/name"}`; the 2011–2014
 * timeline had `repository {id, name, owner}` instead.
 */
export function eventRepo(event: Json): RepoRef | undefined {
  const repo = obj(event.repo);
  if (repo && typeof repo.name === 'string') {
    const id = int(repo.id);
    return id === null ? { name: repo.name } : { id, name: repo.name };
  }
  const legacy = obj(event.repository);
  if (legacy && typeof legacy.name === 'string') {
    const owner = typeof legacy.owner === 'string' ? legacy.owner : str(obj(legacy.owner)?.login);
    const name = owner ? `${owner}/${legacy.name}` : legacy.name;
    const id = int(legacy.id);
    return id === null ? { name } : { id, name };
  }
  return undefined;
}

/**
 * Why a line of a tracked repository is not an event that can be stored, or undefined when it is: an
 * event needs its type and its time. Without them a row would be an `UnknownEvent` at an invented time.
 */
export function eventProblem(event: Json): string | undefined {
  if (typeof event.type !== 'string' || event.type === '') return `'type' is ${event.type === undefined ? 'missing' : JSON.stringify(event.type)}`;
  if (normalizeTime(str(event.created_at)) === null) return `'created_at' is ${event.created_at === undefined ? 'missing' : JSON.stringify(event.created_at)?.slice(0, 40)}`;
  return undefined;
}

/**
 * Builds the stored row. `line` is the raw text, used only to give id-less legacy events a stable key
 * (a hash of the line), so that re-importing them is as harmless as re-importing any other hour.
 */
export function eventRow(event: Json, line: string, repo: RepoRef, tracked: string, hour: string): EventRow {
  const type = str(event.type) ?? 'UnknownEvent';
  const payload = obj(event.payload) ?? {};
  const actor = obj(event.actor);
  const issue = obj(payload.issue);
  const pr = obj(payload.pull_request);
  const comment = obj(payload.comment);
  const release = obj(payload.release);
  const forkee = obj(payload.forkee);
  const id = str(event.id) ?? (typeof event.id === 'number' ? String(event.id) : `sha1:${createHash('sha1').update(line).digest('hex')}`);
  const row: EventRow = {
    raw: line,
    event_id: id,
    type,
    created_at: normalizeTime(str(event.created_at)) ?? hour,
    hour,
    repo_id: repo.id ?? null,
    repo_name: repo.name,
    tracked_repo: tracked,
    actor_id: int(actor?.id),
    actor_login: str(actor?.login) ?? str(event.actor),
    org_login: str(obj(event.org)?.login),
    action: str(payload.action),
    number: null,
    is_pull_request: null,
    merged: null,
    ref: null,
    ref_type: null,
    push_id: null,
    push_size: null,
    push_distinct_size: null,
    head_sha: null,
    release_id: null,
    release_tag: null,
    forkee_name: null,
    comment_id: null,
    author_association: null,
    payload: null,
  };
  switch (type) {
    case 'IssuesEvent':
      row.number = int(issue?.number);
      row.is_pull_request = issue ? (obj(issue.pull_request) ? 1 : 0) : null;
      row.author_association = str(issue?.author_association);
      break;
    case 'PullRequestEvent':
      row.number = int(payload.number) ?? int(pr?.number);
      row.is_pull_request = 1;
      // Newer payloads may say "merged" as the action; older ones set pull_request.merged on close.
      row.merged = row.action === 'merged' ? 1 : bool(pr?.merged);
      row.author_association = str(pr?.author_association);
      row.head_sha = str(obj(pr?.head)?.sha);
      break;
    case 'IssueCommentEvent':
      row.number = int(issue?.number);
      row.is_pull_request = issue ? (obj(issue.pull_request) ? 1 : 0) : null;
      row.comment_id = int(comment?.id);
      row.author_association = str(comment?.author_association);
      break;
    case 'PullRequestReviewCommentEvent':
    case 'PullRequestReviewEvent':
      row.number = int(pr?.number);
      row.is_pull_request = 1;
      row.comment_id = int(comment?.id) ?? int(obj(payload.review)?.id);
      row.author_association = str(comment?.author_association) ?? str(obj(payload.review)?.author_association);
      break;
    case 'CommitCommentEvent':
      row.comment_id = int(comment?.id);
      row.head_sha = str(comment?.commit_id);
      row.author_association = str(comment?.author_association);
      break;
    case 'PushEvent':
      row.ref = str(payload.ref);
      row.push_id = int(payload.push_id);
      row.push_size = int(payload.size);
      row.push_distinct_size = int(payload.distinct_size);
      row.head_sha = str(payload.head);
      break;
    case 'CreateEvent':
    case 'DeleteEvent':
      row.ref = str(payload.ref);
      row.ref_type = str(payload.ref_type);
      break;
    case 'ForkEvent':
      row.forkee_name = str(forkee?.full_name) ?? str(forkee?.name);
      break;
    case 'ReleaseEvent':
      row.release_id = int(release?.id);
      row.release_tag = str(release?.tag_name);
      break;
    default:
      if (!KNOWN_TYPES.has(type)) row.payload = JSON.stringify(payload);
  }
  return row;
}

/** The archive writes `2015-01-01T12:00:01Z`; 2011–2014 wrote `2012/03/10 22:00:05 -0800`. */
function normalizeTime(value: string | null): string | null {
  if (!value) return null;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(value)) return value;
  const ms = Date.parse(value.replace(/^(\d{4})\/(\d{2})\/(\d{2})/, '$1-$2-$3'));
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace('.000Z', 'Z') : null;
}
