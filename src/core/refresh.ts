import { setMaxListeners } from 'node:events';
import type { SqlJsStatic } from 'sql.js';
import type { ProjectConfig } from './config/projectConfig';
import { noSecrets } from './config/secrets';
import type { SecretProvider } from './config/secrets';
import type { HttpClient, RequestStats } from './http/client';
import { CancelledError, describeError } from './http/errors';
import { inertText, redactingLogger } from './http/redaction';
import type { Logger } from './log';
import { DEFAULT_ENDPOINTS, DEFAULT_SOURCE_OPTIONS } from './sources/context';
import type { SourceEndpoints, SourceOptions } from './sources/context';
import { DatasetRun } from './sources/datasetRun';
import type { Dataset } from './sources/datasetRun';
import { artifactsOf } from './sources/artifacts';
import type { ArtifactJob, SourceKind } from './sources/artifacts';
import type { Bookkeeping } from './store/bookkeeping';
import { noteMovedAside, withStoreClient } from './store/api/client';
import type { StoreClient } from './store/api/client';
import type { ReadName } from './store/namedWrites';

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
  /** Where the rows go: the extension's store worker, or the CLI's store in-process. */
  store?: StoreClient;
  /** Without `store`: the store file, opened in this process for this refresh. */
  SQL?: SqlJsStatic;
  http: HttpClient;
  githubApiUrl: string;
  storeFile?: string;
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
  /**
   * Time allowed for the whole refresh. What has not arrived by then fails (saying so) and everything
   * that did is saved. Default: none (each request still has its own deadline).
   */
  deadlineMs?: number;
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
 * Fetches every tracked artifact and saves each one's results as soon as it completes (under the file
 * lock, merged into whatever the file holds by then; artifacts completing while a save runs go into the
 * next one). So one stuck server costs only its own data. One failing artifact, or one failing dataset
 * of an artifact, never stops the others; a cancelled refresh, or one that reaches its deadline, keeps
 * everything that had already arrived.
 */
export async function refreshAll(config: ProjectConfig, refreshDeps: RefreshDeps): Promise<RefreshResult> {
  // Every line this refresh logs goes through the one redaction.
  const deps: RefreshDeps = { ...refreshDeps, logger: redactingLogger(refreshDeps.logger) };
  return withStoreClient('refreshAll', deps, (store) => refreshWith(config, deps, store));
}

/** Runs the refresh, noting a store file moved aside as unreadable at any point of it. */
function refreshWith(config: ProjectConfig, deps: RefreshDeps, store: StoreClient): Promise<RefreshResult> {
  return noteMovedAside(store, () => refreshBody(config, deps, store));
}

async function refreshBody(config: ProjectConfig, deps: RefreshDeps, store: StoreClient): Promise<RefreshResult> {
  const now = deps.now?.() ?? new Date();
  const at = now.toISOString();
  const secrets = deps.secrets ?? noSecrets;
  const endpoints: SourceEndpoints = { ...DEFAULT_ENDPOINTS, ...deps.endpoints, githubApiUrl: deps.githubApiUrl };
  const options: SourceOptions = { ...DEFAULT_SOURCE_OPTIONS, ...deps.sourceOptions };
  const statsBefore = { ...deps.http.stats };
  const failures: ArtifactFailure[] = [];
  // The refresh's own signal: the caller's cancel, or the refresh deadline.
  const stop = new AbortController();
  let deadlineHit = false;
  const onCancel = () => stop.abort();
  if (deps.signal?.aborted) stop.abort();
  deps.signal?.addEventListener('abort', onCancel, { once: true });
  const deadlineTimer =
    deps.deadlineMs !== undefined
      ? setTimeout(() => {
          deadlineHit = true;
          deps.logger.warn(`The refresh deadline of ${Math.round((deps.deadlineMs as number) / 1000)} s was reached; saving what arrived.`);
          stop.abort();
        }, deps.deadlineMs)
      : undefined;
  // Every request in flight listens to the one signal; dozens at once are expected, not a leak.
  setMaxListeners(0, stop.signal);
  const signal = stop.signal;
  const saver = new OutcomeSaver(deps, store, at, failures);

  // Read what earlier refreshes remembered; the network phase then holds no lock.
  let outcomes: ArtifactOutcome[] = [];
  const notices: ArtifactNotice[] = [];
  let cancelled = false;
  try {
    const book: Bookkeeping = await store.call('refreshBookkeeping', undefined);
    const jobs = await artifactsOf(config, { secrets, only: deps.only, logger: deps.logger });
    let done = 0;
    const total = jobs.length;
    outcomes = await Promise.all(
      jobs.map(async (job): Promise<ArtifactOutcome> => {
        const base = { source: job.source, artifact: job.id, project: job.project, total };
        deps.onArtifact?.({ ...base, phase: 'started', done });
        const runs = job.datasets.map((d) => new DatasetRun(d.name, makeContext(job, d)));
        await Promise.all(runs.map((r, i) => r.execute(job.datasets[i] as Dataset)));
        // Stopped by the refresh deadline: a failure of this artifact, not a cancel by the user.
        if (deadlineHit) {
          for (const r of runs) if (r.error instanceof CancelledError) r.error = new Error(`not finished by the refresh deadline (${Math.round((deps.deadlineMs as number) / 1000)} s)`);
        }
        const failed = runs.filter((r) => r.error && !(r.error instanceof CancelledError));
        const wasCancelled = runs.some((r) => r.error instanceof CancelledError);
        if (failed.length > 0) {
          const datasets = failed.map((r) => ({ dataset: r.name, message: describeError(r.error) }));
          for (const d of datasets) deps.logger.error(`${job.id} (${d.dataset}): ${d.message}`);
          failures.push({ artifact: job.id, message: summarize(datasets), source: job.source, project: job.project, dataset: datasets[0]?.dataset as string, datasets });
        }
        for (const r of runs) for (const n of r.notices) notices.push({ artifact: job.id, message: inertText(n) });
        for (const r of runs) for (const n of r.notices) deps.logger.info(`${job.id}: ${n}`);
        if (wasCancelled) cancelled = true;
        done++;
        const phase = failed.length > 0 ? 'failed' : wasCancelled ? 'cancelled' : 'finished';
        const message = failures.find((f) => f.artifact === job.id)?.message;
        deps.onArtifact?.({ ...base, phase, done, ...(message ? { message } : {}) });
        deps.onProgress?.(done, total, job.id);
        if (phase === 'finished') deps.logger.info(`${job.id}: refreshed`);
        saver.add({ job, runs });
        return { job, runs };
      }),
    );

    function makeContext(job: ArtifactJob, _d: Dataset) {
      return {
        http: deps.http,
        logger: deps.logger,
        signal,
        now,
        endpoints,
        options,
        force: deps.force ?? false,
        artifact: job.id,
        ...(deps.workspaceDir ? { workspaceDir: deps.workspaceDir } : {}),
        book,
        readBefore: (op: ReadName, args: unknown[]) => store.call('refreshRead', { op, args }),
      };
    }
  } finally {
    // Whatever completed is saved, even when the fetching itself threw.
    await saver.flush();
    if (deadlineTimer) clearTimeout(deadlineTimer);
    deps.signal?.removeEventListener('abort', onCancel);
  }
  if (deps.signal?.aborted) cancelled = true;
  const wrote = saver.wrote;
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
  return result;
}

/**
 * Saves artifacts' results as they complete: one save at a time, at most one per `intervalMs` while
 * the refresh runs (each save takes every artifact that completed since the last one, so that a save,
 * which rewrites the whole file, is not paid per artifact), and at once when the refresh ends.
 */
class OutcomeSaver {
  wrote = false;
  private pending: ArtifactOutcome[] = [];
  private running: Promise<void> | undefined;
  private lastSave: number;
  private flushing = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly deps: RefreshDeps,
    private readonly store: StoreClient,
    private readonly at: string,
    private readonly failures: ArtifactFailure[],
    private readonly intervalMs = 1_000,
  ) {
    this.lastSave = Date.now();
  }

  add(outcome: ArtifactOutcome): void {
    if (!outcome.runs.some((r) => r.hasResults)) return;
    this.pending.push(outcome);
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  async flush(): Promise<void> {
    this.flushing = true;
    this.wake?.();
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const wait = this.lastSave + this.intervalMs - Date.now();
      if (!this.flushing && wait > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
      this.lastSave = Date.now();
      const batch = this.pending.splice(0);
      try {
        const { failures } = await this.store.call('applyRefresh', {
          at: this.at,
          artifacts: batch.map(({ job, runs }) => ({
            artifact: job.id,
            writes: runs.flatMap((r) => r.writes),
            // Validators and cursors only for datasets that completed: a later 304 must never hide
            // data that was not saved.
            validators: runs.filter((r) => !r.error).flatMap((r) => r.validators),
            states: runs.filter((r) => !r.error).flatMap((r) => [...r.states].map(([dataset, cursor]) => (cursor === undefined ? { dataset } : { dataset, cursor }))),
          })),
        });
        this.wrote = true;
        // One savepoint per artifact in the worker: a write that failed rolled back that artifact only.
        for (const f of failures) {
          const job = batch.find((o) => o.job.id === f.artifact)?.job;
          const message = `cannot save: ${f.message}`;
          this.failures.push({ artifact: f.artifact, message, ...(job ? { source: job.source, project: job.project } : {}), dataset: 'save', datasets: [{ dataset: 'save', message }] });
          this.deps.logger.error(`${f.artifact} ${message}`);
        }
      } catch (err) {
        // The file could not be written (locked, read-only, replaced): these artifacts' results are lost
        // for this refresh and say so; their cursors were not saved either, so the next refresh asks again.
        const message = `cannot save: ${describeError(err)}`;
        for (const { job } of batch) {
          this.failures.push({ artifact: job.id, message, source: job.source, project: job.project, dataset: 'save', datasets: [{ dataset: 'save', message }] });
        }
        this.deps.logger.error(message);
      }
    }
  }
}
