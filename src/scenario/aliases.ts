// YAML anchors and aliases, made plain: every `*name` is replaced by a copy of the node its
// anchor marks, so the validator and the runner see ordinary nodes (with the anchor's
// positions). Bounded, so a billion-laughs file is one problem rather than an exhausted heap.
import { visit, isAlias, isCollection, type Document, type Node } from 'yaml';

/** How many nodes aliases may add to a document, all aliases together. */
export const MAX_ALIAS_NODES = 10_000;

export interface AliasProblem {
  message: string;
  offset: number;
}

export function expandAliases(doc: Document): AliasProblem[] {
  const anchors = new Map<string, Node>();
  const problems: AliasProblem[] = [];
  let added = 0;
  visit(doc, {
    Node(_, node, path) {
      if (!isAlias(node)) {
        if (node.anchor) anchors.set(node.anchor, node);
        return undefined;
      }
      const offset = node.range?.[0] ?? 0;
      const target = anchors.get(node.source);
      if (!target) {
        problems.push({ message: `YAML alias *${node.source} has no anchor &${node.source} before it`, offset });
        return visit.REMOVE;
      }
      if (path.includes(target)) {
        problems.push({ message: `YAML alias *${node.source} is inside the node its anchor marks: a value cannot contain itself`, offset });
        return visit.REMOVE;
      }
      const copy = target.clone() as Node;
      added += countNodes(copy);
      if (added > MAX_ALIAS_NODES) {
        problems.push({ message: `YAML aliases expand to more than ${MAX_ALIAS_NODES} nodes: write the values out, or use fewer aliases`, offset });
        return visit.BREAK;
      }
      return copy;
    },
  });
  return problems;
}

function countNodes(node: Node): number {
  let n = 0;
  if (!isCollection(node)) return 1;
  visit(node, { Node: () => void n++ });
  return n + 1;
}

