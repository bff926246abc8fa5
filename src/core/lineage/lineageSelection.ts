import type { LineageGraph, LineageNode } from './lineageGraph';
import { walk } from './lineageWalk';

/**
 * dbt's node selection (the models engine's syntax: `name`, `+name`, `name+`, `2+name+1`, `@name`,
 * `tag:`, `path:`, `source:`, `resource_type:`, `config.materialized:`, `fqn:`, `package:`, `exposure:`,
 * `*` wildcards, space for union, comma for intersection) evaluated on a lineage graph read from a
 * manifest, so that it also works for a dbt project the engine never loaded. The engine's own
 * selection.ts works on its loaded Project (absolute file paths, configs); this one needs only the
 * manifest's fields.
 */
export class LineageSelectionError extends Error {}

interface Atom {
  parents: number;
  children: number;
  at: boolean;
  method: string;
  value: string;
}

function parseAtom(text: string): Atom {
  const m = /^(@)?(?:(\d*)\+)?(.+?)(?:\+(\d*))?$/.exec(text);
  if (!m || !m[3]) throw new LineageSelectionError(`Invalid selector '${text}'`);
  const [, at, up, body, down] = m;
  const hasUp = /^@?\d*\+/.test(text);
  const hasDown = /\+\d*$/.test(text);
  if (at && hasUp) throw new LineageSelectionError(`Invalid selector '${text}': '@' cannot be combined with a leading '+'`);
  const colon = body.indexOf(':');
  return {
    at: !!at,
    parents: hasUp ? (up ? Number(up) : Infinity) : 0,
    children: hasDown ? (down ? Number(down) : Infinity) : 0,
    method: colon > 0 ? body.slice(0, colon) : '',
    value: colon > 0 ? body.slice(colon + 1) : body,
  };
}

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

function matchesFqn(fqn: string[], value: string): boolean {
  const parts = value.split('.');
  const from = (start: number) => parts.every((p, i) => fqn[start + i] !== undefined && glob(p).test(fqn[start + i] as string));
  return from(0) || from(1);
}

function pathMatches(node: LineageNode, value: string): boolean {
  if (!node.path) return false;
  const wanted = value.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
  if (wanted === '' || wanted === '.') return true;
  return node.path === wanted || node.path.startsWith(`${wanted}/`) || glob(wanted).test(node.path);
}

const METHODS = ['tag', 'path', 'file', 'source', 'resource_type', 'fqn', 'package', 'exposure', 'config.<key>'];

function nodeMatches(node: LineageNode, atom: Atom): boolean {
  const { method, value } = atom;
  switch (method) {
    case '':
      if (value.includes('/') || /\.(sql|csv|yml|yaml|py)$/i.test(value)) return pathMatches(node, value);
      if (node.type === 'source') return matchesFqn(node.fqn, value) || (node.sourceName !== undefined && glob(value).test(`${node.sourceName}.${node.name}`));
      return glob(value).test(node.name) || matchesFqn(node.fqn, value);
    case 'tag':
      return node.tags.some((t) => glob(value).test(t));
    case 'path':
    case 'file':
      return pathMatches(node, value);
    case 'source': {
      if (node.type !== 'source') return false;
      const [s, t] = value.split('.');
      return glob(s ?? '*').test(node.sourceName ?? '') && (t === undefined || glob(t).test(node.name));
    }
    case 'exposure':
      return node.type === 'exposure' && glob(value).test(node.name);
    case 'resource_type':
      return node.type === value;
    case 'fqn':
      return matchesFqn(node.fqn, value);
    case 'package':
      return node.packageName !== undefined && glob(value).test(node.packageName);
    case 'config.materialized':
      return node.materialized === value;
    default:
      throw new LineageSelectionError(`Unknown selector method '${method}:' (supported here: ${METHODS.join(', ')})`);
  }
}

function selectAtom(graph: LineageGraph, atom: Atom): Set<string> {
  const base = [...graph.nodes.values()].filter((n) => nodeMatches(n, atom)).map((n) => n.id);
  const out = new Set(base);
  for (const id of base) {
    if (atom.parents > 0) for (const a of walk(graph.parents, id, atom.parents)) out.add(a);
    if (atom.children > 0 || atom.at) for (const d of walk(graph.children, id, atom.at ? Infinity : atom.children)) out.add(d);
  }
  // @name: the node, its descendants, and every ancestor of those descendants (what they need to build).
  if (atom.at) for (const d of [...out]) for (const a of walk(graph.parents, d, Infinity)) out.add(a);
  return out;
}

function evaluate(graph: LineageGraph, text: string): Set<string> {
  const out = new Set<string>();
  for (const sel of text.split(/\s+/).filter(Boolean)) {
    const parts = sel.split(',').map((p) => selectAtom(graph, parseAtom(p)));
    const first = parts[0] ?? new Set<string>();
    for (const id of first) if (parts.every((p) => p.has(id))) out.add(id);
  }
  return out;
}

/**
 * The ids a selector picks. `--exclude` may also be written inline as `sel --exclude other`, as
 * people paste it from a dbt command line.
 */
export function selectLineage(graph: LineageGraph, selector: string, exclude = ''): Set<string> {
  const [select = '', inlineExclude = ''] = selector.split(/\s--exclude\s/);
  const chosen = select.trim() ? evaluate(graph, select.trim()) : new Set(graph.nodes.keys());
  for (const id of evaluate(graph, `${inlineExclude} ${exclude}`.trim())) chosen.delete(id);
  return chosen;
}
