import type { ViewEdge } from './protocol';

/** A node and everything upstream and downstream of it in the visible graph: the path to highlight. */
export function connected(edges: ViewEdge[], id: string): Set<string> {
  const up = new Map<string, string[]>();
  const down = new Map<string, string[]>();
  for (const e of edges) {
    up.set(e.target, [...(up.get(e.target) ?? []), e.source]);
    down.set(e.source, [...(down.get(e.source) ?? []), e.target]);
  }
  const out = new Set([id]);
  for (const map of [up, down]) {
    const stack = [id];
    const seen = new Set([id]);
    while (stack.length > 0) {
      for (const n of map.get(stack.pop() as string) ?? []) {
        if (seen.has(n)) continue;
        seen.add(n);
        out.add(n);
        stack.push(n);
      }
    }
  }
  return out;
}
