import { setMaxListeners } from 'node:events';
import type { SqlJsStatic } from 'sql.js';
import type { ProjectConfig } from './config/projectConfig';
import { noSecrets } from './config/secrets';
import type { SecretProvider } from './config/secrets';
import type { HttpClient, RequestStats } from './http/client';
import { CancelledError, describeError } from './http/errors';
import type { Logger } from './log';
import { DEFAULT_ENDPOINTS, DEFAULT_SOURCE_OPTIONS } from './sources/context';
import type { SourceEndpoints, SourceOptions } from './sources/context';
import { DatasetRun } from './sources/datasetRun';
import type { Dataset } from './sources/datasetRun';
import { artifactsOf } from './sources/artifacts';
import type { ArtifactJob, SourceKind } from './sources/artifacts';
import { readBookkeeping, saveSyncState, saveValidators } from './store/bookkeeping';
import type { Bookkeeping } from './store/bookkeeping';
import { MetricsStore, updateStore } from './store/store';

export type { SourceKind } from './sources/artifacts';
export { SOURCE_KINDS } from './sources/artifacts';

/** One step of a refresh, for a progress notification or a CLI line. */
export interface RefreshProgress {
  source: SourceKind;
  /** `source:name`, e.g. `github:OpenLineage/OpenLineage`, `pypi:openlineage-python`. */
  artifact: string;
  project: string;
  phase: 'started' | 'finished' | 'failed' | 'cancelled';
  /** Artifacts finished so far, and in all. */
  done: number;
  total: number;
  /** For 'failed': what went wrong. */
  message?: string;
}

export interface RefreshDeps {
  SQL: SqlJsStatic;
  http: HttpClient;
  githubApiUrl: string;
  storeFile: string;
  logger: Logger;
  signal?: AbortSignal;
  /** Called as each artifact finishes (kept for the first extension release; see onArtifact). */
  onProgress?: (done: number, total: number, artifact: string) => void;
  /** Called as each artifact starts and finishes, with its source and project. */
  onArtifact?: (progress: RefreshProgress) => void;
  now?: () => Date;
  /** pepy and Slack credentials (the GitHub token is the HttpClient's). Default: none. */
  secrets?: SecretProvider;
  /** Base URLs of the other services; the real ones by default. */
  endpoints?: Partial<Omit<SourceEndpoints, 'githubApiUrl'>>;
  /** Refresh only these sources. */
  only?: SourceKind[];
  /** Ask daily sources (pypistats, pepy, npm) again even if they were asked less than a day ago. */
  force?: boolean;
  /** The folder relative paths of the configuration (Slack exports) resolve against. */
  workspaceDir?: string;
  sourceOptions?: Partial<SourceOptions>;
}

export interface ArtifactFailure {
  artifact: string;
  message: string;
  source?: SourceKind;
  project?: string;
  /** The first part of the artifact that failed (repository, issues, star history, …). */
  dataset?: string;
  /** Every part that failed, with its own cause. */
  datasets?: { dataset: string; message: string }[];
}

/** "cause (dataset)", the first two of them, and how many more: short enough for one line. */
function summarize(datasets: { dataset: string; message: string }[]): string {
  const shown = datasets.slice(0, 2).map((d) => `${d.message} (${d.dataset})`);
  if (datasets.length > 2) shown.push(`and ${datasets.length - 2} more`);
  return shown.join('; ');
}

export interface ArtifactNotice {
  artifact: string;
  message: string;
}

export interface RefreshResult {
  /** Artifacts all of whose datasets succeeded. */
  refreshed: string[];
  failures: ArtifactFailure[];
  /** Things worth telling that are not failures (statistics still computing, listing not allowed). */
  notices: ArtifactNotice[];
  cancelled: boolean;
  /** Set when the store file was unreadable and moved aside before this refresh wrote a new one. */
  movedAside?: string;
  /** Whether anything was written (an unchanged world writes nothing). */
  wrote: boolean;
  /** Requests this refresh sent. */
  requests: RequestStats;
}

interface ArtifactOutcome {
  job: ArtifactJob;
  runs: DatasetRun[];
}

/**
 * Fetches every tracked artifact, then writes all results in one store transaction (under the file
 * lock, merged into whatever the file holds by then). One failing artifact, or one failing dataset of
 * an artifact, never stops the others; a cancelled refresh writes what had already arrived.
 */
export async function refreshAll(config: ProjectConfig, deps: RefreshDeps): Promise<RefreshResult> {
  const now = deps.now?.() ?? new Date();
  const at = now.toISOString();
  const secrets = deps.secrets ?? noSecrets;
  const endpoints: SourceEndpoints = { ...DEFAULT_ENDPOINTS, ...deps.endpoints, githubApiUrl: deps.githubApiUrl };
  const options: SourceOptions = { ...DEFAULT_SOURCE_OPTIONS, ...deps.sourceOptions };
  const statsBefore = { ...deps.http.stats };
  // Every request in flight listens to the one signal; dozens at once are expected, not a leak.
  if (deps.signal) setMaxListeners(0, deps.signal);

  // Read what earlier refreshes remembered; the network phase then holds no lock.
  const opened = await MetricsStore.open(deps.SQL, deps.storeFile, deps.logger);
  const before = opened.store;
  let movedAside = opened.movedAside;
  let outcomes: ArtifactOutcome[];
  const failures: ArtifactFailure[] = [];
  const notices: ArtifactNotice[] = [];
  let cancelled = false;
  try {
    const book: Bookkeeping = readBookkeeping(before);
    const jobs = await artifactsOf(config, { secrets, only: deps.only, logger: deps.logger });
    let done = 0;
    const total = jobs.length;
    outcomes = await Promise.all(
      jobs.map(async (job): Promise<ArtifactOutcome> => {
        const base = { source: job.source, artifact: job.id, project: job.project, total };
        deps.onArtifact?.({ ...base, phase: 'started', done });
        const runs = job.datasets.map((d) => new DatasetRun(d.name, makeContext(job, d)));
        await Promise.all(runs.map((r, i) => r.execute(job.datasets[i] as Dataset)));
        const failed = runs.filter((r) => r.error && !(r.error instanceof CancelledError));
        const wasCancelled = runs.some((r) => r.error instanceof CancelledError);
        if (failed.length > 0) {
          const datasets = failed.map((r) => ({ dataset: r.name, message: describeError(r.error) }));
          for (const d of datasets) deps.logger.error(`${job.id} (${d.dataset}): ${d.message}`);
          failures.push({ artifact: job.id, message: summarize(datasets), source: job.source, project: job.project, dataset: datasets[0]?.dataset as string, datasets });
        }
        for (const r of runs) for (const n of r.notices) notices.push({ artifact: job.id, message: n });
        for (const r of runs) for (const n of r.notices) deps.logger.info(`${job.id}: ${n}`);
        if (wasCancelled) cancelled = true;
        done++;
        const phase = failed.length > 0 ? 'failed' : wasCancelled ? 'cancelled' : 'finished';
        const message = failures.find((f) => f.artifact === job.id)?.message;
        deps.onArtifact?.({ ...base, phase, done, ...(message ? { message } : {}) });
        deps.onProgress?.(done, total, job.id);
        if (phase === 'finished') deps.logger.info(`${job.id}: refreshed`);
        return { job, runs };
      }),
    );

    function makeContext(job: ArtifactJob, _d: Dataset) {
      return {
        http: deps.http,
        logger: deps.logger,
        ...(deps.signal ? { signal: deps.signal } : {}),
        now,
        endpoints,
        options,
        force: deps.force ?? false,
        artifact: job.id,
        ...(deps.workspaceDir ? { workspaceDir: deps.workspaceDir } : {}),
        book,
        before,
      };
    }
  } finally {
    before.close();
  }
  if (deps.signal?.aborted) cancelled = true;

  const anything = outcomes.some((o) => o.runs.some((r) => r.hasResults));
  let wrote = false;
  if (anything) {
    const written = await updateStore(deps.SQL, deps.storeFile, deps.logger, (store) => {
      for (const { job, runs } of outcomes) {
        // One savepoint per artifact: a write that fails rolls back that artifact only.
        store.db.exec('SAVEPOINT artifact');
        try {
          for (const r of runs) {
            for (const w of r.writes) w(store);
            // Validators and cursors only for datasets that completed: a later 304 must never hide
            // data that was not saved.
            if (r.error) continue;
            for (const v of r.validators) saveValidators(store, v, at);
            for (const [dataset, cursor] of r.states) saveSyncState(store, job.id, dataset, cursor === undefined ? { fetchedAt: at } : { cursor, fetchedAt: at });
          }
          store.db.exec('RELEASE artifact');
        } catch (err) {
          store.db.exec('ROLLBACK TO artifact');
          store.db.exec('RELEASE artifact');
          const message = `cannot save: ${describeError(err)}`;
          failures.push({ artifact: job.id, message, source: job.source, project: job.project, dataset: 'save', datasets: [{ dataset: 'save', message }] });
          deps.logger.error(`${job.id} ${message}`);
        }
      }
    });
    wrote = true;
    movedAside ??= written.movedAside;
  }
  const failedIds = new Set(failures.map((f) => f.artifact));
  const refreshed = outcomes.filter((o) => !failedIds.has(o.job.id) && o.runs.every((r) => !r.error)).map((o) => o.job.id);
  const after = deps.http.stats;
  const result: RefreshResult = {
    refreshed,
    failures,
    notices,
    cancelled,
    wrote,
    requests: {
      requests: after.requests - statsBefore.requests,
      conditional: after.conditional - statsBefore.conditional,
      notModified: after.notModified - statsBefore.notModified,
    },
  };
  if (movedAside) result.movedAside = movedAside;
  return result;
}
