import type { Database, SqlJsStatic, SqlValue } from 'sql.js';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log';
import { withFileLock } from './lock';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';

export class StoreError extends Error {
  constructor(message: string, readonly file: string) {
    super(message);
    this.name = 'StoreError';
  }
}

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
  /** Set when the file on disk was unreadable and was moved aside. */
  movedAside?: string;
}

/** The metrics store: one sql.js database, loaded from and saved to one `.sqlite` file. */
export class MetricsStore {
  private constructor(
    readonly db: Database,
    readonly file: string,
  ) {}

  static create(SQL: SqlJsStatic, file: string): MetricsStore {
    const store = new MetricsStore(new SQL.Database(), file);
    store.migrate();
    return store;
  }

  /**
   * Opens the store file; a missing file gives an empty store. A file that is not a readable SQLite
   * database is renamed aside (never overwritten) and a fresh store started, with a warning.
   */
  static async open(SQL: SqlJsStatic, file: string, logger: Logger): Promise<OpenResult> {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { store: MetricsStore.create(SQL, file) };
      throw new StoreError(`Cannot read the store ${file}: ${(err as Error).message}`, file);
    }
    let db: Database | undefined;
    try {
      db = new SQL.Database(bytes);
      const check = db.exec('PRAGMA quick_check');
      const verdict = check[0]?.values[0]?.[0];
      if (verdict !== 'ok') throw new Error(`integrity check says ${String(verdict)}`);
    } catch (err) {
      db?.close();
      const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await rename(file, aside);
      logger.warn(`The store ${file} is not a readable SQLite database (${(err as Error).message}); moved it to ${aside} and started a new store.`);
      return { store: MetricsStore.create(SQL, file), movedAside: aside };
    }
    const store = new MetricsStore(db, file);
    store.migrate();
    return { store };
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

  all<T>(sql: string, params: SqlValue[] = []): T[] {
    const stmt = this.db.prepare(sql);
    try {
      stmt.bind(params);
      const out: T[] = [];
      while (stmt.step()) out.push(stmt.getAsObject() as T);
      return out;
    } finally {
      stmt.free();
    }
  }

  /** Writes the database to its file atomically: temp file in the same folder, fsync, rename. */
  async save(): Promise<void> {
    await writeFileAtomic(this.file, this.db.export());
  }

  close(): void {
    this.db.close();
  }
}

export async function writeFileAtomic(file: string, data: Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  // Make the rename itself durable.
  try {
    const dirHandle = await open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic.
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
): Promise<{ result: T; movedAside?: string }> {
  await mkdir(path.dirname(file), { recursive: true });
  return withFileLock(file, async () => {
    const { store, movedAside } = await MetricsStore.open(SQL, file, logger);
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
  });
}
