import type { NpmPackage } from '../config/projectConfig';
import { HttpError } from '../http/errors';
import type { DatasetContext } from './context';
import { fetchedRecently, joinUrl } from './context';

interface VersionsBody {
  package?: unknown;
  downloads?: unknown;
}

/**
 * The package as the per-version endpoint wants it: npm's docs say the `/` of a scoped name must be
 * percent-encoded (`@slack/client` → `@slack%2Fclient`), the `@` stays.
 */
export function npmVersionsPath(name: string): string {
  const scoped = /^@([^/]+)\/(.+)$/.exec(name);
  return scoped ? `@${encodeURIComponent(scoped[1] as string)}%2F${encodeURIComponent(scoped[2] as string)}` : encodeURIComponent(name);
}

/**
 * npm's per-version downloads exist for the last 7 days only (`/versions/{package}/last-week`): a
 * daily snapshot of them is the only way to see version adoption over time. Asked once a day (npm
 * updates its counts once a day); the day's snapshot replaces an earlier one of the same day.
 */
export async function npmVersionsDataset(ctx: DatasetContext, pkg: NpmPackage): Promise<void> {
  if (fetchedRecently(ctx, 'versions')) return;
  const url = joinUrl(ctx.endpoints.npmApiUrl, `/versions/${npmVersionsPath(pkg.name)}/last-week`);
  let res;
  try {
    res = await ctx.get<VersionsBody>(url);
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) throw new HttpError(`npm package '${pkg.name}' has no per-version download counts (HTTP 404)`, err.url, 404);
    throw err;
  }
  if (res.notModified) return;
  const downloads = res.body?.downloads;
  if (!downloads || typeof downloads !== 'object' || Array.isArray(downloads)) {
    throw new HttpError(`Unexpected npm answer for ${pkg.name} versions: 'downloads' is not a mapping of version to count`, res.url, res.status);
  }
  const versions: { version: string; downloads: number }[] = [];
  for (const [version, n] of Object.entries(downloads as Record<string, unknown>)) {
    if (version !== '' && typeof n === 'number' && Number.isFinite(n) && n >= 0) versions.push({ version, downloads: n });
  }
  const at = ctx.now.toISOString();
  ctx.write('replaceNpmVersionSnapshot', { package: pkg.name, snapshotDay: at.slice(0, 10), fetchedAt: at, versions });
  ctx.setState('versions');
}
