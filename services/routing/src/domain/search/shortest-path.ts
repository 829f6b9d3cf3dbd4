import type { RoadGraph } from '../graph.js';
import { lowerBound, targetBound, type Landmarks, type TargetBound } from './landmarks.js';
import { NodeHeap } from './min-heap.js';

/** Where a search may start (node reached at a cost) or end (node left at an extra cost). */
export interface SearchEntry {
  readonly node: number;
  readonly cost: number;
}

export interface PathResult {
  /** Travel time on the weights searched, seconds. */
  readonly cost: number;
  /** Arcs walked between the start entry and the end entry, in order. */
  readonly arcs: number[];
  readonly sourceEntry: number;
  readonly targetEntry: number;
  /** Nodes taken from the queue: the work done. */
  readonly settled: number;
}

/**
 * Per-graph scratch memory for searches, reused across queries. A generation
 * stamp marks which slots belong to the current search, so nothing is cleared
 * between queries. Searches run synchronously, so one space per graph is enough.
 */
export class SearchSpace {
  readonly distance: Float64Array;
  readonly potential: Float64Array;
  readonly parentArc: Int32Array;
  readonly stamp: Uint32Array;
  readonly targetSlot: Int32Array;
  readonly targetStamp: Uint32Array;
  readonly heap: NodeHeap;
  generation = 0;

  constructor(readonly graph: RoadGraph) {
    const n = graph.nodeCount;
    this.distance = new Float64Array(n);
    this.potential = new Float64Array(n);
    this.parentArc = new Int32Array(n);
    this.stamp = new Uint32Array(n);
    this.targetSlot = new Int32Array(n);
    this.targetStamp = new Uint32Array(n);
    this.heap = new NodeHeap(n);
  }

  begin(): number {
    this.heap.clear();
    this.generation = (this.generation + 1) >>> 0;
    if (this.generation === 0) {
      this.stamp.fill(0);
      this.targetStamp.fill(0);
      this.generation = 1;
    }
    return this.generation;
  }
}

/** Marks target nodes; several entries on one node keep the cheapest extra. */
function markTargets(space: SearchSpace, targets: readonly SearchEntry[], generation: number): void {
  targets.forEach((entry, index) => {
    const node = entry.node;
    if (space.targetStamp[node] === generation && targets[space.targetSlot[node]!]!.cost <= entry.cost) return;
    space.targetStamp[node] = generation;
    space.targetSlot[node] = index;
  });
}

/**
 * A* with ALT lower bounds (landmarks = null gives plain Dijkstra with the same
 * stopping rule). Exact: it stops only when no queued node can beat the best
 * complete path. A node whose distance improves after it was taken is queued
 * again, so float rounding in the bounds can never cost optimality.
 */
export function shortestPath(
  space: SearchSpace,
  weights: Float64Array,
  landmarks: Landmarks | null,
  sources: readonly SearchEntry[],
  targets: readonly SearchEntry[],
): PathResult | null {
  const { graph, distance, potential, parentArc, stamp, heap } = space;
  const { firstOut, arcHead } = graph;
  const generation = space.begin();
  markTargets(space, targets, generation);
  const bound: TargetBound | null =
    landmarks && sources.length > 0 ? targetBound(landmarks, sources[0]!.node, targets.map((t) => t.node)) : null;
  const potentialOf = (node: number): number => (bound ? lowerBound(landmarks!, bound, node) : 0);

  sources.forEach((entry, index) => {
    const node = entry.node;
    if (!(entry.cost < Infinity)) return;
    if (stamp[node] !== generation) {
      stamp[node] = generation;
      potential[node] = potentialOf(node);
    } else if (distance[node]! <= entry.cost) return;
    distance[node] = entry.cost;
    parentArc[node] = -1 - index;
    heap.push(node, entry.cost + potential[node]!);
  });

  let best = Infinity;
  let bestTarget = -1;
  let bestNode = -1;
  let settled = 0;
  while (heap.size > 0) {
    if (heap.minKey() >= best) break;
    const u = heap.pop();
    settled++;
    const du = distance[u]!;
    if (space.targetStamp[u] === generation) {
      const slot = space.targetSlot[u]!;
      const total = du + targets[slot]!.cost;
      if (total < best) {
        best = total;
        bestTarget = slot;
        bestNode = u;
      }
    }
    for (let arc = firstOut[u]!, end = firstOut[u + 1]!; arc < end; arc++) {
      const v = arcHead[arc]!;
      const candidate = du + weights[arc]!;
      if (stamp[v] !== generation) {
        stamp[v] = generation;
        potential[v] = potentialOf(v);
      } else if (candidate >= distance[v]!) continue;
      if (!(candidate < Infinity)) {
        distance[v] = Infinity;
        continue;
      }
      distance[v] = candidate;
      parentArc[v] = arc;
      heap.push(v, candidate + potential[v]!);
    }
  }
  if (bestNode === -1) return null;
  const arcs: number[] = [];
  let node = bestNode;
  while (parentArc[node]! >= 0) {
    const arc = parentArc[node]!;
    arcs.push(arc);
    node = graph.arcTail[arc]!;
  }
  arcs.reverse();
  return { cost: best, arcs, sourceEntry: -1 - parentArc[node]!, targetEntry: bestTarget, settled };
}
