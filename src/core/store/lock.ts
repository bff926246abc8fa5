import { readFileSync } from 'node:fs';
import { open, readFile, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { sleep } from '../http/client';

/** A lock written on another machine (a shared folder) whose owner stopped beating this long ago is dead. */
const FOREIGN_HEARTBEAT_STALE_MS = 120_000;
const HEARTBEAT_MS = 15_000;
/** A lock file still empty this long after creation was left by a writer killed between open and write. */
const HALF_WRITTEN_STALE_MS = 5_000;
/** How long a writer waits for another one by default: builds and runs can take minutes. */
export const DEFAULT_LOCK_WAIT_MS = 15 * 60_000;

/** Who holds a lock: enough to tell a live owner from a dead one, and pid reuse from the same process. */
export interface LockOwner {
  pid: number;
  host: string;
  /** The process's start time in clock ticks since boot (Linux), so a reused pid is not taken for the owner. */
  start?: string;
  /** When the lock was taken (ms since epoch); informative only, never a reason to take the lock. */
  at: number;
}

export class StoreLockedError extends Error {
  constructor(
    readonly file: string,
    readonly owner: LockOwner | undefined,
  ) {
    super(
      `The store ${file} is locked by ${owner ? `process ${owner.pid}${owner.host !== hostname() ? ` on ${owner.host}` : ''}, since ${new Date(owner.at).toISOString()}` : 'another process'} (${file}.lock); try again when it has finished.`,
    );
    this.name = 'StoreLockedError';
  }
}

/** Start time of a process, from /proc (Linux); undefined where that cannot be read. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22, counted after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

let ownIdentity: LockOwner | undefined;
function self(): LockOwner {
  ownIdentity ??= { pid: process.pid, host: hostname(), at: 0, ...(processStart(process.pid) ? { start: processStart(process.pid) as string } : {}) };
  return { ...ownIdentity, at: Date.now() };
}

/**
 * Whether the process that wrote `owner` is certainly gone. Same machine: its pid does not exist, or
 * exists with another start time (reused). Another machine: its heartbeat stopped. Age alone never
 * makes a lock stale: a build may hold the store for many minutes, and taking its lock would let it
 * later save its older copy over everything written meanwhile.
 */
export function ownerIsDead(owner: LockOwner, lockMtimeMs: number): boolean {
  if (owner.host !== hostname()) return Date.now() - lockMtimeMs > FOREIGN_HEARTBEAT_STALE_MS;
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  if (owner.start !== undefined) {
    const start = processStart(owner.pid);
    if (start !== undefined && start !== owner.start) return true;
  }
  return false;
}

type LockState = { kind: 'free' } | { kind: 'held'; owner?: LockOwner } | { kind: 'dead'; text: string };

async function inspect(lockPath: string): Promise<LockState> {
  let text: string;
  let mtimeMs: number;
  try {
    text = await readFile(lockPath, 'utf8');
    mtimeMs = (await stat(lockPath)).mtimeMs;
  } catch (err) {
    // Released in the meantime: free, not stale. Treating it as stale would remove the *next*
    // holder's fresh lock and let two writers in at once.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'free' };
    throw err;
  }
  let owner: LockOwner;
  try {
    owner = JSON.parse(text) as LockOwner;
    if (typeof owner.pid !== 'number' || typeof owner.host !== 'string') throw new Error('not a lock');
  } catch {
    // Half-written: the writer is between open and write; give it a moment unless it lingers.
    return Date.now() - mtimeMs > HALF_WRITTEN_STALE_MS ? { kind: 'dead', text } : { kind: 'held' };
  }
  return ownerIsDead(owner, mtimeMs) ? { kind: 'dead', text } : { kind: 'held', owner };
}

async function tryCreate(lockPath: string, content: string): Promise<boolean> {
  try {
    const handle = await open(lockPath, 'wx');
    try {
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Removes a dead owner's lock. Two waiters may both find it dead; the removal is serialised by a
 * second O_EXCL file and the lock re-read under it, so that one waiter never removes the lock the
 * other has just taken.
 */
async function removeDeadLock(lockPath: string, deadText: string): Promise<void> {
  const takeover = `${lockPath}.takeover`;
  if (!(await tryCreate(takeover, JSON.stringify(self())))) {
    // Someone is taking over; their takeover file is removed within milliseconds unless they died.
    const state = await inspect(takeover);
    if (state.kind === 'dead') await rm(takeover, { force: true });
    else await sleep(10);
    return;
  }
  try {
    const text = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (text === deadText) await rm(lockPath, { force: true });
  } finally {
    await rm(takeover, { force: true });
  }
}

export interface FileLockOptions {
  /** Give up waiting for another writer after this long (default 15 minutes). */
  timeoutMs?: number;
  /** Told once when the lock is busy, with who holds it. */
  onWait?: (owner: LockOwner | undefined) => void;
}

/**
 * An exclusive lock beside the store file (`<file>.lock`, created with O_EXCL), so that the CLI and
 * the extension never write the same store at the same time. The lock is taken over only when its
 * owner is gone (see ownerIsDead); a live owner is waited for, however long it has held the lock.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, options: FileLockOptions | number = {}): Promise<T> {
  const opts = typeof options === 'number' ? { timeoutMs: options } : options;
  const lockPath = `${file}.lock`;
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_LOCK_WAIT_MS);
  let told = false;
  let mine = '';
  for (;;) {
    mine = JSON.stringify(self());
    if (await tryCreate(lockPath, mine)) break;
    const state = await inspect(lockPath);
    if (state.kind === 'free') continue;
    if (state.kind === 'dead') {
      await removeDeadLock(lockPath, state.text);
      continue;
    }
    if (Date.now() > deadline) throw new StoreLockedError(file, state.owner);
    if (!told) {
      told = true;
      opts.onWait?.(state.owner);
    }
    await sleep(25 + Math.random() * 75);
  }
  // The heartbeat tells waiters on other machines (a shared folder) that the owner is alive.
  const heartbeat = setInterval(() => void utimes(lockPath, new Date(), new Date()).catch(() => undefined), HEARTBEAT_MS);
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    // Only our own lock: never release one that another writer holds.
    if ((await readFile(lockPath, 'utf8').catch(() => undefined)) === mine) await rm(lockPath, { force: true });
  }
}
