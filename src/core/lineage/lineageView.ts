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
}

export interface ViewInputs {
  runs?: Map<string, RunInfo>;
  /** Errors per node (from the engine's diagnostics), shown on the node. */
  nodeProblems?: Map<string, string>;
  /** Column lineage of a node, computed on demand for nodes with their columns open. */
  columnLineage?: (id: string) => { columns: Array<{ name: string; trace: ColumnTrace }>; note?: string } | undefined;
}

export const DEFAULT_HOPS = 2;

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
  const edges: ViewEdge[] = [];
  for (const id of sorted) {
    for (const p of graph.parents.get(id) ?? []) if (ids.has(p)) edges.push({ id: `${p}->${id}`, source: p, target: id });
  }
  const view: LineageView = { nodes, edges, problems: graph.problems, totalNodes: graph.nodes.size };
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
