import type { RoadGraph } from '../graph.js';

/**
 * Dead-end trees: what repeatedly peeling nodes with a single neighbour removes
 * (cul-de-sacs, driveways and their branches). treeParent[v] is the neighbour
 * through which v's whole subtree connects to the rest of the network, -1 for
 * the core. A one-to-many search can skip a subtree that holds no target.
 */
export function deadEndTrees(graph: RoadGraph): Int32Array {
  const n = graph.nodeCount;
  const neighbours: Array<Set<number>> = Array.from({ length: n }, () => new Set());
  for (let arc = 0; arc < graph.arcCount; arc++) {
    const tail = graph.arcTail[arc]!;
    const head = graph.arcHead[arc]!;
    if (tail === head) continue;
    neighbours[tail]!.add(head);
    neighbours[head]!.add(tail);
  }
  const remaining = Int32Array.from(neighbours, (set) => set.size);
  const treeParent = new Int32Array(n).fill(-1);
  const peeled = new Uint8Array(n);
  const stack: number[] = [];
  for (let v = 0; v < n; v++) if (remaining[v] === 1) stack.push(v);
  let peeledCount = 0;
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (peeled[v] || remaining[v] !== 1) continue;
    // Keep at least one node: a network that is one tree still needs a core.
    if (peeledCount === n - 1) break;
    peeled[v] = 1;
    peeledCount++;
    for (const u of neighbours[v]!) {
      if (peeled[u]) continue;
      treeParent[v] = u;
      remaining[u] = remaining[u]! - 1;
      if (remaining[u] === 1) stack.push(u);
    }
  }
  return treeParent;
}
