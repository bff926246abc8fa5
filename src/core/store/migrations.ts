import { rawEventsMigration } from '../gharchive/rawEvents';
/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many ran. Append only:
 * a released migration is never edited.
 *
 * The raw tables (dbt sources for the models). Every table has a natural key, and every write is an
 * idempotent upsert on it, so that a repeated refresh, or two writers merging under the file lock,
 * never duplicate a row. Snapshot tables keep one row per fetch that returned new data: a 304 writes
 * nothing, so a model wanting one value per day forward-fills from the latest earlier row.
 *
 *   github_stars(timestamp, project, stars)                         seed schema; repository snapshot
 *   github_repo_snapshots(timestamp, repo, repo_id, stars, forks, subscribers, open_issues, size_kb, pushed_at)
 *   github_star_history(repo, day, stars, source)                   stars given that day and still held
 *                                  (source 'history' = /stargazers/history, 'stargazers' = star+json listing)
 *   github_stargazers(repo, user_login, starred_at)                 from the listing, where allowed
 *   github_issues(repo, number, is_pull_request, author, author_is_bot, title, state, labels (JSON array),
 *                 comments, created_at, updated_at, closed_at, merged_at, first_response_at, first_responder)
 *   github_issue_comments(repo, comment_id, issue_number, author, author_is_bot, created_at)
 *   github_commits(repo, sha, author_login, author_name, author_email, author_date,
 *                  committer_login, committer_name, committer_date)
 *   github_releases(repo, release_id, tag_name, name, draft, prerelease, created_at, published_at)
 *   github_release_assets(timestamp, repo, release_id, asset_id, asset_name, download_count)   snapshot
 *   github_contributor_weeks(repo, author, week, commits, additions, deletions)
 *   pypi_downloads_daily(date, package, category_type, category, downloads)
 *                                  category_type: overall (with_mirrors | without_mirrors: never add them),
 *                                  python_major, python_minor, system — from pypistats, mirrors excluded
 *                                  except the overall 'with_mirrors' rows
 *   pypi_recent(timestamp, package, last_day, last_week, last_month)                         snapshot
 *   pypi_version_downloads_daily(date, package, version, downloads)  pepy.tech; counts include mirrors
 *   npm_downloads_daily(date, package, downloads)
 *   dockerhub_pulls(timestamp, image, pull_count)                    seed schema; approximate pulls
 *   dockerhub_snapshots(timestamp, image, pull_count, star_count, last_updated)
 *   slack_messages(message_time, domain, username, realname, email, channel, permalink, text)  seed schema
 *   slack_users(domain, user_id, username, realname, email, is_bot)
 *   github_traffic_daily, github_traffic_windows, github_traffic_referrers, github_traffic_paths,
 *   npm_version_downloads                                           see migration 4
 *
 * Bookkeeping (not for models): http_validators (ETag/Last-Modified per credential hash and URL) and
 * sync_state (incremental cursors and last fetch times per artifact and dataset).
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the seed's github_stars table (timestamp, project, stars), plus the full repository snapshot.
  `
  CREATE TABLE IF NOT EXISTS github_stars (
    timestamp TEXT NOT NULL,
    project   TEXT NOT NULL,
    stars     INTEGER NOT NULL,
    PRIMARY KEY (project, timestamp)
  );
  CREATE TABLE IF NOT EXISTS github_repo_snapshots (
    timestamp         TEXT NOT NULL,
    repo              TEXT NOT NULL,
    repo_id           INTEGER,
    stars             INTEGER NOT NULL,
    forks             INTEGER,
    subscribers       INTEGER,
    open_issues       INTEGER,
    size_kb           INTEGER,
    pushed_at         TEXT,
    PRIMARY KEY (repo, timestamp)
  );
  `,
  // 2: every other source of issue 3, and the bookkeeping that makes refreshes incremental.
  `
  CREATE TABLE IF NOT EXISTS http_validators (
    identity      TEXT NOT NULL,
    url           TEXT NOT NULL,
    etag          TEXT,
    last_modified TEXT,
    link          TEXT,
    stored_at     TEXT NOT NULL,
    PRIMARY KEY (identity, url)
  );
  CREATE TABLE IF NOT EXISTS sync_state (
    artifact   TEXT NOT NULL,
    dataset    TEXT NOT NULL,
    cursor     TEXT,
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (artifact, dataset)
  );
  CREATE TABLE IF NOT EXISTS github_star_history (
    repo   TEXT NOT NULL,
    day    TEXT NOT NULL,
    stars  INTEGER NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (repo, source, day)
  );
  CREATE TABLE IF NOT EXISTS github_stargazers (
    repo       TEXT NOT NULL,
    user_login TEXT NOT NULL,
    starred_at TEXT NOT NULL,
    PRIMARY KEY (repo, user_login)
  );
  CREATE TABLE IF NOT EXISTS github_issues (
    repo              TEXT NOT NULL,
    number            INTEGER NOT NULL,
    is_pull_request   INTEGER NOT NULL,
    author            TEXT,
    author_is_bot     INTEGER NOT NULL DEFAULT 0,
    title             TEXT,
    state             TEXT,
    labels            TEXT NOT NULL DEFAULT '[]',
    comments          INTEGER,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    closed_at         TEXT,
    merged_at         TEXT,
    first_response_at TEXT,
    first_responder   TEXT,
    PRIMARY KEY (repo, number)
  );
  CREATE TABLE IF NOT EXISTS github_issue_comments (
    repo          TEXT NOT NULL,
    comment_id    INTEGER NOT NULL,
    issue_number  INTEGER NOT NULL,
    author        TEXT,
    author_is_bot INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (repo, comment_id)
  );
  CREATE INDEX IF NOT EXISTS github_issue_comments_issue ON github_issue_comments (repo, issue_number, created_at);
  CREATE TABLE IF NOT EXISTS github_commits (
    repo            TEXT NOT NULL,
    sha             TEXT NOT NULL,
    author_login    TEXT,
    author_name     TEXT,
    author_email    TEXT,
    author_date     TEXT,
    committer_login TEXT,
    committer_name  TEXT,
    committer_date  TEXT,
    PRIMARY KEY (repo, sha)
  );
  CREATE TABLE IF NOT EXISTS github_releases (
    repo         TEXT NOT NULL,
    release_id   INTEGER NOT NULL,
    tag_name     TEXT,
    name         TEXT,
    draft        INTEGER NOT NULL DEFAULT 0,
    prerelease   INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT,
    published_at TEXT,
    PRIMARY KEY (repo, release_id)
  );
  CREATE TABLE IF NOT EXISTS github_release_assets (
    timestamp      TEXT NOT NULL,
    repo           TEXT NOT NULL,
    release_id     INTEGER NOT NULL,
    asset_id       INTEGER NOT NULL,
    asset_name     TEXT,
    download_count INTEGER NOT NULL,
    PRIMARY KEY (repo, asset_id, timestamp)
  );
  CREATE TABLE IF NOT EXISTS github_contributor_weeks (
    repo      TEXT NOT NULL,
    author    TEXT NOT NULL,
    week      TEXT NOT NULL,
    commits   INTEGER NOT NULL,
    additions INTEGER NOT NULL,
    deletions INTEGER NOT NULL,
    PRIMARY KEY (repo, author, week)
  );
  CREATE TABLE IF NOT EXISTS pypi_downloads_daily (
    date          TEXT NOT NULL,
    package       TEXT NOT NULL,
    category_type TEXT NOT NULL,
    category      TEXT NOT NULL,
    downloads     INTEGER NOT NULL,
    PRIMARY KEY (package, category_type, category, date)
  );
  CREATE TABLE IF NOT EXISTS pypi_recent (
    timestamp  TEXT NOT NULL,
    package    TEXT NOT NULL,
    last_day   INTEGER,
    last_week  INTEGER,
    last_month INTEGER,
    PRIMARY KEY (package, timestamp)
  );
  CREATE TABLE IF NOT EXISTS pypi_version_downloads_daily (
    date      TEXT NOT NULL,
    package   TEXT NOT NULL,
    version   TEXT NOT NULL,
    downloads INTEGER NOT NULL,
    PRIMARY KEY (package, version, date)
  );
  CREATE TABLE IF NOT EXISTS npm_downloads_daily (
    date      TEXT NOT NULL,
    package   TEXT NOT NULL,
    downloads INTEGER NOT NULL,
    PRIMARY KEY (package, date)
  );
  CREATE TABLE IF NOT EXISTS dockerhub_pulls (
    timestamp  TEXT NOT NULL,
    image      TEXT NOT NULL,
    pull_count INTEGER NOT NULL,
    PRIMARY KEY (image, timestamp)
  );
  CREATE TABLE IF NOT EXISTS dockerhub_snapshots (
    timestamp    TEXT NOT NULL,
    image        TEXT NOT NULL,
    pull_count   INTEGER NOT NULL,
    star_count   INTEGER,
    last_updated TEXT,
    PRIMARY KEY (image, timestamp)
  );
  CREATE TABLE IF NOT EXISTS slack_messages (
    message_time TEXT NOT NULL,
    domain       TEXT NOT NULL,
    username     TEXT,
    realname     TEXT,
    email        TEXT,
    channel      TEXT NOT NULL,
    permalink    TEXT,
    text         TEXT
  );
  CREATE UNIQUE INDEX IF NOT EXISTS slack_messages_key ON slack_messages (domain, channel, message_time);
  CREATE TABLE IF NOT EXISTS slack_users (
    domain   TEXT NOT NULL,
    user_id  TEXT NOT NULL,
    username TEXT,
    realname TEXT,
    email    TEXT,
    is_bot   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (domain, user_id)
  );
  `,
  // 3: GH Archive events of the tracked repositories, and the archive hours already read (issue 7).
  //    gharchive_events: one row per event id (the natural key: re-importing an hour adds nothing).
  //    tracked_repo is the configured owner/repo the event was matched to, so that events under a
  //    repository's older or newer name (same repo_id) stay together. Payload columns are filled per
  //    type and NULL where the type or the era lacks them (push size/commits absent since 2025-10-07);
  //    payload keeps the raw JSON only for event types the importer does not know.
  //    gharchive_hours: status imported | missing | corrupt; events = lines in the file, matched = events
  //    of tracked repositories; suspicious = far fewer events than the neighbouring hours (expected_events).
  `
  CREATE TABLE IF NOT EXISTS gharchive_events (
    event_id           TEXT NOT NULL PRIMARY KEY,
    type               TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    hour               TEXT NOT NULL,
    repo_id            INTEGER,
    repo_name          TEXT NOT NULL,
    tracked_repo       TEXT NOT NULL,
    actor_id           INTEGER,
    actor_login        TEXT,
    org_login          TEXT,
    action             TEXT,
    number             INTEGER,
    is_pull_request    INTEGER,
    merged             INTEGER,
    ref                TEXT,
    ref_type           TEXT,
    push_id            INTEGER,
    push_size          INTEGER,
    push_distinct_size INTEGER,
    head_sha           TEXT,
    release_id         INTEGER,
    release_tag        TEXT,
    forkee_name        TEXT,
    comment_id         INTEGER,
    author_association TEXT,
    payload            TEXT
  );
  CREATE INDEX IF NOT EXISTS gharchive_events_repo ON gharchive_events (tracked_repo, created_at);
  CREATE INDEX IF NOT EXISTS gharchive_events_hour ON gharchive_events (hour);
  CREATE TABLE IF NOT EXISTS gharchive_hours (
    hour            TEXT NOT NULL PRIMARY KEY,
    status          TEXT NOT NULL,
    events          INTEGER,
    matched         INTEGER,
    suspicious      INTEGER NOT NULL DEFAULT 0,
    expected_events INTEGER,
    bad_lines       INTEGER NOT NULL DEFAULT 0,
    bytes           INTEGER,
    repos           TEXT NOT NULL DEFAULT '[]',
    message         TEXT,
    imported_at     TEXT NOT NULL
  );
  `,
  // 4: what expires upstream (issue 16): GitHub traffic (14 days kept by GitHub, push access needed)
  //    and npm per-version downloads (last 7 days only). Natural keys make every write an upsert:
  //    github_traffic_daily(repo, kind, day, count, uniques, fetched_at)       kind views | clones; a day is
  //        replaced by its latest count (today's count grows), never added to
  //    github_traffic_windows(repo, kind, snapshot_day, window_start, window_end, count, uniques, fetched_at)
  //        the 14-day window each fetch covered (kind views | clones | referrers | paths), with GitHub's
  //        window totals for views/clones: inside a window a day without a daily row had 0, outside every
  //        window it was not observed (a gap)
  //    github_traffic_referrers(repo, snapshot_day, window_start, window_end, referrer, count, uniques, fetched_at)
  //    github_traffic_paths(repo, snapshot_day, window_start, window_end, path, title, count, uniques, fetched_at)
  //        top 10 of the 14-day window as dated snapshots: one per day (the day's latest fetch replaces it)
  //    npm_version_downloads(package, snapshot_day, version, downloads, fetched_at)
  //        /versions/{package}/last-week per version: downloads in the 7 days before the snapshot
  //    npm_version_snapshots(package, snapshot_day, versions, downloads, fetched_at)
  //        one row per snapshot taken, even one with no version downloaded: the days observed
  `
  CREATE TABLE IF NOT EXISTS github_traffic_daily (
    repo       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    day        TEXT NOT NULL,
    count      INTEGER NOT NULL,
    uniques    INTEGER NOT NULL,
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (repo, kind, day)
  );
  CREATE TABLE IF NOT EXISTS github_traffic_windows (
    repo         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    snapshot_day TEXT NOT NULL,
    window_start TEXT NOT NULL,
    window_end   TEXT NOT NULL,
    count        INTEGER,
    uniques      INTEGER,
    fetched_at   TEXT NOT NULL,
    PRIMARY KEY (repo, kind, snapshot_day)
  );
  CREATE TABLE IF NOT EXISTS github_traffic_referrers (
    repo         TEXT NOT NULL,
    snapshot_day TEXT NOT NULL,
    window_start TEXT NOT NULL,
    window_end   TEXT NOT NULL,
    referrer     TEXT NOT NULL,
    count        INTEGER NOT NULL,
    uniques      INTEGER NOT NULL,
    fetched_at   TEXT NOT NULL,
    PRIMARY KEY (repo, snapshot_day, referrer)
  );
  CREATE TABLE IF NOT EXISTS github_traffic_paths (
    repo         TEXT NOT NULL,
    snapshot_day TEXT NOT NULL,
    window_start TEXT NOT NULL,
    window_end   TEXT NOT NULL,
    path         TEXT NOT NULL,
    title        TEXT,
    count        INTEGER NOT NULL,
    uniques      INTEGER NOT NULL,
    fetched_at   TEXT NOT NULL,
    PRIMARY KEY (repo, snapshot_day, path)
  );
  CREATE TABLE IF NOT EXISTS npm_version_downloads (
    package      TEXT NOT NULL,
    snapshot_day TEXT NOT NULL,
    version      TEXT NOT NULL,
    downloads    INTEGER NOT NULL,
    fetched_at   TEXT NOT NULL,
    PRIMARY KEY (package, snapshot_day, version)
  );
  CREATE TABLE IF NOT EXISTS npm_version_snapshots (
    package      TEXT NOT NULL,
    snapshot_day TEXT NOT NULL,
    versions     INTEGER NOT NULL,
    downloads    INTEGER NOT NULL,
    fetched_at   TEXT NOT NULL,
    PRIMARY KEY (package, snapshot_day)
  );
  `,
  // 5: history read from ClickHouse (issue 17): GH Archive through the github_events table and PyPI
  //    downloads through ClickPy, aggregated by the server, only the tracked repositories and packages.
  //    gharchive_daily_counts: per UTC day, repository (lower case) and event type, the events and the
  //    distinct actors, counted by ClickHouse over whole days (distinct actors cannot be added up from
  //    hours, so a day is always counted whole). Per-event rows go to gharchive_events as before, and
  //    the hours they cover to gharchive_hours (status imported, or missing when the table lacks them).
  //    pypi_downloads_history: one row per day, package, dimension and category, from ClickPy (all
  //    downloads: mirrors, CI and bots included). dimension: overall (category ''), version, installer,
  //    python_minor, system, country. Upserted: ClickPy's last day is re-read until it is complete.
  //    pypi_downloads_merged (view): the same dimensions with pypistats/pepy filling the days ClickPy
  //    does not have, one source per (package, dimension, date), never added together.
  `
  CREATE TABLE IF NOT EXISTS gharchive_daily_counts (
    day         TEXT NOT NULL,
    repo        TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    events      INTEGER NOT NULL,
    actors      INTEGER NOT NULL,
    source      TEXT NOT NULL,
    fetched_at  TEXT NOT NULL,
    PRIMARY KEY (repo, day, event_type)
  );
  CREATE TABLE IF NOT EXISTS pypi_downloads_history (
    date        TEXT NOT NULL,
    package     TEXT NOT NULL,
    dimension   TEXT NOT NULL,
    category    TEXT NOT NULL,
    downloads   INTEGER NOT NULL,
    source      TEXT NOT NULL,
    fetched_at  TEXT NOT NULL,
    PRIMARY KEY (package, dimension, category, date)
  );
  CREATE VIEW IF NOT EXISTS pypi_downloads_merged AS
    SELECT date, package, dimension, category, downloads, source,
           'all downloads, mirrors and CI included (ClickPy)' AS counts
      FROM pypi_downloads_history
    UNION ALL
    SELECT p.date, p.package, 'overall', '', p.downloads, 'pypistats',
           'all downloads, mirrors included (pypistats with_mirrors)'
      FROM pypi_downloads_daily p
     WHERE p.category_type = 'overall' AND p.category = 'with_mirrors'
       AND NOT EXISTS (SELECT 1 FROM pypi_downloads_history h
                        WHERE h.package = p.package AND h.dimension = 'overall' AND h.date = p.date)
    UNION ALL
    SELECT p.date, p.package, p.category_type, p.category, p.downloads, 'pypistats',
           'downloads without mirrors (pypistats)'
      FROM pypi_downloads_daily p
     WHERE p.category_type IN ('python_minor', 'system')
       AND NOT EXISTS (SELECT 1 FROM pypi_downloads_history h
                        WHERE h.package = p.package AND h.dimension = p.category_type AND h.date = p.date)
    UNION ALL
    SELECT v.date, v.package, 'version', v.version, v.downloads, 'pepy',
           'all downloads, mirrors included (pepy.tech)'
      FROM pypi_version_downloads_daily v
     WHERE NOT EXISTS (SELECT 1 FROM pypi_downloads_history h
                        WHERE h.package = v.package AND h.dimension = 'version' AND h.date = v.date);
  `,
  // 6: issue 15: the tracked repositories' GH Archive events in the archive's own shape (raw JSON line),
  // with one view per event type in BigQuery's columns (struct repo/actor/org, JSON payload), so that
  // pipelines written for BigQuery's copy of GH Archive read them as written. See gharchive/rawEvents.ts.
  rawEventsMigration(),
  // 7 (issue 13): the partition catalog. Bulky append-only tables (partitions.ts: gharchive_events)
  //    keep their rows in one SQLite file per calendar month beside the store
  //    (`<store>.parts/<table>.<YYYY-MM>.g<generation>.sqlite`); the store file keeps the table empty
  //    and lists here which file holds each month. The store file is written last, so this list is the
  //    commit point of a save: a file it does not name is a leftover of an interrupted save.
  //    Rows still in the store file's own table (a store written before this migration) are moved
  //    into partition files by the first save.
  `
  CREATE TABLE IF NOT EXISTS _cm_partitions (
    tbl        TEXT NOT NULL,
    part       TEXT NOT NULL,
    generation INTEGER NOT NULL,
    file       TEXT NOT NULL,
    row_count  INTEGER NOT NULL,
    PRIMARY KEY (tbl, part)
  );
  `,
  // 8 (issue 13): the names and ids each tracked repository's GH Archive events were stored under, kept
  //    as events are written (archiveStore.ts, archiveCountsStore.ts). An import reads these instead of
  //    a DISTINCT over every event, which would load every month of the partitioned events table.
  //    repo_id 0: the archive gave none. Filled here from the events, which a store reaching this
  //    migration still holds in its own file (partitions are written by the first save after it).
  `
  CREATE TABLE IF NOT EXISTS gharchive_repo_names (
    tracked_repo TEXT NOT NULL,
    repo_name    TEXT NOT NULL,
    repo_id      INTEGER NOT NULL,
    PRIMARY KEY (tracked_repo, repo_name, repo_id)
  );
  INSERT OR IGNORE INTO gharchive_repo_names (tracked_repo, repo_name, repo_id)
    SELECT DISTINCT tracked_repo, repo_name, IFNULL(repo_id, 0) FROM gharchive_events;
  `,
  // 9 (issue 13): per tracked repository (lower case) and UTC day, the archive hours imported for it
  //    and its events in those hours, in all and per type (JSON object type → count): what the GH
  //    Archive charts and the tree read instead of the events (gharchive/dayTotals.ts keeps the rule
  //    and recomputes a day whole on every write of its hours or events). Partitioned by day, like
  //    gharchive_hours from this version on (partitions.ts), so that the store file does not grow with
  //    the archive's history. `_cm_pending` lists work an open still has to do: here, filling the
  //    totals of a store that already has GH Archive hours (the events may be in partition files that
  //    a migration cannot read: StoreEngine.open does it).
  `
  CREATE TABLE IF NOT EXISTS gharchive_day_totals (
    repo   TEXT NOT NULL,
    day    TEXT NOT NULL,
    hours  INTEGER NOT NULL,
    events INTEGER NOT NULL,
    types  TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (repo, day)
  );
  CREATE TABLE IF NOT EXISTS _cm_pending (task TEXT NOT NULL PRIMARY KEY);
  INSERT OR IGNORE INTO _cm_pending (task) SELECT 'gharchive_day_totals' WHERE EXISTS (SELECT 1 FROM gharchive_hours);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
