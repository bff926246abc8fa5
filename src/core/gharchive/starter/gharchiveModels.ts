import type { ScaffoldFile } from '../../project/starterProject';

/**
 * Starter models for GH Archive events, in the layers of the seed pipeline this replaces
 * (seeds/004: staging per event type → facts and dimensions → consumption views for a dashboard),
 * written the way that seed wrote them (BigQuery habits such as DATE_TRUNC(DATE(ts), DAY) and
 * COUNTIF), which the models engine runs on the store's SQLite. They read the raw tables that
 * `gharchive import` fills: gharchive_events and gharchive_hours (migration 3).
 *
 * Counts are of events, labelled as such: a WatchEvent is a star given (GitHub sends no un-star), and
 * hours flagged suspicious in gharchive_hours are carried to the daily views so a gap shows as a gap.
 */
const DIR = 'models/gharchive';

const SOURCES_YML = `version: 2

sources:
  - name: gharchive
    description: GH Archive events of the tracked repositories (community-metrics gharchive import).
    tables:
      - name: gharchive_events
        description: One row per event (event_id), with the payload fields the models use per type.
      - name: gharchive_hours
        description: One row per archive hour read (imported, missing or corrupt; suspicious = far fewer events than the hours around it).
      - name: gharchive_daily_counts
        description: Per UTC day, repository (lower case) and event type, events and distinct actors as ClickHouse counted them (gharchive import --via clickhouse).

models:
  - name: fct_gharchive_events
    columns:
      - name: event_id
        tests: [unique, not_null]
      - name: event_type
        tests: [not_null]
  - name: dim_gharchive_actors
    columns:
      - name: actor_login
        tests: [unique, not_null]
  - name: gharchive_daily_events_by_type
    columns:
      - name: day
        tests: [not_null]
`;

/** The columns every staging model exposes, so that the fact table is a plain UNION ALL. */
const COMMON = `event_id,
    type AS event_type,
    created_at,
    DATE_TRUNC(DATE(created_at), DAY) AS day,
    tracked_repo,
    repo_id,
    repo_name,
    actor_id,
    actor_login,
    action`;

const staging = (type: string, extra: string, where = ''): string => `{{ config(materialized='view') }}

-- ${type} events of the tracked repositories.
select
    ${COMMON}${extra ? `,\n    ${extra}` : ''}
from {{ source('gharchive', 'gharchive_events') }}
where type = '${type}'${where ? `\n  and ${where}` : ''}
`;

const MODELS: Record<string, string> = {
  'staging/stg_gharchive__stars.sql': staging('WatchEvent', '', "action = 'started'"),
  'staging/stg_gharchive__issues.sql': staging('IssuesEvent', 'number AS issue_number,\n    author_association'),
  'staging/stg_gharchive__pull_requests.sql': staging(
    'PullRequestEvent',
    "number AS pr_number,\n    -- 'merged' is a closed pull request with merged set (or, in newer payloads, the action itself)\n    case when action = 'merged' or (action = 'closed' and merged = 1) then 'merged' else action end AS pr_action,\n    author_association",
  ),
  'staging/stg_gharchive__pushes.sql': staging('PushEvent', '-- NULL since 2025-10-07: the archive no longer carries commit counts\n    push_size AS commits,\n    push_distinct_size AS distinct_commits,\n    ref,\n    head_sha'),
  'staging/stg_gharchive__forks.sql': staging('ForkEvent', 'forkee_name'),
  'staging/stg_gharchive__releases.sql': staging('ReleaseEvent', 'release_id,\n    release_tag'),
  'staging/stg_gharchive__comments.sql': `{{ config(materialized='view') }}

-- Comments on issues, on pull request diffs and on commits.
select
    ${COMMON},
    comment_id,
    number AS issue_number,
    author_association
from {{ source('gharchive', 'gharchive_events') }}
where type in ('IssueCommentEvent', 'PullRequestReviewCommentEvent', 'CommitCommentEvent')
`,
  'staging/stg_gharchive__other_events.sql': `{{ config(materialized='view') }}

-- Every other type (create/delete, wiki, members, reviews, and types this version does not know).
select
    ${COMMON}
from {{ source('gharchive', 'gharchive_events') }}
where type not in ('WatchEvent', 'IssuesEvent', 'PullRequestEvent', 'PushEvent', 'ForkEvent', 'ReleaseEvent',
                   'IssueCommentEvent', 'PullRequestReviewCommentEvent', 'CommitCommentEvent')
   or (type = 'WatchEvent' and (action is null or action != 'started'))
`,
  'core/fct_gharchive_events.sql': `{{
    config(
        materialized='incremental',
        unique_key='event_id'
    )
}}

-- One row per event of a tracked repository, every type, with the per-type action normalised.
with events as (
    select event_id, event_type, created_at, day, tracked_repo, repo_id, repo_name, actor_id, actor_login, 'starred' AS event_action from {{ ref('stg_gharchive__stars') }}
    union all
    select event_id, event_type, created_at, day, tracked_repo, repo_id, repo_name, actor_id, actor_login, action from {{ ref('stg_gharchive__issues') }}
    union all
    select event_id, event_type, created_at, day, tracked_repo, repo_id, repo_name, actor_id, actor_login, pr_action from {{ ref('stg_gharchive__pull_requests') }}
    union all
    select event_id, event_type, created_at, day, tracked_repo, repo_id, repo_name, actor_id, actor_login, 'pushed' from {{ ref('stg_gharchive__pushes') }}
    union all
    select event_id, event_type, created_at, day, tracked_repo, repo_id, repo_name, actor_id, actor_login, 'forked' from {{ ref('stg_gharchive__forks') }}
    union all
    select event_id, event_type, created_at, day, tracked_repo, repo_id, repo_name, actor_id, actor_login, action from {{ ref('stg_gharchive__releases') }}
    union all
    select event_id, event_type, created_at, day, tracked_repo, repo_id, repo_name, actor_id, actor_login, action from {{ ref('stg_gharchive__comments') }}
    union all
    select event_id, event_type, created_at, day, tracked_repo, repo_id, repo_name, actor_id, actor_login, action from {{ ref('stg_gharchive__other_events') }}
)

select * from events
{% if is_incremental() %}
  -- backfilled hours may be older than the newest row: take every event not yet in the table
  where event_id not in (select event_id from {{ this }})
{% endif %}
`,
  'core/dim_gharchive_actors.sql': `-- Everyone who acted on a tracked repository: when first and last seen, and how much.
select
    actor_login,
    max(actor_id) AS actor_id,
    min(created_at) AS first_seen_at,
    max(created_at) AS last_seen_at,
    count(*) AS events,
    count(distinct tracked_repo) AS repositories
from {{ ref('fct_gharchive_events') }}
where actor_login is not null
group by actor_login
`,
  'core/dim_gharchive_repositories.sql': `-- Each tracked repository, with every name and id the archive showed for it (renames).
select
    tracked_repo,
    repo_id,
    repo_name,
    min(created_at) AS first_seen_at,
    max(created_at) AS last_seen_at,
    count(*) AS events
from {{ ref('fct_gharchive_events') }}
group by tracked_repo, repo_id, repo_name
`,
  'consumption/gharchive_archive_coverage.sql': `{{ config(materialized='view') }}

-- Per day: how much of the archive was read. A day with missing, corrupt or suspicious hours has
-- lower counts for reasons that are not the project's.
select
    DATE_TRUNC(DATE(hour), DAY) AS day,
    COUNTIF(status = 'imported') AS hours_imported,
    COUNTIF(status = 'missing') AS hours_missing,
    COUNTIF(status = 'corrupt') AS hours_corrupt,
    COUNTIF(suspicious = 1) AS hours_suspicious,
    sum(events) AS archive_events
from {{ source('gharchive', 'gharchive_hours') }}
group by day
`,
  'consumption/gharchive_daily_events_by_type.sql': `{{ config(materialized='view') }}

-- Events per day, repository and type (the dashboard's event-type filter is a filter on event_type).
select
    e.day,
    e.tracked_repo,
    e.event_type,
    count(*) AS events,
    count(distinct e.actor_login) AS actors,
    max(case when c.hours_suspicious > 0 or c.hours_missing > 0 or c.hours_corrupt > 0 then 1 else 0 end) AS incomplete_day
from {{ ref('fct_gharchive_events') }} e
left join {{ ref('gharchive_archive_coverage') }} c on c.day = e.day
group by e.day, e.tracked_repo, e.event_type
`,
  'consumption/gharchive_most_active_users.sql': `{{ config(materialized='view') }}

-- Most active people per repository (bots included; filter on actor_login like '%[bot]' to drop them).
with per_user as (
    select
        tracked_repo,
        actor_login,
        count(*) AS events,
        count(distinct day) AS active_days,
        COUNTIF(event_type = 'PushEvent') AS pushes,
        COUNTIF(event_type = 'PullRequestEvent' and event_action = 'opened') AS pull_requests_opened,
        COUNTIF(event_type in ('IssueCommentEvent', 'PullRequestReviewCommentEvent', 'CommitCommentEvent')) AS comments,
        max(created_at) AS last_active_at
    from {{ ref('fct_gharchive_events') }}
    where actor_login is not null
    group by tracked_repo, actor_login
)

select
    *,
    row_number() over (partition by tracked_repo order by events desc, actor_login) AS activity_rank,
    -- share of the repository's events: concentration of activity (who the project depends on)
    round(1.0 * events / sum(events) over (partition by tracked_repo), 4) AS share_of_events
from per_user
`,
  'consumption/gharchive_popular_repositories_daily.sql': `{{ config(materialized='view') }}

-- Per day, the tracked repositories ranked by stars given (WatchEvent), then by all events.
with daily as (
    select
        day,
        tracked_repo,
        COUNTIF(event_type = 'WatchEvent') AS stars_given,
        COUNTIF(event_type = 'ForkEvent') AS forks,
        COUNTIF(event_type = 'PullRequestEvent' and event_action = 'opened') AS pull_requests_opened,
        COUNTIF(event_type = 'IssuesEvent' and event_action = 'opened') AS issues_opened,
        count(*) AS events,
        count(distinct actor_login) AS actors
    from {{ ref('fct_gharchive_events') }}
    group by day, tracked_repo
)

select
    *,
    rank() over (partition by day order by stars_given desc, events desc) AS popularity_rank
from daily
`,
};

/** The GH Archive models as scaffold files (never overwriting a user's file), under models/gharchive/. */
export function gharchiveStarterFiles(): ScaffoldFile[] {
  const file = (p: string, content: string): ScaffoldFile => ({ path: `${DIR}/${p}`, content, overwrite: false });
  return [file('sources.yml', SOURCES_YML), ...Object.entries(MODELS).map(([p, c]) => file(p, c))];
}
