import { readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CancelledError } from '../../http/errors';
import type { Logger } from '../../log';
import type { CallOptions, StoreClient } from '../api/client';
import { rebuildError } from '../api/errors';
import type { OperationArgs, OperationName, OperationResult } from '../api/operations';
import { StoreError } from '../store';
import type { HostToWorker, WorkerInit, WorkerToHost } from './protocol';

interface Pending {
  op: string;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  onProgress?: (value: unknown) => void;
  cleanup: () => void;
}

export interface WorkerClientOptions {
  /** dist/storeWorker.js */
  workerPath: string;
  /** dist/sql-wasm.wasm */
  wasmPath: string;
  file: string;
  logger: Logger;
  readOnly?: boolean;
  /** Told when the worker died and was started again (the extension says so to the user). */
  onRestart?: (reason: string) => void;
  /**
   * After a cancel, how long a read may keep running before the worker is stopped and started
   * again (a single long query cannot be interrupted inside sql.js). Writes are always let finish.
   */
  cancelGraceMs?: number;
}

/** Operations that never write: safe to interrupt by stopping the worker. */
const READS = new Set<string>(['ping', 'treeSummaries', 'starHistory', 'metricChart', 'seedViews', 'insights', 'query', 'columns', 'runHistory', 'latestStoredRun', 'compiledSql', 'preview', 'modelCharts', 'refreshBookkeeping', 'refreshRead', 'ghArchiveState']);

/**
 * The extension's StoreClient: the store lives in a worker thread, loaded once; every call is a
 * message. A worker that dies (crash, out of memory) is started again on the spot: calls in flight
 * fail with a StoreError saying so, the next ones work, and nothing saved is lost (saves are atomic
 * files, so the new worker loads the last one).
 */
export class WorkerStoreClient implements StoreClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closing = false;
  private restarts = 0;
  onMovedAside?: (aside: string) => void;
  onProblem?: (message: string) => void;

  constructor(private readonly options: WorkerClientOptions) {}

  get file(): string {
    return this.options.file;
  }

  /** How many times the worker was started again after dying. */
  get restartCount(): number {
    return this.restarts;
  }

  /** The worker's thread id, for tests (undefined before the first call). */
  get threadId(): number | undefined {
    return this.worker?.threadId;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const init: WorkerInit = { file: this.options.file, wasmPath: this.options.wasmPath, ...(this.options.readOnly ? { readOnly: true } : {}) };
    const worker = new Worker(this.options.workerPath, { workerData: init });
    worker.on('message', (m: WorkerToHost) => this.onMessage(m));
    worker.on('error', (err) => this.options.logger.error(`store worker error: ${err.stack ?? err.message}`));
    worker.on('exit', (code) => void this.onExit(worker, code));
    // The worker does not keep a CLI or a test process alive on its own.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  call<K extends OperationName>(op: K, args: OperationArgs<K>, options: CallOptions = {}): Promise<OperationResult<K>> {
    if (this.closing) return Promise.reject(new StoreError(`The store ${this.file} is closed.`, this.file));
    if (options.signal?.aborted) return Promise.reject(new CancelledError());
    const id = this.nextId++;
    const worker = this.ensureWorker();
    return new Promise<OperationResult<K>>((resolve, reject) => {
      let grace: NodeJS.Timeout | undefined;
      const onAbort = () => {
        this.post({ type: 'cancel', id });
        if (READS.has(op)) {
          grace = setTimeout(() => {
            if (!this.pending.has(id) || this.worker !== worker) return;
            this.options.logger.warn(`store: ${op} did not stop within ${this.options.cancelGraceMs ?? 3000} ms of Cancel; restarting the store worker to interrupt it.`);
            void this.restart(worker, `${op} was cancelled while running a long query`);
          }, this.options.cancelGraceMs ?? 3000);
        }
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        op,
        resolve: resolve as (v: unknown) => void,
        reject,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        cleanup: () => {
          clearTimeout(grace);
          options.signal?.removeEventListener('abort', onAbort);
        },
      });
      worker.ref();
      this.post({ type: 'call', id, op, args });
    });
  }

  private post(m: HostToWorker): void {
    this.worker?.postMessage(m);
  }

  private onMessage(m: WorkerToHost): void {
    switch (m.type) {
      case 'result': {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        p.cleanup();
        if (this.pending.size === 0) this.worker?.unref();
        if (m.ok) p.resolve(m.value);
        else p.reject(rebuildError(m.error));
        break;
      }
      case 'progress':
        this.pending.get(m.id)?.onProgress?.(m.value);
        break;
      case 'log':
        this.options.logger[m.level](m.message);
        break;
      case 'movedAside':
        this.onMovedAside?.(m.path);
        break;
      case 'problem':
        this.options.logger.warn(m.message);
        this.onProblem?.(m.message);
        break;
      case 'closed':
        break;
    }
  }

  private async onExit(worker: Worker, code: number): Promise<void> {
    if (this.worker !== worker) return;
    this.worker = undefined;
    await this.releaseOrphanLock();
    const stranded = [...this.pending.values()];
    this.pending.clear();
    if (this.closing) {
      for (const p of stranded) {
        p.cleanup();
        p.reject(new StoreError(`The store ${this.file} is closed.`, this.file));
      }
      return;
    }
    const reason = `the store worker stopped (exit code ${code})`;
    this.restarts++;
    this.options.logger.error(`${reason}; starting it again. Saved data is kept: it is reloaded from ${this.file}.`);
    for (const p of stranded) {
      p.cleanup();
      p.reject(new StoreError(`${p.op} failed: ${reason}. It was started again; try again.`, this.file));
    }
    this.ensureWorker();
    this.options.onRestart?.(reason);
  }

  private async restart(worker: Worker, reason: string): Promise<void> {
    const stranded = [...this.pending.entries()];
    this.worker = undefined;
    this.pending.clear();
    await worker.terminate();
    await this.releaseOrphanLock();
    this.restarts++;
    for (const [, p] of stranded) {
      p.cleanup();
      p.reject(READS.has(p.op) ? new CancelledError() : new StoreError(`${p.op} failed: ${reason}; the store worker was started again.`, this.file));
    }
    this.options.logger.info(`store worker restarted: ${reason}`);
  }

  /** A lock left by a worker that died holds our pid and would block its successor: remove it. */
  private async releaseOrphanLock(): Promise<void> {
    const lock = `${this.file}.lock`;
    try {
      // Only the worker writes this store in this process: a lock with our pid (and host) is its.
      const { pid, host } = JSON.parse(await readFile(lock, 'utf8')) as { pid: number; host?: string };
      if (pid === process.pid && (host === undefined || host === hostname())) await rm(lock, { force: true });
    } catch {
      // no lock, or not ours
    }
  }

  /** Test hook: kills the worker as a crash would. */
  crashForTest(): void {
    this.post({ type: 'crash' });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const worker = this.worker;
    if (!worker) return;
    const closed = new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.on('message', (m: WorkerToHost) => {
        if (m.type === 'closed') void worker.terminate();
      });
    });
    worker.ref();
    worker.postMessage({ type: 'close' } satisfies HostToWorker);
    const timer = setTimeout(() => void worker.terminate(), 5000);
    await closed;
    clearTimeout(timer);
    this.worker = undefined;
  }
}
