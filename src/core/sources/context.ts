import type { GetOptions, HttpClient, JsonResponse } from '../http/client';
import type { Validators } from '../http/conditional';
import type { Logger } from '../log';
import type { SyncState } from '../store/bookkeeping';
import type { ReadArgs, ReadName, ReadResult, WriteArgs, WriteName } from '../store/namedWrites';

/** Base URLs of every service; the defaults are the real ones, tests and the CLI flags override them. */
export interface SourceEndpoints {
  githubApiUrl: string;
  pypistatsUrl: string;
  pepyUrl: string;
  /** api.npmjs.org: download counts. */
  npmApiUrl: string;
  /** registry.npmjs.org: the package document, for its first publish date. */
  npmRegistryUrl: string;
  dockerhubUrl: string;
  slackApiUrl: string;
}

export const DEFAULT_ENDPOINTS: SourceEndpoints = {
  githubApiUrl: 'https://api.github.com',
  pypistatsUrl: 'https://pypistats.org',
  pepyUrl: 'https://api.pepy.tech',
  npmApiUrl: 'https://api.npmjs.org',
  npmRegistryUrl: 'https://registry.npmjs.org',
  dockerhubUrl: 'https://hub.docker.com',
  slackApiUrl: 'https://slack.com/api',
};

/** Knobs with production defaults; tests shorten the waits. */
export interface SourceOptions {
  /** Pause before asking /stats/* again after a 202. Default 3 s. */
  statsRetryDelayMs: number;
  /** Requests to /stats/* per refresh before giving up until the next refresh. Default 4. */
  statsAttempts: number;
  /** Pages of one incremental listing per refresh; the cursor resumes the rest next time. Default 100. */
  maxListingPages: number;
  /** Sources updated once a day (pypistats, pepy, npm) are asked at most this often. Default 20 h. */
  dailySourceIntervalMs: number;
}

export const DEFAULT_SOURCE_OPTIONS: SourceOptions = {
  statsRetryDelayMs: 3_000,
  statsAttempts: 4,
  maxListingPages: 100,
  dailySourceIntervalMs: 20 * 3600_000,
};

/**
 * What one dataset of one artifact (say, the issues of a repository) gets to work with, and where it
 * puts its results. Results are collected, not written: the refresh applies them to the store in one
 * transaction, and drops the validators and cursors of a dataset that failed half-way, so that a later
 * 304 can never hide data that was not saved.
 */
export interface DatasetContext {
  readonly http: HttpClient;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  readonly now: Date;
  readonly endpoints: SourceEndpoints;
  readonly options: SourceOptions;
  /** Ignore the once-a-day politeness of daily sources. */
  readonly force: boolean;
  /** `source:name`, e.g. `github:owner/repo`. */
  readonly artifact: string;
  /** A workspace folder against which relative paths in the configuration resolve. */
  readonly workspaceDir?: string;
  /** GET with conditional headers from the stored validators; remembers the new validators. */
  get<T>(url: string, opts?: GetOptions): Promise<JsonResponse<T>>;
  /** Link-header pagination with conditional requests for every page. */
  pages<T>(url: string, opts?: GetOptions & { maxPages?: number }): AsyncGenerator<JsonResponse<T>>;
  state(dataset: string): SyncState | undefined;
  /** Reads the store as it was before this refresh (for values a dataset must compare with). */
  read<K extends ReadName>(op: K, ...args: ReadArgs<K>): Promise<ReadResult<K>>;
  /** Records a write (by name, see STORE_WRITES) for the refresh's transaction. */
  write<K extends WriteName>(op: K, ...args: WriteArgs<K>): void;
  setState(dataset: string, cursor?: string): void;
  notice(message: string): void;
}

/** True when a daily source was fetched recently enough to leave it alone (unless forced). */
export function fetchedRecently(ctx: DatasetContext, dataset: string): boolean {
  if (ctx.force) return false;
  const at = ctx.state(dataset)?.fetchedAt;
  return at !== undefined && ctx.now.getTime() - Date.parse(at) < ctx.options.dailySourceIntervalMs;
}

export function withQuery(url: string, params: Record<string, string | number | undefined>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, String(v));
  return u.href;
}

/** Joins a base URL (which may carry a path, as GitHub Enterprise's `/api/v3`) and a path. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

export type { Validators };
