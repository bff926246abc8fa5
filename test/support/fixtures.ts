import { existsSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** The repository's root folder. */
export const repoRoot = ROOT;

/**
 * `../shared/fixtures` beside the project's root (or `CM_FIXTURES`): the recorded real responses the
 * fake server replays. Missing fixtures are an error, never a silently skipped test.
 */
export function fixturesDir(): string {
  const candidates = [process.env.CM_FIXTURES, path.resolve(ROOT, '../shared/fixtures'), path.resolve(ROOT, '../../shared/fixtures'), '/work/shared/fixtures'];
  for (const c of candidates) if (c && existsSync(path.join(c, 'manifest.json'))) return c;
  throw new Error(`Recorded fixtures not found; looked in ${candidates.filter(Boolean).join(', ')}. Set CM_FIXTURES.`);
}

export function fixturePath(relative: string): string {
  return path.join(fixturesDir(), relative);
}
