import assert from 'node:assert/strict';
import { lineageGraphFromManifest } from '../../src/core/lineage/lineageGraph';
import { buildLineageView } from '../../src/core/lineage/lineageView';
import type { LineageView, ViewNode } from '../../src/core/lineage/lineageView';
import { nodeSize } from '../../src/core/lineage/nodeSize';
import { starterManifest } from '../unit/lineage/starterManifest';

export const HARD_NAMES = {
  /** Too long for the widest box: cut with "…". */
  long: 'FCT_GITHUB_STARGAZERS_DAILY_BY_REPOSITORY_AND_COUNTRY_WEEKLY_ROLLUP',
  /** Upper case, wider per character than the old 7.2 px estimate: drawn whole. */
  upper: 'DIM_REPOSITORY_OWNERS_WWW',
  wide: 'MMMMMMMMMM',
};

export const HARD_ERROR = 'Compilation Error in model STG_GITHUB_EVENTS (models/staging/stg_github_events.sql): column "STARGAZERS_COUNT" does not exist; did you mean "stargazers_count"?';

/**
 * The starter graph with the text that overflowed the old 7.2 px-per-character boxes: long and
 * upper-case names, a run line with "1,592 rows" (and one with millions), an error line far longer
 * than the widest box, and a long column label; sizes computed by the host as it does.
 */
export async function hardTextView(): Promise<LineageView> {
  const view = buildLineageView(lineageGraphFromManifest(await starterManifest()), { columnsOpen: [] });
  const models = view.nodes.filter((n) => n.type === 'model');
  assert.ok(models.length >= 5, `${models.length} models`);
  const [a, b, c, d, e] = models as [ViewNode, ViewNode, ViewNode, ViewNode, ViewNode];
  a.name = HARD_NAMES.long;
  b.name = HARD_NAMES.upper;
  b.run = { status: 'success', durationMs: 420, rowsAffected: 1592, completedAt: '2026-01-01T00:00:00Z' };
  c.name = HARD_NAMES.wide;
  c.run = { status: 'success', durationMs: 12_345, rowsAffected: 15_920_000, completedAt: '2026-01-01T00:00:00Z' };
  d.problem = HARD_ERROR;
  e.columnsOpen = true;
  e.columns = [{ name: 'REPOSITORY_FULL_NAME_WITH_OWNER', trace: 'traced', from: ['STG_GITHUB_REPOSITORIES.FULL_NAME', 'STG_GITHUB_OWNERS.LOGIN'] }, { name: 'id' }];
  for (const n of [a, b, c, d, e]) Object.assign(n, nodeSize(n));
  return view;
}
