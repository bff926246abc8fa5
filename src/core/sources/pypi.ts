import type { PypiPackage } from '../config/projectConfig';
import type { JsonResponse } from '../http/client';
import { HttpError } from '../http/errors';
import type { PypiDailyRow, PypiVersionDailyRow } from '../store/packageRows';
import { Unusable, shown, toCount, toNumber, toTimestamp } from './coerce';
import type { DatasetContext } from './context';
import { fetchedRecently, joinUrl } from './context';

interface RecentBody {
  data?: { last_day?: unknown; last_week?: unknown; last_month?: unknown };
}

interface SeriesBody {
  data?: { category?: unknown; date?: unknown; downloads?: unknown }[];
}

interface PepyBody {
  downloads?: Record<string, Record<string, unknown>>;
}

const SERIES = ['overall', 'python_major', 'python_minor', 'system'] as const;

const num = (v: unknown): number | null => toNumber(v) ?? null;

/**
 * pypistats.org: the `recent` counters as a snapshot, and the four daily series as rows upserted by
 * day and category. pypistats updates once a day and asks to be called at most that often, so each
 * endpoint is skipped when it was fetched within the daily interval.
 */
export async function pypistatsDataset(ctx: DatasetContext, pkg: PypiPackage): Promise<void> {
  if (fetchedRecently(ctx, 'pypistats')) {
    ctx.logger.debug(`${ctx.artifact}: pypistats fetched less than a day ago; skipped`);
    return;
  }
  const base = joinUrl(ctx.endpoints.pypistatsUrl, `/api/packages/${encodeURIComponent(pkg.name)}`);
  // The five endpoints are independent: asked together (the per-origin limit still applies), so
  // that a package costs one round trip of latency, not five.
  const ask = async <T>(endpoint: string): Promise<JsonResponse<T> | undefined> => {
    try {
      return await ctx.get<T>(`${base}/${endpoint}`);
    } catch (err) {
      if (err instanceof HttpError && err.status === 404) {
        if (endpoint === 'recent') throw new HttpError(`PyPI package '${pkg.name}' is unknown to pypistats (HTTP 404)`, err.url, 404);
        // /overall answers 404 when there are no rows yet: an empty series, not a failure.
        return undefined;
      }
      throw err;
    }
  };
  const [recent, ...series] = await Promise.all([ask<RecentBody>('recent'), ...SERIES.map((name) => ask<SeriesBody>(name))]);
  // Only a changed answer moves the "fetched" time: an all-304 refresh writes nothing at all.
  let changed = false;
  if (recent && !recent.notModified) {
    changed = true;
    const d = recent.body?.data;
    if (!d || typeof d !== 'object') throw new HttpError(`Unexpected pypistats answer for ${pkg.name}/recent: no data`, recent.url, recent.status);
    const row = { timestamp: ctx.now.toISOString(), package: pkg.name, lastDay: num(d.last_day), lastWeek: num(d.last_week), lastMonth: num(d.last_month) };
    ctx.write('insertPypiRecent', row);
  }
  SERIES.forEach((name, i) => {
    const res = series[i];
    if (!res || res.notModified) return;
    changed = true;
    const data = res.body?.data;
    if (!Array.isArray(data)) throw new HttpError(`Unexpected pypistats answer for ${pkg.name}/${name}: 'data' is not a list`, res.url, res.status);
    const rows: PypiDailyRow[] = [];
    const unusable = new Unusable(`rows of pypistats ${name} for ${pkg.name}`);
    data.forEach((r: { date?: unknown; downloads?: unknown; category?: unknown } | null, i: number) => {
      const downloads = toCount(r?.downloads);
      const date = toTimestamp(r?.date);
      if (date === undefined || downloads === undefined) return unusable.note(i, date === undefined ? `'date' is ${shown(r?.date)}` : `'downloads' is ${shown(r?.downloads)}`);
      // Each category is its own row; with_mirrors and without_mirrors are never added together.
      rows.push({ date: date.slice(0, 10), package: pkg.name, categoryType: name, category: r?.category === null || r?.category === undefined ? 'null' : String(r.category), downloads });
    });
    ctx.write('upsertPypiDaily', rows);
    unusable.check(data.length);
  });
  if (changed) ctx.setState('pypistats');
}

/**
 * pepy.tech per-version daily downloads (last three months, mirrors included), only with the user's
 * API key, which goes to the pepy origin only. The free tier allows a few requests a minute: once a day.
 */
export async function pepyDataset(ctx: DatasetContext, pkg: PypiPackage, apiKey: string | undefined): Promise<void> {
  if (!apiKey) return;
  if (fetchedRecently(ctx, 'pepy')) return;
  const url = joinUrl(ctx.endpoints.pepyUrl, `/api/v2/projects/${encodeURIComponent(pkg.name)}`);
  const res = await ctx.get<PepyBody>(url, { credential: { url: ctx.endpoints.pepyUrl, header: 'X-API-Key', value: apiKey } });
  if (!res.notModified) {
    const downloads = res.body?.downloads;
    if (!downloads || typeof downloads !== 'object') throw new HttpError(`Unexpected pepy.tech answer for ${pkg.name}: no 'downloads'`, res.url, res.status);
    const rows: PypiVersionDailyRow[] = [];
    const unusable = new Unusable(`pepy.tech days of ${pkg.name}`);
    const days = Object.entries(downloads);
    days.forEach(([date, versions], i) => {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !versions || typeof versions !== 'object') return unusable.note(i, `day ${JSON.stringify(date.slice(0, 20))} holds ${shown(versions)}`);
      for (const [version, n] of Object.entries(versions)) {
        const count = toCount(n);
        if (count === undefined) return unusable.note(i, `${date} version ${JSON.stringify(version.slice(0, 40))} is ${shown(n)}`);
        rows.push({ date, package: pkg.name, version, downloads: count });
      }
    });
    ctx.write('upsertPypiVersionDaily', rows);
    unusable.check(days.length);
    ctx.setState('pepy');
  }
}
