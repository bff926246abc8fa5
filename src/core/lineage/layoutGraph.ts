/**
 * The layout problem handed to ELK (layered, left to right) and the positions read back. Sizes are
 * fixed by the caller and the options pin every random choice, so the same graph always gets the
 * same picture. The webview's worker runs ELK on exactly this input.
 */
export interface ElkInput {
  id: string;
  layoutOptions: Record<string, string>;
  children: Array<{ id: string; width: number; height: number }>;
  edges: Array<{ id: string; sources: [string]; targets: [string] }>;
}

export interface Point {
  x: number;
  y: number;
}

export interface LaidOut {
  width: number;
  height: number;
  nodes: Record<string, { x: number; y: number; width: number; height: number }>;
  edges: Record<string, Point[]>;
}

export const LAYOUT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.randomSeed': '1',
  'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  // The input order is a stable topological order: ELK keeps it as the tie-breaker, and only edges
  // against it (a cycle's) are reversed.
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.layered.cycleBreaking.strategy': 'MODEL_ORDER',
  'elk.spacing.nodeNode': '24',
  'elk.layered.spacing.nodeNodeBetweenLayers': '64',
  'elk.spacing.edgeNode': '16',
  'elk.padding': '[top=24,left=24,bottom=24,right=24]',
  'elk.separateConnectedComponents': 'true',
  'elk.spacing.componentComponent': '40',
  // Sizes are fixed by nodeSize.ts and nodes have no ports or labels: ELK's per-node sizing and label
  // placement pass has nothing to do (the same picture without it).
  'elk.omitNodeMicroLayout': 'true',
};

/** Views with more nodes than this are laid out with LARGE_GRAPH_OPTIONS. */
export const LARGE_GRAPH_NODES = 200;

/**
 * The same layered, left-to-right, orthogonally routed layout (edges still go around nodes) with less
 * effort, for large views; measured in bench/lineage.ts on 1,000 nodes (bench/RESULTS.md):
 * - no model-order sort: ELK's pass that keeps the input order within each layer was its largest
 *   single cost there. MODEL_ORDER cycle breaking still reverses the same edges (it reads the input
 *   order without this pass); what is lost is the project order as tie-breaker within a column;
 * - thoroughness 1 instead of ELK's 7: one crossing-minimisation run instead of seven (the best of
 *   which is kept), and a network-simplex layering stopped after fewer iterations;
 * - Brandes–Köpf with one alignment instead of the most compact of four.
 * The price is more edge crossings (about a tenth more on the bench graph) and a picture that may
 * be less compact; the panel says so when these are used (layoutNoteFor).
 */
export const LARGE_GRAPH_OPTIONS: Record<string, string> = {
  ...LAYOUT_OPTIONS,
  'elk.layered.considerModelOrder.strategy': 'NONE',
  'elk.layered.thoroughness': '1',
  'elk.layered.nodePlacement.bk.fixedAlignment': 'LEFTUP',
};

export function layoutOptionsFor(nodeCount: number): Record<string, string> {
  return nodeCount > LARGE_GRAPH_NODES ? LARGE_GRAPH_OPTIONS : LAYOUT_OPTIONS;
}

/** What the panel says about a view laid out with the large-graph settings; undefined otherwise. */
export function layoutNoteFor(nodeCount: number): { short: string; detail: string } | undefined {
  if (nodeCount <= LARGE_GRAPH_NODES) return undefined;
  return {
    short: 'large graph: quicker layout, more crossings',
    detail: `More than ${LARGE_GRAPH_NODES} nodes: laid out with quicker settings (one crossing-reduction run instead of seven, project order not kept within a column), so there may be more edge crossings than the full settings would give. A selection of ${LARGE_GRAPH_NODES} nodes or fewer (for example 2+name+2) is laid out with the full settings.`,
  };
}

export function elkInputFor(view: { nodes: Array<{ id: string; width: number; height: number }>; edges: Array<{ id: string; source: string; target: string }> }): ElkInput {
  const order = topologicalOrder(view.nodes.map((n) => n.id), view.edges);
  const rank = new Map(order.map((id, i) => [id, i]));
  const nodes = [...view.nodes].sort((a, b) => (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0));
  const edges = [...view.edges].sort((a, b) => (rank.get(a.source) ?? 0) - (rank.get(b.source) ?? 0) || (rank.get(a.target) ?? 0) - (rank.get(b.target) ?? 0));
  return {
    id: 'root',
    layoutOptions: layoutOptionsFor(nodes.length),
    children: nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
    edges: edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
}

/**
 * Kahn's order with ties broken by id, over the graph's strongly connected components: a cycle (which
 * the project reports as a problem) is placed as one block, its nodes sorted by id, after what feeds it
 * and before what it feeds — so only the edges inside the cycle can point back.
 */
export function topologicalOrder(ids: string[], edges: Array<{ source: string; target: string }>): string[] {
  const known = new Set(ids);
  const out = new Map<string, string[]>();
  for (const e of edges) {
    if (!known.has(e.source) || !known.has(e.target)) continue;
    out.set(e.source, [...(out.get(e.source) ?? []), e.target]);
  }
  const component = stronglyConnected(ids, out);
  const members = new Map<number, string[]>();
  for (const id of ids) members.set(component.get(id) as number, [...(members.get(component.get(id) as number) ?? []), id]);
  for (const m of members.values()) m.sort();
  // Kahn over the components; a component is named by its smallest id for the tie-break.
  const indegree = new Map([...members.keys()].map((c) => [c, 0]));
  const next = new Map<number, Set<number>>();
  for (const [source, targets] of out) {
    const cs = component.get(source) as number;
    for (const t of targets) {
      const ct = component.get(t) as number;
      if (cs === ct || next.get(cs)?.has(ct)) continue;
      next.set(cs, (next.get(cs) ?? new Set()).add(ct));
      indegree.set(ct, (indegree.get(ct) ?? 0) + 1);
    }
  }
  const key = (c: number) => (members.get(c) as string[])[0] as string;
  const byKey = (a: number, b: number) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  const ready = [...members.keys()].filter((c) => indegree.get(c) === 0).sort(byKey);
  const order: string[] = [];
  while (ready.length > 0) {
    const c = ready.shift() as number;
    order.push(...(members.get(c) as string[]));
    let added = false;
    for (const t of next.get(c) ?? []) {
      const d = (indegree.get(t) ?? 0) - 1;
      indegree.set(t, d);
      if (d === 0) {
        ready.push(t);
        added = true;
      }
    }
    if (added) ready.sort(byKey);
  }
  return order;
}

/** Tarjan's strongly connected components, iteratively (no recursion on long chains): id → component. */
function stronglyConnected(ids: string[], out: Map<string, string[]>): Map<string, number> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const component = new Map<string, number>();
  let counter = 0;
  let components = 0;
  for (const root of ids) {
    if (index.has(root)) continue;
    const frames: Array<{ id: string; next: number }> = [{ id: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as { id: string; next: number };
      const targets = out.get(frame.id) ?? [];
      if (frame.next < targets.length) {
        const t = targets[frame.next++] as string;
        if (!index.has(t)) {
          index.set(t, counter);
          low.set(t, counter++);
          stack.push(t);
          onStack.add(t);
          frames.push({ id: t, next: 0 });
        } else if (onStack.has(t)) {
          low.set(frame.id, Math.min(low.get(frame.id) as number, index.get(t) as number));
        }
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id) as number, low.get(frame.id) as number));
      if (low.get(frame.id) === index.get(frame.id)) {
        for (;;) {
          const m = stack.pop() as string;
          onStack.delete(m);
          component.set(m, components);
          if (m === frame.id) break;
        }
        components++;
      }
    }
  }
  return component;
}

type Json = Record<string, unknown>;
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const point = (v: unknown): Point => (typeof v === 'object' && v !== null ? { x: num((v as Json).x), y: num((v as Json).y) } : { x: 0, y: 0 });

/** Positions from ELK's answer (edges of the root graph only: this graph has no nesting). */
export function laidOutFrom(result: unknown): LaidOut {
  const r = (typeof result === 'object' && result !== null ? result : {}) as Json;
  const out: LaidOut = { width: num(r.width), height: num(r.height), nodes: {}, edges: {} };
  for (const c of Array.isArray(r.children) ? (r.children as Json[]) : []) {
    if (typeof c.id === 'string') out.nodes[c.id] = { x: num(c.x), y: num(c.y), width: num(c.width), height: num(c.height) };
  }
  for (const e of Array.isArray(r.edges) ? (r.edges as Json[]) : []) {
    if (typeof e.id !== 'string') continue;
    const points: Point[] = [];
    for (const s of Array.isArray(e.sections) ? (e.sections as Json[]) : []) {
      points.push(point(s.startPoint), ...(Array.isArray(s.bendPoints) ? s.bendPoints.map(point) : []), point(s.endPoint));
    }
    out.edges[e.id] = points;
  }
  return out;
}
