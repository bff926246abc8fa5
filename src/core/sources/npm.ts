import type { NpmPackage } from '../config/projectConfig';
import { HttpError } from '../http/errors';
import type { NpmDailyRow } from '../store/packageRows';
import { Unusable, shown, toCount, toTimestamp } from './coerce';
import type { DatasetContext } from './context';
import { joinUrl } from './context';

interface RangeBody {
  downloads?: { day?: unknown; downloads?: unknown }[];
}

interface PackumentBody {
  time?: { created?: unknown };
}

/** npm's download statistics begin here. */
export const NPM_FIRST_DAY = '2015-01-10';
/** One range query covers at most 18 months; 540 days stays inside that whatever the months. */
export const NPM_CHUNK_DAYS = 540;
/** Days re-read at each refresh, because the latest day's count may still grow. */
const OVERLAP_DAYS = 2;

const DAY_MS = 86_400_000;

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Splits [start, end] (inclusive days) into ranges of at most `chunkDays` days. */
export function dayChunks(start: string, end: string, chunkDays = NPM_CHUNK_DAYS): [string, string][] {
  const out: [string, string][] = [];
  for (let from = start; from <= end; from = addDays(from, chunkDays)) {
    const to = addDays(from, chunkDays - 1);
    out.push([from, to < end ? to : end]);
  }
  return out;
}

/**
 * Daily downloads from api.npmjs.org, stitched from range queries back to the first publish date
 * (the registry's `time.created`, read once and kept as the cursor's floor) or 2015-01-10. Later
 * refreshes ask only for the days since the last stored one.
 */
export async function npmDownloadsDataset(ctx: DatasetContext, pkg: NpmPackage): Promise<void> {
  const yesterday = new Date(ctx.now.getTime() - DAY_MS).toISOString().slice(0, 10);
  const cursor = ctx.state('downloads')?.cursor;
  if (cursor && cursor >= yesterday && !ctx.force) return;
  let start: string;
  if (cursor) {
    start = addDays(cursor, -OVERLAP_DAYS);
  } else {
    start = ctx.state('created')?.cursor ?? (await firstPublishDay(ctx, pkg));
    ctx.setState('created', start);
  }
  if (start < NPM_FIRST_DAY) start = NPM_FIRST_DAY;
  // The chunks do not depend on each other: ask for them together (the per-origin limit still applies).
  const answers = await Promise.all(
    dayChunks(start, yesterday).map(async ([from, to]) => {
      try {
        return { from, to, res: await ctx.get<RangeBody>(joinUrl(ctx.endpoints.npmApiUrl, `/downloads/range/${from}:${to}/${pkg.name}`)) };
      } catch (err) {
        if (err instanceof HttpError && err.status === 404) throw new HttpError(`npm package '${pkg.name}' not found (HTTP 404)`, err.url, 404);
        throw err;
      }
    }),
  );
  let last: string | undefined;
  for (const { from, to, res } of answers) {
    if (res.notModified) continue;
    const list = res.body?.downloads;
    if (!Array.isArray(list)) throw new HttpError(`Unexpected npm answer for ${pkg.name} ${from}:${to}: no 'downloads' list`, res.url, res.status);
    const rows: NpmDailyRow[] = [];
    const unusable = new Unusable(`days of npm downloads of ${pkg.name}`);
    list.forEach((d: { day?: unknown; downloads?: unknown } | null, i: number) => {
      const day = toTimestamp(d?.day);
      const downloads = toCount(d?.downloads);
      if (day === undefined || downloads === undefined) return unusable.note(i, day === undefined ? `'day' is ${shown(d?.day)}` : `'downloads' is ${shown(d?.downloads)}`);
      rows.push({ date: day.slice(0, 10), package: pkg.name, downloads });
      if (!last || day.slice(0, 10) > last) last = day.slice(0, 10);
    });
    ctx.write('upsertNpmDaily', rows);
    unusable.check(list.length);
  }
  ctx.setState('downloads', last ?? cursor);
}

async function firstPublishDay(ctx: DatasetContext, pkg: NpmPackage): Promise<string> {
  // Scoped names keep their '@' and encode the slash, as the registry expects.
  const url = joinUrl(ctx.endpoints.npmRegistryUrl, `/${pkg.name.replace('/', '%2F')}`);
  let res;
  try {
    res = await ctx.get<PackumentBody>(url);
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) throw new HttpError(`npm package '${pkg.name}' not found in the registry (HTTP 404)`, err.url, 404);
    throw err;
  }
  const created = res.body?.time?.created;
  if (typeof created === 'string' && /^\d{4}-\d{2}-\d{2}/.test(created)) return created.slice(0, 10);
  ctx.logger.debug(`${ctx.artifact}: the registry gives no time.created; starting at ${NPM_FIRST_DAY}`);
  return NPM_FIRST_DAY;
}
