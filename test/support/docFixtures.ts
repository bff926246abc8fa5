import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Exchange, FakeServer } from './fakeServer';
import { repoRoot } from './fixtures';

/**
 * Responses built from the providers' documentation (never recorded), in this repository's
 * `test/fixtures/upstream-docs` (its README says what each was built from).
 */
export function readDocFixture(name: string): Exchange[] {
  const parsed = JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/upstream-docs', name), 'utf8')) as Exchange | Exchange[];
  return Array.isArray(parsed) ? parsed : [parsed];
}

/** Serves a documentation-built fixture, optionally moved to another path (another repository or package). */
export function loadDocFixture(server: FakeServer, name: string, rewrite?: (e: Exchange) => Exchange): void {
  for (const e of readDocFixture(name)) server.add(rewrite ? rewrite(e) : e);
}
