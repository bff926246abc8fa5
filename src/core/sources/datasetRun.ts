import type { GetOptions, HttpClient, JsonResponse } from '../http/client';
import type { Validators } from '../http/conditional';
import type { Logger } from '../log';
import { stateKey, validatorKey } from '../store/bookkeeping';
import type { Bookkeeping, SyncState } from '../store/bookkeeping';
import type { NamedWrite, ReadArgs, ReadName, ReadResult, WriteArgs, WriteName } from '../store/namedWrites';
import type { DatasetContext, SourceEndpoints, SourceOptions } from './context';

/** One dataset of an artifact: a name for messages and the work that fetches it. */
export interface Dataset {
  name: string;
  run: (ctx: DatasetContext) => Promise<void>;
}

/** What every dataset of a refresh shares. */
export interface RunEnvironment {
  http: HttpClient;
  logger: Logger;
  signal?: AbortSignal;
  now: Date;
  endpoints: SourceEndpoints;
  options: SourceOptions;
  force: boolean;
  artifact: string;
  workspaceDir?: string;
  book: Bookkeeping;
  /** Reads the store as it was before the refresh (a named read, answered where the store lives). */
  readBefore: (op: ReadName, args: unknown[]) => Promise<unknown>;
}

/** Runs one dataset and collects what it produced, for the refresh to write (or drop) afterwards. */
export class DatasetRun implements DatasetContext {
  readonly writes: NamedWrite[] = [];
  readonly validators: Validators[] = [];
  readonly states = new Map<string, string | undefined>();
  readonly notices: string[] = [];
  error: unknown;

  constructor(
    readonly name: string,
    private readonly env: RunEnvironment,
  ) {}

  get http(): HttpClient {
    return this.env.http;
  }
  get logger(): Logger {
    return this.env.logger;
  }
  get signal(): AbortSignal | undefined {
    return this.env.signal;
  }
  get now(): Date {
    return this.env.now;
  }
  get endpoints(): SourceEndpoints {
    return this.env.endpoints;
  }
  get options(): SourceOptions {
    return this.env.options;
  }
  get force(): boolean {
    return this.env.force;
  }
  get artifact(): string {
    return this.env.artifact;
  }
  get workspaceDir(): string | undefined {
    return this.env.workspaceDir;
  }

  /** True when there is anything to write: rows, or (for a dataset that completed) bookkeeping. */
  get hasResults(): boolean {
    return this.writes.length > 0 || (!this.error && (this.validators.length > 0 || this.states.size > 0));
  }

  async execute(dataset: Dataset): Promise<void> {
    try {
      await dataset.run(this);
    } catch (err) {
      this.error = err;
    }
  }

  private options_(opts: GetOptions = {}): GetOptions {
    const out: GetOptions = { ...opts, conditional: (identity, url) => this.env.book.validators.get(validatorKey(identity, url)) };
    if (this.env.signal) out.signal = this.env.signal;
    return out;
  }

  async get<T>(url: string, opts?: GetOptions): Promise<JsonResponse<T>> {
    const res = await this.env.http.getJson<T>(url, this.options_(opts));
    if (res.validators && !res.notModified) this.validators.push(res.validators);
    return res;
  }

  async *pages<T>(url: string, opts: GetOptions & { maxPages?: number } = {}): AsyncGenerator<JsonResponse<T>> {
    for await (const res of this.env.http.paginate<T>(url, { ...this.options_(opts), ...(opts.maxPages ? { maxPages: opts.maxPages } : {}) })) {
      if (res.validators && !res.notModified) this.validators.push(res.validators);
      yield res;
    }
  }

  state(dataset: string): SyncState | undefined {
    // A cursor set earlier in this refresh wins over the stored one.
    if (this.states.has(dataset)) {
      const cursor = this.states.get(dataset);
      return cursor === undefined ? { fetchedAt: this.env.now.toISOString() } : { cursor, fetchedAt: this.env.now.toISOString() };
    }
    return this.env.book.state.get(stateKey(this.env.artifact, dataset));
  }

  read<K extends ReadName>(op: K, ...args: ReadArgs<K>): Promise<ReadResult<K>> {
    return this.env.readBefore(op, args) as Promise<ReadResult<K>>;
  }

  write<K extends WriteName>(op: K, ...args: WriteArgs<K>): void {
    this.writes.push({ op, args });
  }

  setState(dataset: string, cursor?: string): void {
    this.states.set(dataset, cursor);
  }

  notice(message: string): void {
    this.notices.push(message);
  }
}
