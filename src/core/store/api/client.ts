import type { SqlJsStatic } from 'sql.js';
import type { Logger } from '../../log';
import { loadProject } from '../../project/project';
import type { Project } from '../../project/project';
import { LiveStore } from '../liveStore';
import type { LiveStoreOptions } from '../liveStore';
import { STORE_OPERATIONS } from './operations';
import type { OperationArgs, OperationContext, OperationName, OperationResult } from './operations';

export interface CallOptions {
  /** Cancels the call: the operation stops at its next step and the call rejects with CancelledError. */
  signal?: AbortSignal;
  onProgress?: (value: unknown) => void;
}

/**
 * The one way to use the store: named operations (STORE_OPERATIONS), asynchronous, cancellable,
 * with errors rebuilt as their own classes. The extension's client talks to its store worker; the
 * CLI and tests use InProcessStoreClient, which runs the same operations on a LiveStore in-process.
 */
export interface StoreClient {
  readonly file: string;
  call<K extends OperationName>(op: K, args: OperationArgs<K>, options?: CallOptions): Promise<OperationResult<K>>;
  /** Called with the path a corrupt store file was moved to, once per move. */
  onMovedAside?: (aside: string) => void;
  /** Called with other problems the store found (a partition moved aside or missing), once each. */
  onProblem?: (message: string) => void;
  close(): Promise<void>;
}

/** Loads the models project once per (root, version, vars); used where the store lives. */
export class ProjectCache {
  private cached: { key: string; project: Promise<Project> } | undefined;

  constructor(private readonly logger: Logger) {}

  load(root: string, opts: { version?: number; vars?: Record<string, unknown> } = {}): Promise<Project> {
    const key = this.key(root, opts);
    if (opts.version !== undefined && this.cached?.key === key) return this.cached.project;
    const project = loadProject(root, { ...(opts.vars ? { vars: opts.vars } : {}), log: (m) => this.logger.debug(m) });
    this.cached = { key, project };
    project.catch(() => {
      if (this.cached?.project === project) this.cached = undefined;
    });
    return project;
  }

  /** A project the caller already loaded (the CLI), used for this (root, version, vars). */
  prime(project: Project, opts: { version: number; vars?: Record<string, unknown> }): void {
    this.cached = { key: this.key(project.root, opts), project: Promise.resolve(project) };
  }

  private key(root: string, opts: { version?: number; vars?: Record<string, unknown> }): string {
    return JSON.stringify([root, opts.version ?? null, opts.vars ?? null]);
  }
}

/** Runs one operation against a live store: shared by the in-process client and the worker. */
export function runOperation(
  live: LiveStore,
  projects: ProjectCache,
  logger: Logger,
  op: string,
  args: unknown,
  signal: AbortSignal,
  progress: (value: unknown) => void,
): Promise<unknown> {
  const fn = (STORE_OPERATIONS as Record<string, ((ctx: OperationContext, a: unknown) => unknown) | undefined>)[op];
  if (!fn) return Promise.reject(new Error(`Unknown store operation '${op}'.`));
  const local: StoreClient = {
    file: live.file,
    call: (name, a, o = {}) => runOperation(live, projects, logger, name, a, o.signal ?? signal, o.onProgress ?? (() => undefined)) as never,
    close: async () => undefined,
  };
  const ctx: OperationContext = { live, logger, signal, progress, project: (root, o) => projects.load(root, o), local };
  return Promise.resolve().then(() => fn(ctx, args));
}

/** The store in this process: the CLI's client, and the tests'. Opens the file on first use. */
export class InProcessStoreClient implements StoreClient {
  private live: Promise<LiveStore> | undefined;
  private readonly projects: ProjectCache;
  onMovedAside?: (aside: string) => void;
  onProblem?: (message: string) => void;

  constructor(
    private readonly SQL: SqlJsStatic | (() => Promise<SqlJsStatic>),
    readonly file: string,
    private readonly logger: Logger,
    private readonly options: LiveStoreOptions = {},
  ) {
    this.projects = new ProjectCache(logger);
  }

  /** In-process, a project already loaded is used as is: pass `version` in the ProjectRef. */
  primeProject(project: Project, opts: { version: number; vars?: Record<string, unknown> }): void {
    this.projects.prime(project, opts);
  }

  /** The live store (opened on first use). */
  liveStore(): Promise<LiveStore> {
    this.live ??= (async () => {
      const SQL = typeof this.SQL === 'function' ? await this.SQL() : this.SQL;
      return LiveStore.open(SQL, this.file, this.logger, this.options);
    })();
    this.live.catch(() => {
      this.live = undefined;
    });
    return this.live;
  }

  async call<K extends OperationName>(op: K, args: OperationArgs<K>, options: CallOptions = {}): Promise<OperationResult<K>> {
    const live = await this.liveStore();
    const signal = options.signal ?? new AbortController().signal;
    try {
      return (await runOperation(live, this.projects, this.logger, op, args, signal, options.onProgress ?? (() => undefined))) as OperationResult<K>;
    } finally {
      for (const aside of live.takeMovedAside()) this.onMovedAside?.(aside);
      for (const message of (live as { takeProblems?: () => string[] }).takeProblems?.() ?? []) {
        this.logger.warn(message);
        this.onProblem?.(message);
      }
    }
  }

  async close(): Promise<void> {
    const live = this.live;
    this.live = undefined;
    if (live) await (await live).close();
  }
}

/** Where a core function that takes either a store client or a store file finds its store. */
export interface StoreSource {
  store?: StoreClient;
  SQL?: SqlJsStatic;
  storeFile?: string;
  logger: Logger;
}

/**
 * Runs `fn` on the store client given, or on an in-process client opened on `storeFile` for this call
 * and closed after it. `what` names the caller in the error when neither is given.
 */
export async function withStoreClient<T>(what: string, source: StoreSource, fn: (store: StoreClient) => Promise<T>): Promise<T> {
  if (source.store) return fn(source.store);
  if (!source.SQL || !source.storeFile) throw new Error(`${what} needs a store client, or SQL and storeFile.`);
  const store = new InProcessStoreClient(source.SQL, source.storeFile, source.logger);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * Runs `fn`, noting the first store file moved aside as unreadable while it runs (a handler already
 * set is still called), and puts it on the result.
 */
export async function noteMovedAside<T extends { movedAside?: string }>(store: StoreClient, fn: () => Promise<T>): Promise<T> {
  let movedAside: string | undefined;
  const previous = store.onMovedAside;
  store.onMovedAside = (aside) => {
    movedAside ??= aside;
    previous?.(aside);
  };
  try {
    const result = await fn();
    if (movedAside) result.movedAside = movedAside;
    return result;
  } finally {
    store.onMovedAside = previous;
  }
}
