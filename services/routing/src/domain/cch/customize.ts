import { findEdge, type CchTopology } from './topology.js';

/**
 * One metric on a hierarchy: for every edge {x, y} (x < y) the shortest
 * x → y (up) and y → x (down) travel time through nodes below x, the length
 * of that path, and how to unpack it: a middle rank z ≥ 0 (the path runs
 * through the lower triangle z), or -1 - arc when a graph arc itself is best.
 */
export interface CchMetric {
  readonly up: Float64Array;
  readonly down: Float64Array;
  readonly upVia: Int32Array;
  readonly downVia: Int32Array;
  readonly upLength: Float64Array;
  readonly downLength: Float64Array;
}

/**
 * Full customization: every edge from the arc weights, then lower triangles
 * bottom-up. `triangles` (from triangleTargets) names the edge each triangle
 * improves, so the loop only reads and compares.
 */
export function customize(
  topology: CchTopology,
  weights: Float64Array,
  lengths: Float64Array,
  triangles: Uint32Array = triangleTargets(topology),
): CchMetric {
  const m = topology.edgeCount;
  const metric: CchMetric = {
    up: new Float64Array(m).fill(Infinity),
    down: new Float64Array(m).fill(Infinity),
    upVia: new Int32Array(m).fill(-1),
    downVia: new Int32Array(m).fill(-1),
    upLength: new Float64Array(m),
    downLength: new Float64Array(m),
  };
  for (let e = 0; e < m; e++) takeArcs(topology, metric, weights, lengths, e);
  const { firstUp, nodeCount } = topology;
  const { up, down, upVia, downVia, upLength, downLength } = metric;
  let t = 0;
  for (let z = 0; z < nodeCount; z++) {
    const end = firstUp[z + 1]!;
    for (let i = firstUp[z]!; i < end; i++) {
      const toZ = down[i]!; // x → z
      const fromZ = up[i]!; // z → x
      if (toZ === Infinity && fromZ === Infinity) {
        t += end - i - 1;
        continue;
      }
      for (let j = i + 1; j < end; j++) {
        const p = triangles[t++]!;
        const viaUp = toZ + up[j]!;
        if (viaUp < up[p]!) {
          up[p] = viaUp;
          upVia[p] = z;
          upLength[p] = downLength[i]! + upLength[j]!;
        }
        const viaDown = down[j]! + fromZ;
        if (viaDown < down[p]!) {
          down[p] = viaDown;
          downVia[p] = z;
          downLength[p] = downLength[j]! + upLength[i]!;
        }
      }
    }
  }
  return metric;
}

/**
 * For every lower triangle in customization order (rank z, then i < j in z's
 * upper list), the id of the edge {upHead[i], upHead[j]} it offers a path to.
 * Computed once per hierarchy: 4 bytes a triangle (5.4 MB for Porto).
 */
export function triangleTargets(topology: CchTopology): Uint32Array {
  const { firstUp, upHead, nodeCount } = topology;
  let count = 0;
  for (let z = 0; z < nodeCount; z++) {
    const k = firstUp[z + 1]! - firstUp[z]!;
    count += (k * (k - 1)) / 2;
  }
  const targets = new Uint32Array(count);
  let t = 0;
  for (let z = 0; z < nodeCount; z++) {
    const end = firstUp[z + 1]!;
    for (let i = firstUp[z]!; i < end; i++) {
      // Every upper neighbour of z above x is an upper neighbour of x (the graph is chordal): walk x's list along.
      let p = firstUp[upHead[i]!]!;
      for (let j = i + 1; j < end; j++) {
        while (upHead[p] !== upHead[j]) p++;
        targets[t++] = p;
      }
    }
  }
  return targets;
}

/** The best graph arc of an edge in each direction (parallel arcs keep the cheapest). */
function takeArcs(topology: CchTopology, metric: CchMetric, weights: Float64Array, lengths: Float64Array, e: number): void {
  const { edgeFirstArc, edgeArcs, arcUpward } = topology;
  for (let k = edgeFirstArc[e]!; k < edgeFirstArc[e + 1]!; k++) {
    const arc = edgeArcs[k]!;
    const w = weights[arc]!;
    if (arcUpward[arc] === 1) {
      if (w < metric.up[e]!) {
        metric.up[e] = w;
        metric.upVia[e] = -1 - arc;
        metric.upLength[e] = lengths[arc]!;
      }
    } else if (w < metric.down[e]!) {
      metric.down[e] = w;
      metric.downVia[e] = -1 - arc;
      metric.downLength[e] = lengths[arc]!;
    }
  }
}

/**
 * Incremental customization: a copy of the previous metric in which only
 * what depends on the changed arcs is redone. Edges are taken in id order,
 * which is lower-end order, so every edge is final when taken. An edge whose
 * arcs changed, or whose best path ran through a triangle that got slower, is
 * rebuilt from scratch (its arcs and all lower triangles); one that differs
 * from the previous metric offers the triangles it is a side of to the edges
 * above (between its upper end and the other upper neighbours of its lower
 * end). Weights may rise or fall; the result equals a full customization.
 */
export function recustomize(
  topology: CchTopology,
  previous: CchMetric,
  weights: Float64Array,
  lengths: Float64Array,
  changedArcs: Iterable<number>,
): CchMetric {
  const metric: CchMetric = {
    up: previous.up.slice(),
    down: previous.down.slice(),
    upVia: previous.upVia.slice(),
    downVia: previous.downVia.slice(),
    upLength: previous.upLength.slice(),
    downLength: previous.downLength.slice(),
  };
  const queue = new EdgeQueue(topology.edgeCount);
  const rebuild = new Uint8Array(topology.edgeCount);
  for (const arc of changedArcs) {
    const e = topology.arcEdge[arc]!;
    if (e < 0) continue;
    rebuild[e] = 1;
    queue.push(e);
  }
  const { firstUp, upHead, upTail } = topology;
  const { up, down, upLength, downLength } = metric;
  while (queue.size > 0) {
    const e = queue.pop();
    if (rebuild[e] === 1) recompute(topology, metric, weights, lengths, e);
    if (!differs(metric, previous, e)) continue;
    const x = upTail[e]!;
    const y = upHead[e]!;
    for (let k = firstUp[x]!; k < firstUp[x + 1]!; k++) {
      const w = upHead[k]!;
      if (w === y) continue;
      const f = w < y ? findEdge(firstUp, upHead, w, y) : findEdge(firstUp, upHead, y, w);
      // Sides of the triangle x under f = {a, b}: {x, a} and {x, b}.
      const toLower = w < y ? k : e;
      const toUpper = w < y ? e : k;
      offer(metric.up, metric.upVia, metric.upLength, f, x, down[toLower]! + up[toUpper]!, downLength[toLower]! + upLength[toUpper]!, queue, rebuild);
      offer(metric.down, metric.downVia, metric.downLength, f, x, down[toUpper]! + up[toLower]!, downLength[toUpper]! + upLength[toLower]!, queue, rebuild);
    }
  }
  return metric;
}

/** One direction of edge f is offered a path through triangle x. */
function offer(
  weight: Float64Array,
  via: Int32Array,
  length: Float64Array,
  f: number,
  x: number,
  candidate: number,
  candidateLength: number,
  queue: EdgeQueue,
  rebuild: Uint8Array,
): void {
  const current = weight[f]!;
  if (candidate < current || (candidate === current && via[f] === x)) {
    weight[f] = candidate;
    via[f] = x;
    length[f] = candidateLength;
    queue.push(f);
  } else if (via[f] === x) {
    // Its best path ran through x and got slower: another path may be best now.
    rebuild[f] = 1;
    queue.push(f);
  }
}

function differs(metric: CchMetric, previous: CchMetric, e: number): boolean {
  return (
    metric.up[e] !== previous.up[e] ||
    metric.down[e] !== previous.down[e] ||
    metric.upLength[e] !== previous.upLength[e] ||
    metric.downLength[e] !== previous.downLength[e]
  );
}

/** Rebuilds one edge from its arcs and lower triangles. */
function recompute(topology: CchTopology, metric: CchMetric, weights: Float64Array, lengths: Float64Array, e: number): void {
  const { up, down, upVia, downVia, upLength, downLength } = metric;
  up[e] = Infinity;
  down[e] = Infinity;
  takeArcs(topology, metric, weights, lengths, e);
  const { firstDown, downTail, downEdge, firstUp, upHead } = topology;
  const x = topology.upTail[e]!;
  const y = upHead[e]!;
  for (let k = firstDown[x]!; k < firstDown[x + 1]!; k++) {
    const z = downTail[k]!;
    const zy = findEdge(firstUp, upHead, z, y);
    if (zy === -1) continue;
    const zx = downEdge[k]!;
    const viaUp = down[zx]! + up[zy]!;
    if (viaUp < up[e]!) {
      up[e] = viaUp;
      upVia[e] = z;
      upLength[e] = downLength[zx]! + upLength[zy]!;
    }
    const viaDown = down[zy]! + up[zx]!;
    if (viaDown < down[e]!) {
      down[e] = viaDown;
      downVia[e] = z;
      downLength[e] = downLength[zy]! + upLength[zx]!;
    }
  }
}

/** Min-heap of edge ids, each queued at most once at a time. */
class EdgeQueue {
  private readonly items: number[] = [];
  private readonly queued: Uint8Array;

  constructor(edgeCount: number) {
    this.queued = new Uint8Array(edgeCount);
  }

  get size(): number {
    return this.items.length;
  }

  push(e: number): void {
    if (this.queued[e] === 1) return;
    this.queued[e] = 1;
    const items = this.items;
    let i = items.length;
    items.push(e);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= e) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = e;
  }

  pop(): number {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    this.queued[top] = 0;
    if (items.length === 0) return top;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= items.length) break;
      if (child + 1 < items.length && items[child + 1]! < items[child]!) child++;
      if (items[child]! >= last) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
