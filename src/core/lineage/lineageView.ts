import type { ColumnTrace } from './columnLineage';
import type { LineageColumn, LineageGraph, LineageProblem } from './lineageGraph';
import { LineageSelectionError, selectLineage } from './lineageSelection';
import { walk } from './lineageWalk';
import { nodeSize } from './nodeSize';

/**
 * What the panel (and the CLI) shows: the visible part of the graph for a request — a selector, or
 * N hops around a focus node, or everything — with what each node displays. Nodes hidden by the scope
 * are counted on their visible neighbours so that a node can offer "expand". Plain data: it goes to
 * the webview as a message and to the SVG writer as it is.
 */
export interface ViewRequest {
  /** dbt selection syntax; when set, it decides what is visible. */
  selector?: string;
  /** unique_id the view is centred on (the active file's node). */
  focus?: string;
  up?: number;
  down?: number;
  /** Nodes whose hidden parents and children are shown too (one hop each). */
  expanded?: string[];
  /** Nodes drawn with their column list. */
  columnsOpen?: string[];
  /**
   * 'auto': a view of more than CLUSTER_ABOVE nodes shows folders (and sources by source name) as
   * one box each, which `expanded` opens by their id; 'off' (or unset): every node.
   */
  clusters?: 'auto' | 'off';
}

export interface RunInfo {
  status: string;
  durationMs: number;
  rowsAffected?: number;
  completedAt: string;
  message?: string;
}

export interface ViewColumn extends LineageColumn {
  /** Upstream columns as "node name.column", when traced. */
  from?: string[];
  trace?: ColumnTrace['status'];
}

export interface ViewNode {
  id: string;
  name: string;
  type: string;
  materialized?: string;
  path?: string;
  tags: string[];
  tests: Array<{ name: string; column?: string }>;
  run?: RunInfo;
  hiddenParents: number;
  hiddenChildren: number;
  /** A load or compile error of this node, shown on the node. */
  problem?: string;
  columnsOpen: boolean;
  columns: ViewColumn[];
  /** Why column lineage is partial or absent (parse error, no compiled SQL), when columns are open. */
  columnNote?: string;
  width: number;
  height: number;
  /** A box standing for several nodes (a folder, or a source's tables): what it holds. */
  group?: { members: number; what: string; runs?: string; worst?: string };
}

export interface ViewEdge {
  id: string;
  source: string;
  target: string;
}

export interface LineageView {
  nodes: ViewNode[];
  edges: ViewEdge[];
  focus?: string;
  selector?: string;
  selectorError?: string;
  problems: LineageProblem[];
  /** Set when nothing can be drawn: the explanation the panel shows instead of a blank page. */
  empty?: string;
  totalNodes: number;
  /** The full view leaves out sources no node reads (a real project declares hundreds): how many. */
  unreadSourcesHidden?: number;
  /** Set when nodes are drawn as groups: how many nodes the view holds, in how many boxes. */
  clustered?: { nodes: number; groups: number };
}

export interface ViewInputs {
  runs?: Map<string, RunInfo>;
  /** Errors per node (from the engine's diagnostics), shown on the node. */
  nodeProblems?: Map<string, string>;
  /** Column lineage of a node, computed on demand for nodes with their columns open. */
  columnLineage?: (id: string) => { columns: Array<{ name: string; trace: ColumnTrace }>; note?: string } | undefined;
}

export const DEFAULT_HOPS = 2;

/**
 * Above this many nodes a view is drawn as groups (request.clusters 'auto'): a thousand boxes fitted
 * in a panel are a few pixels each, names unreadable, and ELK takes seconds over them. Groups are the
 * folders of the project's files (sources: their source name), opened one at a time.
 */
export const CLUSTER_ABOVE = 150;
/** At most this many groups: deeper folders are merged into their parent folders until they fit. */
const MAX_GROUPS = 60;
export const GROUP_PREFIX = 'group:';

function folderOf(path: string | undefined, depth: number): string | undefined {
  if (!path) return undefined;
  const parts = path.split('/').slice(0, -1);
  return parts.length ? parts.slice(0, depth).join('/') : undefined;
}

/** The group of every node: `source <name>` for sources, else the folder of its file cut to `depth` parts. */
function groupKeys(graph: LineageGraph, ids: Iterable<string>): Map<string, string> {
  const list = [...ids];
  const keysAt = (depth: number) => new Map(list.map((id) => {
    const n = graph.nodes.get(id)!;
    return [id, n.type === 'source' ? `source ${n.sourceName ?? n.name}` : folderOf(n.path, depth) ?? `${n.type}s`] as const;
  }));
  let keys = keysAt(Infinity);
  for (let depth = Math.max(1, ...list.map((id) => (graph.nodes.get(id)?.path ?? '').split('/').length - 1)); depth > 1; depth--) {
    if (new Set(keys.values()).size <= MAX_GROUPS) break;
    keys = keysAt(depth - 1);
  }
  return keys;
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

function visibleIds(graph: LineageGraph, request: ViewRequest): { ids: Set<string>; error?: string } {
  const selector = request.selector?.trim();
  if (selector) {
    try {
      return { ids: selectLineage(graph, selector) };
    } catch (err) {
      if (!(err instanceof LineageSelectionError)) throw err;
      return { ids: new Set(), error: err.message };
    }
  }
  if (request.focus && graph.nodes.has(request.focus)) {
    const ids = new Set([request.focus]);
    for (const a of walk(graph.parents, request.focus, request.up ?? DEFAULT_HOPS)) ids.add(a);
    for (const d of walk(graph.children, request.focus, request.down ?? DEFAULT_HOPS)) ids.add(d);
    return { ids };
  }
  // Everything, but the sources nothing reads: in a real project they are hundreds of boxes that
  // say nothing about the flow of data. A selector (or source:x) still shows them.
  const ids = new Set<string>();
  for (const [id, n] of graph.nodes) if (n.type !== 'source' || (graph.children.get(id) ?? []).length > 0) ids.add(id);
  return { ids };
}

export function buildLineageView(graph: LineageGraph, request: ViewRequest, inputs: ViewInputs = {}): LineageView {
  const { ids, error } = visibleIds(graph, request);
  for (const id of request.expanded ?? []) {
    if (!ids.has(id)) continue;
    for (const p of graph.parents.get(id) ?? []) ids.add(p);
    for (const c of graph.children.get(id) ?? []) ids.add(c);
  }
  const open = new Set(request.columnsOpen ?? []);
  const sorted = [...ids].filter((id) => graph.nodes.has(id)).sort();
  const nodes: ViewNode[] = sorted.map((id) => {
    const n = graph.nodes.get(id)!;
    const parents = graph.parents.get(id) ?? [];
    const children = graph.children.get(id) ?? [];
    const node: ViewNode = {
      id,
      // Sources by source.table, as they are referenced: two 'server' tables of two sources differ.
      name: n.type === 'source' && n.sourceName ? `${n.sourceName}.${n.name}` : n.name,
      type: n.type,
      tags: n.tags,
      tests: n.tests.map((t) => (t.column ? { name: t.name, column: t.column } : { name: t.name })),
      hiddenParents: parents.filter((p) => !ids.has(p)).length,
      hiddenChildren: children.filter((c) => !ids.has(c)).length,
      columnsOpen: open.has(id),
      columns: [],
      width: 0,
      height: 0,
    };
    if (n.materialized) node.materialized = n.materialized;
    if (n.path) node.path = n.path;
    const run = inputs.runs?.get(id);
    if (run) node.run = run;
    const problem = inputs.nodeProblems?.get(id);
    if (problem) node.problem = problem;
    if (node.columnsOpen) fillColumns(graph, node, n.columns, inputs);
    const size = nodeSize(node);
    node.width = size.width;
    node.height = size.height;
    return node;
  });
  let edges: ViewEdge[] = [];
  for (const id of sorted) {
    for (const p of graph.parents.get(id) ?? []) if (ids.has(p)) edges.push({ id: `${p}->${id}`, source: p, target: id });
  }
  let shown = nodes;
  let clustered: LineageView['clustered'];
  if (request.clusters === 'auto' && nodes.length > CLUSTER_ABOVE) {
    const grouped = groupNodes(graph, nodes, edges, new Set(request.expanded ?? []), inputs);
    if (grouped) {
      shown = grouped.nodes;
      edges = grouped.edges;
      clustered = { nodes: nodes.length, groups: grouped.groups };
    }
  }
  const view: LineageView = { nodes: shown, edges, problems: graph.problems, totalNodes: graph.nodes.size };
  if (clustered) view.clustered = clustered;
  if (!request.selector?.trim() && !(request.focus && graph.nodes.has(request.focus))) {
    const unread = [...graph.nodes].filter(([id, n]) => n.type === 'source' && !ids.has(id) && (graph.children.get(id) ?? []).length === 0).length;
    if (unread) view.unreadSourcesHidden = unread;
  }
  if (request.focus && graph.nodes.has(request.focus)) view.focus = request.focus;
  if (request.selector?.trim()) view.selector = request.selector.trim();
  if (error) view.selectorError = error;
  if (graph.nodes.size === 0) {
    view.empty = 'This project has no sources, seeds or models yet. Add a model under models/ (or run “Community Metrics: Create Starter Project”) and the graph appears here.';
  } else if (nodes.length === 0) {
    view.empty = error ? `The selector could not be read: ${error}` : `No node matches '${request.selector ?? ''}'. Try +name, name+, tag:x or path:models/x.`;
  }
  return view;
}

/**
 * The view with each closed group of two or more nodes drawn as one box, and the edges between
 * boxes (one per pair, whatever the number of edges it stands for). Undefined when grouping would
 * not make the view smaller (every node in its own folder, or one folder holding everything open).
 */
function groupNodes(graph: LineageGraph, nodes: ViewNode[], edges: ViewEdge[], open: Set<string>, inputs: ViewInputs): { nodes: ViewNode[]; edges: ViewEdge[]; groups: number } | undefined {
  const keys = groupKeys(graph, nodes.map((n) => n.id));
  const members = new Map<string, ViewNode[]>();
  for (const n of nodes) {
    const key = keys.get(n.id) as string;
    const list = members.get(key);
    if (list) list.push(n);
    else members.set(key, [n]);
  }
  if (members.size < 2) return undefined;
  const boxOf = new Map<string, string>();
  const out: ViewNode[] = [];
  let groups = 0;
  for (const [key, list] of [...members].sort(([a], [b]) => a.localeCompare(b))) {
    const id = `${GROUP_PREFIX}${key}`;
    if (list.length < 2 || open.has(id)) {
      out.push(...list);
      continue;
    }
    groups++;
    const types = new Map<string, number>();
    for (const n of list) types.set(n.type, (types.get(n.type) ?? 0) + 1);
    const what = [...types].sort((a, b) => b[1] - a[1]).map(([t, c]) => plural(c, t)).join(' · ');
    const statuses = new Map<string, number>();
    for (const n of list) if (inputs.runs?.get(n.id)) statuses.set(n.run?.status ?? '', (statuses.get(n.run?.status ?? '') ?? 0) + 1);
    const box: ViewNode = {
      id,
      name: key,
      type: 'group',
      tags: [],
      tests: [],
      hiddenParents: 0,
      hiddenChildren: 0,
      columnsOpen: false,
      columns: [],
      width: 0,
      height: 0,
      group: { members: list.length, what },
    };
    if (statuses.size) {
      (box.group as NonNullable<ViewNode['group']>).runs = [...statuses].sort((a, b) => b[1] - a[1]).map(([st, c]) => `${c.toLocaleString('en-US')} ${st}`).join(' · ');
      const worst = ['error', 'fail', 'warn'].find((st) => statuses.has(st));
      if (worst) (box.group as NonNullable<ViewNode['group']>).worst = worst;
    }
    const size = nodeSize(box);
    box.width = size.width;
    box.height = size.height;
    for (const n of list) boxOf.set(n.id, id);
    out.push(box);
  }
  if (groups === 0) return undefined;
  const seen = new Set<string>();
  const grouped: ViewEdge[] = [];
  for (const e of edges) {
    const source = boxOf.get(e.source) ?? e.source;
    const target = boxOf.get(e.target) ?? e.target;
    if (source === target) continue;
    const id = `${source}->${target}`;
    if (seen.has(id)) continue;
    seen.add(id);
    grouped.push({ id, source, target });
  }
  return { nodes: out, edges: grouped, groups };
}

function fillColumns(graph: LineageGraph, node: ViewNode, documented: LineageColumn[], inputs: ViewInputs): void {
  const traced = inputs.columnLineage?.(node.id);
  const byName = new Map(documented.map((c) => [c.name.toLowerCase(), c]));
  const out: ViewColumn[] = [];
  const seen = new Set<string>();
  for (const c of traced?.columns ?? []) {
    const doc = byName.get(c.name.toLowerCase());
    const col: ViewColumn = { ...(doc ?? {}), name: c.name, trace: c.trace.status };
    if (c.trace.status !== 'unknown') col.from = c.trace.inputs.map((i) => `${graph.nodes.get(i.node)?.name ?? i.node}.${i.column}`);
    out.push(col);
    seen.add(c.name.toLowerCase());
  }
  for (const c of documented) if (!seen.has(c.name.toLowerCase())) out.push({ ...c, ...(traced ? { trace: 'unknown' as const } : {}) });
  node.columns = out;
  if (traced?.note) node.columnNote = traced.note;
}
