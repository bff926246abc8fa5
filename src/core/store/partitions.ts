import type { Database, SqlJsStatic } from 'sql.js';
import { readFileSync, renameSync, statSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log';
import { attachFile, selectRows } from './sqlCopy';
import { DAY_TOTALS_TASK, backfillDayTotals } from '../gharchive/dayTotals';
import { MetricsStore } from './store';
import type { OpenOptions } from './store';
import { APPLICATION_ID, StoreCorruptError, StoreError, cleanupInterruptedSaves, fingerprint, markOurs, moveAside, openVerified, readStoreFile, resolveStoreTarget, writeStoreFile } from './storeFile';
import type { StoreFingerprint } from './storeFile';

/**
 * The store on disk is a set of plain SQLite files:
 *
 *   metrics.sqlite                                  everything small: snapshots, models, bookkeeping,
 *                                                   and `_cm_partitions`, the list of partition files
 *   metrics.sqlite.parts/gharchive_events.2026-01.g7.sqlite   one calendar month of a bulky table
 *
 * Live, it is one sql.js database: the partitioned table is a real table of `main`, filled from its
 * partition files, so that every query, index, `changes()` count and model view works as on a single
 * file (SQLite binds unqualified names in a view of `main` to `main`: the table must be there, not in
 * an attached schema). Temp triggers note which months a transaction touched; a save copies only those
 * months out (a staging schema, then SQLite's backup API) into *new* files, named by a generation
 * number, and then writes the store file, whose `_cm_partitions` names them: the store file is the
 * commit point. A crash before it leaves the previous set intact (the new files are leftovers, removed
 * by the next writer); after it, the previous generation's files are leftovers.
 */
export interface PartitionedTable {
  table: string;
  /** TEXT column starting with `YYYY-MM`: rows are split by its first seven characters. */
  column: string;
  /** One file per calendar year instead of per month (`YYYY`): for small tables read whole. */
  yearly?: boolean;
}

/**
 * Tables that grow with history, measured on a generated year of a 20-repository project
 * (bench/storeScale.ts): GH Archive events (hundreds of thousands of rows a month for a few busy
 * repositories), and, a year of them making up a 35 MB store file on their own, Slack messages,
 * commits, issues and their comments. Issues change state, which rewrites only the month they were
 * opened in. Snapshots and daily download counts stay in the store file (a few MB a year).
 */
export const PARTITIONED: readonly PartitionedTable[] = [
  { table: 'gharchive_events', column: 'hour' },
  // Issue 15's raw events (the archive's own JSON line per event, for pipelines written for BigQuery):
  // the largest rows of the store, append-only like the events they mirror.
  { table: 'gharchive_raw_events', column: 'hour' },
  { table: 'slack_messages', column: 'message_time' },
  { table: 'github_commits', column: 'author_date' },
  { table: 'github_issues', column: 'created_at' },
  { table: 'github_issue_comments', column: 'created_at' },
  // The archive's hours (one row an hour, with the repositories it was read for: 16 of the 20 MB of a
  // 1 GB store's file, bench/storeScale.ts) and the per-day totals kept from them and the events
  // (gharchive/dayTotals.ts): both grow with the archive's history, which the store file must not.
  { table: 'gharchive_hours', column: 'hour' },
  // Read whole for a chart (a repository's history): a year's file holds a year of days, so that a
  // first chart opens a few files, not one per month (bench/storeScale.ts).
  { table: 'gharchive_day_totals', column: 'day', yearly: true },
];

export type PartitionedName =
  | 'gharchive_events'
  | 'gharchive_raw_events'
  | 'slack_messages'
  | 'github_commits'
  | 'github_issues'
  | 'github_issue_comments'
  | 'gharchive_hours'
  | 'gharchive_day_totals';

/**
 * Which partitioned rows an operation reads, loaded before it runs (the rest of the store is always
 * there): 'all'; or per table `true` (every month) or the first month needed (`'2026-10'`: that month
 * and later; the undated rows are then not needed either). Tables not named are not loaded.
 */
export type Needs = 'all' | Partial<Record<PartitionedName, true | string>>;

/** The partitioned tables a piece of SQL names (as words): what it needs, every month. */
export function needsOfSql(...sql: string[]): Needs {
  const out: Partial<Record<PartitionedName, true>> = {};
  for (const { table, word } of WORDS) {
    if (sql.some((t) => word.test(t))) out[table] = true;
  }
  return out;
}

const WORDS = PARTITIONED.map(({ table }) => ({ table: table as PartitionedName, word: new RegExp(`\\b${table}\\b`, 'i') }));

/** Both needs: each table at the wider of the two. */
export function mergeNeeds(a: Needs, b: Needs): Needs {
  if (a === 'all' || b === 'all') return 'all';
  const out: Partial<Record<PartitionedName, true | string>> = { ...a };
  for (const [t, v] of Object.entries(b) as Array<[PartitionedName, true | string]>) {
    const w = out[t];
    out[t] = w === undefined ? v : w === true || v === true ? true : w < v ? w : v;
  }
  return out;
}

/** Rows whose column does not start with a month (NULL, or not a date) share one partition. */
const UNDATED = 'undated';
const MONTH_GLOB = "'[0-9][0-9][0-9][0-9]-[0-9][0-9]*'";

/** The partition of a row, as SQL over `row.column` (row: NEW, OLD, or a table name). */
function partExpr(row: string, spec: PartitionedTable): string {
  const c = `${row}.${q(spec.column)}`;
  return `CASE WHEN ${c} GLOB ${MONTH_GLOB} THEN substr(${c}, 1, ${spec.yearly ? 4 : 7}) ELSE '${UNDATED}' END`;
}

/** The part a month (`YYYY-MM`) falls in, for this table. */
function partOfMonth(spec: PartitionedTable | undefined, month: string): string {
  return spec?.yearly ? month.slice(0, 4) : month.slice(0, 7);
}

/** The rows of one partition, as a WHERE condition; the range lets SQLite use an index on the column. */
function partWhere(spec: PartitionedTable, part: string): { sql: string; params: string[] } {
  const c = q(spec.column);
  if (part === UNDATED) return { sql: `(${c} IS NULL OR ${c} NOT GLOB ${MONTH_GLOB})`, params: [] };
  return { sql: `${c} >= ? AND ${c} <= ? AND substr(${c}, 1, ${part.length}) = ? AND ${c} GLOB ${MONTH_GLOB}`, params: [part, `${part}\u{10FFFF}`, part] };
}

const PART_FILE = /^([A-Za-z_][A-Za-z0-9_]*)\.(\d{4}-\d{2}|\d{4}|undated)\.g(\d+)\.sqlite$/;

export function partsDir(file: string): string {
  return `${file}.parts`;
}

interface CatalogRow {
  tbl: string;
  part: string;
  generation: number;
  file: string;
  row_count: number;
}

interface DiskStamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

function sameStamp(a: DiskStamp | undefined, b: DiskStamp | undefined): boolean {
  return !!a && !!b && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

async function stampOf(file: string): Promise<DiskStamp | undefined> {
  try {
    const s = await stat(file);
    return { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function statStampSync(file: string): DiskStamp | undefined {
  try {
    const st = statSync(file);
    return { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
  } catch {
    return undefined;
  }
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

const rows = selectRows;

/** `CREATE TABLE x …` as `CREATE TABLE <schema>.x …` (the statement text kept in sqlite_master). */
function inSchema(sql: string, schema: string): string {
  const m = /^\s*CREATE\s+(?:UNIQUE\s+)?(?:TABLE|INDEX|VIEW|TRIGGER)\s+(?:IF\s+NOT\s+EXISTS\s+)?/i.exec(sql);
  if (!m) throw new Error(`unexpected schema statement: ${sql.slice(0, 60)}`);
  const rest = sql.slice(m[0].length).replace(/^(?:main|"main"|\[main\]|`main`)\s*\.\s*/i, '');
  return `${m[0]}${schema}.${rest}`;
}

interface SchemaObject {
  type: string;
  name: string;
  tbl_name: string;
  sql: string;
}

const ORDER = "CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'view' THEN 2 ELSE 3 END, rowid";

function schemaObjects(db: Database, schema: string): SchemaObject[] {
  return rows<SchemaObject>(db, `SELECT type, name, tbl_name, sql FROM ${schema}.sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY ${ORDER}`);
}

/**
 * The live database of one store and the files it is saved to. Not safe for two callers at once:
 * the owner (LiveStore) runs one operation at a time, and saves only under the store's file lock.
 */
export class StoreEngine {
  /** Generation loaded per `table/part`; -1 for a listed file that could not be read. */
  private readonly loaded = new Map<string, number>();
  /** Months loaded inside a transaction that may still roll back (see `ensure`). */
  private readonly tentative = new Set<string>();
  /** Stamp of the store file as last read or written by this engine. */
  private stamp: DiskStamp | undefined;
  /** The store file as last read or written: a save refuses to replace a different one (storeFile.ts). */
  private fingerprint: StoreFingerprint | undefined;
  /** Listed partitions whose file was missing or unreadable: dropped from the list by the next save. */
  private readonly lost = new Set<string>();
  /** Messages about partition files a user should know of (missing, corrupt), newest last. */
  readonly problems: string[] = [];
  /** Set when the live database holds changes that are not in the files yet (an upgrade, an adoption). */
  unsaved = false;

  private constructor(
    private readonly SQL: SqlJsStatic,
    readonly store: MetricsStore,
    readonly file: string,
    private readonly logger: Logger,
    /** Set when the store file was unreadable and was moved aside. */
    readonly movedAside: string | undefined,
    /** Partitions load when an operation needs them (`ensure`), not at open: the live store's way. */
    private readonly lazy: boolean,
  ) {}

  get db(): Database {
    return this.store.db;
  }

  /**
   * Loads the store file and every partition it lists. A missing store file gives an empty store; an
   * unreadable one is moved aside (never overwritten), and the partition files found beside it are
   * taken over (the newest generation of each month), since they hold rows no other file has.
   */
  static async open(SQL: SqlJsStatic, file: string, logger: Logger, options: OpenOptions & { lazy?: boolean } = {}): Promise<StoreEngine> {
    for (let attempt = 0; ; attempt++) {
      const stamp = await stampOf(file);
      const { db, missing, fingerprint: loaded } = await readMain(SQL, file, logger, options.write ?? false);
      const store = MetricsStore.fromDatabase(db, file);
      const engine = new StoreEngine(SQL, store, file, logger, undefined, options.lazy ?? false);
      store.attachEngine(engine, options.lazy ? (needs) => void engine.ensure(needs) : undefined);
      engine.stamp = missing ? undefined : stamp;
      engine.fingerprint = loaded;
      const movedAside = undefined;
      try {
        engine.createDirtyLog();
        engine.markUnpartitionedRows();
        if (movedAside || missing) await engine.adoptPartitionFiles();
        const raced = await engine.loadListedPartitions();
        if (raced && attempt < 5) {
          store.close();
          continue;
        }
        engine.installDirtyTriggers();
        engine.runPendingTasks();
        return engine;
      } catch (err) {
        store.close();
        throw err;
      }
    }
  }

  /**
   * If another process saved the store since this engine last read or wrote it, brings the live
   * database up to date: the store file's tables are copied in (they are small), and of the
   * partitions only those whose generation changed are reloaded. Returns whether anything changed.
   */
  async refreshFromDisk(opts: { moveAsideUnreadable?: boolean } = {}): Promise<string | undefined> {
    for (let attempt = 0; attempt < 6; attempt++) {
      const now = await stampOf(this.file);
      if (!now || sameStamp(now, this.stamp)) return undefined;
      let bytes: Buffer;
      try {
        bytes = await readFile(this.file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
      let ok = false;
      try {
        const incoming = new this.SQL.Database(bytes);
        try {
          ok = incoming.exec('PRAGMA quick_check')[0]?.values[0]?.[0] === 'ok';
        } finally {
          incoming.close();
        }
      } catch {
        ok = false;
      }
      if (!ok) {
        // Damaged by something else than a save (saves are atomic). A writer moves it aside before
        // saving what memory holds (the last good state), so that it is never overwritten.
        if (!opts.moveAsideUnreadable) {
          this.logger.warn(`The store ${this.file} changed on disk but is not a readable SQLite database; keeping the copy in memory.`);
          return undefined;
        }
        const aside = await moveAside(this.file);
        this.fingerprint = undefined;
        this.logger.warn(`The store ${this.file} is not a readable SQLite database; moved it to ${aside} and kept the copy in memory, which the next save writes.`);
        this.stamp = undefined;
        this.unsaved = true;
        return aside;
      }
      this.quietly(() => this.syncMainFrom(bytes));
      this.stamp = now;
      this.fingerprint = await fingerprint(await resolveStoreTarget(this.file));
      const raced = await this.loadListedPartitions();
      if (!raced) return undefined;
    }
    return undefined;
  }

  /**
   * Writes what changed: the partitions touched since the last save, as new files, then the store
   * file listing them (the commit point), then removes the files the list no longer names. The caller
   * holds the store's file lock.
   */
  async save(): Promise<void> {
    await this.removeLeftovers();
    this.ensureDirtyLog();
    const dirty = rows<{ tbl: string; part: string }>(this.db, 'SELECT DISTINCT tbl, part FROM temp._cm_dirty ORDER BY tbl, part');
    const dir = partsDir(this.file);
    const replaced: string[] = [];
    if (dirty.length) await mkdir(dir, { recursive: true });
    let generation = this.nextGeneration();
    for (const { tbl, part } of dirty) {
      const spec = PARTITIONED.find((p) => p.table === tbl);
      if (!spec) continue;
      const before = rows<CatalogRow>(this.db, 'SELECT * FROM _cm_partitions WHERE tbl = ? AND part = ?', [tbl, part])[0];
      // A month written while not in memory: its file's rows join the new ones before it is rewritten.
      if (before && !this.loaded.has(`${tbl}/${part}`)) this.loadOne(before, true);
      const { bytes, count } = this.partitionImage(spec, part);
      if (count === 0) {
        this.quietly(() => this.db.run('DELETE FROM _cm_partitions WHERE tbl = ? AND part = ?', [tbl, part]));
        this.loaded.delete(`${tbl}/${part}`);
      } else {
        const name = `${tbl}.${part}.g${generation}.sqlite`;
        await writeStoreFile(path.join(dir, name), bytes);
        this.quietly(() =>
          this.db.run('INSERT OR REPLACE INTO _cm_partitions (tbl, part, generation, file, row_count) VALUES (?, ?, ?, ?, ?)', [tbl, part, generation, name, count]),
        );
        this.loaded.set(`${tbl}/${part}`, generation);
        generation++;
      }
      this.lost.delete(`${tbl}/${part}`);
      if (before) replaced.push(before.file);
    }
    for (const key of this.lost) {
      const [tbl, part] = key.split('/') as [string, string];
      this.quietly(() => this.db.run('DELETE FROM _cm_partitions WHERE tbl = ? AND part = ?', [tbl, part]));
    }
    this.lost.clear();
    markOurs(this.db);
    this.fingerprint = await writeStoreFile(this.file, this.mainImage(), this.fingerprint);
    this.stamp = await stampOf(this.file);
    this.db.exec('DELETE FROM temp._cm_dirty');
    this.unsaved = false;
    for (const name of replaced) {
      if (!this.listedFiles().has(name)) await rm(path.join(dir, name), { force: true });
    }
  }

  /**
   * Removes what interrupted saves left in the partition folder: files the store file does not list,
   * and temp files. Only under the store's file lock (a writer's new files are unlisted until its
   * store file lands), and only after the store file was read (never after it was moved aside).
   */
  async removeLeftovers(): Promise<string[]> {
    if (this.movedAside || !this.stamp) return [];
    const dir = partsDir(this.file);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const listed = this.listedFiles();
    const removed: string[] = [];
    for (const name of names) {
      const leftover = (PART_FILE.test(name) && !listed.has(name)) || (name.startsWith('.') && name.endsWith('.tmp'));
      if (!leftover) continue;
      await rm(path.join(dir, name), { force: true });
      removed.push(name);
    }
    return removed;
  }

  close(): void {
    this.store.close();
  }

  /**
   * Work a migration left to the open (`_cm_pending`, migration 9): the GH Archive day totals of a
   * store written before them. Done in memory and saved by the first write (`unsaved`), so that a
   * read-only open gets the same answers.
   */
  private runPendingTasks(): void {
    const pending = rows<{ task: string }>(this.db, 'SELECT task FROM _cm_pending');
    if (!pending.some((p) => p.task === DAY_TOTALS_TASK)) return;
    this.ensure({ gharchive_hours: true });
    const listed = rows<{ part: string }>(this.db, "SELECT part FROM _cm_partitions WHERE tbl = 'gharchive_events'").map((r) => r.part);
    const started = Date.now();
    const written = backfillDayTotals(this.store, listed, (month, fn) => this.scanMonth('gharchive_events', month, fn));
    this.db.run('DELETE FROM _cm_pending WHERE task = ?', [DAY_TOTALS_TASK]);
    this.unsaved = true;
    this.logger.info(`Computed the GH Archive day totals of ${this.file} once (${written} repository-days, ${Date.now() - started} ms).`);
  }

  /**
   * Runs `fn` over one listed month of a partitioned table as it is in its file, attached as the
   * schema it is given, without loading it into the live table (nothing stays in memory after).
   * False when the file is missing or unreadable (left for a load to report).
   */
  scanMonth(table: PartitionedName, part: string, fn: (schema: string) => void): boolean {
    const row = rows<CatalogRow>(this.db, 'SELECT * FROM _cm_partitions WHERE tbl = ? AND part = ?', [table, part])[0];
    if (!row) return false;
    let bytes: Buffer;
    try {
      bytes = readFileSync(path.join(partsDir(this.file), row.file));
    } catch {
      return false;
    }
    let scan: ReturnType<typeof attachFile> | undefined;
    try {
      scan = attachFile(this.SQL, this.db, 'cm_scan', bytes);
      fn('cm_scan');
      return true;
    } catch (err) {
      this.logger.warn(`Could not read ${row.file} of ${this.file} for a scan: ${(err as Error).message}`);
      return false;
    } finally {
      scan?.detach();
    }
  }

  // ---- internals ----

  private listedFiles(): Set<string> {
    return new Set(rows<{ file: string }>(this.db, 'SELECT file FROM _cm_partitions').map((r) => r.file));
  }

  private nextGeneration(): number {
    const listed = Number(rows<{ g: number | null }>(this.db, 'SELECT MAX(generation) AS g FROM _cm_partitions')[0]?.g ?? 0);
    return Math.max(listed, ...this.loaded.values(), 0) + 1;
  }

  /**
   * The dirty log and its triggers are temp objects, which SQLite deletes when `temp_store` changes
   * (a user's SQL may set it). Missing at save time means changes were not logged: every month of
   * every partitioned table is then saved, so that nothing is lost.
   */
  private ensureDirtyLog(): void {
    const present = Number(this.db.exec("SELECT COUNT(*) FROM sqlite_temp_master WHERE type = 'trigger' AND name LIKE '\\_cm\\_dirty\\_%' ESCAPE '\\'")[0]?.values[0]?.[0] ?? 0);
    const log = this.db.exec("SELECT 1 FROM sqlite_temp_master WHERE name = '_cm_dirty'").length > 0;
    if (log && present === PARTITIONED.length * 3) return;
    this.logger.debug('The store\'s change log was reset (temp_store changed); saving every partition.');
    this.createDirtyLog();
    for (const spec of PARTITIONED) {
      this.db.exec(`INSERT INTO temp._cm_dirty SELECT DISTINCT '${spec.table}', ${partExpr(`main.${q(spec.table)}`, spec)} FROM main.${q(spec.table)}`);
    }
    this.installDirtyTriggers();
  }

  private createDirtyLog(): void {
    // temp_store is left at SQLite's default (temp objects and sorts in sql.js's in-memory files, not
    // row by row in the WebAssembly heap: bench/models.ts).
    // No unique constraint: the conflict clause of the statement that fires a trigger overrides the
    // trigger's own (an `INSERT OR ABORT` into a table would make a repeated month an error here).
    this.db.exec('CREATE TEMP TABLE IF NOT EXISTS _cm_dirty (tbl TEXT NOT NULL, part TEXT NOT NULL); CREATE INDEX IF NOT EXISTS temp._cm_dirty_key ON _cm_dirty (tbl, part)');
  }

  /** Rows kept in the store file's own copy of a partitioned table (a store from before partitions). */
  private markUnpartitionedRows(): void {
    for (const spec of PARTITIONED) {
      const n = this.db.exec(`SELECT 1 FROM main.${q(spec.table)} LIMIT 1`);
      if (!n.length) continue;
      this.db.exec(`INSERT INTO temp._cm_dirty SELECT DISTINCT '${spec.table}', ${partExpr(`main.${q(spec.table)}`, spec)} FROM main.${q(spec.table)}`);
      this.unsaved = true;
    }
  }

  private installDirtyTriggers(): void {
    for (const spec of PARTITIONED) {
      const { table } = spec;
      const t = q(table);
      const log = (row: string) =>
        `INSERT INTO temp._cm_dirty SELECT '${table}', p FROM (SELECT ${partExpr(row, spec)} AS p) WHERE NOT EXISTS (SELECT 1 FROM temp._cm_dirty WHERE tbl = '${table}' AND part = p);`;
      this.db.exec(`
        CREATE TEMP TRIGGER IF NOT EXISTS "_cm_dirty_${table}_i" AFTER INSERT ON main.${t} BEGIN ${log('NEW')} END;
        CREATE TEMP TRIGGER IF NOT EXISTS "_cm_dirty_${table}_d" AFTER DELETE ON main.${t} BEGIN ${log('OLD')} END;
        CREATE TEMP TRIGGER IF NOT EXISTS "_cm_dirty_${table}_u" AFTER UPDATE ON main.${t} BEGIN ${log('OLD')} ${log('NEW')} END;`);
    }
  }

  private dropDirtyTriggers(): void {
    for (const { table } of PARTITIONED) {
      for (const k of ['i', 'd', 'u']) this.db.exec(`DROP TRIGGER IF EXISTS temp."_cm_dirty_${table}_${k}"`);
    }
  }

  /** Runs internal copies without logging them as changes to save. */
  private quietly<T>(fn: () => T): T {
    this.dropDirtyTriggers();
    try {
      return fn();
    } finally {
      this.installDirtyTriggers();
    }
  }

  /**
   * Brings the loaded partitions in line with the list: in an eager engine every listed partition whose
   * generation differs from the one in memory is loaded; in a lazy one only those already loaded are
   * reloaded (the others load when an operation needs them). Returns true when a listed file vanished
   * because another process replaced it meanwhile (the caller reads again).
   */
  private async loadListedPartitions(): Promise<boolean> {
    const listed = rows<CatalogRow>(this.db, 'SELECT * FROM _cm_partitions ORDER BY tbl, part');
    const wanted = new Set<string>();
    for (const row of listed) {
      const key = `${row.tbl}/${row.part}`;
      wanted.add(key);
      if (this.loaded.get(key) === row.generation) continue;
      if (this.lazy && !this.loaded.has(key)) continue;
      if (this.loadOne(row, false) === 'raced') return true;
    }
    // Months another process dropped (emptied) since this engine loaded them.
    for (const key of [...this.loaded.keys()]) {
      if (wanted.has(key)) continue;
      const [tbl, part] = key.split('/') as [string, string];
      const spec = PARTITIONED.find((p) => p.table === tbl);
      if (spec) this.quietly(() => this.clearPart(spec, part));
      this.loaded.delete(key);
    }
    return false;
  }

  /**
   * Loads the partitions `needs` names that are not in memory yet (the store file's other tables always
   * are). Synchronous, so that code deep in a read can ask for what its SQL reads right before running
   * it; call it outside a transaction (a rollback would take the loaded rows back out). Returns true
   * when a listed file vanished because another process replaced it (the caller picks up and retries).
   */
  ensure(needs: Needs): boolean {
    if (!this.lazy || (needs !== 'all' && Object.keys(needs).length === 0)) return false;
    const listed = rows<CatalogRow>(this.db, 'SELECT * FROM _cm_partitions ORDER BY tbl, part');
    let raced = false;
    let inTransaction: boolean | undefined;
    for (const row of listed) {
      const key = `${row.tbl}/${row.part}`;
      if (this.loaded.has(key)) continue;
      const need = needs === 'all' ? true : needs[row.tbl as PartitionedName];
      if (need === undefined) continue;
      if (need !== true && (row.part === UNDATED || row.part < partOfMonth(PARTITIONED.find((p) => p.table === row.tbl), need))) continue;
      inTransaction ??= this.inTransaction();
      const result = this.loadOne(row, false);
      if (result === 'raced') raced = true;
      // Loaded inside a transaction: a rollback takes the rows back out, so the month counts as
      // loaded only until the write ends (forgetTentative); loading it again is always correct.
      if (result === 'ok' && inTransaction) this.tentative.add(key);
    }
    return raced;
  }

  /** After a write: months loaded inside its transaction are loaded again when next needed. */
  forgetTentative(): void {
    for (const key of this.tentative) this.loaded.delete(key);
    this.tentative.clear();
  }

  private inTransaction(): boolean {
    try {
      this.db.exec('BEGIN');
    } catch {
      return true;
    }
    this.db.exec('COMMIT');
    return false;
  }

  /** How many listed partitions are in memory, of how many (for the bench and the tests). */
  loadedCount(): { loaded: number; listed: number } {
    const listed = Number(this.db.exec('SELECT COUNT(*) FROM _cm_partitions')[0]?.values[0]?.[0] ?? 0);
    return { loaded: [...this.loaded.values()].filter((g) => g >= 0).length, listed };
  }

  /**
   * Reads one listed partition file into the live table: replacing the month's rows, or with `merge`
   * (a month written while not loaded) adding the file's rows under the ones written since, which win
   * (every write to a partitioned table that is not declared as a need is an insert or an upsert
   * whose new row is whole). A missing or unreadable file is reported and its month left empty.
   */
  private loadOne(row: CatalogRow, merge: boolean): 'ok' | 'raced' | 'lost' {
    const key = `${row.tbl}/${row.part}`;
    const spec = PARTITIONED.find((p) => p.table === row.tbl);
    if (!spec) return 'ok';
    const full = path.join(partsDir(this.file), row.file);
    let bytes: Buffer;
    try {
      bytes = readFileSync(full);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StoreError(`Cannot read the partition ${full}: ${(err as Error).message}`, full);
      if (this.stamp && !sameStamp(statStampSync(this.file), this.stamp)) return 'raced';
      this.report(
        key,
        `The partition ${full} listed in ${this.file} is missing (deleted or moved by hand?): the ${row.row_count} ${row.tbl} rows of ${row.part} it held are not in the store. Put the file back to get them back; the rest of the store is open.`,
      );
      if (!merge) this.quietly(() => this.clearPart(spec, row.part));
      return 'lost';
    }
    try {
      this.quietly(() => this.replacePart(spec, row.part, bytes, merge));
      this.loaded.set(key, row.generation);
      return 'ok';
    } catch (err) {
      // Only a file SQLite cannot read is moved aside; any other failure (memory, the live side)
      // is an error of this call, and the file stays where it is.
      if (!/not a database|malformed|corrupt|it has no table|refused to copy|copying .* failed/i.test((err as Error).message)) throw err;
      const aside = `${full}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      try {
        renameSync(full, aside);
      } catch {
        // left in place: reported below all the same
      }
      this.report(
        key,
        `The partition ${full} is not a readable SQLite database (${(err as Error).message}); moved it to ${aside}. The ${row.row_count} ${row.tbl} rows of ${row.part} it held are not in the store; the rest of the store is open.`,
      );
      if (!merge) this.quietly(() => this.clearPart(spec, row.part));
      return 'lost';
    }
  }

  private report(key: string, message: string): void {
    this.loaded.set(key, -1);
    this.lost.add(key);
    this.problems.push(message);
    this.logger.warn(message);
  }

  private clearPart(spec: PartitionedTable, part: string): void {
    const where = partWhere(spec, part);
    this.db.run(`DELETE FROM main.${q(spec.table)} WHERE ${where.sql}`, where.params);
  }

  /** Replaces the live rows of one month with those of a partition file's bytes. */
  private replacePart(spec: PartitionedTable, part: string, bytes: Uint8Array, merge = false): void {
    // SQLite cannot detach a schema read inside a transaction: there, rows are copied one by one
    // from a connection of their own (slower; writes declare their needs so that it is rare).
    if (this.inTransaction()) return this.copyPartRows(spec, part, bytes, merge);
    const part_ = attachFile(this.SQL, this.db, 'cm_part', bytes);
    try {
      // No quick_check (it costs as much as the copy): the copy below reads every row, and a damaged
      // page makes it fail, which moves the file aside as well.
      const cols = rows<{ name: string }>(this.db, `SELECT name FROM pragma_table_info(?, 'main')`, [spec.table]).map((r) => q(r.name));
      const has = rows<{ name: string }>(this.db, `SELECT name FROM pragma_table_info(?, 'cm_part')`, [spec.table]).map((r) => q(r.name));
      if (has.length === 0) throw new Error(`it has no table ${spec.table}`);
      const common = cols.filter((c) => has.includes(c)).join(', ');
      this.inSavepoint(() => {
        if (!merge) this.clearPart(spec, part);
        // Same columns in the same order: `SELECT *` lets SQLite copy records as they are into an empty table.
        const sameShape = cols.join() === has.join();
        this.db.exec(
          sameShape
            ? `INSERT OR IGNORE INTO main.${q(spec.table)} SELECT * FROM cm_part.${q(spec.table)}`
            : `INSERT OR IGNORE INTO main.${q(spec.table)} (${common}) SELECT ${common} FROM cm_part.${q(spec.table)}`,
        );
      });
    } finally {
      part_.detach();
    }
  }

  /** Runs `fn` in a savepoint: all of it, or none of it (inside a transaction or not). */
  private inSavepoint(fn: () => void): void {
    this.db.exec('SAVEPOINT cm_load');
    try {
      fn();
      this.db.exec('RELEASE cm_load');
    } catch (err) {
      this.db.exec('ROLLBACK TO cm_load');
      this.db.exec('RELEASE cm_load');
      throw err;
    }
  }

  private copyPartRows(spec: PartitionedTable, part: string, bytes: Uint8Array, merge: boolean): void {
    const src = new this.SQL.Database(bytes);
    try {
      const cols = rows<{ name: string }>(this.db, `SELECT name FROM pragma_table_info(?, 'main')`, [spec.table]).map((r) => r.name);
      const has = new Set(rows<{ name: string }>(src, `SELECT name FROM pragma_table_info(?)`, [spec.table]).map((r) => r.name));
      if (has.size === 0) throw new Error(`it has no table ${spec.table}`);
      const common = cols.filter((c) => has.has(c)).map(q);
      const read = src.prepare(`SELECT ${common.join(', ')} FROM ${q(spec.table)}`);
      const write = this.db.prepare(`INSERT OR IGNORE INTO main.${q(spec.table)} (${common.join(', ')}) VALUES (${common.map(() => '?').join(', ')})`);
      try {
        this.inSavepoint(() => {
          if (!merge) this.clearPart(spec, part);
          while (read.step()) write.run(read.get());
        });
      } finally {
        read.free();
        write.free();
      }
    } finally {
      src.close();
    }
  }

  /** One month of a partitioned table as a standalone SQLite file (the table and its indexes). */
  private partitionImage(spec: PartitionedTable, part: string): { bytes: Uint8Array; count: number } {
    const stage = attachFile(this.SQL, this.db, 'cm_stage');
    try {
      this.db.exec('PRAGMA cm_stage.journal_mode = OFF');
      for (const o of schemaObjects(this.db, 'main')) {
        if (o.tbl_name === spec.table && (o.type === 'table' || o.type === 'index')) this.db.exec(inSchema(o.sql, 'cm_stage'));
      }
      const where = partWhere(spec, part);
      this.db.run(`INSERT INTO cm_stage.${q(spec.table)} SELECT * FROM main.${q(spec.table)} WHERE ${where.sql}`, where.params);
      const count = this.db.getRowsModified();
      stage.detachSchema();
      return { bytes: count ? stage.file.export() : new Uint8Array(), count };
    } finally {
      stage.detach();
    }
  }

  /** The store file: every object of `main`, with the rows of every table but the partitioned ones. */
  private mainImage(): Uint8Array {
    const skip = new Set(PARTITIONED.map((p) => p.table));
    const stage = attachFile(this.SQL, this.db, 'cm_stage');
    try {
      this.db.exec('PRAGMA cm_stage.journal_mode = OFF');
      const objects = schemaObjects(this.db, 'main');
      this.db.exec('BEGIN');
      try {
        for (const o of objects) if (o.type === 'table' || o.type === 'index') this.db.exec(inSchema(o.sql, 'cm_stage'));
        for (const o of objects) {
          if (o.type === 'table' && !skip.has(o.name) && !/^CREATE\s+VIRTUAL/i.test(o.sql)) this.db.exec(`INSERT INTO cm_stage.${q(o.name)} SELECT * FROM main.${q(o.name)}`);
        }
        if (this.db.exec("SELECT 1 FROM main.sqlite_master WHERE name = 'sqlite_sequence'").length) {
          this.db.exec('INSERT INTO cm_stage.sqlite_sequence SELECT * FROM main.sqlite_sequence');
        }
        this.db.exec(`PRAGMA cm_stage.user_version = ${this.store.schemaVersion}`);
        this.db.exec(`PRAGMA cm_stage.application_id = ${APPLICATION_ID}`);
        this.db.exec('COMMIT');
      } catch (err) {
        this.db.exec('ROLLBACK');
        throw err;
      }
      // Views and triggers are made in the copy, where it is `main`: SQLite refuses a view of an
      // attached schema that names `"main"."x"` (the qualified relations models compile to).
      stage.detachSchema();
      for (const o of objects) if (o.type === 'view' || o.type === 'trigger') stage.file.exec(o.sql);
      return stage.file.export();
    } finally {
      stage.detach();
    }
  }

  /**
   * Makes `main` (all but the partitioned tables' rows) equal to the store file another process
   * saved: objects that differ are dropped and recreated, every other table's rows replaced.
   */
  private syncMainFrom(bytes: Uint8Array): void {
    const skip = new Set(PARTITIONED.map((p) => p.table));
    const incomingFile = attachFile(this.SQL, this.db, 'cm_incoming', bytes);
    try {
      const live = schemaObjects(this.db, 'main');
      const incoming = schemaObjects(this.db, 'cm_incoming');
      const key = (o: SchemaObject) => `${o.type}\u0000${o.name}\u0000${o.sql}`;
      const incomingKeys = new Set(incoming.map(key));
      const liveKeys = new Set(live.map(key));
      this.db.exec('BEGIN');
      try {
        // Dependants first (views, triggers, indexes), then tables.
        for (const o of [...live].reverse()) {
          if (incomingKeys.has(key(o)) || skip.has(o.tbl_name)) continue;
          this.db.exec(`DROP ${o.type.toUpperCase()} IF EXISTS main.${q(o.name)}`);
        }
        for (const o of incoming) {
          if (o.type === 'table' && !liveKeys.has(key(o)) && !skip.has(o.name)) this.db.exec(o.sql);
        }
        for (const o of incoming) {
          if (o.type !== 'table' || skip.has(o.name) || /^CREATE\s+VIRTUAL/i.test(o.sql)) continue;
          this.db.exec(`DELETE FROM main.${q(o.name)}`);
          this.db.exec(`INSERT INTO main.${q(o.name)} SELECT * FROM cm_incoming.${q(o.name)}`);
        }
        for (const o of incoming) {
          if (o.type !== 'table' && !liveKeys.has(key(o))) this.db.exec(o.sql);
        }
        const version = Number(this.db.exec('PRAGMA cm_incoming.user_version')[0]?.values[0]?.[0] ?? 0);
        this.db.exec(`PRAGMA main.user_version = ${version}`);
        this.db.exec('COMMIT');
      } catch (err) {
        this.db.exec('ROLLBACK');
        throw err;
      }
    } finally {
      incomingFile.detach();
    }
  }

  /** After the store file was lost: list the newest generation of every month found in the folder. */
  private async adoptPartitionFiles(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(partsDir(this.file));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const newest = new Map<string, { tbl: string; part: string; generation: number; file: string }>();
    for (const name of names) {
      const m = PART_FILE.exec(name);
      if (!m || !PARTITIONED.some((p) => p.table === m[1])) continue;
      const k = `${m[1]}/${m[2]}`;
      const generation = Number(m[3]);
      if ((newest.get(k)?.generation ?? -1) < generation) newest.set(k, { tbl: m[1] as string, part: m[2] as string, generation, file: name });
    }
    if (newest.size === 0) return;
    this.quietly(() => {
      for (const p of newest.values()) {
        this.db.run('INSERT OR REPLACE INTO _cm_partitions (tbl, part, generation, file, row_count) VALUES (?, ?, ?, ?, 0)', [p.tbl, p.part, p.generation, p.file]);
      }
    });
    this.unsaved = true;
    this.logger.warn(`Took over ${newest.size} partition file(s) found in ${partsDir(this.file)} for the new store ${this.file}.`);
  }
}

/**
 * Reads and checks the store file (storeFile.ts: through symlinks, refusing another program's file).
 * An unreadable one is a StoreCorruptError; a writer moves it aside first and the error says where.
 */
async function readMain(SQL: SqlJsStatic, file: string, logger: Logger, write: boolean): Promise<{ db: Database; missing?: boolean; fingerprint: StoreFingerprint }> {
  if (write) await cleanupInterruptedSaves(file, logger);
  const { bytes, fingerprint: loaded } = await readStoreFile(file);
  if (!bytes) return { db: new SQL.Database(), missing: true, fingerprint: loaded };
  try {
    return { db: openVerified(SQL, file, bytes), fingerprint: loaded };
  } catch (err) {
    if (!(err instanceof StoreCorruptError) || !write) throw err;
    const aside = await moveAside(file);
    logger.error(`The store ${file} is not a readable SQLite database (${err.reason}); moved it to ${aside}.`);
    throw new StoreCorruptError(file, err.reason, aside);
  }
}
