/**
 * The words on a node, shared by the panel's host, the SVG export and the CLI so that all three say
 * the same thing: "model · table", "success · 0.42 s · 1,204 rows".
 */
export interface NodeTextInput {
  type: string;
  materialized?: string;
  run?: { status: string; durationMs: number; rowsAffected?: number };
  tests: unknown[];
  hiddenParents?: number;
  hiddenChildren?: number;
  /** A box standing for several nodes (lineageView's groups). */
  group?: { members: number; what: string; runs?: string };
}

export function kindText(n: NodeTextInput): string {
  if (n.group) return n.group.what;
  return n.materialized && n.materialized !== n.type ? `${n.type} · ${n.materialized}` : n.type;
}

export function runText(n: NodeTextInput): string {
  if (n.group) return n.group.runs ?? 'not built yet';
  if (!n.run) return n.type === 'source' ? 'raw table' : n.type === 'test' ? 'not run yet' : 'not built yet';
  const parts = [n.run.status, `${(n.run.durationMs / 1000).toFixed(2)} s`];
  if (n.run.rowsAffected !== undefined) parts.push(`${n.run.rowsAffected.toLocaleString('en-US')} ${n.run.rowsAffected === 1 ? 'row' : 'rows'}`);
  return parts.join(' · ');
}

export function testsText(n: NodeTextInput): string {
  return n.tests.length === 0 ? '' : `${n.tests.length} test${n.tests.length === 1 ? '' : 's'}`;
}
