/** Ids reachable from `start` through `edges` within `depth` steps (Infinity: all), without `start`. */
export function walk(edges: Map<string, string[]>, start: string, depth: number): Set<string> {
  const seen = new Set<string>();
  let frontier = [start];
  for (let d = 0; d < depth && frontier.length > 0; d++) {
    const next: string[] = [];
    for (const f of frontier) {
      for (const n of edges.get(f) ?? []) {
        if (!seen.has(n)) {
          seen.add(n);
          next.push(n);
        }
      }
    }
    frontier = next;
  }
  seen.delete(start);
  return seen;
}
