import type { Database } from 'sql.js';
import type { Project } from '../project/project';
import { needsOfSql } from './partitions';
import type { Needs } from './partitions';
import { selectRows } from './sqlCopy';

/**
 * What a piece of SQL reads of the partitioned tables (partitions.ts), through the views it names:
 * a `query` of a model view reads what the view reads, and so on down the chain. Names are matched as
 * words, so the answer errs on the side of loading (a table named in a comment is loaded too).
 */
export function needsThroughViews(db: Database, ...sql: string[]): Needs {
  const views = new Map<string, string>();
  for (const r of selectRows<{ name: string; sql: string }>(db, "SELECT name, sql FROM sqlite_master WHERE type = 'view' UNION ALL SELECT name, sql FROM sqlite_temp_master WHERE type = 'view'")) {
    if (r.sql) views.set(r.name.toLowerCase(), r.sql);
  }
  const texts = [...sql];
  const seen = new Set<string>();
  for (let i = 0; i < texts.length; i++) {
    for (const word of (texts[i] as string).match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) {
      const key = word.toLowerCase();
      const body = views.get(key);
      if (body === undefined || seen.has(key)) continue;
      seen.add(key);
      texts.push(body);
    }
  }
  return needsOfSql(...texts);
}

/**
 * The text a project's run can read tables through: every node's SQL, every source's table name and
 * identifier, and the macro files the project loaded, its own and its installed packages' (a macro
 * may name a table itself). With the store's views (needsThroughViews), what a model run, a preview
 * or a model chart must have loaded: a project that never names the GH Archive events does not load their history.
 */
export function projectText(project: Project): string[] {
  const out: string[] = [];
  for (const n of project.nodes.values()) out.push(n.raw);
  for (const s of project.sources.values()) out.push(`${s.name} ${s.identifier}`);
  out.push(...project.renderer.macroTexts());
  return out;
}
