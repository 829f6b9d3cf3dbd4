import type { UndirectedGraph } from './order.js';

const SOURCE = 1;
const SINK = 2;

/**
 * Minimum vertex cuts by augmenting paths (Ford–Fulkerson with BFS) on the
 * split-node network: every inner node v is an arc v_in → v_out of capacity
 * 1, every street an uncapacitated arc u_out → v_in in both directions. The
 * flow value is the separator size, which is small on road networks, so a
 * few dozen breadth-first searches per cut suffice. Scratch memory is sized
 * once for the whole graph and reused for every piece.
 */
export class VertexFlow {
  /** Index of the opposite direction of each adjacency entry. */
  private readonly reverse: Uint32Array;
  /** Units of flow on each adjacency entry (u → neighbor). */
  private readonly flow: Int32Array;
  private readonly through: Uint8Array;
  private readonly role: Uint8Array;
  /** BFS over states 2v (v_in) and 2v+1 (v_out). */
  private readonly seen: Uint32Array;
  private readonly parent: Int32Array;
  private readonly parentEntry: Int32Array;
  private readonly queue: Int32Array;
  private generation = 0;

  constructor(private readonly graph: UndirectedGraph) {
    const { first, neighbors, nodeCount } = graph;
    this.reverse = new Uint32Array(neighbors.length);
    for (let u = 0; u < nodeCount; u++) {
      for (let k = first[u]!; k < first[u + 1]!; k++) this.reverse[k] = entryOf(graph, neighbors[k]!, u);
    }
    this.flow = new Int32Array(neighbors.length);
    this.through = new Uint8Array(nodeCount);
    this.role = new Uint8Array(nodeCount);
    this.seen = new Uint32Array(2 * nodeCount);
    this.parent = new Int32Array(2 * nodeCount);
    this.parentEntry = new Int32Array(2 * nodeCount);
    this.queue = new Int32Array(2 * nodeCount);
  }

  /**
   * The smallest node set separating sorted[0 .. ends-1] from the last `ends`
   * nodes of the piece, and the two sides; null when it is not smaller than
   * `limit` (the best cut found along another direction).
   */
  minimumCut(piece: Int32Array, id: number, sorted: Uint32Array, ends: number, limit: number) {
    const n = sorted.length;
    for (let i = 0; i < n; i++) this.role[sorted[i]!] = i < ends ? SOURCE : i >= n - ends ? SINK : 0;
    let value = 0;
    let sink = this.search(piece, id, sorted, ends);
    while (sink !== -1 && value < limit && value < n) {
      this.augment(sink);
      value++;
      sink = this.search(piece, id, sorted, ends);
    }
    const result = sink === -1 && value < limit ? this.sides(sorted) : null;
    this.reset(sorted);
    return result;
  }

  /** BFS in the residual network from every source; returns the sink state reached, or -1. */
  private search(piece: Int32Array, id: number, sorted: Uint32Array, ends: number): number {
    const { first, neighbors } = this.graph;
    const { seen, parent, parentEntry, queue, flow, reverse, through, role } = this;
    const generation = this.nextGeneration();
    let head = 0;
    let tail = 0;
    const visit = (state: number, from: number, entry: number) => {
      seen[state] = generation;
      parent[state] = from;
      parentEntry[state] = entry;
      queue[tail++] = state;
    };
    for (let i = 0; i < ends; i++) visit(2 * sorted[i]! + 1, -1, -1);
    while (head < tail) {
      const state = queue[head++]!;
      const v = state >> 1;
      if ((state & 1) === 1) {
        for (let k = first[v]!; k < first[v + 1]!; k++) {
          const w = neighbors[k]!;
          if (piece[w] !== id || seen[2 * w] === generation) continue;
          visit(2 * w, state, k);
          if (role[w] === SINK) return 2 * w;
        }
        if (through[v] === 1 && role[v] === 0 && seen[2 * v] !== generation) visit(2 * v, state, -1);
      } else {
        if ((through[v] === 0 || role[v] !== 0) && seen[state + 1] !== generation) visit(state + 1, state, -1);
        for (let k = first[v]!; k < first[v + 1]!; k++) {
          const w = neighbors[k]!;
          if (piece[w] !== id || flow[reverse[k]!]! <= 0 || seen[2 * w + 1] === generation) continue;
          visit(2 * w + 1, state, k);
        }
      }
    }
    return -1;
  }

  /** Pushes one unit along the BFS tree path that ends at `state`. */
  private augment(state: number): void {
    for (let at = state; this.parent[at] !== -1; at = this.parent[at]!) {
      const from = this.parent[at]!;
      const entry = this.parentEntry[at]!;
      if (entry === -1) this.through[at >> 1] = (at & 1) === 1 ? 1 : 0; // in → out takes the node, out → in gives it back
      else if ((from & 1) === 1) this.flow[entry]!++; // u_out → w_in along a street
      else this.flow[this.reverse[entry]!]!--; // v_in → w_out: cancel flow w → v
    }
  }

  /** After the last search: out-states reached are the source side, in-only the separator. */
  private sides(sorted: Uint32Array) {
    const separator: number[] = [];
    const left: number[] = [];
    const right: number[] = [];
    const generation = this.generation;
    for (const v of sorted) {
      if (this.seen[2 * v + 1] === generation) left.push(v);
      else if (this.seen[2 * v] === generation) separator.push(v);
      else right.push(v);
    }
    return { separator, left: Uint32Array.from(left), right: Uint32Array.from(right) };
  }

  private reset(sorted: Uint32Array): void {
    const { first } = this.graph;
    for (const v of sorted) {
      this.role[v] = 0;
      this.through[v] = 0;
      this.flow.fill(0, first[v]!, first[v + 1]!);
    }
  }

  private nextGeneration(): number {
    this.generation = (this.generation + 1) >>> 0;
    if (this.generation === 0) {
      this.seen.fill(0);
      this.generation = 1;
    }
    return this.generation;
  }
}

function entryOf(graph: UndirectedGraph, u: number, v: number): number {
  let lo = graph.first[u]!;
  let hi = graph.first[u + 1]! - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const w = graph.neighbors[mid]!;
    if (w === v) return mid;
    if (w < v) lo = mid + 1;
    else hi = mid - 1;
  }
  throw new Error(`adjacency is not symmetric at ${u} - ${v}`);
}
