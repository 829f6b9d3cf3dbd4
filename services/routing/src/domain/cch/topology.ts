import { nestedDissectionOrder, undirected } from './order.js';

/**
 * The metric-independent part of a customizable contraction hierarchy (CCH):
 * the graph made chordal along a nested-dissection order. Nodes are addressed
 * by rank; every hierarchy edge {x, y} (x < y) is stored once, in the upward
 * CSR of x, and carries two weights after customization: up (x → y) and down
 * (y → x). The upper neighbours of x are all ancestors of x in the elimination
 * tree (parent = lowest upper neighbour), which is what lets a query walk just
 * the tree path to the root.
 */
export interface CchTopology {
  readonly nodeCount: number;
  readonly edgeCount: number;
  /** Graph node → rank, and back. */
  readonly rank: Uint32Array;
  readonly nodeAt: Uint32Array;
  /** Upper neighbours of rank x: upHead[firstUp[x] .. firstUp[x+1]-1], ascending; the index is the edge id. */
  readonly firstUp: Uint32Array;
  readonly upHead: Uint32Array;
  /** Lower end of each edge (the rank whose CSR holds it). */
  readonly upTail: Uint32Array;
  /** Lower neighbours of rank y, ascending, with the id of the edge {z, y}. */
  readonly firstDown: Uint32Array;
  readonly downTail: Uint32Array;
  readonly downEdge: Uint32Array;
  /** Elimination-tree parent of each rank, -1 at a root. */
  readonly parent: Int32Array;
  /** Graph arc → hierarchy edge (-1 for loops), and whether the arc runs upward (lower rank → higher). */
  readonly arcEdge: Int32Array;
  readonly arcUpward: Uint8Array;
  /** Graph arcs of hierarchy edge e: edgeArcs[edgeFirstArc[e] .. edgeFirstArc[e+1]-1]. */
  readonly edgeFirstArc: Uint32Array;
  readonly edgeArcs: Uint32Array;
}

/** The typed arrays of a topology, by name: what the disk cache stores. */
export const TOPOLOGY_ARRAY_FIELDS = [
  'rank', 'nodeAt', 'firstUp', 'upHead', 'upTail', 'firstDown', 'downTail', 'downEdge', 'parent', 'arcEdge', 'arcUpward',
  'edgeFirstArc', 'edgeArcs',
] as const satisfies ReadonlyArray<keyof CchTopology>;

export interface TopologyInput {
  readonly nodeCount: number;
  readonly arcTail: ArrayLike<number>;
  readonly arcHead: ArrayLike<number>;
  readonly nodeLat: Float64Array;
  readonly nodeLon: Float64Array;
}

/** Orders the graph by nested dissection and builds the chordal hierarchy over it. */
export function buildTopology(input: TopologyInput): CchTopology {
  const adjacency = undirected(input.nodeCount, input.arcTail, input.arcHead);
  const nodeAt = nestedDissectionOrder(adjacency, input.nodeLat, input.nodeLon);
  return topologyForOrder(input, nodeAt);
}

export function topologyForOrder(input: TopologyInput, nodeAt: Uint32Array): CchTopology {
  const n = input.nodeCount;
  const rank = new Uint32Array(n);
  for (let r = 0; r < n; r++) rank[nodeAt[r]!] = r;
  const { firstUp, upHead, parent } = chordalUpward(input, rank);
  const edgeCount = upHead.length;
  const { firstDown, downTail, downEdge } = downward(n, firstUp, upHead);
  const upTail = new Uint32Array(edgeCount);
  for (let x = 0; x < n; x++) upTail.fill(x, firstUp[x]!, firstUp[x + 1]!);
  const arcCount = input.arcTail.length;
  const arcEdge = new Int32Array(arcCount);
  const arcUpward = new Uint8Array(arcCount);
  for (let a = 0; a < arcCount; a++) {
    const ru = rank[input.arcTail[a]!]!;
    const rv = rank[input.arcHead[a]!]!;
    arcEdge[a] = ru === rv ? -1 : findEdge(firstUp, upHead, Math.min(ru, rv), Math.max(ru, rv));
    arcUpward[a] = ru < rv ? 1 : 0;
  }
  const edgeFirstArc = new Uint32Array(edgeCount + 1);
  for (let a = 0; a < arcCount; a++) if (arcEdge[a]! >= 0) edgeFirstArc[arcEdge[a]! + 1]!++;
  for (let e = 0; e < edgeCount; e++) edgeFirstArc[e + 1]! += edgeFirstArc[e]!;
  const fill = edgeFirstArc.slice(0, edgeCount);
  const edgeArcs = new Uint32Array(edgeFirstArc[edgeCount]!);
  for (let a = 0; a < arcCount; a++) if (arcEdge[a]! >= 0) edgeArcs[fill[arcEdge[a]!]!++] = a;
  return {
    nodeCount: n, edgeCount, rank, nodeAt, firstUp, upHead, upTail, firstDown, downTail, downEdge, parent, arcEdge, arcUpward, edgeFirstArc, edgeArcs,
  };
}

/**
 * Contracts ranks in order without weights: the upper neighbours of x, minus
 * its parent, become upper neighbours of the parent. Merging into the parent
 * alone is enough: the parent's own contraction passes them on.
 */
function chordalUpward(input: TopologyInput, rank: Uint32Array) {
  const n = input.nodeCount;
  const pending: number[][] = Array.from({ length: n }, () => []);
  for (let a = 0; a < input.arcTail.length; a++) {
    const ru = rank[input.arcTail[a]!]!;
    const rv = rank[input.arcHead[a]!]!;
    if (ru < rv) pending[ru]!.push(rv);
    else if (rv < ru) pending[rv]!.push(ru);
  }
  const firstUp = new Uint32Array(n + 1);
  const parent = new Int32Array(n).fill(-1);
  const heads: number[] = [];
  const seen = new Int32Array(n).fill(-1);
  for (let x = 0; x < n; x++) {
    const unique: number[] = [];
    for (const y of pending[x]!) {
      if (seen[y] === x) continue;
      seen[y] = x;
      unique.push(y);
    }
    pending[x] = [];
    unique.sort((a, b) => a - b);
    for (const y of unique) heads.push(y);
    firstUp[x + 1] = heads.length;
    if (unique.length === 0) continue;
    const p = unique[0]!;
    parent[x] = p;
    const into = pending[p]!;
    for (let i = 1; i < unique.length; i++) into.push(unique[i]!);
  }
  return { firstUp, upHead: Uint32Array.from(heads), parent };
}

function downward(n: number, firstUp: Uint32Array, upHead: Uint32Array) {
  const firstDown = new Uint32Array(n + 1);
  for (let e = 0; e < upHead.length; e++) firstDown[upHead[e]! + 1]!++;
  for (let y = 0; y < n; y++) firstDown[y + 1]! += firstDown[y]!;
  const fill = firstDown.slice(0, n);
  const downTail = new Uint32Array(upHead.length);
  const downEdge = new Uint32Array(upHead.length);
  // Tails ascend because x ascends.
  for (let x = 0; x < n; x++) {
    for (let e = firstUp[x]!; e < firstUp[x + 1]!; e++) {
      const slot = fill[upHead[e]!]!++;
      downTail[slot] = x;
      downEdge[slot] = e;
    }
  }
  return { firstDown, downTail, downEdge };
}

/** Id of the hierarchy edge {x, y} (x < y), or -1: binary search in x's upper neighbours. */
export function findEdge(firstUp: Uint32Array, upHead: Uint32Array, x: number, y: number): number {
  let lo = firstUp[x]!;
  let hi = firstUp[x + 1]! - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const head = upHead[mid]!;
    if (head === y) return mid;
    if (head < y) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
