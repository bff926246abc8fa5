import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Database, SqlJsStatic } from 'sql.js';
import type { Logger } from '../log';
import { withFileLock } from '../store/lock';
import { MetricsStore, waitingMessage } from '../store/store';
import { resolveStoreTarget } from '../store/storeFile';

/**
 * One models session on the store file: lock it, load what is on disk, let the engine work (it may
 * take a while and await between nodes), then save atomically and unlock. The same lock as the
 * sources' refresh, so that a build and a refresh never write at the same time.
 */
export async function withStoreDatabase<T>(
  SQL: SqlJsStatic,
  file: string,
  logger: Logger,
  fn: (db: Database) => Promise<T>,
  options: { save?: boolean } = {},
): Promise<{ result: T; movedAside?: string }> {
  if (options.save === false) {
    // A reader: the atomic save means the file is always whole, so no lock; nothing on disk is
    // created, moved or removed (a corrupt store is an error here, not a reason to move it).
    const { store } = await MetricsStore.open(SQL, file, logger);
    try {
      return { result: await fn(store.db) };
    } finally {
      store.close();
    }
  }
  await mkdir(path.dirname(file), { recursive: true });
  return withFileLock(await resolveStoreTarget(file), async () => {
    const { store, movedAside } = await MetricsStore.open(SQL, file, logger, { write: true });
    try {
      const result = await fn(store.db);
      await store.save();
      return movedAside ? { result, movedAside } : { result };
    } finally {
      store.close();
    }
  }, { onWait: (owner) => logger.info(waitingMessage(file, owner)) });
}
