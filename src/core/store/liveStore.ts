import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import type { Logger } from '../log';
import { withFileLock } from './lock';
import { StoreEngine } from './partitions';
import type { Needs } from './partitions';
import type { MetricsStore } from './store';
import { StoreError, waitingMessage } from './store';
import { StoreCorruptError, resolveStoreTarget } from './storeFile';

export interface LiveStoreOptions {
  /** Never writes the file (a read-only CLI command): `write` throws. */
  readOnly?: boolean;
}

export interface ReadOptions {
  /**
   * The partitioned rows `fn` reads, loaded before it runs (default: all of them). Reads through
   * `store.all` also load what their SQL names as they go; SQL run on `store.db` directly does not.
   */
  needs?: Needs;
}

export interface WriteOptions extends ReadOptions {
  /** Wrap `fn` in BEGIN/COMMIT (ROLLBACK on throw). Default true; the model runner manages its own. */
  transaction?: boolean;
  /** Save the file after `fn` (default true). False for work that only needs the write lock. */
  save?: boolean;
}

/**
 * The store's one live database: loaded once, kept in memory, read and written in place. It lives
 * where the database lives — in the extension's store worker, or in-process for the CLI.
 *
 * - `read` first picks up another process's save (a cheap stat of the file; reload only when it
 *   changed), then runs `fn` on the live database.
 * - `write` takes the file lock, picks up others' saves, runs `fn` in a transaction, saves
 *   atomically, unlocks. A failed save reloads what is on disk, so memory never holds rows the file
 *   does not.
 * - Calls run one at a time, in order (a read never sees half a write, even when `fn` awaits).
 */
export class LiveStore {
  private queue: Promise<unknown> = Promise.resolve();
  private movedAside: string[] = [];
  private closed = false;

  private constructor(
    private readonly SQL: SqlJsStatic,
    readonly file: string,
    private readonly logger: Logger,
    private engine: StoreEngine,
    readonly readOnly: boolean,
  ) {}

  /**
   * Loads the store file and its partitions once. A store written before partitions (one file) is
   * split into partition files here, under the lock, unless opened read-only.
   */
  static async open(SQL: SqlJsStatic, file: string, logger: Logger, opts: LiveStoreOptions = {}): Promise<LiveStore> {
    const engine = await openEngine(SQL, file, logger, opts.readOnly ?? false);
    const live = new LiveStore(SQL, file, logger, engine, opts.readOnly ?? false);
    if (engine.movedAside) live.movedAside.push(engine.movedAside);
    if (engine.unsaved && !live.readOnly) await live.write(() => undefined, { transaction: false, needs: {} });
    return live;
  }

  private get store(): MetricsStore {
    return this.engine.store;
  }

  /** Files moved aside as unreadable since the last call (each reported once). */
  takeMovedAside(): string[] {
    const out = this.movedAside;
    this.movedAside = [];
    return out;
  }

  /** Messages about partition files found missing or unreadable since the last call. */
  takeProblems(): string[] {
    return this.engine.problems.splice(0);
  }

  read<T>(fn: (store: MetricsStore) => T | Promise<T>, opts: ReadOptions = {}): Promise<T> {
    return this.serial(async () => {
      await this.engine.refreshFromDisk();
      await this.ensure(opts.needs ?? 'all');
      try {
        return await fn(this.store);
      } finally {
        // Months loaded inside a savepoint the read rolled back (a model chart of the saved SQL) are
        // gone from the tables: they load again when next needed.
        this.engine.forgetTentative();
      }
    });
  }

  /** How many partitions are in memory, of how many listed (bench, tests). */
  loadedPartitions(): Promise<{ loaded: number; listed: number }> {
    return this.serial(async () => this.engine.loadedCount());
  }

  /** Loads what `needs` names; a file replaced by another process meanwhile: pick up, try again. */
  private async ensure(needs: Needs): Promise<void> {
    for (let attempt = 0; this.engine.ensure(needs) && attempt < 5; attempt++) await this.engine.refreshFromDisk();
  }

  write<T>(fn: (store: MetricsStore) => T | Promise<T>, opts: WriteOptions = {}): Promise<T> {
    if (this.readOnly) return Promise.reject(new StoreError(`The store ${this.file} was opened read-only.`, this.file));
    const transaction = opts.transaction ?? true;
    const save = opts.save ?? true;
    return this.serial(async () => {
      await mkdir(path.dirname(this.file), { recursive: true });
      return withFileLock(await resolveStoreTarget(this.file), async () => {
        const aside = await this.engine.refreshFromDisk({ moveAsideUnreadable: true });
        if (aside) this.movedAside.push(aside);
        await this.ensure(opts.needs ?? 'all');
        const db = this.store.db;
        let result: T;
        if (transaction) db.exec('BEGIN');
        try {
          result = await fn(this.store);
          if (transaction) db.exec('COMMIT');
        } catch (err) {
          if (transaction) rollbackQuietly(db);
          this.engine.forgetTentative();
          throw err;
        }
        this.engine.forgetTentative();
        if (save) {
          try {
            await this.engine.save();
          } catch (err) {
            // Memory now holds rows the files do not: go back to what is on disk.
            await this.reload().catch(() => undefined);
            throw err;
          }
        }
        return result;
      }, { onWait: (owner) => this.logger.info(waitingMessage(this.file, owner)) });
    });
  }

  async close(): Promise<void> {
    await this.serial(async () => {
      if (this.closed) return;
      this.closed = true;
      this.engine.close();
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new StoreError(`The store ${this.file} is closed.`, this.file);
      return fn();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async reload(): Promise<void> {
    const engine = await openEngine(this.SQL, this.file, this.logger, this.readOnly);
    this.engine.close();
    this.engine = engine;
    if (engine.movedAside) this.movedAside.push(engine.movedAside);
    this.logger.debug(`Reloaded the store ${this.file} as saved on disk.`);
  }
}

/**
 * Opens the store as a reader (nothing on disk changed). A corrupt store file, unless read-only, is
 * then moved aside under the lock by a writer's open, and StoreCorruptError says where (main's
 * `openBefore`); the next open takes over the partition files beside it.
 */
async function openEngine(SQL: SqlJsStatic, file: string, logger: Logger, readOnly: boolean): Promise<StoreEngine> {
  try {
    return await StoreEngine.open(SQL, file, logger, { lazy: true });
  } catch (err) {
    if (!(err instanceof StoreCorruptError) || readOnly) throw err;
    await mkdir(path.dirname(file), { recursive: true });
    return withFileLock(await resolveStoreTarget(file), () => StoreEngine.open(SQL, file, logger, { write: true, lazy: true }));
  }
}

/** ROLLBACK, unless `fn` already ended the transaction (SQLite then says there is none). */
function rollbackQuietly(db: MetricsStore['db']): void {
  try {
    db.exec('ROLLBACK');
  } catch {
    // no transaction active
  }
}
