/**
 * The dependency graph of a project, keyed by unique_id: parents (what a node reads) and children.
 * Build order is a topological order that is stable (ties broken by unique_id), so that two runs of
 * the same project run nodes in the same order.
 */
export class Graph {
  readonly parents = new Map<string, Set<string>>();
  readonly children = new Map<string, Set<string>>();

  addNode(id: string): void {
    if (!this.parents.has(id)) this.parents.set(id, new Set());
    if (!this.children.has(id)) this.children.set(id, new Set());
  }

  addEdge(parent: string, child: string): void {
    this.addNode(parent);
    this.addNode(child);
    this.parents.get(child)!.add(parent);
    this.children.get(parent)!.add(child);
  }

  get nodes(): string[] {
    return [...this.parents.keys()];
  }

  /** A cycle as a closed path [a, b, ..., a], or undefined. */
  findCycle(): string[] | undefined {
    const state = new Map<string, 1 | 2>();
    const stack: string[] = [];
    const visit = (id: string): string[] | undefined => {
      state.set(id, 1);
      stack.push(id);
      for (const p of [...(this.parents.get(id) ?? [])].sort()) {
        const s = state.get(p);
        if (s === 1) return [...stack.slice(stack.indexOf(p)), p].reverse();
        if (s === undefined) {
          const found = visit(p);
          if (found) return found;
        }
      }
      stack.pop();
      state.set(id, 2);
      return undefined;
    };
    for (const id of [...this.parents.keys()].sort()) {
      if (!state.has(id)) {
        const found = visit(id);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** Topological order of `subset` (default: all nodes); nodes in a cycle are left out. */
  order(subset?: Iterable<string>): string[] {
    const wanted = new Set(subset ?? this.parents.keys());
    const indegree = new Map<string, number>();
    for (const id of wanted) indegree.set(id, [...(this.parents.get(id) ?? [])].filter((p) => wanted.has(p)).length);
    const ready = [...wanted].filter((id) => indegree.get(id) === 0).sort();
    const out: string[] = [];
    while (ready.length > 0) {
      const id = ready.shift() as string;
      out.push(id);
      const released: string[] = [];
      for (const c of this.children.get(id) ?? []) {
        if (!wanted.has(c)) continue;
        const d = (indegree.get(c) ?? 0) - 1;
        indegree.set(c, d);
        if (d === 0) released.push(c);
      }
      ready.push(...released);
      ready.sort();
    }
    return out;
  }

  /** Ancestors up to `depth` generations (Infinity for all). */
  ancestors(id: string, depth = Infinity): Set<string> {
    return this.walk(id, depth, this.parents);
  }

  descendants(id: string, depth = Infinity): Set<string> {
    return this.walk(id, depth, this.children);
  }

  private walk(id: string, depth: number, edges: Map<string, Set<string>>): Set<string> {
    const seen = new Set<string>();
    let frontier = [id];
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
    seen.delete(id);
    return seen;
  }
}
