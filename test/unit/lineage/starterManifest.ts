import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compileProject } from '../../../src/core/project/manifest';
import { loadProject } from '../../../src/core/project/project';
import { starterProjectFiles } from '../../../src/core/project/starterProject';
import { writeScaffold } from '../../../src/core/project/writeScaffold';

/** The starter project, scaffolded into a temporary folder and compiled: its dbt manifest. */
export async function starterManifest(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cm-lineage-'));
  try {
    await writeScaffold(dir, starterProjectFiles());
    return compileProject(await loadProject(dir)).manifest;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const ID = (name: string) => `model.community_metrics.${name}`;
export const SRC = (table: string) => `source.community_metrics.metrics.${table}`;

/** A hand-written manifest in dbt's shape: models with compiled SQL and the given parents. */
export function manifestOf(
  nodes: Array<{ id: string; sql?: string; parents?: string[]; columns?: string[]; alias?: string; schema?: string; tags?: string[]; path?: string; materialized?: string }>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const out: Record<string, Record<string, unknown>> = { nodes: {}, sources: {} };
  const parentMap: Record<string, string[]> = {};
  for (const n of nodes) {
    const [type, pkg, ...rest] = n.id.split('.');
    const name = rest[rest.length - 1] as string;
    const entry: Record<string, unknown> = {
      unique_id: n.id,
      resource_type: type,
      name,
      package_name: pkg,
      fqn: [pkg, ...rest],
      original_file_path: n.path ?? (type === 'source' ? 'models/sources.yml' : `models/${name}.sql`),
      columns: Object.fromEntries((n.columns ?? []).map((c) => [c, { name: c }])),
      config: { materialized: n.materialized ?? (type === 'model' ? 'view' : undefined), tags: n.tags ?? [] },
      tags: n.tags ?? [],
      depends_on: { nodes: n.parents ?? [] },
      schema: n.schema ?? 'main',
    };
    if (type === 'source') {
      entry.source_name = rest[0];
      entry.identifier = n.alias ?? name;
      out.sources![n.id] = entry;
    } else {
      entry.alias = n.alias ?? name;
      if (n.sql !== undefined) entry.compiled_code = n.sql;
      out.nodes![n.id] = entry;
    }
    parentMap[n.id] = n.parents ?? [];
  }
  return { metadata: { project_name: 'p' }, ...out, parent_map: parentMap, ...extra };
}
