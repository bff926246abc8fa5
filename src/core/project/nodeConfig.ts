import { isRecord } from './yamlFile';

/**
 * dbt's config of a node, merged from (lowest first) dbt_project.yml folder levels, yml properties,
 * and the model's own `config(...)`. Known keys are typed; every other key is kept as written.
 */
export interface NodeConfig {
  materialized?: string;
  enabled?: boolean;
  tags?: string[];
  meta?: Record<string, unknown>;
  unique_key?: string | string[];
  alias?: string;
  schema?: string;
  column_types?: Record<string, string>;
  severity?: string;
  [key: string]: unknown;
}

/** Configs whose value is a mapping, so that a mapping under this key is not a sub-folder. */
const MAPPING_CONFIGS = new Set(['meta', 'column_types', 'persist_docs', 'docs', 'grants', 'quoting', 'labels', 'partition_by', 'contract', 'quote_columns']);

function normalizeKey(key: string): string {
  return key.replace(/^\+/, '').replace(/-/g, '_');
}

/** Merges `patch` into `base` as dbt does: tags accumulate, meta and other mappings merge deeply. */
export function mergeConfig(base: NodeConfig, patch: Record<string, unknown>): NodeConfig {
  const out: NodeConfig = { ...base };
  for (const [rawKey, value] of Object.entries(patch)) {
    if (rawKey === '__keywords') continue;
    const key = normalizeKey(rawKey);
    if (key === 'tags') {
      const add = typeof value === 'string' ? [value] : Array.isArray(value) ? value.map(String) : [];
      out.tags = [...new Set([...(out.tags ?? []), ...add])];
    } else if (isRecord(value) && isRecord(out[key])) {
      out[key] = deepMerge(out[key] as Record<string, unknown>, value);
    } else if (key === 'pre_hook' || key === 'post_hook') {
      const add = Array.isArray(value) ? value : [value];
      out[key] = [...((out[key] as unknown[]) ?? []), ...add.map((h) => (isRecord(h) && 'sql' in h ? h.sql : h))];
    } else {
      out[key] = value;
    }
  }
  return out;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isRecord(v) && isRecord(out[k]) ? deepMerge(out[k] as Record<string, unknown>, v) : v;
  return out;
}

/** The config entries written at one level of a dbt_project.yml tree (not its sub-folders). */
function configsAt(level: Record<string, unknown>, nextSegment: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(level)) {
    if (key.startsWith('+')) out[key] = value;
    else if (!isRecord(value)) out[key] = value;
    else if (MAPPING_CONFIGS.has(normalizeKey(key)) && key !== nextSegment) out[key] = value;
  }
  return out;
}

/**
 * Walks a `models:`/`seeds:`/`tests:` tree of dbt_project.yml along a node's fqn
 * ([project, ...folders, name]) and merges the configs met on the way.
 */
export function folderConfig(tree: unknown, fqn: readonly string[], base: NodeConfig = {}): NodeConfig {
  let config = base;
  if (!isRecord(tree)) return config;
  const [project, ...rest] = fqn;
  config = mergeConfig(config, configsAt(tree, project));
  let level: unknown = project !== undefined ? tree[project] : undefined;
  if (!isRecord(level)) return config;
  config = mergeConfig(config, configsAt(level, rest[0]));
  for (let i = 0; i < rest.length; i++) {
    const seg = rest[i] as string;
    const next: unknown = (level as Record<string, unknown>)[seg];
    if (!isRecord(next)) break;
    level = next;
    config = mergeConfig(config, configsAt(next, rest[i + 1]));
  }
  return config;
}
