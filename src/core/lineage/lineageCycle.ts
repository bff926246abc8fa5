/**
 * A dependency cycle in a parents map, as a closed path [a, b, ..., a] in data-flow order, or
 * undefined. Iterative, so that a 10,000-node chain cannot overflow the stack; visits ids in sorted
 * order so that the same graph always names the same cycle.
 */
export function findCycle(parents: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 1 | 2>();
  for (const start of [...parents.keys()].sort()) {
    if (state.has(start)) continue;
    const stack: Array<{ id: string; next: number; list: string[] }> = [{ id: start, next: 0, list: [...(parents.get(start) ?? [])].sort() }];
    state.set(start, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { id: string; next: number; list: string[] };
      if (top.next >= top.list.length) {
        state.set(top.id, 2);
        stack.pop();
        continue;
      }
      const p = top.list[top.next++] as string;
      const s = state.get(p);
      if (s === 1) {
        const ids = stack.map((f) => f.id);
        // The stack walks from child to parent; data flows the other way.
        return [...ids.slice(ids.indexOf(p)), p].reverse();
      }
      if (s === undefined) {
        state.set(p, 1);
        stack.push({ id: p, next: 0, list: [...(parents.get(p) ?? [])].sort() });
      }
    }
  }
  return undefined;
}
