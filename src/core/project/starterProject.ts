/**
 * The starter project as data (the editor's "Create Starter Project" command and the CLI write these
 * files): models equivalent to the seed article's, reading the store's raw tables, in BigQuery style
 * so that they also read like the article. Nothing here touches the disk.
 */
export interface ScaffoldFile {
  /** Path relative to the workspace folder, with '/' separators. */
  path: string;
  content: string;
  /** Never overwrite an existing file of the user's (only the seed slot may be replaced). */
  overwrite: false;
}

export interface StarterOptions {
  /** dbt project name (letters, digits, underscores). */
  projectName?: string;
}

const COMMUNITY_METRICS_YML = `# Projects whose community metrics are tracked. Refresh fills the store's raw tables.
projects:
  - name: openlineage
    github: [OpenLineage/OpenLineage]
    pypi: [openlineage-python, openlineage-airflow]
    docker: [marquezproject/marquez]
  - name: marquez
    github: [MarquezProject/marquez]
    pypi: [marquez-python, marquez-airflow]
`;

const SOURCES_YML = `version: 2

# The store's raw tables, written by Refresh. A source table resolves to the store table of the same
# name; add 'identifier:' to point a source at another table.
sources:
  - name: metrics
    tables:
      - name: github_stars
        description: One row per repository per refresh (timestamp, project, stars).
      - name: dockerhub_pulls
        description: One row per image per refresh (timestamp, image, pull_count).
      - name: slack_messages
        description: One row per Slack message (message_time, domain, username, ...).
      - name: pypi_version_downloads
        identifier: pypi_version_downloads_daily
        description: Downloads per package, version and day (date, package, version, downloads).

models:
  - name: github_daily_summary
    columns:
      - name: day
        tests: [not_null]
      - name: project
        tests: [not_null]
  - name: daily_summary
    columns:
      - name: day
        tests: [unique, not_null]
`;

const MODELS: Record<string, string> = {
  'slack_daily_summary_by_user.sql': `select
    DATE_TRUNC(DATE(message_time), DAY) AS day,
    domain,
    username,
    count(*) AS messages
from {{ source('metrics', 'slack_messages') }}

group by day, domain, username
`,
  'slack_daily_summary.sql': `{{ config(materialized='view') }}

select
    DATE_TRUNC(DATE(message_time), DAY) AS day,
    domain,
    count(*) AS messages
from {{ source('metrics', 'slack_messages') }}
where username is null or username not in ('github', 'github2')
group by day, domain
`,
  'github_daily_summary.sql': `-- Snapshots taken by Refresh, plus an imported star history (seeds/github_daily_summary_history.csv).
with combined_stars as (
    select DATE_TRUNC(DATE(timestamp), DAY) AS day, project, stars
    from {{ source('metrics', 'github_stars') }}
    union all
    select day, project, stars from {{ ref('github_daily_summary_history') }}
)

select day, project, max(stars) AS stars
from combined_stars
group by day, project
`,
  'dockerhub_daily_summary.sql': `{{
    config(
        materialized='view'
    )
}}

select
    DATE_TRUNC(DATE(timestamp), DAY) AS day,
    image, max(pull_count) AS total_pulls
from {{ source('metrics', 'dockerhub_pulls') }}

group by day, image
`,
  'pypi_downloads.sql': `{{
    config(
        materialized='incremental',
        unique_key=['day', 'project', 'version']
    )
}}

-- The store keeps PyPI downloads per day and version; this slice keeps the tracked packages.
select date AS day, package AS project, version, downloads
from {{ source('metrics', 'pypi_version_downloads') }}

{% if is_incremental() %}
  -- the latest day may still grow, so it is merged again
  where date >= (select max(day) from {{ this }})
{% endif %}
`,
  'pypi_daily_summary.sql': `select
    DATE_TRUNC(DATE(day), DAY) AS day,
    project, version, sum(downloads) AS num_downloads
from {{ ref('pypi_downloads') }}

group by day, project, version
`,
  'daily_summary.sql': `{{ config(materialized='view') }}

-- One row per day with every channel's total.
with days as (
    select day from {{ ref('github_daily_summary') }}
    union select day from {{ ref('pypi_daily_summary') }}
    union select day from {{ ref('dockerhub_daily_summary') }}
    union select day from {{ ref('slack_daily_summary') }}
), pypi as (
    select day, sum(num_downloads) as pypi_downloads from {{ ref('pypi_daily_summary') }} group by day
), dockerhub as (
    select day, sum(total_pulls) as dockerhub_pulls from {{ ref('dockerhub_daily_summary') }} group by day
), github as (
    select day, sum(stars) as github_stars from {{ ref('github_daily_summary') }} group by day
), slack as (
    select day, sum(messages) as slack_messages from {{ ref('slack_daily_summary') }} group by day
)

select days.day, pypi.pypi_downloads, dockerhub.dockerhub_pulls, github.github_stars, slack.slack_messages
from days
left join pypi on pypi.day = days.day
left join dockerhub on dockerhub.day = days.day
left join github on github.day = days.day
left join slack on slack.day = days.day
`,
};

function dbtProjectYml(name: string): string {
  return `name: ${name}
version: '1.0.0'
config-version: 2

model-paths: ["models"]
seed-paths: ["seeds"]
macro-paths: ["macros"]
test-paths: ["tests"]

models:
  ${name}:
    +materialized: table

seeds:
  ${name}:
    github_daily_summary_history:
      +column_types:
        day: date
        project: string
        stars: integer
`;
}

export function starterProjectFiles(options: StarterOptions = {}): ScaffoldFile[] {
  const name = (options.projectName ?? 'community_metrics').replace(/[^A-Za-z0-9_]/g, '_');
  const file = (path: string, content: string): ScaffoldFile => ({ path, content, overwrite: false });
  return [
    file('community-metrics.yml', COMMUNITY_METRICS_YML),
    file('dbt_project.yml', dbtProjectYml(name)),
    file('models/sources.yml', SOURCES_YML),
    ...Object.entries(MODELS).map(([f, c]) => file(`models/${f}`, c)),
    // The slot for an imported star history (for example a star-history.com CSV export).
    file('seeds/github_daily_summary_history.csv', 'day,project,stars\n'),
    file('macros/.gitkeep', ''),
    file('tests/.gitkeep', ''),
  ];
}
