import type { RoadGraph } from '../graph.js';
import { NodeHeap } from './min-heap.js';

/**
 * ALT landmarks: free-flow travel times from (d(L, v)) and to (d(v, L)) a few
 * landmarks, node-major so one node's values share cache lines. Traffic only
 * ever makes edges slower than free flow, so the triangle-inequality bounds
 * stay lower bounds under any live weights and A* stays exact.
 */
export interface Landmarks {
  readonly count: number;
  readonly nodes: Uint32Array;
  /** fromLandmark[v * count + i] = d(L_i, v). */
  readonly fromLandmark: Float32Array;
  /** toLandmark[v * count + i] = d(v, L_i). */
  readonly toLandmark: Float32Array;
  /** Subtracted from every bound: float32 rounding must never make a bound too high. */
  readonly epsilon: number;
}

export function computeLandmarks(graph: RoadGraph, freeFlow: Float64Array, count: number): Landmarks {
  const k = Math.min(count, graph.nodeCount);
  const n = graph.nodeCount;
  const reverse = reverseArcs(graph);
  const fromLandmark = new Float32Array(n * k);
  const toLandmark = new Float32Array(n * k);
  const nodes = new Uint32Array(k);
  const nearestLandmark = new Float64Array(n).fill(Infinity);
  const heap = new NodeHeap(n);
  // Farthest selection: start far from an arbitrary node, then keep adding the node farthest from all chosen.
  let next = argMax(fullTree(n, 0, graph.firstOut, graph.arcHead, null, freeFlow, heap));
  let maxDistance = 0;
  for (let i = 0; i < k; i++) {
    nodes[i] = next;
    const from = fullTree(n, next, graph.firstOut, graph.arcHead, null, freeFlow, heap);
    const to = fullTree(n, next, reverse.firstIn, reverse.inTail, reverse.inArc, freeFlow, heap);
    for (let v = 0; v < n; v++) {
      fromLandmark[v * k + i] = from[v]!;
      toLandmark[v * k + i] = to[v]!;
      const around = Math.min(from[v]!, to[v]!);
      if (around < nearestLandmark[v]!) nearestLandmark[v] = around;
      if (Number.isFinite(from[v]!)) maxDistance = Math.max(maxDistance, from[v]!, to[v]!);
    }
    next = argMax(nearestLandmark);
  }
  // Rounding to float32 is at most 2^-24 relative per value; a bound is a difference of two.
  return { count: k, nodes, fromLandmark, toLandmark, epsilon: maxDistance * 2.5e-7 + 1e-9 };
}

function argMax(values: Float64Array): number {
  let best = 0;
  for (let v = 1; v < values.length; v++) {
    const value = values[v]!;
    if (value > values[best]! && Number.isFinite(value)) best = v;
  }
  return best;
}

function reverseArcs(graph: RoadGraph) {
  const n = graph.nodeCount;
  const firstIn = new Uint32Array(n + 1);
  for (let a = 0; a < graph.arcCount; a++) firstIn[graph.arcHead[a]! + 1]! += 1;
  for (let v = 0; v < n; v++) firstIn[v + 1]! += firstIn[v]!;
  const fill = firstIn.slice(0, n);
  const inTail = new Uint32Array(graph.arcCount);
  const inArc = new Uint32Array(graph.arcCount);
  for (let a = 0; a < graph.arcCount; a++) {
    const head = graph.arcHead[a]!;
    const slot = fill[head]!;
    fill[head] = slot + 1;
    inTail[slot] = graph.arcTail[a]!;
    inArc[slot] = a;
  }
  return { firstIn, inTail, inArc };
}

/** Plain Dijkstra over a whole CSR (forward, or reverse when arcIndex maps slots to arcs). */
function fullTree(
  n: number,
  root: number,
  first: Uint32Array,
  neighbour: Uint32Array,
  arcIndex: Uint32Array | null,
  weights: Float64Array,
  heap: NodeHeap,
): Float64Array {
  const distance = new Float64Array(n).fill(Infinity);
  distance[root] = 0;
  heap.clear();
  heap.push(root, 0);
  while (heap.size > 0) {
    const u = heap.pop();
    const du = distance[u]!;
    for (let slot = first[u]!, end = first[u + 1]!; slot < end; slot++) {
      const v = neighbour[slot]!;
      const candidate = du + weights[arcIndex === null ? slot : arcIndex[slot]!]!;
      if (candidate < distance[v]!) {
        distance[v] = candidate;
        heap.push(v, candidate);
      }
    }
  }
  return distance;
}

/**
 * The bound towards one set of target nodes, reduced to per-landmark constants
 * once per query: d(v, X) >= d(L, X) - d(L, v) and d(v, X) >= d(v, L) - d(X, L),
 * with d(L, X) = min over X and d(X, L) = max over X so both hold for every x.
 */
export interface TargetBound {
  readonly active: Int32Array;
  readonly fromLandmarkToTarget: Float64Array;
  readonly targetToLandmark: Float64Array;
}

const ACTIVE_LANDMARKS = 6;

export function targetBound(landmarks: Landmarks, sourceNode: number, targetNodes: readonly number[]): TargetBound {
  const k = landmarks.count;
  const fromL = new Float64Array(k).fill(Infinity);
  const toL = new Float64Array(k).fill(-Infinity);
  for (const x of targetNodes) {
    for (let i = 0; i < k; i++) {
      fromL[i] = Math.min(fromL[i]!, landmarks.fromLandmark[x * k + i]!);
      toL[i] = Math.max(toL[i]!, landmarks.toLandmark[x * k + i]!);
    }
  }
  // Only the landmarks that bound this pair best are consulted per node: cheaper, nearly as tight.
  const quality = Array.from({ length: k }, (_, i) => ({
    i,
    bound: Math.max(fromL[i]! - landmarks.fromLandmark[sourceNode * k + i]!, landmarks.toLandmark[sourceNode * k + i]! - toL[i]!),
  }));
  quality.sort((a, b) => b.bound - a.bound);
  const active = Int32Array.from(quality.slice(0, ACTIVE_LANDMARKS), (q) => q.i);
  return { active, fromLandmarkToTarget: fromL, targetToLandmark: toL };
}

export function lowerBound(landmarks: Landmarks, bound: TargetBound, node: number): number {
  const k = landmarks.count;
  const base = node * k;
  let best = 0;
  const active = bound.active;
  for (let j = 0; j < active.length; j++) {
    const i = active[j]!;
    const viaFrom = bound.fromLandmarkToTarget[i]! - landmarks.fromLandmark[base + i]!;
    const viaTo = landmarks.toLandmark[base + i]! - bound.targetToLandmark[i]!;
    if (viaFrom > best) best = viaFrom;
    if (viaTo > best) best = viaTo;
  }
  return best > landmarks.epsilon ? best - landmarks.epsilon : 0;
}
