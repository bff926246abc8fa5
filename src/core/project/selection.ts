import path from 'node:path';
import { materialization } from './project';
import type { Project, ProjectNode } from './project';

/**
 * dbt's node selection for the common cases: `name`, `+name`, `name+`, `2+name+1`, `@name`,
 * `tag:x`, `path:models/sub`, `source:src(.table)`, `resource_type:model`, `config.<key>:value`,
 * `fqn:a.b`, `*` wildcards; space-separated selectors are a union, comma-joined ones an intersection.
 * Tests attached to a selected node are selected too (dbt's default "eager" indirect selection).
 */
export class SelectionError extends Error {}

interface Atom {
  parents: number;
  children: number;
  at: boolean;
  method: string;
  value: string;
}

function parseAtom(text: string): Atom {
  const m = /^(@)?(?:(\d*)\+)?(.+?)(?:\+(\d*))?$/.exec(text);
  if (!m || !m[3]) throw new SelectionError(`Invalid selector '${text}'`);
  const [, at, up, body, down] = m;
  const hasUp = /^@?\d*\+/.test(text);
  const hasDown = /\+\d*$/.test(text);
  const colon = body.indexOf(':');
  const method = colon > 0 ? body.slice(0, colon) : '';
  const value = colon > 0 ? body.slice(colon + 1) : body;
  return {
    at: !!at,
    parents: hasUp ? (up ? Number(up) : Infinity) : 0,
    children: hasDown ? (down ? Number(down) : Infinity) : 0,
    method,
    value,
  };
}

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

function matchesFqn(fqn: string[], value: string): boolean {
  const parts = value.split('.');
  const tryFrom = (start: number) => parts.every((p, i) => fqn[start + i] !== undefined && glob(p).test(fqn[start + i] as string));
  // With or without the project name in front; a prefix of folders selects everything below.
  return tryFrom(0) || tryFrom(1);
}

function nodeMatches(project: Project, id: string, atom: Atom): boolean {
  const node = project.nodes.get(id);
  const source = project.sources.get(id);
  const { method, value } = atom;
  if (source) {
    if (method === 'source') {
      const [s, t] = value.split('.');
      return glob(s ?? '*').test(source.sourceName) && (t === undefined || glob(t).test(source.name));
    }
    if (method === 'resource_type') return value === 'source';
    if (method === 'fqn' || method === '') return matchesFqn(source.fqn, value);
    if (method === 'tag') return source.tags.some((t) => glob(value).test(t));
    return false;
  }
  if (!node) return false;
  switch (method) {
    case '':
      if (value.includes('/') || /\.(sql|csv)$/i.test(value)) return pathMatches(project, node, value);
      return glob(value).test(node.name) || matchesFqn(node.fqn, value);
    case 'fqn':
      return matchesFqn(node.fqn, value);
    case 'tag':
      return (node.config.tags ?? []).some((t) => glob(value).test(t));
    case 'path':
    case 'file':
      return pathMatches(project, node, value);
    case 'resource_type':
      return node.resourceType === value;
    case 'test_type':
      return node.test ? (value === 'generic' || value === 'schema' ? node.test.kind === 'generic' : node.test.kind === 'singular') : false;
    case 'test_name':
      return node.test?.testName !== undefined && glob(value).test(node.test.testName);
    case 'package':
      return value === project.name;
    case 'source':
      return false;
    default:
      if (method.startsWith('config.')) {
        const key = method.slice('config.'.length);
        const v = key === 'materialized' ? materialization(node) : node.config[key];
        return Array.isArray(v) ? v.map(String).includes(value) : String(v) === value;
      }
      throw new SelectionError(`Unknown selector method '${method}:' (supported: tag, path, source, resource_type, config.<key>, fqn, test_type, test_name, package)`);
  }
}

function pathMatches(project: Project, node: ProjectNode, value: string): boolean {
  const wanted = path.resolve(project.root, value);
  return node.file === wanted || node.file.startsWith(wanted + path.sep) || glob(wanted).test(node.file);
}

function selectAtom(project: Project, atom: Atom): Set<string> {
  const all = [...project.nodes.keys(), ...project.sources.keys()];
  const base = all.filter((id) => nodeMatches(project, id, atom));
  const out = new Set(base);
  for (const id of base) {
    if (atom.parents > 0) for (const a of project.graph.ancestors(id, atom.parents)) out.add(a);
    if (atom.children > 0 || atom.at) for (const d of project.graph.descendants(id, atom.at ? Infinity : atom.children)) out.add(d);
  }
  if (atom.at) for (const d of [...out]) for (const a of project.graph.ancestors(d)) out.add(a);
  return out;
}

/** Union of the space-separated selectors; each may be a comma-joined intersection. */
function evaluate(project: Project, selectors: string[]): Set<string> {
  const out = new Set<string>();
  for (const sel of selectors.flatMap((s) => s.split(/\s+/)).filter(Boolean)) {
    const parts = sel.split(',').map((p) => selectAtom(project, parseAtom(p)));
    const first = parts[0] ?? new Set<string>();
    for (const id of first) if (parts.every((p) => p.has(id))) out.add(id);
  }
  return out;
}

export function selectNodes(project: Project, select: string[] | undefined, exclude: string[] | undefined): Set<string> {
  const chosen = withTests(project, select && select.some((s) => s.trim()) ? evaluate(project, select) : new Set([...project.nodes.keys()]));
  if (exclude && exclude.some((s) => s.trim())) for (const id of evaluate(project, exclude)) chosen.delete(id);
  return new Set([...chosen].filter((id) => project.nodes.has(id)));
}

/** Nodes picked by unique id rather than by a selector: what an editor command means by "this model". */
export interface NodePick {
  ids: string[];
  /** With everything the nodes read (a selector's `+name`). */
  parents?: boolean;
}

/**
 * The nodes of `pick`, with their ancestors when asked and the tests that follow them. No selector is
 * parsed, so a model whose name holds spaces or selector syntax (a file named `a b.sql`) is still the
 * one picked.
 */
export function pickNodes(project: Project, pick: NodePick): Set<string> {
  const chosen = new Set<string>();
  for (const id of pick.ids) {
    chosen.add(id);
    if (pick.parents) for (const a of project.graph.ancestors(id)) chosen.add(a);
  }
  return new Set([...withTests(project, chosen)].filter((id) => project.nodes.has(id)));
}

/** Tests follow the nodes they test: dbt's default "eager" indirect selection. */
function withTests(project: Project, chosen: Set<string>): Set<string> {
  for (const n of project.nodes.values()) {
    if (n.resourceType === 'test' && !chosen.has(n.uniqueId) && n.dependsOn.nodes.some((p) => chosen.has(p))) chosen.add(n.uniqueId);
  }
  return chosen;
}
