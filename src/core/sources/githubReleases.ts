import type { GitHubRepository } from '../config/projectConfig';
import { HttpError } from '../http/errors';
import type { ContributorWeek, ReleaseAssetSnapshot, ReleaseRow } from '../store/githubRows';
import { sleep } from '../http/client';
import type { DatasetContext } from './context';
import { withQuery } from './context';
import { GITHUB_ACCEPT, apiUrl, loginOf, repoPath } from './github';

interface ReleaseItem {
  id?: unknown;
  tag_name?: unknown;
  name?: unknown;
  draft?: unknown;
  prerelease?: unknown;
  created_at?: unknown;
  published_at?: unknown;
  assets?: { id?: unknown; name?: unknown; download_count?: unknown }[];
}

interface ContributorItem {
  author?: { login?: unknown } | null;
  weeks?: { w?: unknown; a?: unknown; d?: unknown; c?: unknown }[];
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Releases, and a snapshot of each asset's cumulative download count (GitHub keeps no history of it). */
export async function releasesDataset(ctx: DatasetContext, repo: GitHubRepository): Promise<void> {
  const url = withQuery(apiUrl(ctx.endpoints.githubApiUrl, `${repoPath(repo)}/releases`), { per_page: 100 });
  const timestamp = ctx.now.toISOString();
  for await (const page of ctx.pages<ReleaseItem[]>(url, { maxPages: 20, headers: { accept: GITHUB_ACCEPT } })) {
    if (page.notModified) continue;
    if (!Array.isArray(page.body)) throw new HttpError(`Unexpected releases for ${repo.fullName}: not a list`, page.url, page.status);
    const releases: ReleaseRow[] = [];
    const assets: ReleaseAssetSnapshot[] = [];
    for (const r of page.body) {
      if (typeof r.id !== 'number') continue;
      releases.push({
        repo: repo.fullName,
        releaseId: r.id,
        tagName: str(r.tag_name),
        name: str(r.name),
        draft: r.draft === true,
        prerelease: r.prerelease === true,
        createdAt: str(r.created_at),
        publishedAt: str(r.published_at),
      });
      for (const a of Array.isArray(r.assets) ? r.assets : []) {
        if (typeof a.id !== 'number' || typeof a.download_count !== 'number') continue;
        assets.push({ timestamp, repo: repo.fullName, releaseId: r.id, assetId: a.id, assetName: str(a.name), downloadCount: a.download_count });
      }
    }
    ctx.write('upsertReleases', releases);
    ctx.write('insertReleaseAssets', assets);
  }
}

/**
 * `/stats/contributors`: weekly commits, additions and deletions per author. GitHub answers 202 with
 * `{}` while it computes them: ask again after a pause, a few times, then leave it to the next refresh.
 * The 202 body is never stored.
 */
export async function contributorsDataset(ctx: DatasetContext, repo: GitHubRepository): Promise<void> {
  const url = apiUrl(ctx.endpoints.githubApiUrl, `${repoPath(repo)}/stats/contributors`);
  for (let attempt = 1; ; attempt++) {
    const res = await ctx.get<ContributorItem[]>(url, { headers: { accept: GITHUB_ACCEPT }, allowAccepted: true });
    if (res.notModified || res.status === 204) return;
    if (res.status === 202) {
      if (attempt >= ctx.options.statsAttempts) {
        ctx.notice(`contributors: GitHub is still computing the statistics (202 Accepted); the next refresh asks again`);
        return;
      }
      ctx.logger.debug(`${ctx.artifact}: /stats/contributors answered 202; asking again in ${ctx.options.statsRetryDelayMs} ms`);
      await sleep(ctx.options.statsRetryDelayMs, ctx.signal);
      continue;
    }
    if (!Array.isArray(res.body)) throw new HttpError(`Unexpected contributor statistics for ${repo.fullName}: not a list`, res.url, res.status);
    const rows: ContributorWeek[] = [];
    for (const c of res.body) {
      const author = loginOf(c.author) ?? 'ghost';
      for (const w of Array.isArray(c.weeks) ? c.weeks : []) {
        const commits = Number(w.c ?? 0);
        const additions = Number(w.a ?? 0);
        const deletions = Number(w.d ?? 0);
        // Most weeks of most authors are empty: only active weeks are kept.
        if (typeof w.w !== 'number' || (commits === 0 && additions === 0 && deletions === 0)) continue;
        rows.push({ repo: repo.fullName, author, week: new Date(w.w * 1000).toISOString().slice(0, 10), commits, additions, deletions });
      }
    }
    ctx.write('upsertContributorWeeks', rows);
    return;
  }
}
