import type { Diagnostic } from './diagnostics';
import { LineMap } from './lineMap';
import { compileNode, materialization } from './project';
import type { CompileContext, Project, ProjectNode } from './project';

/**
 * A node's SQL ready to run: rendered, with its ephemeral models inlined as CTEs in front (as dbt
 * does, `__dbt__cte__<name>`), and the line map that still points every line at its source file.
 */
export interface ExecutableSql {
  sql: string;
  lineMap: LineMap;
  warnings: Diagnostic[];
}

const LEADING_WITH = /^(\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*)with\b/i;

export function executableSql(project: Project, node: ProjectNode, ctx: CompileContext = {}): ExecutableSql {
  const main = compileNode(project, node, ctx);
  const warnings = [...main.warnings];
  // Collect ephemerals depth-first so that an ephemeral's own ephemerals come before it.
  const order: string[] = [];
  const compiled = new Map<string, { sql: string; lineMap: LineMap }>();
  const visit = (ids: string[], seen: Set<string>) => {
    for (const id of ids) {
      if (order.includes(id) || seen.has(id)) continue;
      const eph = project.nodes.get(id);
      if (!eph || materialization(eph) !== 'ephemeral') continue;
      seen.add(id);
      const c = compileNode(project, eph, ctx);
      warnings.push(...c.warnings);
      visit(c.ephemerals, seen);
      compiled.set(id, { sql: stripTrailingSemicolon(c.sql), lineMap: c.lineMap });
      order.push(id);
    }
  };
  visit(main.ephemerals, new Set());
  const body = stripTrailingSemicolon(main.sql);
  if (order.length === 0) return { sql: body, lineMap: main.lineMap, warnings };

  const fileIndex = project.renderer.fileIndex(node.file);
  const at = { fileIndex, line: 1 };
  let text = '';
  let map: LineMap | undefined;
  const add = (t: string, m: LineMap) => {
    text = map ? `${text}\n${t}` : t;
    map = map ? map.concat(m) : m;
  };
  order.forEach((id, i) => {
    const eph = project.nodes.get(id) as ProjectNode;
    const c = compiled.get(id) as { sql: string; lineMap: LineMap };
    const header = `${i === 0 ? 'with' : '),'} __dbt__cte__${eph.name} as (`;
    add(header, LineMap.generated(header, at));
    add(c.sql, c.lineMap);
  });
  const m = LEADING_WITH.exec(body);
  // The model's own WITH continues the list of CTEs.
  const rest = m ? `${m[1]}${' '.repeat(3)},${body.slice(m[0].length)}` : body;
  add(')', LineMap.generated(')', at));
  add(rest, main.lineMap);
  return { sql: text, lineMap: map as LineMap, warnings };
}

function stripTrailingSemicolon(sql: string): string {
  return sql.replace(/;\s*$/, '');
}
