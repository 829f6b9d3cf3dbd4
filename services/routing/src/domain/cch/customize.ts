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

/** Full customization: every edge from the arc weights, then lower triangles bottom-up. */
export function customize(topology: CchTopology, weights: Float64Array, lengths: Float64Array): CchMetric {
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
  const { firstUp, upHead, nodeCount } = topology;
  const { up, down, upVia, downVia, upLength, downLength } = metric;
  for (let z = 0; z < nodeCount; z++) {
    const end = firstUp[z + 1]!;
    for (let i = firstUp[z]!; i < end; i++) {
      const x = upHead[i]!;
      const toZ = down[i]!; // x → z
      const fromZ = up[i]!; // z → x
      if (toZ === Infinity && fromZ === Infinity) continue;
      // Every upper neighbour of z above x is an upper neighbour of x (the graph is chordal): walk x's list along.
      let p = firstUp[x]!;
      for (let j = i + 1; j < end; j++) {
        const y = upHead[j]!;
        while (upHead[p] !== y) p++;
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
 * Incremental customization: a copy of the previous metric in which only the
 * edges that can depend on a changed arc are recomputed. Each one is rebuilt
 * from scratch (its arcs and all its lower triangles), so weights may rise or
 * fall; when an edge changes, the edges it forms triangles for (those between
 * its upper end and the other upper neighbours of its lower end) follow.
 * Edges are processed in id order, which is lower-end order: every triangle
 * side is final before it is read.
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
  for (const arc of changedArcs) {
    const e = topology.arcEdge[arc]!;
    if (e >= 0) queue.push(e);
  }
  const { firstUp, upHead, upTail } = topology;
  while (queue.size > 0) {
    const e = queue.pop();
    if (!recompute(topology, metric, weights, lengths, e)) continue;
    const x = upTail[e]!;
    const y = upHead[e]!;
    for (let k = firstUp[x]!; k < firstUp[x + 1]!; k++) {
      const w = upHead[k]!;
      if (w === y) continue;
      queue.push(w < y ? findEdge(firstUp, upHead, w, y) : findEdge(firstUp, upHead, y, w));
    }
  }
  return metric;
}

/** Rebuilds one edge from its arcs and lower triangles; true when its weights changed. */
function recompute(topology: CchTopology, metric: CchMetric, weights: Float64Array, lengths: Float64Array, e: number): boolean {
  const { up, down, upVia, downVia, upLength, downLength } = metric;
  const old = [up[e]!, down[e]!, upLength[e]!, downLength[e]!];
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
  // Lengths count too: an equally fast but different path changes the distances reported above it.
  return up[e] !== old[0] || down[e] !== old[1] || upLength[e] !== old[2] || downLength[e] !== old[3];
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
