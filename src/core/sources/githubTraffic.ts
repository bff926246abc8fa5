import type { GitHubRepository } from '../config/projectConfig';
import type { JsonResponse } from '../http/client';
import { HttpError, RateLimitError } from '../http/errors';
import type { PopularEntry, TrafficDay, TrafficKind } from '../store/trafficRows';
import type { DatasetContext } from './context';
import { fetchedRecently } from './context';
import { GITHUB_ACCEPT, apiUrl, repoPath } from './github';

interface CountsBody {
  count?: unknown;
  uniques?: unknown;
  views?: unknown;
  clones?: unknown;
}

interface PopularBody {
  referrer?: unknown;
  path?: unknown;
  title?: unknown;
  count?: unknown;
  uniques?: unknown;
}

/** GitHub keeps traffic for 14 days: the window a fetch on a day covers. */
export const TRAFFIC_WINDOW_DAYS = 14;
/** The sync-state dataset that remembers whether the token may read a repository's traffic. */
const ACCESS_STATE = 'traffic';
const NO_ACCESS = 'no-access';

const DAY_MS = 86_400_000;
export const shiftDay = (day: string, n: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);

/**
 * A 403/401/404 that is not a rate limit: the token cannot push to the repository (or there is no
 * token), and GitHub shows traffic only to those who can. GitHub's own words, for the notice.
 */
export function trafficRefusal(err: unknown): string | undefined {
  if (!(err instanceof HttpError) || err instanceof RateLimitError) return undefined;
  if (err.status !== 401 && err.status !== 403 && err.status !== 404) return undefined;
  const said = /: ([^:]+)$/.exec(err.message)?.[1]?.trim();
  return said ? `"${said}" (HTTP ${err.status})` : `HTTP ${err.status}`;
}

/**
 * GitHub traffic of a repository: views and clones per day (`per=day`), and the top 10 referrers and
 * paths of the 14-day window as a dated snapshot. Daily rows are upserted by day, so a refresh
 * repeated within the 14 days replaces counts and never adds them up. A repository the token cannot
 * push to is skipped with one notice, not a failure, and asked again a day later (access may be given).
 */
export async function trafficDataset(ctx: DatasetContext, repo: GitHubRepository): Promise<void> {
  if (ctx.state(ACCESS_STATE)?.cursor === NO_ACCESS && fetchedRecently(ctx, ACCESS_STATE)) return;
  const base = apiUrl(ctx.endpoints.githubApiUrl, `${repoPath(repo)}/traffic`);
  const headers = { accept: GITHUB_ACCEPT };
  const at = ctx.now.toISOString();
  const today = at.slice(0, 10);
  // Views first: its answer says whether the token may see traffic at all (one request, not four).
  let views;
  try {
    views = await ctx.get<CountsBody>(`${base}/views?per=day`, { headers });
  } catch (err) {
    const refusal = trafficRefusal(err);
    if (!refusal) throw err;
    ctx.notice(`traffic not kept: GitHub answered ${refusal}; it shows a repository's traffic only to people who can push to it`);
    // Remembered once a day at most: a forced refresh asks again but writes nothing new.
    const known = ctx.state(ACCESS_STATE);
    if (known?.cursor !== NO_ACCESS || ctx.now.getTime() - Date.parse(known.fetchedAt) >= ctx.options.dailySourceIntervalMs) ctx.setState(ACCESS_STATE, NO_ACCESS);
    return;
  }
  // A token may see views and still be refused the rest (a fine-grained token without a permission):
  // that part is left out with a notice, the others kept.
  const refused: string[] = [];
  const other = async <T>(url: string, what: string): Promise<JsonResponse<T> | undefined> => {
    try {
      return await ctx.get<T>(url, { headers });
    } catch (err) {
      const refusal = trafficRefusal(err);
      if (!refusal) throw err;
      refused.push(`${what}: ${refusal}`);
      return undefined;
    }
  };
  const [clones, referrers, paths] = await Promise.all([
    other<CountsBody>(`${base}/clones?per=day`, 'clones'),
    other<PopularBody[]>(`${base}/popular/referrers`, 'referrers'),
    other<PopularBody[]>(`${base}/popular/paths`, 'paths'),
  ]);
  if (refused.length > 0) ctx.notice(`traffic partly kept: GitHub refused ${refused.join('; ')}`);
  if (ctx.state(ACCESS_STATE)?.cursor === NO_ACCESS) ctx.setState(ACCESS_STATE, 'ok');

  const counts = async (kind: TrafficKind, res: JsonResponse<CountsBody> | undefined) => {
    if (!res) return;
    if (res.notModified) {
      // Unchanged since the last fetch: the window still moved to today, and its days are still known.
      if (!(await ctx.read('hasTrafficWindow', repo.fullName, kind, today))) {
        ctx.write('carryForwardTrafficWindow', repo.fullName, kind, today, shiftDay(today, -(TRAFFIC_WINDOW_DAYS - 1)), shiftDay(today, -1), at);
      }
      return;
    }
    const body = res.body;
    const list = body && typeof body === 'object' && !Array.isArray(body) ? body[kind] : undefined;
    if (!Array.isArray(list)) throw new HttpError(`Unexpected traffic answer for ${repo.fullName}/${kind}: no '${kind}' list`, res.url, res.status);
    const days: TrafficDay[] = [];
    for (const item of list as { timestamp?: unknown; count?: unknown; uniques?: unknown }[]) {
      const c = count(item?.count);
      const u = count(item?.uniques);
      if (typeof item?.timestamp !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(item.timestamp) || c === undefined || u === undefined) continue;
      days.push({ day: item.timestamp.slice(0, 10), count: c, uniques: u });
    }
    const listed = days.map((d) => d.day).sort();
    // Days inside the window that GitHub did not list had no views; today counts as seen only once listed.
    const windowStart = [shiftDay(today, -(TRAFFIC_WINDOW_DAYS - 1)), ...listed].sort()[0] as string;
    const windowEnd = [shiftDay(today, -1), ...listed].sort().at(-1) as string;
    const row = { repo: repo.fullName, kind, snapshotDay: today, windowStart, windowEnd, count: count(body?.count) ?? null, uniques: count(body?.uniques) ?? null, fetchedAt: at, days };
    ctx.write('upsertTrafficCounts', row);
  };
  await counts('views', views);
  await counts('clones', clones);

  const popular = async (kind: 'referrers' | 'paths', res: JsonResponse<PopularBody[]> | undefined) => {
    if (!res) return;
    if (res.notModified) {
      // The same top 10 as the last snapshot: it is today's too.
      if (!(await ctx.read('hasTrafficWindow', repo.fullName, kind, today))) ctx.write('carryForwardPopular', repo.fullName, kind, today, shiftDay(today, -(TRAFFIC_WINDOW_DAYS - 1)), at);
      return;
    }
    if (!Array.isArray(res.body)) throw new HttpError(`Unexpected traffic answer for ${repo.fullName}/popular/${kind}: not a list`, res.url, res.status);
    const entries: PopularEntry[] = [];
    for (const item of res.body) {
      const name = kind === 'referrers' ? item?.referrer : item?.path;
      const c = count(item?.count);
      const u = count(item?.uniques);
      if (typeof name !== 'string' || name === '' || c === undefined || u === undefined) continue;
      entries.push({ name, title: typeof item.title === 'string' ? item.title : null, count: c, uniques: u });
    }
    const snap = { repo: repo.fullName, kind, snapshotDay: today, windowStart: shiftDay(today, -(TRAFFIC_WINDOW_DAYS - 1)), windowEnd: today, fetchedAt: at, entries };
    ctx.write('replacePopularSnapshot', snap);
  };
  await popular('referrers', referrers);
  await popular('paths', paths);
}
