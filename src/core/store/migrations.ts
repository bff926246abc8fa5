/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many ran. Append only:
 * a released migration is never edited.
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
];

export const SCHEMA_VERSION = MIGRATIONS.length;
