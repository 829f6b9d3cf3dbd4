import type { PathResult, SearchEntry } from '../search/shortest-path.js';
import type { CchMetric } from './customize.js';
import { findEdge, type CchTopology } from './topology.js';

/**
 * Scratch memory of hierarchy searches (one per topology and thread): the
 * distances of the nodes on the current elimination-tree paths, with a
 * generation stamp so nothing is cleared between queries.
 */
export class CchSpace {
  readonly forward: TreeSide;
  readonly backward: TreeSide;

  constructor(readonly topology: CchTopology) {
    this.forward = new TreeSide(topology.nodeCount);
    this.backward = new TreeSide(topology.nodeCount);
  }
}

/** One direction of a search: distances, lengths and parent edges of the ranks on the tree paths. */
export class TreeSide {
  readonly distance: Float64Array;
  readonly length: Float64Array;
  /** Edge id the rank was reached by, or -1 - entry at a start. */
  readonly parent: Int32Array;
  readonly stamp: Uint32Array;
  /** The ranks of the current search, ascending, in nodes[0 .. count-1]. */
  readonly nodes: Int32Array;
  count = 0;
  generation = 0;

  constructor(n: number) {
    this.distance = new Float64Array(n);
    this.length = new Float64Array(n);
    this.parent = new Int32Array(n);
    this.stamp = new Uint32Array(n);
    this.nodes = new Int32Array(n);
  }

  /** Marks the tree paths from the entries to the root and seeds the entries' distances. */
  start(topology: CchTopology, entries: ReadonlyArray<SearchEntry & { lengthM?: number }>): void {
    this.generation = (this.generation + 1) >>> 0;
    if (this.generation === 0) {
      this.stamp.fill(0);
      this.generation = 1;
    }
    const { stamp, distance, parent, generation } = this;
    let count = 0;
    for (const entry of entries) {
      for (let r = topology.rank[entry.node]!; r !== -1 && stamp[r] !== generation; r = topology.parent[r]!) {
        stamp[r] = generation;
        distance[r] = Infinity;
        this.nodes[count++] = r;
      }
    }
    this.count = count;
    this.nodes.subarray(0, count).sort();
    entries.forEach((entry, index) => {
      const r = topology.rank[entry.node]!;
      if (!(entry.cost < distance[r]!)) return;
      distance[r] = entry.cost;
      this.length[r] = entry.lengthM ?? 0;
      parent[r] = -1 - index;
    });
  }

  /**
   * Relaxes the upward edges of every rank on the paths, lowest first. Forward
   * searches read up weights (x → y), backward ones down weights (y → x).
   */
  relax(topology: CchTopology, weights: Float64Array, lengths: Float64Array): void {
    const { firstUp, upHead } = topology;
    const { distance, length, parent, nodes } = this;
    for (let i = 0; i < this.count; i++) {
      const x = nodes[i]!;
      const d = distance[x]!;
      if (d === Infinity) continue;
      const l = length[x]!;
      for (let e = firstUp[x]!, end = firstUp[x + 1]!; e < end; e++) {
        const y = upHead[e]!;
        const candidate = d + weights[e]!;
        if (candidate < distance[y]!) {
          distance[y] = candidate;
          length[y] = l + lengths[e]!;
          parent[y] = e;
        }
      }
    }
  }
}

/**
 * Exact shortest path between entry sets on a customized hierarchy: an upward
 * search from the sources and one from the targets, each along the
 * elimination-tree paths to the root; they meet at a common ancestor. The
 * result names graph arcs, as the plain search does.
 */
export function cchShortestPath(
  space: CchSpace,
  metric: CchMetric,
  sources: readonly SearchEntry[],
  targets: readonly SearchEntry[],
): PathResult | null {
  const { topology, forward, backward } = space;
  forward.start(topology, sources);
  forward.relax(topology, metric.up, metric.upLength);
  backward.start(topology, targets);
  const { best, meet } = backwardMeeting(topology, metric, forward, backward);
  if (meet === -1) return null;
  const edges: number[] = [];
  const upward: boolean[] = [];
  let x = meet;
  for (; forward.parent[x]! >= 0; x = topology.upTail[forward.parent[x]!]!) {
    edges.push(forward.parent[x]!);
    upward.push(true);
  }
  const sourceEntry = -1 - forward.parent[x]!;
  edges.reverse();
  for (x = meet; backward.parent[x]! >= 0; x = topology.upTail[backward.parent[x]!]!) {
    edges.push(backward.parent[x]!);
    upward.push(false);
  }
  const targetEntry = -1 - backward.parent[x]!;
  const arcs: number[] = [];
  edges.forEach((e, i) => unpackEdge(topology, metric, e, upward[i]!, arcs));
  return { cost: best, arcs, sourceEntry, targetEntry, settled: forward.count + backward.count };
}

/**
 * The backward search, meeting the finished forward one as it goes: a rank's
 * distance is final when it is reached in ascending order, so the best
 * meeting so far is known, and ranks already at least that far from the
 * target are not relaxed (nothing above them can do better).
 */
function backwardMeeting(topology: CchTopology, metric: CchMetric, forward: TreeSide, backward: TreeSide) {
  const { firstUp, upHead } = topology;
  const { down, downLength } = metric;
  const { distance, length, parent, nodes } = backward;
  let best = Infinity;
  let meet = -1;
  for (let i = 0; i < backward.count; i++) {
    const x = nodes[i]!;
    const d = distance[x]!;
    if (forward.stamp[x] === forward.generation && forward.distance[x]! + d < best) {
      best = forward.distance[x]! + d;
      meet = x;
    }
    if (!(d < best)) continue;
    const l = length[x]!;
    for (let e = firstUp[x]!, end = firstUp[x + 1]!; e < end; e++) {
      const y = upHead[e]!;
      const candidate = d + down[e]!;
      if (candidate < distance[y]!) {
        distance[y] = candidate;
        length[y] = l + downLength[e]!;
        parent[y] = e;
      }
    }
  }
  return { best, meet };
}

/** Reused by every unpacking (they run synchronously, one at a time): no garbage per query. */
const unpackStack: number[] = [];

/** Appends the graph arcs of a hierarchy edge in one direction (x → y when upward, y → x when not). */
export function unpackEdge(topology: CchTopology, metric: CchMetric, edge: number, upward: boolean, out: number[]): void {
  const { firstUp, upHead, upTail } = topology;
  const stack = unpackStack;
  stack.length = 0;
  stack.push(edge, upward ? 1 : 0);
  while (stack.length > 0) {
    const isUp = stack.pop() === 1;
    const e = stack.pop()!;
    const via = isUp ? metric.upVia[e]! : metric.downVia[e]!;
    if (via < 0) {
      out.push(-1 - via);
      continue;
    }
    const x = upTail[e]!;
    const y = upHead[e]!;
    const zx = findEdge(firstUp, upHead, via, x);
    const zy = findEdge(firstUp, upHead, via, y);
    // x → y is x → z (down of {z,x}) then z → y (up of {z,y}); y → x the mirror. Pushed second part first.
    if (isUp) stack.push(zy, 1, zx, 0);
    else stack.push(zx, 1, zy, 0);
  }
}
