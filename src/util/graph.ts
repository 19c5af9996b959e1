// The one topological sort: the loader orders services and checks PKI items for cycles with it,
// and the PKI builder orders items with it.

/**
 * Each node of the graph after the nodes it depends on (names that are not nodes are ignored),
 * or the first cycle met, as a path that ends where it began.
 */
export function dependencyOrder(graph: Record<string, readonly string[]>): { order: string[]; cycle?: string[] } {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  let cycle: string[] | undefined;
  const visit = (node: string, path: string[]): boolean => {
    if (state.get(node) === 'done' || !(node in graph)) return true;
    if (state.get(node) === 'visiting') {
      cycle = [...path.slice(path.indexOf(node)), node];
      return false;
    }
    state.set(node, 'visiting');
    for (const next of graph[node]!) if (!visit(next, [...path, node])) return false;
    state.set(node, 'done');
    order.push(node);
    return true;
  };
  for (const node of Object.keys(graph)) if (!visit(node, [])) break;
  return cycle ? { order, cycle } : { order };
}
