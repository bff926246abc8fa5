import type { LaidOut, Point } from './layoutGraph';

/**
 * Measures of a laid-out view that the issue asks for ("edges with few crossings", edges not drawn
 * through nodes, left to right): used by the unit tests and by bench/lineage.ts to compare layout
 * settings on the same graph. Edges are the polylines ELK routed (orthogonal: every segment is
 * horizontal or vertical, up to rounding).
 */
export interface LayoutCheck {
  /** Edges with a route of at least two points. */
  routed: number;
  /** Crossings between a horizontal and a vertical segment of two different edges. */
  crossings: number;
  /** Edges with a segment passing through the inside of a node other than their own two. */
  throughNodes: number;
  /** Edges whose target does not lie to the right of its source (a cycle's reversed edge). */
  leftward: number;
}

const EPS = 0.5;

type Segment = { edge: number; a: Point; b: Point };

export function checkLayout(edges: Array<{ id: string; source: string; target: string }>, layout: LaidOut): LayoutCheck {
  const horizontal: Segment[] = [];
  const vertical: Segment[] = [];
  const boxes = Object.entries(layout.nodes);
  let routed = 0;
  let throughNodes = 0;
  let leftward = 0;
  edges.forEach((e, i) => {
    const points = layout.edges[e.id] ?? [];
    if (points.length < 2) return;
    routed++;
    const s = layout.nodes[e.source];
    const t = layout.nodes[e.target];
    if (s && t && !(t.x >= s.x + s.width)) leftward++;
    let through = false;
    for (let k = 0; k + 1 < points.length; k++) {
      const a = points[k] as Point;
      const b = points[k + 1] as Point;
      if (Math.abs(a.y - b.y) < EPS && Math.abs(a.x - b.x) >= EPS) horizontal.push({ edge: i, a, b });
      else if (Math.abs(a.x - b.x) < EPS && Math.abs(a.y - b.y) >= EPS) vertical.push({ edge: i, a, b });
      if (through) continue;
      for (const [id, n] of boxes) {
        if (id === e.source || id === e.target) continue;
        if (segmentEntersBox(a, b, n)) {
          through = true;
          break;
        }
      }
    }
    if (through) throughNodes++;
  });
  let crossings = 0;
  for (const h of horizontal) {
    const x0 = Math.min(h.a.x, h.b.x);
    const x1 = Math.max(h.a.x, h.b.x);
    const y = h.a.y;
    for (const v of vertical) {
      if (v.edge === h.edge) continue;
      const x = v.a.x;
      if (x <= x0 + EPS || x >= x1 - EPS) continue;
      if (y > Math.min(v.a.y, v.b.y) + EPS && y < Math.max(v.a.y, v.b.y) - EPS) crossings++;
    }
  }
  return { routed, crossings, throughNodes, leftward };
}

/** Whether the segment a–b passes through the inside of the box (its border, 1 px wide, excluded). */
function segmentEntersBox(a: Point, b: Point, box: { x: number; y: number; width: number; height: number }): boolean {
  const x0 = box.x + 1;
  const x1 = box.x + box.width - 1;
  const y0 = box.y + 1;
  const y1 = box.y + box.height - 1;
  // Liang–Barsky clipping of the segment against the shrunken box.
  let t0 = 0;
  let t1 = 1;
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  for (const [p, q] of [
    [-dx, a.x - x0],
    [dx, x1 - a.x],
    [-dy, a.y - y0],
    [dy, y1 - a.y],
  ] as const) {
    if (p === 0) {
      if (q <= 0) return false;
      continue;
    }
    const r = q / p;
    if (p < 0) t0 = Math.max(t0, r);
    else t1 = Math.min(t1, r);
    if (t0 >= t1) return false;
  }
  return true;
}
