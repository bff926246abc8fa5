import type { HttpClient } from '../http/client';
import { HttpError } from '../http/errors';
import type { GitHubRepository } from '../config/projectConfig';
import type { RepositorySnapshot } from '../store/store';

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

/** Joins the API base URL (which may carry a path, as GitHub Enterprise's `/api/v3`) and a path. */
export function apiUrl(base: string, apiPath: string): string {
  return `${base.replace(/\/+$/, '')}${apiPath}`;
}

/** `GET /repos/{owner}/{repo}`: today's star count and the rest of the repository's counters. */
export async function fetchRepositorySnapshot(
  http: HttpClient,
  baseUrl: string,
  repo: GitHubRepository,
  timestamp: string,
  signal?: AbortSignal,
): Promise<RepositorySnapshot> {
  const url = apiUrl(baseUrl, `/repos/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.repo)}`);
  const res = await http.getJson<RepoBody>(url, { headers: { accept: 'application/vnd.github+json' }, signal });
  const body = res.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(`Unexpected response for ${repo.fullName}: not a repository object`, url, res.status);
  }
  const stars = body.stargazers_count;
  if (typeof stars !== 'number' || !Number.isInteger(stars) || stars < 0) {
    throw new HttpError(`Unexpected response for ${repo.fullName}: no valid stargazers_count`, url, res.status);
  }
  const int = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
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
