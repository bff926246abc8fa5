import type { GitHubRepository } from '../config/projectConfig';
import { HttpError, RateLimitError } from '../http/errors';
import type { StarHistoryDay, Stargazer } from '../store/githubRows';
import type { DatasetContext } from './context';
import { withQuery } from './context';
import { GITHUB_ACCEPT, apiUrl, repoPath } from './github';

/** One week of `GET /repos/{o}/{r}/stargazers/history` (DOMAIN.md; shape not yet confirmed by a recording). */
interface HistoryWeek {
  week?: unknown;
  total?: unknown;
  days?: unknown;
}

interface StarredItem {
  starred_at?: unknown;
  user?: { login?: unknown } | null;
}

const HISTORY_MAX_PAGES = 100;
const LISTING_MAX_PAGES = 400;
const DAY_S = 86_400;

/**
 * Star history. Since mid-2026 GitHub lets only admins and collaborators list stargazers, and offers
 * `/stargazers/history` (weekly aggregates of stars still held, by day given) instead: use that first,
 * fall back to the `star+json` listing where it is still allowed, and treat "not allowed" as an
 * answer, not as a failure of the refresh.
 */
export async function starHistoryDataset(ctx: DatasetContext, repo: GitHubRepository): Promise<void> {
  const base = apiUrl(ctx.endpoints.githubApiUrl, repoPath(repo));
  try {
    await fromHistoryEndpoint(ctx, repo, withQuery(`${base}/stargazers/history`, { per_page: 30 }));
    return;
  } catch (err) {
    if (!(err instanceof HttpError) || err instanceof RateLimitError || ![403, 404, 410].includes(err.status ?? 0)) throw err;
    ctx.logger.info(`${ctx.artifact}: /stargazers/history answered ${err.status}; trying the stargazer listing`);
  }
  await fromStargazerListing(ctx, repo, withQuery(`${base}/stargazers`, { per_page: 100 }));
}

async function fromHistoryEndpoint(ctx: DatasetContext, repo: GitHubRepository, url: string): Promise<void> {
  let boundaryNoted = false;
  for await (const page of ctx.pages<HistoryWeek[]>(url, { maxPages: HISTORY_MAX_PAGES, headers: { accept: GITHUB_ACCEPT } })) {
    if (page.notModified) continue;
    if (!Array.isArray(page.body)) throw new HttpError(`Unexpected star history for ${repo.fullName}: not a list of weeks`, page.url, page.status);
    const rows: StarHistoryDay[] = [];
    for (const w of page.body) {
      const days = Array.isArray(w.days) ? w.days : undefined;
      if (typeof w.week !== 'number' || !days || days.length !== 7 || days.some((d) => typeof d !== 'number')) {
        throw new HttpError(`Unexpected star history for ${repo.fullName}: a week without 'week' and 7 'days'`, page.url, page.status);
      }
      if (!boundaryNoted && w.week % DAY_S !== 0) {
        // DOMAIN.md: week/day boundaries may not be UTC. Days are stored under the UTC date of their start.
        ctx.logger.debug(`${ctx.artifact}: star history weeks start at ${new Date(w.week * 1000).toISOString()} (not UTC midnight)`);
        boundaryNoted = true;
      }
      (days as number[]).forEach((stars, i) => {
        rows.push({ repo: repo.fullName, day: new Date(((w.week as number) + i * DAY_S) * 1000).toISOString().slice(0, 10), stars, source: 'history' });
      });
    }
    ctx.write('upsertStarHistory', rows);
  }
}

async function fromStargazerListing(ctx: DatasetContext, repo: GitHubRepository, url: string): Promise<void> {
  let changed = false;
  let first = true;
  try {
    for await (const page of ctx.pages<StarredItem[]>(url, { maxPages: LISTING_MAX_PAGES, headers: { accept: 'application/vnd.github.star+json' } })) {
      const isFirst = first;
      first = false;
      if (page.notModified) continue;
      if (!Array.isArray(page.body)) throw new HttpError(`Unexpected stargazer listing for ${repo.fullName}: not a list`, page.url, page.status);
      if (page.body.length === 0) {
        // An empty first page is how GitHub says "not allowed" to some callers; later, it is the end.
        if (isFirst) ctx.notice(`star history: the stargazer listing is empty or not available to this token`);
        break;
      }
      const rows: Stargazer[] = [];
      for (const item of page.body) {
        const login = item.user && typeof item.user.login === 'string' ? item.user.login : undefined;
        if (typeof item.starred_at !== 'string' || !login) {
          throw new HttpError(`Unexpected stargazer listing for ${repo.fullName}: items lack starred_at (is the star+json media type ignored?)`, page.url, page.status);
        }
        rows.push({ repo: repo.fullName, userLogin: login, starredAt: item.starred_at });
      }
      changed = true;
      ctx.write('upsertStargazers', rows);
    }
  } catch (err) {
    if (!(err instanceof HttpError) || err instanceof RateLimitError) throw err;
    if (err.status === 422) {
      // The listing stops at page 400 (40,000 stars): what came before is kept.
      ctx.notice(`star history: the stargazer listing stops at ${LISTING_MAX_PAGES * 100} stars; older stars only`);
    } else if (first && err.status === 403) {
      ctx.notice(`star history: GitHub does not let this token list stargazers (HTTP 403); only today's count is kept`);
      return;
    } else if (first && err.status === 404) {
      // GitHub answers 404 for a repository that does not exist as for one the caller may not see:
      // never "not allowed" for a name that may simply be wrong.
      ctx.notice(`star history: GitHub answered 404 Not Found for the stargazers of ${repo.fullName}: the repository does not exist, or is private and not visible to this token; check its name in community-metrics.yml`);
      return;
    } else {
      throw err;
    }
  }
  if (changed) ctx.write('rebuildStarHistoryFromStargazers', repo.fullName);
}
