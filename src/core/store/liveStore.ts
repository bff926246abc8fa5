import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import type { Logger } from '../log';
import { withFileLock } from './lock';
import { MetricsStore, StoreError } from './store';

export interface LiveStoreOptions {
  /** Never writes the file (a read-only CLI command): `write` throws. */
  readOnly?: boolean;
}

export interface WriteOptions {
  /** Wrap `fn` in BEGIN/COMMIT (ROLLBACK on throw). Default true; the model runner manages its own. */
  transaction?: boolean;
  /** Save the file after `fn` (default true). False for work that only needs the write lock. */
  save?: boolean;
}

/** What identifies one version of the file on disk; a save by anybody changes it (new inode by rename). */
interface DiskStamp {
  ino: number;
  size: number;
  mtimeMs: number;
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
  private stamp: DiskStamp | undefined;
  private movedAside: string[] = [];
  private closed = false;

  private constructor(
    private readonly SQL: SqlJsStatic,
    readonly file: string,
    private readonly logger: Logger,
    private store: MetricsStore,
    readonly readOnly: boolean,
  ) {}

  static async open(SQL: SqlJsStatic, file: string, logger: Logger, opts: LiveStoreOptions = {}): Promise<LiveStore> {
    const before = await diskStamp(file);
    const { store, movedAside } = await MetricsStore.open(SQL, file, logger);
    const live = new LiveStore(SQL, file, logger, store, opts.readOnly ?? false);
    live.stamp = movedAside ? undefined : before;
    if (movedAside) live.movedAside.push(movedAside);
    return live;
  }

  /** Files moved aside as unreadable since the last call (each reported once). */
  takeMovedAside(): string[] {
    const out = this.movedAside;
    this.movedAside = [];
    return out;
  }

  read<T>(fn: (store: MetricsStore) => T | Promise<T>): Promise<T> {
    return this.serial(async () => {
      await this.pickUp();
      return fn(this.store);
    });
  }

  write<T>(fn: (store: MetricsStore) => T | Promise<T>, opts: WriteOptions = {}): Promise<T> {
    if (this.readOnly) return Promise.reject(new StoreError(`The store ${this.file} was opened read-only.`, this.file));
    const transaction = opts.transaction ?? true;
    const save = opts.save ?? true;
    return this.serial(async () => {
      await mkdir(path.dirname(this.file), { recursive: true });
      return withFileLock(this.file, async () => {
        await this.pickUp();
        const db = this.store.db;
        let result: T;
        if (transaction) db.exec('BEGIN');
        try {
          result = await fn(this.store);
          if (transaction) db.exec('COMMIT');
        } catch (err) {
          if (transaction) rollbackQuietly(db);
          throw err;
        }
        if (save) {
          try {
            await this.store.save();
            this.stamp = await diskStamp(this.file);
          } catch (err) {
            // Memory now holds rows the file does not: go back to what is on disk.
            await this.reload().catch(() => undefined);
            throw err;
          }
        }
        return result;
      });
    });
  }

  async close(): Promise<void> {
    await this.serial(async () => {
      if (this.closed) return;
      this.closed = true;
      this.store.close();
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

  /** Reloads the file when another process saved it since we last loaded or saved. */
  private async pickUp(): Promise<void> {
    const now = await diskStamp(this.file);
    if (sameStamp(now, this.stamp)) return;
    if (!now && this.stamp === undefined) return;
    await this.reload();
  }

  private async reload(): Promise<void> {
    const before = await diskStamp(this.file);
    const { store, movedAside } = await MetricsStore.open(this.SQL, this.file, this.logger);
    this.store.close();
    this.store = store;
    this.stamp = movedAside ? undefined : before;
    if (movedAside) this.movedAside.push(movedAside);
    this.logger.debug(`Picked up the store ${this.file} as saved on disk.`);
  }
}

async function diskStamp(file: string): Promise<DiskStamp | undefined> {
  try {
    const s = await stat(file);
    return { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StoreError(`Cannot read the store ${file}: ${(err as Error).message}`, file);
  }
}

function sameStamp(a: DiskStamp | undefined, b: DiskStamp | undefined): boolean {
  if (!a || !b) return a === b;
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** ROLLBACK, unless `fn` already ended the transaction (SQLite then says there is none). */
function rollbackQuietly(db: MetricsStore['db']): void {
  try {
    db.exec('ROLLBACK');
  } catch {
    // no transaction active
  }
}
