import { open, readFile, rm, stat } from 'node:fs/promises';
import { sleep } from '../http/client';

const STALE_MS = 60_000;

/**
 * An exclusive lock beside the store file (`<file>.lock`, created with O_EXCL), so that the CLI and
 * the extension never write the same store at the same time. A lock left by a dead process, or older
 * than a minute, is taken over.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const lockPath = `${file}.lock`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(JSON.stringify({ pid: process.pid, at: Date.now() }));
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (await isStale(lockPath)) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`The store ${file} is locked by another process (${lockPath}).`);
      await sleep(25 + Math.random() * 50);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}

async function isStale(lockPath: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(lockPath, 'utf8');
  } catch (err) {
    // Released in the meantime: not stale, just free. Treating it as stale would remove the *next*
    // holder's fresh lock and let two writers in at once (a lost update, seen under load).
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  try {
    const { pid, at } = JSON.parse(text) as { pid: number; at: number };
    if (Date.now() - at > STALE_MS) return true;
    if (pid === process.pid) return false;
    try {
      process.kill(pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  } catch {
    // Half-written lock: the writer is between open and write; give it a moment unless it lingers.
    try {
      return Date.now() - (await stat(lockPath)).mtimeMs > 5_000;
    } catch {
      return false;
    }
  }
}
