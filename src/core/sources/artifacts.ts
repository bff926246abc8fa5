import type { ProjectConfig } from '../config/projectConfig';
import { envHowToSet } from '../config/secrets';
import type { SecretProvider } from '../config/secrets';
import type { Logger } from '../log';
import { dockerHubDataset } from './dockerhub';
import { repositorySnapshotDataset } from './github';
import { commitsDataset, issueCommentsDataset, issuesDataset } from './githubActivity';
import { contributorsDataset, releasesDataset } from './githubReleases';
import { starHistoryDataset } from './githubStars';
import { trafficDataset } from './githubTraffic';
import { npmDownloadsDataset } from './npm';
import { npmVersionsDataset } from './npmVersions';
import { pepyDataset, pypistatsDataset } from './pypi';
import { slackApiDataset, slackExportDataset } from './slack';
import type { Dataset } from './datasetRun';

export const SOURCE_KINDS = ['github', 'pypi', 'npm', 'docker', 'slack'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** One tracked artifact and the datasets a refresh fetches for it. */
export interface ArtifactJob {
  /** `source:name`: the key of failures, progress and sync state. */
  id: string;
  source: SourceKind;
  /** The first project that lists it (an artifact listed twice is fetched once). */
  project: string;
  datasets: Dataset[];
}

export function artifactId(source: SourceKind, name: string): string {
  return `${source}:${name}`;
}

/** Turns the configuration into artifact jobs, asking for the secrets that some of them need. */
export async function artifactsOf(
  config: ProjectConfig,
  opts: { secrets: SecretProvider; only?: readonly SourceKind[] | undefined; logger: Logger },
): Promise<ArtifactJob[]> {
  const wanted = (s: SourceKind) => !opts.only || opts.only.length === 0 || opts.only.includes(s);
  const jobs = new Map<string, ArtifactJob>();
  const add = (source: SourceKind, name: string, project: string, datasets: () => Dataset[]) => {
    const id = artifactId(source, name);
    const key = source === 'github' || source === 'pypi' ? id.toLowerCase() : id;
    if (!wanted(source) || jobs.has(key)) return;
    jobs.set(key, { id, source, project, datasets: datasets() });
  };
  const needsPepy = wanted('pypi') && config.projects.some((p) => (p.pypi ?? []).length > 0);
  const pepyKey = needsPepy ? await opts.secrets.getPepyKey() : undefined;

  for (const p of config.projects) {
    for (const repo of p.github) {
      add('github', repo.fullName, p.name, () => [
        { name: 'repository', run: (ctx) => repositorySnapshotDataset(ctx, repo).then(() => undefined) },
        { name: 'star history', run: (ctx) => starHistoryDataset(ctx, repo) },
        { name: 'issues', run: (ctx) => issuesDataset(ctx, repo) },
        { name: 'issue comments', run: (ctx) => issueCommentsDataset(ctx, repo) },
        { name: 'commits', run: (ctx) => commitsDataset(ctx, repo) },
        { name: 'releases', run: (ctx) => releasesDataset(ctx, repo) },
        { name: 'contributors', run: (ctx) => contributorsDataset(ctx, repo) },
        { name: 'traffic', run: (ctx) => trafficDataset(ctx, repo) },
      ]);
    }
    for (const pkg of p.pypi ?? []) {
      add('pypi', pkg.name, p.name, () => [
        { name: 'pypistats', run: (ctx) => pypistatsDataset(ctx, pkg) },
        ...(pepyKey ? [{ name: 'pepy', run: (ctx: Parameters<Dataset['run']>[0]) => pepyDataset(ctx, pkg, pepyKey) }] : []),
      ]);
    }
    for (const pkg of p.npm ?? []) {
      add('npm', pkg.name, p.name, () => [
        { name: 'downloads', run: (ctx) => npmDownloadsDataset(ctx, pkg) },
        { name: 'versions', run: (ctx) => npmVersionsDataset(ctx, pkg) },
      ]);
    }
    for (const image of p.docker ?? []) {
      add('docker', image.fullName, p.name, () => [{ name: 'pulls', run: (ctx) => dockerHubDataset(ctx, image) }]);
    }
    for (const ws of p.slack ?? []) {
      if (!wanted('slack')) continue;
      const token = await opts.secrets.getSlackToken(ws.domain);
      add('slack', ws.domain, p.name, () => {
        const datasets: Dataset[] = [];
        if (ws.exportPath) datasets.push({ name: 'export', run: (ctx) => slackExportDataset(ctx, ws) });
        if (token) datasets.push({ name: 'api', run: (ctx) => slackApiDataset(ctx, ws, token) });
        if (datasets.length === 0) {
          datasets.push({
            name: 'api',
            run: async () => {
              const how = opts.secrets.howToSet?.('slack', ws.domain) ?? envHowToSet('slack', ws.domain);
              throw new Error(`no Slack bot token for '${ws.domain}' and no export: ${how}, or add 'export:' (a Slack workspace export) under it in community-metrics.yml`);
            },
          });
        }
        return datasets;
      });
    }
  }
  return [...jobs.values()];
}
