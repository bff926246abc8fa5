import type { Database, SqlJsStatic, SqlValue } from 'sql.js';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log';
import { withFileLock } from './lock';
import type { FileLockOptions, LockOwner } from './lock';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';
import { StoreEngine, needsOfSql } from './partitions';
import { selectRows } from './sqlCopy';
import type { Needs } from './partitions';
import { StoreCorruptError, StoreError, assertStoreWritable, markOurs, resolveStoreTarget, writeStoreFile } from './storeFile';
import type { StoreFingerprint } from './storeFile';

export { StoreError } from './storeFile';

export interface StarPoint {
  timestamp: string;
  stars: number;
}

export interface RepositorySnapshot {
  timestamp: string;
  repo: string;
  repoId?: number;
  stars: number;
  forks?: number;
  subscribers?: number;
  openIssues?: number;
  sizeKb?: number;
  pushedAt?: string;
}

export interface OpenResult {
  store: MetricsStore;
  /** Kept for callers of the first release; a corrupt store is now a StoreCorruptError. */
  movedAside?: string;
}

export interface OpenOptions {
  /**
   * Open to write (the caller holds the store lock): temp files of interrupted saves are removed, and
   * a corrupt file is moved aside before StoreCorruptError is thrown. Without it nothing on disk is
   * created, moved or removed.
   */
  write?: boolean;
}

/** The metrics store: one sql.js database, loaded from and saved to one `.sqlite` file. */
export class MetricsStore {
  /** The partitioned files this store is saved to, when it was opened from a file (partitions.ts). */
  private engine: StoreEngine | undefined;
  /** Set by a lazy StoreEngine (the live store): loads partitions before a read that needs them. */
  private loader: ((needs: Needs) => void) | undefined;

  /** For StoreEngine: who saves this store, and who loads its partitions on demand. */
  attachEngine(engine: StoreEngine, loader?: (needs: Needs) => void): void {
    this.engine = engine;
    this.loader = loader;
  }

  private constructor(
    readonly db: Database,
    readonly file: string,
    /** The file as it was loaded; a save refuses to replace a different one. */
    private loaded?: StoreFingerprint,
  ) {}

  /** A store over a database already loaded (the live database of StoreEngine), migrated. */
  static fromDatabase(db: Database, file: string): MetricsStore {
    const store = new MetricsStore(db, file);
    store.migrate();
    return store;
  }

  static create(SQL: SqlJsStatic, file: string, loaded?: StoreFingerprint): MetricsStore {
    const store = new MetricsStore(new SQL.Database(), file, loaded);
    store.migrate();
    return store;
  }

  /**
   * Opens the store file (through symlinks); a missing file gives an empty store. A file that is not a
   * readable SQLite database is a StoreCorruptError: a writer moves it aside first and the error names
   * where; a reader leaves it alone. Another program's SQLite file is a ForeignStoreError, untouched.
   */
  static async open(SQL: SqlJsStatic, file: string, logger: Logger, options: OpenOptions = {}): Promise<OpenResult> {
    const engine = await StoreEngine.open(SQL, file, logger, options);
    return { store: engine.store };
  }

  get schemaVersion(): number {
    return Number(this.db.exec('PRAGMA user_version')[0]?.values[0]?.[0] ?? 0);
  }

  private migrate(): void {
    const version = this.schemaVersion;
    if (version > SCHEMA_VERSION) {
      throw new StoreError(
        `The store ${this.file} has schema version ${version}, newer than this version of Community Metrics understands (${SCHEMA_VERSION}). Update the extension and the CLI.`,
        this.file,
      );
    }
    if (version < SCHEMA_VERSION) markOurs(this.db);
    for (let v = version; v < SCHEMA_VERSION; v++) {
      this.db.exec('BEGIN');
      try {
        this.db.exec(MIGRATIONS[v] as string);
        this.db.exec(`PRAGMA user_version = ${v + 1}`);
        this.db.exec('COMMIT');
      } catch (err) {
        this.db.exec('ROLLBACK');
        throw new StoreError(`Migration ${v + 1} of ${this.file} failed: ${(err as Error).message}`, this.file);
      }
    }
  }

  /** Appends one repository snapshot: the seed's `github_stars` row and the full snapshot row. */
  addRepositorySnapshot(s: RepositorySnapshot): void {
    this.db.run('INSERT OR IGNORE INTO github_stars (timestamp, project, stars) VALUES (?, ?, ?)', [s.timestamp, s.repo, s.stars]);
    this.db.run(
      `INSERT OR IGNORE INTO github_repo_snapshots
         (timestamp, repo, repo_id, stars, forks, subscribers, open_issues, size_kb, pushed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [s.timestamp, s.repo, s.repoId ?? null, s.stars, s.forks ?? null, s.subscribers ?? null, s.openIssues ?? null, s.sizeKb ?? null, s.pushedAt ?? null],
    );
  }

  /** Whether a repository snapshot was already taken on this UTC day (`YYYY-MM-DD`). */
  hasRepositorySnapshotOn(repo: string, day: string): boolean {
    return this.all('SELECT 1 FROM github_stars WHERE project = ? AND substr(timestamp, 1, 10) = ? LIMIT 1', [repo, day]).length > 0;
  }

  /**
   * A 304 says the repository is as it was at the latest snapshot: record that value again at
   * `timestamp`, so that a daily series has no hole on a day when nothing changed.
   */
  carryForwardRepositorySnapshot(repo: string, timestamp: string): void {
    this.db.run(
      `INSERT OR IGNORE INTO github_stars (timestamp, project, stars)
         SELECT ?, project, stars FROM github_stars WHERE project = ? ORDER BY timestamp DESC LIMIT 1`,
      [timestamp, repo],
    );
    this.db.run(
      `INSERT OR IGNORE INTO github_repo_snapshots (timestamp, repo, repo_id, stars, forks, subscribers, open_issues, size_kb, pushed_at)
         SELECT ?, repo, repo_id, stars, forks, subscribers, open_issues, size_kb, pushed_at
           FROM github_repo_snapshots WHERE repo = ? ORDER BY timestamp DESC LIMIT 1`,
      [timestamp, repo],
    );
  }

  starHistory(repo: string): StarPoint[] {
    return this.all<StarPoint>('SELECT timestamp, stars FROM github_stars WHERE project = ? ORDER BY timestamp', [repo]);
  }

  /** Latest star count of every repository that has one. */
  latestStars(): Map<string, StarPoint> {
    const rows = this.all<{ project: string; timestamp: string; stars: number }>(
      `SELECT project, timestamp, stars FROM github_stars g
        WHERE timestamp = (SELECT MAX(timestamp) FROM github_stars WHERE project = g.project)`,
    );
    return new Map(rows.map((r) => [r.project, { timestamp: r.timestamp, stars: r.stars }]));
  }

  /** Loads what `needs` names now (on the live store; elsewhere everything is loaded already). Outside a transaction. */
  load(needs: Needs): void {
    this.loader?.(needs);
  }

  /**
   * Runs a read. On the live store, the partitions it needs are loaded first: by default every month
   * of each partitioned table its SQL names; `needs` narrows that (a write's reads, loaded by its
   * declared needs, pass `{}`).
   */
  all<T>(sql: string, params: SqlValue[] = [], needs?: Needs): T[] {
    if (this.loader) this.loader(needs ?? needsOfSql(sql));
    return selectRows<T>(this.db, sql, params);
  }

  /**
   * Writes the database to its file atomically (store file mode and symlinks kept), refusing when the
   * file is no longer the one this store was loaded from: a writer never saves over rows it did not load.
   */
  async save(): Promise<void> {
    if (this.engine) return this.engine.save();
    markOurs(this.db);
    this.loaded = await writeStoreFile(this.file, this.db.export(), this.loaded);
  }

  close(): void {
    this.db.close();
  }
}

/**
 * One write transaction against the file: lock, load what is on disk now (so rows another process
 * saved in the meantime are kept), apply, save atomically, unlock.
 */
export async function updateStore<T>(
  SQL: SqlJsStatic,
  file: string,
  logger: Logger,
  apply: (store: MetricsStore) => T,
  lock: FileLockOptions = {},
): Promise<{ result: T; movedAside?: string }> {
  await mkdir(path.dirname(file), { recursive: true });
  return withFileLock(await resolveStoreTarget(file), async () => {
    const { store, movedAside } = await MetricsStore.open(SQL, file, logger, { write: true });
    try {
      store.db.exec('BEGIN');
      let result: T;
      try {
        result = apply(store);
        store.db.exec('COMMIT');
      } catch (err) {
        store.db.exec('ROLLBACK');
        throw err;
      }
      await store.save();
      return movedAside ? { result, movedAside } : { result };
    } finally {
      store.close();
    }
  }, { onWait: (owner) => logger.info(waitingMessage(file, owner)), ...lock });
}

export function waitingMessage(file: string, owner: LockOwner | undefined): string {
  return `Waiting for ${owner ? `process ${owner.pid}` : 'another process'} to finish with the store ${file}…`;
}

/**
 * For a reader that found the store corrupt and is about to write: under the lock, a writer's open
 * moves the file aside and throws StoreCorruptError naming where it went (unless it was repaired).
 */
export async function moveAsideIfCorrupt(SQL: SqlJsStatic, file: string, logger: Logger): Promise<void> {
  await withFileLock(await resolveStoreTarget(file), async () => {
    const { store } = await MetricsStore.open(SQL, file, logger, { write: true });
    store.close();
  });
}

/**
 * The store as a refresh or an import finds it before fetching (read-only, no lock). A read-only store
 * fails here; a corrupt file is moved aside under the lock and the command fails before any request,
 * naming where the file went.
 */
export async function openBefore(SQL: SqlJsStatic, file: string, logger: Logger): Promise<OpenResult> {
  // A store that cannot be saved fails before anything is fetched, not after.
  await assertStoreWritable(file);
  try {
    return await MetricsStore.open(SQL, file, logger);
  } catch (err) {
    if (!(err instanceof StoreCorruptError)) throw err;
    await mkdir(path.dirname(file), { recursive: true });
    await moveAsideIfCorrupt(SQL, file, logger);
    return MetricsStore.open(SQL, file, logger);
  }
}
