import type { Database } from 'sql.js';

/**
 * The tracked repositories' GH Archive events kept as GH Archive publishes them (issue 15), so that
 * pipelines written for BigQuery's copy of the archive run as written: one row per event id with the
 * raw JSON line (`gharchive_raw_events`, its own migration in store/migrations.ts), and one view per event type named like the
 * tables such pipelines load (`PushEvent`, `WatchEvent`, ...) with the BigQuery columns: `id`, `type`,
 * `public`, `created_at`, the structs `repo`, `actor` and `org` (JSON objects, read with `repo.id`),
 * `payload` (the JSON text, for PARSE_JSON/JSON_VALUE), `other`, and `LOAD_TIMESTAMP` (when the hour
 * was imported). Written by the importer in the same transaction as `gharchive_events`; kept apart
 * from it so that that table can move into partition files on its own.
 */
export interface RawEvent {
  event_id: string;
  type: string;
  created_at: string;
  hour: string;
  tracked_repo: string;
  /** The archive's JSON line, as read. */
  raw: string;
}

/** The event types of the GH Archive timeline since 2015 (each gets a view). */
export const RAW_EVENT_TYPES = [
  'CommitCommentEvent', 'CreateEvent', 'DeleteEvent', 'ForkEvent', 'GollumEvent', 'IssueCommentEvent', 'IssuesEvent',
  'MemberEvent', 'PublicEvent', 'PullRequestEvent', 'PullRequestReviewCommentEvent', 'PullRequestReviewEvent', 'PushEvent',
  'ReleaseEvent', 'WatchEvent', 'SponsorshipEvent', 'DiscussionEvent',
] as const;

export function rawEventsMigration(): string {
  const views = RAW_EVENT_TYPES.map(
    (t) => `CREATE VIEW IF NOT EXISTS "${t}" AS
  SELECT json_extract(event, '$.id') AS id, type, json_extract(event, '$.public') AS public,
         json_extract(event, '$.payload') AS payload, json_extract(event, '$.repo') AS repo,
         json_extract(event, '$.actor') AS actor, json_extract(event, '$.org') AS org,
         created_at, json_extract(event, '$.other') AS other, imported_at AS LOAD_TIMESTAMP
  FROM gharchive_raw_events WHERE type = '${t}';`,
  );
  return `
  CREATE TABLE IF NOT EXISTS gharchive_raw_events (
    event_id     TEXT NOT NULL PRIMARY KEY,
    type         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    hour         TEXT NOT NULL,
    tracked_repo TEXT NOT NULL,
    event        TEXT NOT NULL,
    imported_at  TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS gharchive_raw_events_type ON gharchive_raw_events (type, created_at);
  ${views.join('\n  ')}
  `;
}

/** Inserts each event once (by id): re-importing an hour adds nothing. Returns the rows added. */
export function writeRawEvents(db: Database, events: readonly RawEvent[], importedAt: string): number {
  if (events.length === 0) return 0;
  let added = 0;
  const insert = db.prepare('INSERT OR IGNORE INTO gharchive_raw_events (event_id, type, created_at, hour, tracked_repo, event, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  try {
    for (const e of events) {
      insert.run([e.event_id, e.type, e.created_at, e.hour, e.tracked_repo, e.raw, importedAt]);
      added += db.getRowsModified();
    }
  } finally {
    insert.free();
  }
  return added;
}
