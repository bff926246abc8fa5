import type { LaidOut, Point } from './protocol';

// Positions from ELK's answer. The host's src/core/lineage/layoutGraph.ts reads the same answer the
// same way for the CLI; the webview may not import src/, hence this twin.
type Json = Record<string, unknown>;
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const point = (v: unknown): Point => (typeof v === 'object' && v !== null ? { x: num((v as Json).x), y: num((v as Json).y) } : { x: 0, y: 0 });

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

/**
 * A plain layered layout (longest path from the sources, one column per layer), used only when the
 * worker cannot start: a graph drawn less well is better than a blank panel.
 */
export function fallbackLayout(input: { children: Array<{ id: string; width: number; height: number }>; edges: Array<{ sources: [string]; targets: [string]; id: string }> }): LaidOut {
  const layer = new Map<string, number>(input.children.map((c) => [c.id, 0]));
  // Relax at most |V| times: a cycle cannot loop for ever.
  for (let i = 0; i < input.children.length; i++) {
    let changed = false;
    for (const e of input.edges) {
      const next = (layer.get(e.sources[0]) ?? 0) + 1;
      if (layer.has(e.targets[0]) && next > (layer.get(e.targets[0]) ?? 0) && next < input.children.length) {
        layer.set(e.targets[0], next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const columns = new Map<number, Array<{ id: string; width: number; height: number }>>();
  for (const c of input.children) columns.set(layer.get(c.id) ?? 0, [...(columns.get(layer.get(c.id) ?? 0) ?? []), c]);
  const out: LaidOut = { width: 0, height: 0, nodes: {}, edges: {} };
  let x = 24;
  for (const l of [...columns.keys()].sort((a, b) => a - b)) {
    const col = columns.get(l) ?? [];
    let y = 24;
    const w = Math.max(...col.map((c) => c.width));
    for (const c of col) {
      out.nodes[c.id] = { x, y, width: c.width, height: c.height };
      y += c.height + 24;
    }
    out.height = Math.max(out.height, y);
    x += w + 64;
  }
  out.width = x;
  for (const e of input.edges) {
    const s = out.nodes[e.sources[0]];
    const t = out.nodes[e.targets[0]];
    if (s && t) out.edges[e.id] = [{ x: s.x + s.width, y: s.y + s.height / 2 }, { x: t.x, y: t.y + t.height / 2 }];
  }
  return out;
}
