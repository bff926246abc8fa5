import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Database, SqlJsStatic } from 'sql.js';
import type { Logger } from '../log';
import { withFileLock } from '../store/lock';
import { MetricsStore } from '../store/store';

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
  await mkdir(path.dirname(file), { recursive: true });
  return withFileLock(file, async () => {
    const { store, movedAside } = await MetricsStore.open(SQL, file, logger);
    try {
      const result = await fn(store.db);
      if (options.save ?? true) await store.save();
      return movedAside ? { result, movedAside } : { result };
    } finally {
      store.close();
    }
  });
}
