/**
 * Metric-independent node order for the customizable contraction hierarchy:
 * nested dissection on node coordinates (in the spirit of inertial flow).
 * Each piece is cut along the best of four directions at the best of a few
 * balanced positions; the vertex separator (a greedy cover of the cut edges)
 * goes last, then both halves are ordered the same way. Road networks are
 * near-planar, so straight cuts give small separators, and small separators
 * give a shallow hierarchy.
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
const CUT_POSITIONS = [0.5, 0.42, 0.58, 0.35, 0.65];

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
  const slot = new Int32Array(n);
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
    const cut = bestCut(graph, nodes, piece, id, x, y, slot);
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

function bestCut(
  graph: UndirectedGraph,
  nodes: Uint32Array,
  piece: Int32Array,
  id: number,
  x: Float64Array,
  y: Float64Array,
  slot: Int32Array,
): Cut {
  let best: { separator: number[]; sorted: Uint32Array; split: number } | null = null;
  for (const [dx, dy] of DIRECTIONS) {
    const keys = new Float64Array(nodes.length);
    for (let i = 0; i < nodes.length; i++) keys[i] = dx * x[nodes[i]!]! + dy * y[nodes[i]!]!;
    const index = Uint32Array.from({ length: nodes.length }, (_, i) => i).sort((a, b) => keys[a]! - keys[b]!);
    const sorted = index.map((i) => nodes[i]!);
    for (let i = 0; i < sorted.length; i++) slot[sorted[i]!] = i;
    for (const position of CUT_POSITIONS) {
      const split = Math.max(1, Math.min(nodes.length - 1, Math.round(position * nodes.length)));
      const separator = coverCutEdges(graph, sorted, split, piece, id, slot);
      // Prefer balance a little: an off-centre cut must be clearly smaller to win.
      const penalty = 1 + 2 * Math.abs(position - 0.5);
      if (!best || separator.length * penalty < best.separator.length * (1 + 2 * Math.abs(best.split / nodes.length - 0.5))) {
        best = { separator, sorted, split };
      }
    }
  }
  const inSeparator = new Set(best!.separator);
  const left: number[] = [];
  const right: number[] = [];
  best!.sorted.forEach((v, i) => {
    if (!inSeparator.has(v)) (i < best!.split ? left : right).push(v);
  });
  return { separator: best!.separator, left: Uint32Array.from(left), right: Uint32Array.from(right) };
}

/** A small vertex cover of the edges crossing the cut: repeatedly take the node covering most uncovered edges. */
function coverCutEdges(
  graph: UndirectedGraph,
  sorted: Uint32Array,
  split: number,
  piece: Int32Array,
  id: number,
  slot: Int32Array,
): number[] {
  const crossing = new Map<number, number[]>();
  for (let i = 0; i < sorted.length; i++) {
    const u = sorted[i]!;
    const uLeft = i < split;
    for (let k = graph.first[u]!; k < graph.first[u + 1]!; k++) {
      const v = graph.neighbors[k]!;
      if (piece[v] !== id || slot[v]! < split === uLeft) continue;
      const list = crossing.get(u);
      if (list) list.push(v);
      else crossing.set(u, [v]);
    }
  }
  const separator: number[] = [];
  const covered = new Set<number>();
  const degree = (v: number) => (crossing.get(v) ?? []).filter((w) => !covered.has(w)).length;
  const candidates = [...crossing.keys()];
  for (;;) {
    let pick = -1;
    let pickDegree = 0;
    for (const v of candidates) {
      if (covered.has(v)) continue;
      const d = degree(v);
      if (d > pickDegree) {
        pick = v;
        pickDegree = d;
      }
    }
    if (pick === -1) return separator;
    covered.add(pick);
    separator.push(pick);
  }
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
