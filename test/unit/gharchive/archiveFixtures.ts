import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { FakeServer } from '../../support/fakeServer';
import { fixturePath } from '../../support/fixtures';

/** The real hour recorded from GH Archive (2015-01-01 12:00 UTC), compressed as served. */
export const REAL_HOUR = '2015-01-01-12.json.gz';

export function realHourBytes(): Buffer {
  return readFileSync(fixturePath(`gharchive/${REAL_HOUR}`));
}

export function realHourLines(): string[] {
  return gunzipSync(realHourBytes()).toString('utf8').split('\n').filter((l) => l.length > 0);
}

/**
 * Another hour made from real lines: the event ids get a prefix so that they are new events, and
 * `rename` rewrites repository names (to model a rename between hours). Not JSON-parsed here: the
 * lines stay byte-for-byte what the archive wrote, apart from the edits.
 */
export function derivedHour(lines: string[], idPrefix: string, rename: Record<string, string> = {}): string[] {
  return lines.map((l) => {
    let out = l.replace(/^\{"id":"/, `{"id":"${idPrefix}`);
    for (const [from, to] of Object.entries(rename)) out = out.split(`"name":"${from}"`).join(`"name":"${to}"`);
    return out;
  });
}

export const gz = (lines: string[]): Buffer => gzipSync(Buffer.from(`${lines.join('\n')}\n`));

/** Serves `bytes` as the archive does: application/json, no Content-Encoding (the body is the .gz). */
export function serveHour(server: FakeServer, name: string, bytes: Buffer): void {
  server.add({
    request: { method: 'GET', path: `/${name}` },
    response: { status: 200, headers: { 'content-type': 'application/json', 'content-length': String(bytes.length) }, raw: bytes },
  });
}

export interface IndependentCount {
  byType: Record<string, number>;
  total: number;
  ids: Set<string>;
}

/**
 * Counts the events of the tracked repositories by another route than the importer's: every line
 * parsed, matched by name (case-insensitive) or by any id that the file shows under a tracked name.
 */
export function independentCount(lines: string[], tracked: string[]): IndependentCount {
  const names = new Set(tracked.map((t) => t.toLowerCase()));
  const events = lines.map((l) => JSON.parse(l) as { id: string; type: string; repo: { id: number; name: string } });
  const repoIds = new Set(events.filter((e) => names.has(e.repo.name.toLowerCase())).map((e) => e.repo.id));
  const byType: Record<string, number> = {};
  const ids = new Set<string>();
  for (const e of events) {
    if (!names.has(e.repo.name.toLowerCase()) && !repoIds.has(e.repo.id)) continue;
    if (ids.has(e.id)) continue;
    ids.add(e.id);
    byType[e.type] = (byType[e.type] ?? 0) + 1;
  }
  return { byType, total: ids.size, ids };
}
