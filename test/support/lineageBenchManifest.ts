/**
 * A dbt manifest of the lineage bench's shape (bench/lineage.ts): 50 sources of one source, 950
 * models in 10 folders, each reading 1–3 of the 120 nodes before it. Deterministic (seeded).
 */
export function benchManifest(): Record<string, unknown> {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const sources: Record<string, unknown> = {};
  const nodes: Record<string, unknown> = {};
  const parentMap: Record<string, string[]> = {};
  const ids: string[] = [];
  for (let i = 0; i < 50; i++) {
    const id = `source.bench.raw.table_${i}`;
    sources[id] = { unique_id: id, name: `table_${i}`, source_name: 'raw', resource_type: 'source', fqn: ['bench', 'raw', `table_${i}`], original_file_path: 'models/sources.yml' };
    parentMap[id] = [];
    ids.push(id);
  }
  for (let i = 0; i < 950; i++) {
    const id = `model.bench.model_${i}`;
    const parents = new Set<string>();
    for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) parents.add(ids[ids.length - 1 - Math.floor(rand() * Math.min(ids.length, 120))] as string);
    nodes[id] = { unique_id: id, name: `model_${i}`, resource_type: 'model', original_file_path: `models/layer_${Math.floor(i / 100)}/model_${i}.sql`, config: { materialized: 'view', tags: [] }, fqn: ['bench', `model_${i}`], depends_on: { nodes: [...parents] }, columns: {} };
    parentMap[id] = [...parents];
    ids.push(id);
  }
  return { metadata: { project_name: 'bench' }, nodes, sources, parent_map: parentMap };
}
