import { constants } from 'node:fs';
import { access, lstat, mkdir, open, readFile, readdir, readlink, realpath, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Database, SqlJsStatic } from 'sql.js';
import type { Logger } from '../log';

/**
 * The store FILE: reading and verifying it, moving a corrupt one aside, saving atomically through
 * symlinks with its mode kept, and clearing what interrupted saves left. Functions of the file only, so
 * that every engine that keeps a store in a file (today MetricsStore.open/updateStore) calls the same.
 */

/** `PRAGMA application_id` of our stores ("CMet"), so another program's SQLite file is never taken for ours. */
export const APPLICATION_ID = 0x434d6574;
/** Tables every store of ours has had since its first version, for stores made before the application id. */
const OUR_BOOKKEEPING_TABLES = ['http_validators', 'sync_state', 'github_stars'];

export class StoreError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** The store file is not a readable SQLite database. `movedAside` is where a writer put it. */
export class StoreCorruptError extends StoreError {
  constructor(
    file: string,
    readonly reason: string,
    readonly movedAside?: string,
  ) {
    super(
      movedAside
        ? `The store ${file} is not a readable SQLite database (${reason}). It was moved to ${movedAside}; the next command starts a new, empty store. Restore a backup to ${file} to keep its history.`
        : `The store ${file} is not a readable SQLite database (${reason}). Nothing was changed; the next refresh or build moves it aside and starts a new store, or restore a backup to ${file}.`,
      file,
    );
    this.name = 'StoreCorruptError';
  }
}

/** A SQLite file of another program at the store path: refused and left as it is. */
export class ForeignStoreError extends StoreError {
  constructor(file: string, detail: string) {
    super(`${file} is a SQLite database of another program (${detail}), not a Community Metrics store; it was left untouched. Choose another store path or move that file.`, file);
    this.name = 'ForeignStoreError';
  }
}

/** What the file was when it was loaded, to notice that someone else replaced it before we save. */
export interface StoreFingerprint {
  exists: boolean;
  dev?: number;
  ino?: number;
  size?: number;
  mtimeMs?: number;
}

export class StoreConflictError extends StoreError {
  constructor(file: string) {
    super(`The store ${file} was changed by another process since this command loaded it; not saving over rows this command never saw. Run the command again.`, file);
    this.name = 'StoreConflictError';
  }
}

/** The file a path finally names, following symlinks even when the last one points at nothing yet. */
export async function resolveStoreTarget(file: string): Promise<string> {
  let current = path.resolve(file);
  for (let hops = 0; hops < 40; hops++) {
    let info;
    try {
      info = await lstat(current);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        // The folder part may itself be a link; resolve what exists of it.
        try {
          return path.join(await realpath(path.dirname(current)), path.basename(current));
        } catch {
          return current;
        }
      }
      throw err;
    }
    if (!info.isSymbolicLink()) return realpath(current);
    current = path.resolve(path.dirname(current), await readlink(current));
  }
  throw new StoreError(`Too many symbolic links from ${file}`, file);
}

export async function fingerprint(target: string): Promise<StoreFingerprint> {
  try {
    const s = await stat(target);
    return { exists: true, dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false };
    throw err;
  }
}

function sameFingerprint(a: StoreFingerprint, b: StoreFingerprint): boolean {
  return a.exists === b.exists && a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

export interface LoadedStoreFile {
  /** Undefined when there is no file yet. */
  bytes?: Uint8Array;
  fingerprint: StoreFingerprint;
}

/** Reads the store file (through symlinks) with the fingerprint of what was read. */
export async function readStoreFile(file: string): Promise<LoadedStoreFile> {
  const target = await resolveStoreTarget(file);
  for (let attempt = 0; ; attempt++) {
    const before = await fingerprint(target);
    if (!before.exists) return { fingerprint: before };
    let bytes: Buffer;
    try {
      bytes = await readFile(target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && attempt < 3) continue;
      throw new StoreError(`Cannot read the store ${file}: ${(err as Error).message}`, file);
    }
    const after = await fingerprint(target);
    // Replaced while we read (a writer's rename): read again, so bytes and fingerprint agree.
    if (sameFingerprint(before, after) || attempt >= 3) return { bytes, fingerprint: after };
  }
}

/**
 * Opens the bytes as a database and checks that it is readable and ours. Throws StoreCorruptError
 * (without moving anything) or ForeignStoreError.
 */
export function openVerified(SQL: SqlJsStatic, file: string, bytes: Uint8Array): Database {
  if (bytes.length === 0) throw new StoreCorruptError(file, 'the file is empty');
  let db: Database | undefined;
  try {
    db = new SQL.Database(bytes);
    const verdict = db.exec('PRAGMA quick_check')[0]?.values[0]?.[0];
    if (verdict !== 'ok') throw new Error(`integrity check says ${String(verdict)}`);
  } catch (err) {
    db?.close();
    throw new StoreCorruptError(file, (err as Error).message);
  }
  const foreign = foreignReason(db);
  if (foreign) {
    db.close();
    throw new ForeignStoreError(file, foreign);
  }
  return db;
}

/** Why a readable database is not one of our stores, or undefined when it is ours (or empty). */
export function foreignReason(db: Database): string | undefined {
  const appId = Number(db.exec('PRAGMA application_id')[0]?.values[0]?.[0] ?? 0);
  if (appId === APPLICATION_ID) return undefined;
  if (appId !== 0) return `application_id ${appId}`;
  const objects = db.exec("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")[0]?.values.map((v) => String(v[0])) ?? [];
  if (objects.length === 0) return undefined;
  const version = Number(db.exec('PRAGMA user_version')[0]?.values[0]?.[0] ?? 0);
  const missing = OUR_BOOKKEEPING_TABLES.filter((t) => !objects.includes(t));
  if (version > 0 && missing.length === 0) return undefined;
  return `it has no ${missing.join(', ') || 'schema version'}`;
}

/** Marks a database as ours (idempotent; done on every writable open). */
export function markOurs(db: Database): void {
  db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
}

/** Renames a corrupt store (the link's target, when the store path is a symlink) and says where it went. */
export async function moveAside(file: string): Promise<string> {
  const target = await resolveStoreTarget(file);
  const aside = `${target}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await rename(target, aside);
  return aside;
}

/** Name of the temp file of one save; `.NAME.PID.TIME.tmp` beside the target. */
function tempName(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Date.now()}.tmp`);
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes the temp files of saves that were interrupted (a kill during a save leaves a full copy of
 * the store behind). Called by writers under the store lock; a temp file of a live process is kept.
 */
export async function cleanupInterruptedSaves(file: string, logger?: Logger): Promise<string[]> {
  const target = await resolveStoreTarget(file);
  const dir = path.dirname(target);
  const prefix = `.${path.basename(target)}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const m = /^(\d+)\.(\d+)\.tmp$/.exec(name.slice(prefix.length));
    if (!m || pidAlive(Number(m[1]))) continue;
    await rm(path.join(dir, name), { force: true });
    removed.push(name);
  }
  if (removed.length > 0) logger?.info(`Removed ${removed.length} temp file(s) of interrupted saves of ${file}`);
  return removed;
}

/**
 * Fails before any work when the store exists but may not be written: a file without any write
 * permission is a choice to respect (even by root, whom access() would let through), and a save would
 * otherwise replace it with a writable copy.
 */
export async function assertStoreWritable(file: string): Promise<void> {
  const target = await resolveStoreTarget(file);
  let code: string | undefined;
  try {
    if (((await stat(target)).mode & 0o222) === 0) code = 'no write permission';
    else await access(target, constants.W_OK);
  } catch (err) {
    code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
  }
  if (code) throw new StoreError(`The store ${file} is read-only (${code}); make it writable to save into it.`, file);
}

/**
 * Writes the store atomically: temp file beside the file the path finally names (so a symlinked store
 * keeps its link and the target gets the update), with that file's mode, fsync, rename, fsync folder.
 * With `expected`, refuses when the file is no longer the one that was loaded.
 */
export async function writeStoreFile(file: string, data: Uint8Array, expected?: StoreFingerprint): Promise<StoreFingerprint> {
  const target = await resolveStoreTarget(file);
  const dir = path.dirname(target);
  await mkdir(dir, { recursive: true });
  const current = await fingerprint(target);
  let mode = 0o644;
  if (current.exists) {
    await assertStoreWritable(target);
    mode = (await stat(target)).mode & 0o7777;
  }
  if (expected && !sameFingerprint(expected, current)) throw new StoreConflictError(file);
  const tmp = tempName(target);
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.writeFile(data);
    // The umask may have narrowed the mode given to open.
    await handle.chmod(mode);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    if (expected && !sameFingerprint(expected, await fingerprint(target))) throw new StoreConflictError(file);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
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
  return fingerprint(target);
}
