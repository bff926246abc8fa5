import type { MetricsStore } from './store';

/** Rows of the GitHub raw tables (see migrations.ts for their meaning), written as idempotent upserts. */

export interface StarHistoryDay {
  repo: string;
  day: string;
  stars: number;
  source: 'history' | 'stargazers';
}

export interface Stargazer {
  repo: string;
  userLogin: string;
  starredAt: string;
}

export interface IssueRow {
  repo: string;
  number: number;
  isPullRequest: boolean;
  author: string | null;
  authorIsBot: boolean;
  title: string | null;
  state: string | null;
  labels: string[];
  comments: number | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  mergedAt: string | null;
}

export interface IssueCommentRow {
  repo: string;
  commentId: number;
  issueNumber: number;
  author: string | null;
  authorIsBot: boolean;
  createdAt: string;
}

export interface CommitRow {
  repo: string;
  sha: string;
  authorLogin: string | null;
  authorName: string | null;
  authorEmail: string | null;
  authorDate: string | null;
  committerLogin: string | null;
  committerName: string | null;
  committerDate: string | null;
}

export interface ReleaseRow {
  repo: string;
  releaseId: number;
  tagName: string | null;
  name: string | null;
  draft: boolean;
  prerelease: boolean;
  createdAt: string | null;
  publishedAt: string | null;
}

export interface ReleaseAssetSnapshot {
  timestamp: string;
  repo: string;
  releaseId: number;
  assetId: number;
  assetName: string | null;
  downloadCount: number;
}

export interface ContributorWeek {
  repo: string;
  author: string;
  week: string;
  commits: number;
  additions: number;
  deletions: number;
}

export function upsertStarHistory(store: MetricsStore, rows: StarHistoryDay[]): void {
  // Replaced, not kept: a day's count of stars still held falls when someone unstars.
  for (const r of rows) {
    store.db.run(
      `INSERT INTO github_star_history (repo, day, stars, source) VALUES (?, ?, ?, ?)
       ON CONFLICT (repo, source, day) DO UPDATE SET stars = excluded.stars`,
      [r.repo, r.day, r.stars, r.source],
    );
  }
}

export function upsertStargazers(store: MetricsStore, rows: Stargazer[]): void {
  for (const r of rows) {
    store.db.run(
      `INSERT INTO github_stargazers (repo, user_login, starred_at) VALUES (?, ?, ?)
       ON CONFLICT (repo, user_login) DO UPDATE SET starred_at = excluded.starred_at`,
      [r.repo, r.userLogin, r.starredAt],
    );
  }
}

/** Recomputes the 'stargazers' star history of a repository from the listing rows it has. */
export function rebuildStarHistoryFromStargazers(store: MetricsStore, repo: string): void {
  store.db.run("DELETE FROM github_star_history WHERE repo = ? AND source = 'stargazers'", [repo]);
  store.db.run(
    `INSERT INTO github_star_history (repo, day, stars, source)
     SELECT repo, substr(starred_at, 1, 10), COUNT(*), 'stargazers' FROM github_stargazers WHERE repo = ? GROUP BY 1, 2`,
    [repo],
  );
}

export function upsertIssues(store: MetricsStore, rows: IssueRow[]): void {
  for (const r of rows) {
    store.db.run(
      `INSERT INTO github_issues (repo, number, is_pull_request, author, author_is_bot, title, state, labels, comments,
         created_at, updated_at, closed_at, merged_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (repo, number) DO UPDATE SET is_pull_request = excluded.is_pull_request, author = excluded.author,
         author_is_bot = excluded.author_is_bot, title = excluded.title, state = excluded.state, labels = excluded.labels,
         comments = excluded.comments, created_at = excluded.created_at, closed_at = excluded.closed_at,
         merged_at = COALESCE(excluded.merged_at, github_issues.merged_at),
         updated_at = MAX(github_issues.updated_at, excluded.updated_at)`,
      [r.repo, r.number, r.isPullRequest ? 1 : 0, r.author, r.authorIsBot ? 1 : 0, r.title, r.state, JSON.stringify(r.labels),
        r.comments, r.createdAt, r.updatedAt, r.closedAt, r.mergedAt],
    );
  }
}

export function upsertIssueComments(store: MetricsStore, rows: IssueCommentRow[]): void {
  for (const r of rows) {
    store.db.run(
      `INSERT INTO github_issue_comments (repo, comment_id, issue_number, author, author_is_bot, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (repo, comment_id) DO UPDATE SET author = excluded.author, author_is_bot = excluded.author_is_bot`,
      [r.repo, r.commentId, r.issueNumber, r.author, r.authorIsBot ? 1 : 0, r.createdAt],
    );
  }
}

/**
 * Time to first response (CHAOSS): the earliest comment by someone other than the author, bots
 * excluded. Recomputed in SQL from the stored comments, so issues and comments may arrive in any order.
 */
export function updateFirstResponses(store: MetricsStore, repo: string): void {
  store.db.run(
    `UPDATE github_issues AS i SET
       first_response_at = (SELECT MIN(c.created_at) FROM github_issue_comments c
          WHERE c.repo = i.repo AND c.issue_number = i.number AND c.author_is_bot = 0
            AND c.author IS NOT NULL AND (i.author IS NULL OR c.author <> i.author)),
       first_responder = (SELECT c.author FROM github_issue_comments c
          WHERE c.repo = i.repo AND c.issue_number = i.number AND c.author_is_bot = 0
            AND c.author IS NOT NULL AND (i.author IS NULL OR c.author <> i.author)
          ORDER BY c.created_at, c.comment_id LIMIT 1)
     WHERE i.repo = ?`,
    [repo],
  );
}

export function upsertCommits(store: MetricsStore, rows: CommitRow[]): void {
  for (const r of rows) {
    store.db.run(
      `INSERT INTO github_commits (repo, sha, author_login, author_name, author_email, author_date, committer_login, committer_name, committer_date)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (repo, sha) DO NOTHING`,
      [r.repo, r.sha, r.authorLogin, r.authorName, r.authorEmail, r.authorDate, r.committerLogin, r.committerName, r.committerDate],
    );
  }
}

export function upsertReleases(store: MetricsStore, rows: ReleaseRow[]): void {
  for (const r of rows) {
    store.db.run(
      `INSERT INTO github_releases (repo, release_id, tag_name, name, draft, prerelease, created_at, published_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (repo, release_id) DO UPDATE SET tag_name = excluded.tag_name, name = excluded.name, draft = excluded.draft,
         prerelease = excluded.prerelease, created_at = excluded.created_at, published_at = excluded.published_at`,
      [r.repo, r.releaseId, r.tagName, r.name, r.draft ? 1 : 0, r.prerelease ? 1 : 0, r.createdAt, r.publishedAt],
    );
  }
}

export function insertReleaseAssets(store: MetricsStore, rows: ReleaseAssetSnapshot[]): void {
  for (const r of rows) {
    store.db.run(
      `INSERT OR IGNORE INTO github_release_assets (timestamp, repo, release_id, asset_id, asset_name, download_count) VALUES (?, ?, ?, ?, ?, ?)`,
      [r.timestamp, r.repo, r.releaseId, r.assetId, r.assetName, r.downloadCount],
    );
  }
}

export function upsertContributorWeeks(store: MetricsStore, rows: ContributorWeek[]): void {
  for (const r of rows) {
    store.db.run(
      `INSERT INTO github_contributor_weeks (repo, author, week, commits, additions, deletions) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (repo, author, week) DO UPDATE SET commits = excluded.commits, additions = excluded.additions, deletions = excluded.deletions`,
      [r.repo, r.author, r.week, r.commits, r.additions, r.deletions],
    );
  }
}
