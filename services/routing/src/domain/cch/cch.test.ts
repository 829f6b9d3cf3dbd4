import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../testing/networks.js';
import { customize, recustomize, type CchMetric } from './customize.js';
import { cchManyToMany } from './many-to-many.js';
import { CchSpace, cchShortestPath } from './query.js';
import { buildTopology, type CchTopology } from './topology.js';

interface Crafted {
  nodeCount: number;
  arcTail: Uint32Array;
  arcHead: Uint32Array;
  nodeLat: Float64Array;
  nodeLon: Float64Array;
}

/** A jittered grid with random one-way streets, diagonals and parallel arcs: a small street network. */
function craftedGraph(side: number, random: () => number): Crafted {
  const n = side * side;
  const nodeLat = new Float64Array(n);
  const nodeLon = new Float64Array(n);
  for (let v = 0; v < n; v++) {
    nodeLat[v] = 41.1 + Math.floor(v / side) * 0.001 + random() * 0.0003;
    nodeLon[v] = -8.6 + (v % side) * 0.001 + random() * 0.0003;
  }
  const tails: number[] = [];
  const heads: number[] = [];
  const arc = (from: number, to: number) => {
    tails.push(from);
    heads.push(to);
  };
  const link = (a: number, b: number) => {
    const roll = random();
    if (roll < 0.8) arc(a, b);
    if (roll > 0.2) arc(b, a);
    if (roll > 0.95) arc(a, b); // a parallel arc
  };
  for (let v = 0; v < n; v++) {
    if (v % side < side - 1 && random() < 0.9) link(v, v + 1);
    if (v + side < n && random() < 0.9) link(v, v + side);
    if (v % side < side - 1 && v + side < n && random() < 0.1) link(v, v + side + 1);
  }
  return { nodeCount: n, arcTail: Uint32Array.from(tails), arcHead: Uint32Array.from(heads), nodeLat, nodeLon };
}

/** Random travel times; `closed` of them Infinity (closed streets). */
function randomWeights(arcs: number, random: () => number, closed: number): Float64Array {
  return Float64Array.from({ length: arcs }, () => (random() < closed ? Infinity : 1 + Math.floor(random() * 100) / 4));
}

/** Textbook Dijkstra over the arc list: the independent reference. */
function dijkstra(graph: Crafted, weights: Float64Array, from: number): Float64Array {
  const distance = new Float64Array(graph.nodeCount).fill(Infinity);
  const done = new Uint8Array(graph.nodeCount);
  distance[from] = 0;
  for (;;) {
    let u = -1;
    for (let v = 0; v < graph.nodeCount; v++) if (!done[v] && distance[v]! < Infinity && (u === -1 || distance[v]! < distance[u]!)) u = v;
    if (u === -1) return distance;
    done[u] = 1;
    for (let a = 0; a < graph.arcTail.length; a++) {
      if (graph.arcTail[a] !== u) continue;
      const v = graph.arcHead[a]!;
      distance[v] = Math.min(distance[v]!, distance[u]! + weights[a]!);
    }
  }
}

function assertExact(graph: Crafted, topology: CchTopology, metric: CchMetric, weights: Float64Array, random: () => number) {
  const space = new CchSpace(topology);
  for (let i = 0; i < 12; i++) {
    const s = Math.floor(random() * graph.nodeCount);
    const reference = dijkstra(graph, weights, s);
    for (let t = 0; t < graph.nodeCount; t++) {
      const found = cchShortestPath(space, metric, [{ node: s, cost: 0 }], [{ node: t, cost: 0 }]);
      assert.equal(found?.cost ?? Infinity, reference[t], `${s} -> ${t}`);
      if (!found) continue;
      // The unpacked arcs form a walk from s to t that costs exactly what was reported.
      let at = s;
      let cost = 0;
      for (const arc of found.arcs) {
        assert.equal(graph.arcTail[arc], at);
        at = graph.arcHead[arc]!;
        cost += weights[arc]!;
      }
      assert.equal(at, t);
      assert.ok(Math.abs(cost - found.cost) < 1e-9);
    }
  }
}

describe('customizable contraction hierarchy', () => {
  it('finds the Dijkstra optimum for every target, on random weights with closed streets', () => {
    for (const seed of [1, 2, 3]) {
      const random = seededRandom(seed);
      const graph = craftedGraph(12, random);
      const topology = buildTopology(graph);
      for (const closed of [0, 0.05, 0.2]) {
        const weights = randomWeights(graph.arcTail.length, random, closed);
        assertExact(graph, topology, customize(topology, weights, weights), weights, random);
      }
    }
  });

  it('re-customizing a batch of changed arcs gives the same metric as customizing from scratch', () => {
    const random = seededRandom(7);
    const graph = craftedGraph(15, random);
    const topology = buildTopology(graph);
    let weights = randomWeights(graph.arcTail.length, random, 0.02);
    let metric = customize(topology, weights, weights);
    for (let round = 0; round < 5; round++) {
      const next = weights.slice();
      const changed: number[] = [];
      for (let a = 0; a < next.length; a++) {
        if (random() > 0.1) continue;
        // Slower, faster, closed and re-opened arcs all occur.
        next[a] = random() < 0.2 ? Infinity : 1 + Math.floor(random() * 100) / 4;
        changed.push(a);
      }
      metric = recustomize(topology, metric, next, next, changed);
      const fresh = customize(topology, next, next);
      assert.deepEqual(metric.up, fresh.up);
      assert.deepEqual(metric.down, fresh.down);
      weights = next;
      assertExact(graph, topology, metric, weights, random);
    }
  });

  it('many-to-many equals one search per pair, entry costs and lengths included', () => {
    const random = seededRandom(11);
    const graph = craftedGraph(14, random);
    const topology = buildTopology(graph);
    const weights = randomWeights(graph.arcTail.length, random, 0.05);
    const lengths = Float64Array.from(weights, (w) => (w === Infinity ? 5 : w * 10));
    const metric = customize(topology, weights, lengths);
    const entries = (count: number) =>
      Array.from({ length: count }, () => [
        { node: Math.floor(random() * graph.nodeCount), cost: random() * 3, lengthM: 7 },
        { node: Math.floor(random() * graph.nodeCount), cost: random() * 3, lengthM: 9 },
      ]);
    const sources = entries(9);
    const destinations = entries(13);
    const space = new CchSpace(topology);
    const matrix = cchManyToMany(space, metric, sources, destinations);
    sources.forEach((from, r) => {
      destinations.forEach((to, c) => {
        const path = cchShortestPath(space, metric, from, to);
        assert.equal(matrix.durations[r * 13 + c], path?.cost ?? Infinity);
        if (!path) return;
        const metres = path.arcs.reduce((sum, arc) => sum + lengths[arc]!, 0) + from[path.sourceEntry]!.lengthM + to[path.targetEntry]!.lengthM;
        const fromDijkstra = Math.min(...from.map((s) => Math.min(...to.map((t) => s.cost + dijkstra(graph, weights, s.node)[t.node]! + t.cost))));
        assert.ok(Math.abs(fromDijkstra - path.cost) < 1e-9);
        assert.ok(Math.abs(matrix.distances[r * 13 + c]! - metres) < 1e-6);
      });
    });
  });
});
