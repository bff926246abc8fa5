import type { GitHubRepository } from '../config/projectConfig';
import type { CommitRow, IssueCommentRow, IssueRow } from '../store/githubRows';
import { Unusable, shown, toCount, toTimestamp } from './coerce';
import type { DatasetContext } from './context';
import { withQuery } from './context';
import { GITHUB_ACCEPT, apiUrl, isBot, loginOf, repoPath } from './github';
import { syncIncremental } from './incremental';

type User = { login?: unknown; type?: unknown } | null;

interface IssueItem {
  number?: unknown;
  title?: unknown;
  state?: unknown;
  user?: User;
  labels?: unknown;
  comments?: unknown;
  created_at?: unknown;
  updated_at?: unknown;
  closed_at?: unknown;
  pull_request?: { merged_at?: unknown } | null;
}

interface CommentItem {
  id?: unknown;
  issue_url?: unknown;
  user?: User;
  created_at?: unknown;
  updated_at?: unknown;
}

interface CommitItem {
  sha?: unknown;
  author?: User;
  committer?: User;
  commit?: {
    author?: { name?: unknown; email?: unknown; date?: unknown } | null;
    committer?: { name?: unknown; email?: unknown; date?: unknown } | null;
  } | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Issues and pull requests (the issues listing carries both), incrementally by `updated_at`. */
export async function issuesDataset(ctx: DatasetContext, repo: GitHubRepository): Promise<void> {
  const url = withQuery(apiUrl(ctx.endpoints.githubApiUrl, `${repoPath(repo)}/issues`), { state: 'all', sort: 'updated', direction: 'asc', per_page: 100 });
  await syncIncremental<IssueItem>(ctx, {
    dataset: 'issues',
    url,
    headers: { accept: GITHUB_ACCEPT },
    cursorOf: (i) => str(i.updated_at) ?? undefined,
    handle: (items) => {
      const rows: IssueRow[] = [];
      const unusable = new Unusable(`issues of ${repo.fullName}`);
      for (const [index, i] of items.entries()) {
        if (!i || typeof i !== 'object') {
          unusable.note(index, `the item is ${shown(i)}`);
          continue;
        }
        const createdAt = toTimestamp(i.created_at);
        const number = toCount(i.number);
        if (number === undefined || !createdAt) {
          unusable.note(index, number === undefined ? `'number' is ${shown(i.number)}` : `'created_at' is ${shown(i.created_at)}`);
          continue;
        }
        rows.push({
          repo: repo.fullName,
          number,
          isPullRequest: i.pull_request !== undefined && i.pull_request !== null,
          author: loginOf(i.user),
          authorIsBot: isBot(i.user),
          title: str(i.title),
          state: str(i.state),
          labels: Array.isArray(i.labels) ? i.labels.map((l: unknown) => (typeof l === 'string' ? l : str((l as { name?: unknown })?.name))).filter((l): l is string => !!l) : [],
          comments: toCount(i.comments) ?? null,
          createdAt,
          updatedAt: str(i.updated_at) ?? createdAt,
          closedAt: str(i.closed_at),
          mergedAt: str(i.pull_request?.merged_at),
        });
      }
      ctx.write('upsertIssues', rows);
      ctx.write('updateFirstResponses', repo.fullName);
      unusable.check(items.length);
    },
  });
}

/** Issue and pull-request conversation comments, for the time to first response. */
export async function issueCommentsDataset(ctx: DatasetContext, repo: GitHubRepository): Promise<void> {
  const url = withQuery(apiUrl(ctx.endpoints.githubApiUrl, `${repoPath(repo)}/issues/comments`), { sort: 'updated', direction: 'asc', per_page: 100 });
  await syncIncremental<CommentItem>(ctx, {
    dataset: 'issue_comments',
    url,
    headers: { accept: GITHUB_ACCEPT },
    cursorOf: (c) => str(c.updated_at) ?? str(c.created_at) ?? undefined,
    handle: (items) => {
      const rows: IssueCommentRow[] = [];
      const unusable = new Unusable(`issue comments of ${repo.fullName}`);
      for (const [index, c] of items.entries()) {
        const issueNumber = Number(/\/issues\/(\d+)$/.exec(str(c?.issue_url) ?? '')?.[1]);
        const createdAt = toTimestamp(c?.created_at);
        const id = toCount(c?.id);
        if (id === undefined || !Number.isInteger(issueNumber) || !createdAt) {
          unusable.note(index, id === undefined ? `'id' is ${shown(c?.id)}` : !createdAt ? `'created_at' is ${shown(c?.created_at)}` : `'issue_url' is ${shown(c?.issue_url)}`);
          continue;
        }
        rows.push({ repo: repo.fullName, commentId: id, issueNumber, author: loginOf(c.user), authorIsBot: isBot(c.user), createdAt });
      }
      ctx.write('upsertIssueComments', rows);
      ctx.write('updateFirstResponses', repo.fullName);
      unusable.check(items.length);
    },
  });
}

/** Commits of the default branch, incrementally by commit date. */
export async function commitsDataset(ctx: DatasetContext, repo: GitHubRepository): Promise<void> {
  const url = withQuery(apiUrl(ctx.endpoints.githubApiUrl, `${repoPath(repo)}/commits`), { per_page: 100 });
  await syncIncremental<CommitItem>(ctx, {
    dataset: 'commits',
    url,
    headers: { accept: GITHUB_ACCEPT },
    cursorOf: (c) => str(c.commit?.committer?.date) ?? undefined,
    handle: (items) => {
      const rows: CommitRow[] = [];
      const unusable = new Unusable(`commits of ${repo.fullName}`);
      for (const [index, c] of items.entries()) {
        if (typeof c?.sha !== 'string' || c.sha === '') {
          unusable.note(index, `'sha' is ${shown(c?.sha)}`);
          continue;
        }
        rows.push({
          repo: repo.fullName,
          sha: c.sha,
          authorLogin: loginOf(c.author),
          authorName: str(c.commit?.author?.name),
          authorEmail: str(c.commit?.author?.email),
          authorDate: str(c.commit?.author?.date),
          committerLogin: loginOf(c.committer),
          committerName: str(c.commit?.committer?.name),
          committerDate: str(c.commit?.committer?.date),
        });
      }
      ctx.write('upsertCommits', rows);
      unusable.check(items.length);
    },
  });
}
