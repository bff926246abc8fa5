import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Database } from 'sql.js';
import { relationName } from './project';
import type { Project } from './project';
import { quoteIdent } from './storeAccess';

/**
 * What the editor knows of each relation's columns, for completion inside model SQL: the real columns
 * of the relation in the store (a built model, a loaded seed, a raw table a source points at), then
 * the columns documented in yml that the store does not have yet, then a seed file's header row.
 * Keyed by the node's or source's unique_id.
 */
export interface CatalogColumn {
  name: string;
  /** The SQLite declared type, when the store has the relation. */
  type?: string;
  description?: string;
  /** Where the name comes from: the store is a fact, yml a promise, a seed header what will load. */
  from: 'store' | 'yml' | 'seed file';
}

export interface CatalogRelation {
  /** What SQL names it: the model's alias or name, the source's identifier. */
  identifier: string;
  /** How the model file refers to it: `ref('x')` or `source('s', 't')`. */
  call: string;
  columns: CatalogColumn[];
}

export type ColumnCatalog = Map<string, CatalogRelation>;

export type StoredColumns = Map<string, Array<{ name: string; type: string }>>;

/** The identifiers of every relation the project reads or builds. */
export function catalogIdentifiers(project: Project): string[] {
  const out = new Set<string>();
  for (const n of project.nodes.values()) if (n.resourceType !== 'test') out.add(relationName(n));
  for (const s of project.sources.values()) out.add(s.identifier);
  return [...out];
}

/** PRAGMA table_info of each identifier that exists in the store (tables and views). */
export function storedColumns(db: Database, identifiers: readonly string[]): StoredColumns {
  const out: StoredColumns = new Map();
  for (const id of identifiers) {
    const res = db.exec(`PRAGMA table_info(${quoteIdent(id)})`);
    const cols = (res[0]?.values ?? []).map((r) => ({ name: String(r[1]), type: String(r[2] ?? '') }));
    if (cols.length > 0) out.set(id, cols);
  }
  return out;
}

function seedHeader(file: string): string[] {
  try {
    const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    const firstLine = text.slice(0, text.search(/\r?\n|$/));
    const rows = parse(firstLine, { relax_column_count: true }) as string[][];
    return (rows[0] ?? []).map((h) => h.trim()).filter(Boolean);
  } catch {
    return [];
  }
}

function merge(stored: Array<{ name: string; type: string }> | undefined, documented: Record<string, { name: string; description: string; dataType?: string }>, header: () => string[]): CatalogColumn[] {
  const out: CatalogColumn[] = [];
  const seen = new Set<string>();
  const docs = new Map(Object.values(documented).map((c) => [c.name.toLowerCase(), c]));
  const add = (c: CatalogColumn) => {
    const key = c.name.toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    const doc = docs.get(key);
    out.push(doc?.description ? { ...c, description: doc.description } : c);
  };
  for (const c of stored ?? []) add({ name: c.name, ...(c.type ? { type: c.type } : {}), from: 'store' });
  for (const c of Object.values(documented)) add({ name: c.name, ...(c.dataType ? { type: c.dataType } : {}), from: 'yml' });
  if (!stored) for (const h of header()) add({ name: h, from: 'seed file' });
  return out;
}

export function buildColumnCatalog(project: Project, stored: StoredColumns): ColumnCatalog {
  const catalog: ColumnCatalog = new Map();
  for (const n of project.nodes.values()) {
    if (n.resourceType === 'test') continue;
    const identifier = relationName(n);
    catalog.set(n.uniqueId, {
      identifier,
      call: `ref('${n.name}')`,
      columns: merge(stored.get(identifier), n.columns, () => (n.resourceType === 'seed' ? seedHeader(n.file) : [])),
    });
  }
  for (const s of project.sources.values()) {
    catalog.set(s.uniqueId, { identifier: s.identifier, call: `source('${s.sourceName}', '${s.name}')`, columns: merge(stored.get(s.identifier), s.columns, () => []) });
  }
  return catalog;
}

/** A relation a model's SQL reads, and the name SQL can qualify its columns with. */
export interface RelationInSql {
  /** The alias after it, or the relation's own name when it has none. */
  qualifier: string;
  call: { kind: 'ref'; name: string } | { kind: 'source'; source: string; table: string };
}

// Words that may follow a relation without being its alias.
const NOT_ALIAS = new Set(['where', 'on', 'using', 'join', 'left', 'right', 'inner', 'outer', 'full', 'cross', 'natural', 'group', 'order', 'limit', 'union', 'intersect', 'except', 'window', 'having', 'qualify', 'lateral', 'as']);
const FROM_JINJA = /\b(from|join)\s+\{\{-?\s*(ref|source)\s*\(\s*((?:'[^']*'|"[^"]*"|[\s,])+)\)\s*-?\}\}(?:\s+(?:as\s+)?([A-Za-z_][\w$]*))?/gi;

/**
 * The refs and sources a model selects from, with their aliases (`FROM {{ ref('a') }} AS x`,
 * `JOIN {{ source('s', 't') }} y`). Read from the raw text: the file being typed in is often not valid
 * SQL yet, so no parser is asked. Comments are blanked first.
 */
export function relationsInSql(raw: string): RelationInSql[] {
  const text = raw.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|\{#[\s\S]*?#\}/g, (m) => ' '.repeat(m.length));
  const out: RelationInSql[] = [];
  for (const m of text.matchAll(FROM_JINJA)) {
    const args = [...(m[3] ?? '').matchAll(/'([^']*)'|"([^"]*)"/g)].map((a) => a[1] ?? a[2] ?? '');
    const alias = m[4] && !NOT_ALIAS.has(m[4].toLowerCase()) ? m[4] : undefined;
    if (m[2]?.toLowerCase() === 'ref' && args.length >= 1) {
      const name = args[args.length - 1] as string;
      out.push({ qualifier: alias ?? name, call: { kind: 'ref', name } });
    } else if (m[2]?.toLowerCase() === 'source' && args.length === 2) {
      out.push({ qualifier: alias ?? (args[1] as string), call: { kind: 'source', source: args[0] as string, table: args[1] as string } });
    }
  }
  return out;
}

/** The relation a catalog entry is, for a ref or source call. */
export function catalogEntryFor(project: Project, catalog: ColumnCatalog, call: RelationInSql['call']): CatalogRelation | undefined {
  if (call.kind === 'ref') {
    for (const n of project.nodes.values()) if (n.name === call.name && n.resourceType !== 'test') return catalog.get(n.uniqueId);
    return undefined;
  }
  for (const s of project.sources.values()) if (s.sourceName === call.source && s.name === call.table) return catalog.get(s.uniqueId);
  return undefined;
}
