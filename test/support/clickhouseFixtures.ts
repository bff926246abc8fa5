import { readFileSync } from 'node:fs';
import type { ClickHouseTestServer } from './clickhouseServer';
import { fixturePath } from './fixtures';

/**
 * The public tables, created locally with their real names and columns, and filled with real data:
 *
 * - `github.github_events`: the schema ClickHouse publishes for the table behind
 *   sql-clickhouse.clickhouse.com (ClickHouse/github-explorer; engine and sort key as published),
 *   loaded with the recorded GH Archive hour (../shared/fixtures/gharchive/2015-01-01-12.json.gz),
 *   each event flattened the way that loader flattens it (defaults where an event lacks a field).
 * - `pypi.*`: ClickPy's tables (ClickHouse/clickpy scripts/create_tables.sh) that the import reads,
 *   filled from the recorded pypistats responses (../shared/fixtures/pypi) — see `loadPypiSlice`.
 */
const EVENT_TYPES = [
  'CommitCommentEvent', 'CreateEvent', 'DeleteEvent', 'ForkEvent', 'GollumEvent', 'IssueCommentEvent', 'IssuesEvent', 'MemberEvent', 'PublicEvent',
  'PullRequestEvent', 'PullRequestReviewCommentEvent', 'PushEvent', 'ReleaseEvent', 'SponsorshipEvent', 'WatchEvent', 'GistEvent', 'FollowEvent',
  'DownloadEvent', 'PullRequestReviewEvent', 'ForkApplyEvent', 'Event', 'TeamAddEvent',
];
const ACTIONS = ['none', 'created', 'added', 'edited', 'deleted', 'opened', 'closed', 'reopened', 'assigned', 'unassigned', 'labeled', 'unlabeled', 'review_requested', 'review_request_removed', 'synchronize', 'started', 'published', 'update', 'create', 'fork', 'merged'];
const REF_TYPES = ['none', 'branch', 'tag', 'repository', 'unknown'];
const ASSOCIATIONS = ['NONE', 'CONTRIBUTOR', 'OWNER', 'COLLABORATOR', 'MEMBER', 'MANNEQUIN'];
const enum8 = (values: string[], from = 0) => `Enum8(${values.map((v, i) => `'${v}' = ${i + from}`).join(', ')})`;

export const GITHUB_EVENTS_DDL = `
CREATE TABLE github.github_events
(
    file_time DateTime,
    event_type ${enum8(EVENT_TYPES, 1)},
    actor_login LowCardinality(String),
    repo_name LowCardinality(String),
    created_at DateTime,
    updated_at DateTime,
    action ${enum8(ACTIONS)},
    comment_id UInt64,
    body String,
    path String,
    position Int32,
    line Int32,
    ref LowCardinality(String),
    ref_type ${enum8(REF_TYPES)},
    creator_user_login LowCardinality(String),
    number UInt32,
    title String,
    labels Array(LowCardinality(String)),
    state Enum8('none' = 0, 'open' = 1, 'closed' = 2),
    locked UInt8,
    assignee LowCardinality(String),
    assignees Array(LowCardinality(String)),
    comments UInt32,
    author_association ${enum8(ASSOCIATIONS)},
    closed_at DateTime,
    merged_at DateTime,
    merge_commit_sha String,
    requested_reviewers Array(LowCardinality(String)),
    requested_teams Array(LowCardinality(String)),
    head_ref LowCardinality(String),
    head_sha String,
    base_ref LowCardinality(String),
    base_sha String,
    merged UInt8,
    mergeable UInt8,
    rebaseable UInt8,
    mergeable_state Enum8('unknown' = 0, 'dirty' = 1, 'clean' = 2, 'unstable' = 3, 'draft' = 4),
    merged_by LowCardinality(String),
    review_comments UInt32,
    maintainer_can_modify UInt8,
    commits UInt32,
    additions UInt32,
    deletions UInt32,
    changed_files UInt32,
    diff_hunk String,
    original_position UInt32,
    commit_id String,
    original_commit_id String,
    push_size UInt32,
    push_distinct_size UInt32,
    member_login LowCardinality(String),
    release_tag_name String,
    release_name String,
    review_state Enum8('none' = 0, 'approved' = 1, 'changes_requested' = 2, 'commented' = 3, 'dismissed' = 4, 'pending' = 5)
)
ENGINE = MergeTree ORDER BY (event_type, repo_name, created_at)`;

type Json = Record<string, unknown>;
const o = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const s = (v: unknown): string => (typeof v === 'string' ? v : '');
const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const oneOf = (v: unknown, values: string[], fallback: string) => (typeof v === 'string' && values.includes(v) ? v : fallback);
/** `2015-01-01T12:00:01Z` → `2015-01-01 12:00:01` (the server runs in UTC). */
const dt = (v: unknown): string => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(v) ? `${v.slice(0, 10)} ${v.slice(11, 19)}` : '1970-01-01 00:00:00');

/** One GH Archive line as a github_events row (JSONEachRow; columns not set take their defaults). */
export function githubEventsRow(line: string, fileTime: string): Json | undefined {
  const e = JSON.parse(line) as Json;
  const type = s(e.type);
  if (!EVENT_TYPES.includes(type)) return undefined;
  const p = o(e.payload);
  const issue = o(p.issue);
  const pr = o(p.pull_request);
  const comment = o(p.comment);
  const release = o(p.release);
  return {
    file_time: fileTime,
    event_type: type,
    actor_login: s(o(e.actor).login),
    repo_name: s(o(e.repo).name),
    created_at: dt(e.created_at),
    updated_at: dt(comment.updated_at ?? issue.updated_at ?? pr.updated_at ?? e.created_at),
    action: oneOf(p.action, ACTIONS, 'none'),
    comment_id: n(comment.id),
    body: s(comment.body ?? issue.body ?? pr.body),
    number: n(p.number ?? issue.number ?? pr.number),
    title: s(issue.title ?? pr.title),
    ref: s(p.ref),
    ref_type: oneOf(p.ref_type, REF_TYPES, 'none'),
    author_association: oneOf(comment.author_association ?? issue.author_association ?? pr.author_association, ASSOCIATIONS, 'NONE'),
    head_sha: s(p.head ?? o(pr.head).sha),
    merged: pr.merged === true ? 1 : 0,
    commit_id: s(comment.commit_id),
    push_size: n(p.size),
    push_distinct_size: n(p.distinct_size),
    release_tag_name: s(release.tag_name),
    release_name: s(release.name),
  };
}

/** Creates `github.github_events` and loads lines as the hour `fileTime` (`YYYY-MM-DD HH:00:00`). */
export async function createGithubEvents(server: ClickHouseTestServer): Promise<void> {
  await server.exec('CREATE DATABASE IF NOT EXISTS github');
  await server.exec(GITHUB_EVENTS_DDL, undefined, server.lowCardinalityParams);
}

export async function loadGithubEvents(server: ClickHouseTestServer, lines: string[], fileTime: string, table = 'github.github_events'): Promise<number> {
  const rows = lines.map((l) => githubEventsRow(l, fileTime)).filter((r): r is Json => r !== undefined);
  for (let i = 0; i < rows.length; i += 20_000) {
    await server.exec(`INSERT INTO ${table} FORMAT JSONEachRow`, `${rows.slice(i, i + 20_000).map((r) => JSON.stringify(r)).join('\n')}\n`);
  }
  return rows.length;
}

/** ClickPy's daily tables the import reads (names, columns, engines and keys of create_tables.sh). */
export const CLICKPY_DDL = [
  'CREATE TABLE pypi.pypi_downloads_per_day (date Date, project String, count Int64) ENGINE = SummingMergeTree ORDER BY (project, date)',
  'CREATE TABLE pypi.pypi_downloads_per_day_by_version (date Date, project String, version String, count Int64) ENGINE = SummingMergeTree ORDER BY (project, version, date)',
  'CREATE TABLE pypi.pypi_downloads_per_day_by_version_by_installer_by_type (project String, version String, date Date, installer String, type LowCardinality(String), count Int64) ENGINE = SummingMergeTree ORDER BY (project, version, date, installer)',
  'CREATE TABLE pypi.pypi_downloads_per_day_by_version_by_python (date Date, project String, version String, python_minor String, count Int64) ENGINE = SummingMergeTree ORDER BY (project, version, date, python_minor)',
  'CREATE TABLE pypi.pypi_downloads_per_day_by_version_by_system (date Date, project String, version String, system String, count Int64) ENGINE = SummingMergeTree ORDER BY (project, version, date, system)',
  'CREATE TABLE pypi.pypi_downloads_per_day_by_version_by_country (date Date, project String, version String, country_code String, count Int64) ENGINE = SummingMergeTree ORDER BY (project, version, date, country_code)',
];

interface PypistatsRow {
  category: string;
  date: string;
  downloads: number;
}

const recorded = (file: string): PypistatsRow[] => {
  const x = JSON.parse(readFileSync(fixturePath(file), 'utf8')) as { response: { body: { data: PypistatsRow[] } } };
  return x.response.body.data;
};

/**
 * The PyPI slice, for project `pip`, from the recorded pypistats answers:
 * - per day: `/overall` with_mirrors (2020-05-01, 2020-05-02);
 * - by installer: those days split into `bandersnatch` (with_mirrors − without_mirrors: what pypistats
 *   calls mirror downloads) and `pip` (without_mirrors), version 20.1 (pip's release of 2020-04-28);
 * - by version: the same days as version 20.1, and the pepy.tech shape the other tests serve
 *   (2026-11-21/22, versions 24.0 and 24.1) so that adoption spans years;
 * - by Python: `/python_minor` (2018-11-01, version 18.1), by system: the documented `/system` example.
 * Each table also gets a second, unmerged part for one day, as SummingMergeTree tables have before a
 * merge, so that a query that forgets to sum shows.
 */
export const PYPI_SLICE = (() => {
  const overall = recorded('pypi/recorded-hugovk/pip.overall.json');
  const withM = overall.filter((r) => r.category === 'with_mirrors');
  const without = new Map(overall.filter((r) => r.category === 'without_mirrors').map((r) => [r.date, r.downloads]));
  const perDay = withM.map((r) => ({ date: r.date, project: 'pip', count: r.downloads }));
  const installer = withM.flatMap((r) => [
    { project: 'pip', version: '20.1', date: r.date, installer: 'pip', type: 'bdist_wheel', count: without.get(r.date) ?? 0 },
    { project: 'pip', version: '20.1', date: r.date, installer: 'bandersnatch', type: 'bdist_wheel', count: r.downloads - (without.get(r.date) ?? 0) },
  ]);
  const version = [
    ...withM.map((r) => ({ date: r.date, project: 'pip', version: '20.1', count: r.downloads })),
    { date: '2026-11-21', project: 'pip', version: '24.0', count: 10 },
    { date: '2026-11-21', project: 'pip', version: '24.1', count: 20 },
    { date: '2026-11-22', project: 'pip', version: '24.0', count: 5 },
    { date: '2026-11-22', project: 'pip', version: '24.1', count: 30 },
  ];
  const python = recorded('pypi/recorded-hugovk/pip.python_minor.json').map((r) => ({ date: r.date, project: 'pip', version: '18.1', python_minor: r.category, count: r.downloads }));
  const system = recorded('pypi/docs-example/system.json').map((r) => ({ date: r.date, project: 'pip', version: '9.0.1', system: r.category, count: r.downloads }));
  return { perDay, installer, version, python, system };
})();

export async function createClickPy(server: ClickHouseTestServer): Promise<void> {
  await server.exec('CREATE DATABASE IF NOT EXISTS pypi');
  for (const ddl of CLICKPY_DDL) await server.exec(ddl, undefined, server.lowCardinalityParams);
  const put = async (table: string, rows: object[]) => {
    if (rows.length === 0) return;
    // Two inserts = two parts: the first row's count split in two, as before a background merge.
    const [first, ...rest] = rows as Array<{ count: number }>;
    const half = Math.floor((first as { count: number }).count / 2);
    await server.exec(`INSERT INTO pypi.${table} FORMAT JSONEachRow`, `${[{ ...first, count: half }, ...rest].map((r) => JSON.stringify(r)).join('\n')}\n`);
    await server.exec(`INSERT INTO pypi.${table} FORMAT JSONEachRow`, `${JSON.stringify({ ...first, count: (first as { count: number }).count - half })}\n`);
  };
  await put('pypi_downloads_per_day', PYPI_SLICE.perDay);
  await put('pypi_downloads_per_day_by_version', PYPI_SLICE.version);
  await put('pypi_downloads_per_day_by_version_by_installer_by_type', PYPI_SLICE.installer);
  await put('pypi_downloads_per_day_by_version_by_python', PYPI_SLICE.python);
  await put('pypi_downloads_per_day_by_version_by_system', PYPI_SLICE.system);
}
