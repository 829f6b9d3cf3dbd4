import { VertexFlow } from './vertex-flow.js';

/**
 * Metric-independent node order for the customizable contraction hierarchy:
 * nested dissection by inertial flow. Each piece is sorted along four
 * directions; the first and last quarter must be separated, and a maximum
 * flow with unit node capacities finds the smallest set of nodes that does.
 * The smallest of the four separators goes last, then both sides are ordered
 * the same way. Road networks are near-planar, so separators are small, and
 * small separators give a shallow hierarchy with few shortcuts.
 */

/** Undirected adjacency without loops or duplicates, CSR by node. */
export interface UndirectedGraph {
  readonly nodeCount: number;
  readonly first: Uint32Array;
  readonly neighbors: Uint32Array;
}

/** Builds the undirected, duplicate-free adjacency of a directed arc list. */
export function undirected(nodeCount: number, tails: ArrayLike<number>, heads: ArrayLike<number>): UndirectedGraph {
  const lists: number[][] = Array.from({ length: nodeCount }, () => []);
  for (let a = 0; a < tails.length; a++) {
    const u = tails[a]!;
    const v = heads[a]!;
    if (u === v) continue;
    lists[u]!.push(v);
    lists[v]!.push(u);
  }
  const first = new Uint32Array(nodeCount + 1);
  const out: number[] = [];
  for (let v = 0; v < nodeCount; v++) {
    const sorted = lists[v]!.sort((a, b) => a - b);
    for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) out.push(sorted[i]!);
    first[v + 1] = out.length;
  }
  return { nodeCount, first, neighbors: Uint32Array.from(out) };
}

/** Pieces this small are ordered by minimum degree instead of being cut further. */
const LEAF_SIZE = 24;
const DIRECTIONS: ReadonlyArray<[number, number]> = [[1, 0], [0, 1], [Math.SQRT1_2, Math.SQRT1_2], [Math.SQRT1_2, -Math.SQRT1_2]];
/** Inertial flow: the first and last quarter along a direction are the two sides the cut must separate. */
const TERMINAL_SHARE = 0.25;

/**
 * The elimination order: order[i] is the node contracted i-th (rank i).
 * Coordinates are projected to a local plane so the directions mean the same
 * everywhere.
 */
export function nestedDissectionOrder(graph: UndirectedGraph, lat: Float64Array, lon: Float64Array): Uint32Array {
  const n = graph.nodeCount;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  let meanLat = 0;
  for (let v = 0; v < n; v++) meanLat += lat[v]! / n;
  const scale = Math.cos((meanLat * Math.PI) / 180);
  for (let v = 0; v < n; v++) {
    x[v] = lon[v]! * scale;
    y[v] = lat[v]!;
  }
  const piece = new Int32Array(n);
  const flow = new VertexFlow(graph);
  const order: number[] = [];
  let nextPiece = 1;
  // Explicit stack of pieces to order; separators are emitted after both halves, so work in reverse and flip at the end.
  const stack: Uint32Array[] = [Uint32Array.from({ length: n }, (_, v) => v)];
  while (stack.length > 0) {
    const nodes = stack.pop()!;
    const id = nextPiece++;
    for (const v of nodes) piece[v] = id;
    if (nodes.length <= LEAF_SIZE) {
      const leaf = minimumDegreeOrder(graph, nodes, piece, id);
      for (let i = leaf.length - 1; i >= 0; i--) order.push(leaf[i]!);
      continue;
    }
    const cut = bestCut(graph, nodes, piece, id, x, y, flow);
    for (let i = cut.separator.length - 1; i >= 0; i--) order.push(cut.separator[i]!);
    // Reversed emission: the piece pushed last is emitted first (ranks highest among the two).
    if (cut.left.length > 0) stack.push(cut.left);
    if (cut.right.length > 0) stack.push(cut.right);
  }
  return Uint32Array.from(order.reverse());
}

interface Cut {
  readonly separator: number[];
  readonly left: Uint32Array;
  readonly right: Uint32Array;
}

function bestCut(graph: UndirectedGraph, nodes: Uint32Array, piece: Int32Array, id: number, x: Float64Array, y: Float64Array, flow: VertexFlow): Cut {
  let best: { cut: Cut; size: number } | null = null;
  for (const [dx, dy] of DIRECTIONS) {
    const keys = new Float64Array(nodes.length);
    for (let i = 0; i < nodes.length; i++) keys[i] = dx * x[nodes[i]!]! + dy * y[nodes[i]!]!;
    const sorted = Uint32Array.from({ length: nodes.length }, (_, i) => i)
      .sort((a, b) => keys[a]! - keys[b]!)
      .map((i) => nodes[i]!);
    const ends = Math.max(1, Math.floor(TERMINAL_SHARE * nodes.length));
    const cut = flow.minimumCut(piece, id, sorted, ends, best ? best.size : Infinity);
    if (cut && (!best || cut.separator.length < best.size)) best = { cut, size: cut.separator.length };
  }
  return best ? best.cut : { separator: [], left: nodes.slice(0, nodes.length >> 1), right: nodes.slice(nodes.length >> 1) };
}

/** Orders a small piece by repeatedly taking the node with fewest neighbours left in it. */
function minimumDegreeOrder(graph: UndirectedGraph, nodes: Uint32Array, piece: Int32Array, id: number): number[] {
  const remaining = new Set(nodes);
  const order: number[] = [];
  while (remaining.size > 0) {
    let pick = -1;
    let pickDegree = Infinity;
    for (const v of remaining) {
      let d = 0;
      for (let k = graph.first[v]!; k < graph.first[v + 1]!; k++) {
        const w = graph.neighbors[k]!;
        if (piece[w] === id && remaining.has(w)) d++;
      }
      if (d < pickDegree) {
        pick = v;
        pickDegree = d;
      }
    }
    remaining.delete(pick);
    order.push(pick);
  }
  return order;
}
