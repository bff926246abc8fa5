import { existsSync } from 'node:fs';
import { MetricsStore } from '../../core/store/store';
import type { ExtensionServices } from '../services';

/**
 * Opens the store file for one read (charts and insights never write), and closes it. A missing
 * store reads as an empty one, with every table present.
 */
export async function readStore<T>(s: ExtensionServices, fn: (store: MetricsStore) => T): Promise<T> {
  const SQL = await s.sql();
  const file = s.model.storeFile;
  const store = file && existsSync(file) ? (await MetricsStore.open(SQL, file, s.logger)).store : MetricsStore.create(SQL, ':memory:');
  try {
    return fn(store);
  } finally {
    store.close();
  }
}
