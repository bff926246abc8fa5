import { HttpError } from '../http/errors';
import type { DatasetContext } from './context';
import { withQuery } from './context';

export interface IncrementalListing<T> {
  dataset: string;
  /** The listing URL without `since`. */
  url: string;
  /** The value of an item that `since` filters on (updated_at, commit date). */
  cursorOf: (item: T) => string | undefined;
  /** Handles one changed page of items. */
  handle: (items: T[]) => void;
  /** Extra request headers (e.g. a media type). */
  headers?: Record<string, string>;
}

/**
 * Incremental sync of a GitHub listing with `since`: from the stored cursor, all pages, then once more
 * from the new cursor. That second pass is what the next refresh will ask, so its validators are
 * stored now and an unchanged repository then costs one 304 per listing. Rows are upserted by their
 * natural key, so the overlap `since` (inclusive) gives is harmless.
 */
export async function syncIncremental<T>(ctx: DatasetContext, l: IncrementalListing<T>): Promise<void> {
  const stored = ctx.state(l.dataset)?.cursor;
  let cursor = stored;
  let budget = ctx.options.maxListingPages;
  for (let round = 0; round < 3 && budget > 0; round++) {
    const url = cursor ? withQuery(l.url, { since: cursor }) : l.url;
    let newest = cursor;
    let changed = false;
    let pages = 0;
    for await (const page of ctx.pages<T[]>(url, { maxPages: budget, ...(l.headers ? { headers: l.headers } : {}) })) {
      pages++;
      if (page.notModified) continue;
      if (!Array.isArray(page.body)) throw new HttpError(`Unexpected response for ${ctx.artifact} ${l.dataset}: not a list`, page.url, page.status);
      changed = true;
      l.handle(page.body);
      for (const item of page.body) {
        const c = l.cursorOf(item);
        if (c && (!newest || c > newest)) newest = c;
      }
    }
    budget -= pages;
    if (budget <= 0) ctx.notice(`${l.dataset}: stopped after ${ctx.options.maxListingPages} pages; the next refresh continues from ${newest ?? 'the start'}`);
    if (!changed || newest === cursor) break;
    cursor = newest;
  }
  // Unchanged bookkeeping is not rewritten: an unchanged repository must cost no write at all.
  if (cursor !== stored) ctx.setState(l.dataset, cursor);
}
