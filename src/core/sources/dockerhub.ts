import type { DockerImage } from '../config/projectConfig';
import { HttpError } from '../http/errors';
import { shown, toCount } from './coerce';
import type { DatasetContext } from './context';
import { joinUrl } from './context';

interface RepositoryBody {
  pull_count?: unknown;
  star_count?: unknown;
  last_updated?: unknown;
}

/**
 * Docker Hub keeps no pull history: the only history is the snapshots we take. The path has no
 * trailing slash, as perceval and the recorded fixture have it; a redirect to the slash form is followed.
 */
export async function dockerHubDataset(ctx: DatasetContext, image: DockerImage): Promise<void> {
  const url = joinUrl(ctx.endpoints.dockerhubUrl, `/v2/repositories/${encodeURIComponent(image.namespace)}/${encodeURIComponent(image.name)}`);
  let res;
  try {
    res = await ctx.get<RepositoryBody>(url);
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) throw new HttpError(`Docker Hub image '${image.fullName}' not found (HTTP 404)`, err.url, 404);
    throw err;
  }
  if (res.notModified) {
    // Unchanged: the day's first refresh still records it, so the day counts as observed.
    const timestamp = ctx.now.toISOString();
    if (!(await ctx.read('hasDockerHubSnapshotOn', image.fullName, timestamp.slice(0, 10)))) {
      ctx.write('carryForwardDockerHubSnapshot', image.fullName, timestamp);
    }
    return;
  }
  // A count sent as a string of digits means the same; anything else fails this image, naming it.
  const pulls = toCount(res.body?.pull_count);
  if (pulls === undefined) throw new HttpError(`Unexpected Docker Hub answer for ${image.fullName}: 'pull_count' is ${shown(res.body?.pull_count)}`, res.url, res.status);
  const snap = {
    timestamp: ctx.now.toISOString(),
    image: image.fullName,
    pullCount: pulls,
    starCount: toCount(res.body.star_count) ?? null,
    lastUpdated: typeof res.body.last_updated === 'string' ? res.body.last_updated : null,
  };
  ctx.write('insertDockerHubSnapshot', snap);
}
