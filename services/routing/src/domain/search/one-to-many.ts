import type { RoadGraph } from '../graph.js';
import type { SearchEntry } from './shortest-path.js';

/** The part of a graph a matrix row reads (so a worker thread can hold just this). */
export type RowGraph = Pick<RoadGraph, 'nodeCount' | 'firstOut' | 'arcHead' | 'arcTail'>;

export interface TargetEntries {
  /** Entries of every target, flattened; target t owns entries first[t] .. first[t+1]-1. */
  readonly first: Int32Array;
  readonly nodes: Int32Array;
  readonly costs: Float64Array;
  /** Length (m) travelled on the target's edge after leaving the entry node. */
  readonly lengths: Float64Array;
  /** Entries by node as linked lists: head[node] is the first entry (-1: none), next[entry] the following. */
  readonly head: Int32Array;
  readonly next: Int32Array;
  /**
   * Optional pruning: treeParent from deadEndTrees, and needed[v] = 1 when v's
   * dead-end subtree holds a target entry. Arcs into unneeded subtrees are skipped.
   */
  readonly treeParent?: Int32Array;
  readonly needed?: Uint8Array;
}

/**
 * Indexes flattened target entries by node (and marks the dead-end subtrees
 * they sit in, when treeParent is given).
 */
export function indexTargetEntries(
  nodeCount: number,
  flat: Pick<TargetEntries, 'first' | 'nodes' | 'costs' | 'lengths'>,
  treeParent?: Int32Array,
): TargetEntries {
  const head = new Int32Array(nodeCount).fill(-1);
  const next = new Int32Array(flat.nodes.length);
  for (let entry = 0; entry < flat.nodes.length; entry++) {
    const node = flat.nodes[entry]!;
    next[entry] = head[node]!;
    head[node] = entry;
  }
  return {
    ...flat,
    head,
    next,
    ...(treeParent ? { treeParent, needed: markNeededTrees(treeParent, flat.nodes) } : {}),
  };
}

/** Marks the dead-end subtrees that hold target entries: from each entry up to the core. */
export function markNeededTrees(treeParent: Int32Array, entryNodes: Int32Array): Uint8Array {
  const needed = new Uint8Array(treeParent.length);
  for (const start of entryNodes) {
    for (let v = start; v !== -1 && !needed[v]; v = treeParent[v]!) needed[v] = 1;
  }
  return needed;
}

export interface OneToManyResult {
  readonly durations: Float64Array;
  readonly distances: Float64Array;
}

/** Scratch memory of matrix rows, one per graph and thread; rows run synchronously, one at a time. */
export class RowScratch {
  readonly bucketOf: Int32Array;
  readonly distance: Float64Array;
  readonly parentArc: Int32Array;
  entryNode: Int32Array;
  entryNext: Int32Array;
  heads = new Int32Array(0);

  constructor(nodeCount: number) {
    this.bucketOf = new Int32Array(nodeCount);
    this.distance = new Float64Array(nodeCount);
    this.parentArc = new Int32Array(nodeCount);
    this.entryNode = new Int32Array(nodeCount * 2);
    this.entryNext = new Int32Array(nodeCount * 2);
  }

  grow(): void {
    const bigger = (old: Int32Array) => {
      const array = new Int32Array(old.length * 2);
      array.set(old);
      return array;
    };
    this.entryNode = bigger(this.entryNode);
    this.entryNext = bigger(this.entryNext);
  }
}

/** Bucket width and ring size for one weight array, computed once per snapshot. */
export interface BucketPlan {
  readonly width: number;
  readonly ringSize: number;
}

/**
 * Width ≈ the median arc weight keeps re-scans rare (about 1% of nodes); the
 * ring must be longer than the heaviest arc so no label wraps onto a bucket
 * still to be processed.
 */
export function bucketPlan(weights: Float64Array): BucketPlan {
  const sample: number[] = [];
  let heaviest = 0;
  const step = Math.max(1, Math.floor(weights.length / 2000));
  for (let a = 0; a < weights.length; a++) {
    const w = weights[a]!;
    if (w < Infinity && w > heaviest) heaviest = w;
    if (a % step === 0 && w < Infinity) sample.push(w);
  }
  sample.sort((x, y) => x - y);
  const width = Math.max(1e-3, sample[sample.length >> 1] ?? 1);
  let ringSize = 1;
  while (ringSize < heaviest / width + 2) ringSize *= 2;
  return { width, ringSize };
}

/**
 * Shortest travel times from one source to many targets: the row of a duration
 * matrix. A bucket queue (sequential Δ-stepping, exact: a bucket is re-scanned
 * until no label in it improves) replaces the heap, which roughly halves the
 * cost of a city-wide tree. It stops once every target's best is below the
 * settled frontier. Tracks the length of each tree path too, for distances.
 */
export function oneToMany(
  scratch: RowScratch,
  graph: RowGraph,
  weights: Float64Array,
  plan: BucketPlan,
  sources: readonly (SearchEntry & { lengthM: number })[],
  targets: TargetEntries,
  lengthOf: Float64Array,
): OneToManyResult {
  const { firstOut, arcHead } = graph;
  const treeParent = targets.treeParent;
  const needed = targets.needed;
  if (scratch.heads.length !== plan.ringSize) scratch.heads = new Int32Array(plan.ringSize);
  const { bucketOf, heads, distance, parentArc } = scratch;
  // A row touches most nodes anyway: clearing beats a generation check in the hot loop.
  heads.fill(-1);
  bucketOf.fill(-1);
  distance.fill(Infinity);
  const mask = plan.ringSize - 1;
  const width = plan.width;
  const perWidth = 1 / width;
  const targetCount = targets.first.length - 1;
  const durations = new Float64Array(targetCount).fill(Infinity);
  const distances = new Float64Array(targetCount).fill(Infinity);
  let queued = 0;
  let used = 0;

  const enqueue = (node: number, label: number) => {
    const bucket = (label * perWidth) | 0;
    if (bucketOf[node] === bucket) return;
    if (used === scratch.entryNode.length) scratch.grow();
    const entry = used++;
    scratch.entryNode[entry] = node;
    scratch.entryNext[entry] = heads[bucket & mask]!;
    heads[bucket & mask] = entry;
    bucketOf[node] = bucket;
    queued++;
  };

  for (const entry of sources) {
    if (!(entry.cost < distance[entry.node]!)) continue;
    distance[entry.node] = entry.cost;
    parentArc[entry.node] = -1 - sources.indexOf(entry);
    enqueue(entry.node, entry.cost);
  }

  let unresolved = targetCount;
  let worstBest = 0;
  const bestEntry = new Int32Array(targetCount).fill(-1);
  for (let bucket = 0; queued > 0; bucket++) {
    const slot = bucket & mask;
    while (heads[slot] !== -1) {
      const entry = heads[slot]!;
      const u = scratch.entryNode[entry]!;
      heads[slot] = scratch.entryNext[entry]!;
      queued--;
      if (bucketOf[u] !== bucket) continue; // moved to a lower bucket since: already scanned there
      bucketOf[u] = -1;
      const du = distance[u]!;
      for (let e = targets.head[u]!; e !== -1; e = targets.next[e]!) {
        const target = targetOf(targets, e);
        const total = du + targets.costs[e]!;
        if (total < durations[target]!) {
          if (durations[target] === Infinity) unresolved--;
          durations[target] = total;
          bestEntry[target] = e;
          if (total > worstBest) worstBest = total;
        }
      }
      for (let arc = firstOut[u]!, end = firstOut[u + 1]!; arc < end; arc++) {
        const v = arcHead[arc]!;
        const candidate = du + weights[arc]!;
        if (!(candidate < distance[v]!)) continue;
        if (needed !== undefined && treeParent![v] === u && needed[v] === 0) continue;
        distance[v] = candidate;
        parentArc[v] = arc;
        enqueue(v, candidate);
      }
    }
    // Every label below (bucket + 1) * width is final now.
    if (unresolved === 0 && worstBest < (bucket + 1) * width) break;
  }
  // Distances of the fastest routes: walk each found target's tree path back once.
  for (let target = 0; target < targetCount; target++) {
    const entry = bestEntry[target]!;
    if (entry === -1) continue;
    let metres = targets.lengths[entry]!;
    let node = targets.nodes[entry]!;
    while (parentArc[node]! >= 0) {
      const arc = parentArc[node]!;
      metres += lengthOf[arc]!;
      node = graph.arcTail[arc]!;
    }
    distances[target] = metres + sources[-1 - parentArc[node]!]!.lengthM;
  }
  return { durations, distances };
}

function targetOf(targets: TargetEntries, entry: number): number {
  // Entries are few per target (one or two arcs of the snapped edge): binary search the owner.
  let lo = 0;
  let hi = targets.first.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (targets.first[mid]! <= entry) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
