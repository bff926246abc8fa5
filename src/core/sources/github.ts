import type { HttpClient } from '../http/client';
import { HttpError } from '../http/errors';
import type { GitHubRepository } from '../config/projectConfig';
import type { RepositorySnapshot } from '../store/store';
import { shown, toCount } from './coerce';
import type { DatasetContext } from './context';
import { joinUrl } from './context';

interface RepoBody {
  id?: unknown;
  full_name?: unknown;
  stargazers_count?: unknown;
  forks_count?: unknown;
  subscribers_count?: unknown;
  open_issues_count?: unknown;
  size?: unknown;
  pushed_at?: unknown;
}

export const GITHUB_ACCEPT = 'application/vnd.github+json';

/** Joins the API base URL (which may carry a path, as GitHub Enterprise's `/api/v3`) and a path. */
export function apiUrl(base: string, apiPath: string): string {
  return joinUrl(base, apiPath);
}

export function repoPath(repo: GitHubRepository): string {
  return `/repos/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.repo)}`;
}

/** `GET /repos/{owner}/{repo}`: today's star count and the rest of the repository's counters. */
export async function fetchRepositorySnapshot(
  http: HttpClient,
  baseUrl: string,
  repo: GitHubRepository,
  timestamp: string,
  signal?: AbortSignal,
): Promise<RepositorySnapshot> {
  const url = apiUrl(baseUrl, repoPath(repo));
  const res = await http.getJson<RepoBody>(url, { headers: { accept: GITHUB_ACCEPT }, signal });
  return parseRepository(res.body, repo, timestamp, url, res.status);
}

/**
 * The repository snapshot as a refresh dataset. A 304 means nothing changed: it writes nothing, except
 * the day's first snapshot carried forward from the last one, so that daily series have no holes.
 */
export async function repositorySnapshotDataset(ctx: DatasetContext, repo: GitHubRepository): Promise<RepositorySnapshot | undefined> {
  const url = apiUrl(ctx.endpoints.githubApiUrl, repoPath(repo));
  const res = await ctx.get<RepoBody>(url, { headers: { accept: GITHUB_ACCEPT } });
  if (res.notModified) {
    const timestamp = ctx.now.toISOString();
    if (!(await ctx.read('hasRepositorySnapshotOn', repo.fullName, timestamp.slice(0, 10)))) {
      ctx.write('carryForwardRepositorySnapshot', repo.fullName, timestamp);
    }
    return undefined;
  }
  const snap = parseRepository(res.body, repo, ctx.now.toISOString(), url, res.status);
  ctx.write('addRepositorySnapshot', snap);
  return snap;
}

function parseRepository(body: RepoBody | null, repo: GitHubRepository, timestamp: string, url: string, status: number): RepositorySnapshot {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(`Unexpected response for ${repo.fullName}: not a repository object`, url, status);
  }
  // Counts sent as strings of digits mean the same; a missing or other star count fails, naming it.
  const stars = toCount(body.stargazers_count);
  if (stars === undefined) {
    throw new HttpError(`Unexpected response for ${repo.fullName}: no valid stargazers_count ('stargazers_count' is ${shown(body.stargazers_count)})`, url, status);
  }
  const int = (v: unknown) => toCount(v);
  return {
    timestamp,
    repo: repo.fullName,
    repoId: int(body.id),
    stars,
    forks: int(body.forks_count),
    subscribers: int(body.subscribers_count),
    openIssues: int(body.open_issues_count),
    sizeKb: int(body.size),
    pushedAt: typeof body.pushed_at === 'string' ? body.pushed_at : undefined,
  };
}

/** GitHub marks apps as `type: Bot`; older bots only by the `[bot]` suffix of their login. */
export function isBot(user: { login?: unknown; type?: unknown } | null | undefined): boolean {
  if (!user) return false;
  return user.type === 'Bot' || (typeof user.login === 'string' && /\[bot\]$|-bot$/i.test(user.login));
}

export function loginOf(user: { login?: unknown } | null | undefined): string | null {
  return user && typeof user.login === 'string' ? user.login : null;
}
