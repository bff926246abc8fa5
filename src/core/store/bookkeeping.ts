import type { Validators } from '../http/conditional';
import type { MetricsStore } from './store';

/**
 * The store's memory of earlier fetches: validators for conditional requests and per-dataset cursors.
 * Read once before a refresh (so that the network phase holds no lock) and written with the data they
 * describe, in the same transaction: a validator is never saved for data that was not.
 */
export interface SyncState {
  cursor?: string;
  fetchedAt: string;
}

export interface Bookkeeping {
  validators: Map<string, Validators>;
  state: Map<string, SyncState>;
}

export function validatorKey(identity: string, url: string): string {
  return `${identity}\n${url}`;
}

export function stateKey(artifact: string, dataset: string): string {
  return `${artifact}\n${dataset}`;
}

export function readBookkeeping(store: MetricsStore): Bookkeeping {
  const validators = new Map<string, Validators>();
  for (const r of store.all<{ identity: string; url: string; etag: string | null; last_modified: string | null; link: string | null }>(
    'SELECT identity, url, etag, last_modified, link FROM http_validators',
  )) {
    const v: Validators = { identity: r.identity, url: r.url };
    if (r.etag) v.etag = r.etag;
    if (r.last_modified) v.lastModified = r.last_modified;
    if (r.link) v.link = r.link;
    validators.set(validatorKey(r.identity, r.url), v);
  }
  const state = new Map<string, SyncState>();
  for (const r of store.all<{ artifact: string; dataset: string; cursor: string | null; fetched_at: string }>(
    'SELECT artifact, dataset, cursor, fetched_at FROM sync_state',
  )) {
    state.set(stateKey(r.artifact, r.dataset), r.cursor === null ? { fetchedAt: r.fetched_at } : { cursor: r.cursor, fetchedAt: r.fetched_at });
  }
  return { validators, state };
}

export function saveValidators(store: MetricsStore, v: Validators, at: string): void {
  store.db.run(
    `INSERT INTO http_validators (identity, url, etag, last_modified, link, stored_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (identity, url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
       link = excluded.link, stored_at = excluded.stored_at`,
    [v.identity, v.url, v.etag ?? null, v.lastModified ?? null, v.link ?? null, at],
  );
}

export function saveSyncState(store: MetricsStore, artifact: string, dataset: string, s: SyncState): void {
  // A cursor only moves forward, so that a slower writer finishing later never rewinds a faster one.
  store.db.run(
    `INSERT INTO sync_state (artifact, dataset, cursor, fetched_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (artifact, dataset) DO UPDATE SET
       cursor = CASE WHEN sync_state.cursor IS NULL OR excluded.cursor > sync_state.cursor THEN excluded.cursor ELSE sync_state.cursor END,
       fetched_at = MAX(sync_state.fetched_at, excluded.fetched_at)`,
    [artifact, dataset, s.cursor ?? null, s.fetchedAt],
  );
}
