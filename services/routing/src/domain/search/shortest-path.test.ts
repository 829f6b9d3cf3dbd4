import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gridExtract, otaniemiNetworks, seededRandom } from '../../testing/networks.js';
import { buildRoadGraph } from '../graph-builder.js';
import { prepareNetwork, type ProfileNetwork } from '../network.js';
import { shortestPath } from './shortest-path.js';

/** Textbook Dijkstra over plain arrays: the independent reference. */
function referenceDistance(network: ProfileNetwork, weights: Float64Array, from: number, to: number): number {
  const { graph } = network;
  const distance = new Array<number>(graph.nodeCount).fill(Infinity);
  const done = new Array<boolean>(graph.nodeCount).fill(false);
  distance[from] = 0;
  for (;;) {
    let u = -1;
    for (let v = 0; v < graph.nodeCount; v++) if (!done[v] && distance[v]! < Infinity && (u === -1 || distance[v]! < distance[u]!)) u = v;
    if (u === -1 || u === to) return distance[to]!;
    done[u] = true;
    for (let a = graph.firstOut[u]!; a < graph.firstOut[u + 1]!; a++) {
      const v = graph.arcHead[a]!;
      distance[v] = Math.min(distance[v]!, distance[u]! + weights[a]!);
    }
  }
}

/** Live weights: some edges slowed up to 4x, a few closed; never faster than free flow. */
function trafficWeights(network: ProfileNetwork, random: () => number): Float64Array {
  const weights = network.freeFlow.slice();
  const { graph } = network;
  for (let e = 0; e < graph.edgeCount; e++) {
    const roll = random();
    if (roll > 0.7) {
      const factor = roll > 0.99 ? Infinity : 1 + random() * 3;
      for (let i = graph.edgeFirstArc[e]!; i < graph.edgeFirstArc[e + 1]!; i++) weights[graph.edgeArcs[i]!]! *= factor;
    }
  }
  return weights;
}

function checkPairs(network: ProfileNetwork, weights: Float64Array, pairs: number, seed: number, withReference: boolean) {
  const random = seededRandom(seed);
  const n = network.graph.nodeCount;
  let compared = 0;
  for (let i = 0; i < pairs; i++) {
    const s = Math.floor(random() * n);
    const t = Math.floor(random() * n);
    const fast = shortestPath(network.space, weights, network.landmarks, [{ node: s, cost: 0 }], [{ node: t, cost: 0 }]);
    const fastCost = fast?.cost ?? Infinity;
    const fastArcs = fast?.arcs ?? [];
    const baseline = shortestPath(network.space, weights, null, [{ node: s, cost: 0 }], [{ node: t, cost: 0 }])?.cost ?? Infinity;
    assert.ok(fastCost === baseline || Math.abs(fastCost - baseline) <= 1e-9 * baseline, `pair ${s}->${t}: ALT ${fastCost} vs Dijkstra ${baseline}`);
    if (withReference && i < 40) assert.ok(Math.abs(referenceDistance(network, weights, s, t) - baseline) <= 1e-9 * (baseline + 1) || baseline === Infinity);
    if (fast) {
      // The returned path really costs what was reported, and connects s to t.
      const walked = fastArcs.reduce((sum, arc) => sum + weights[arc]!, 0);
      assert.ok(Math.abs(walked - fastCost) <= 1e-9 * (fastCost + 1));
      const end = fastArcs.length > 0 ? network.graph.arcHead[fastArcs[fastArcs.length - 1]!] : s;
      assert.equal(end, t);
    }
    compared++;
  }
  return compared;
}

describe('ALT (A* with landmarks) returns optimal routes', () => {
  for (const profile of ['road', 'sidewalk'] as const) {
    it(`equals Dijkstra on 300 random ${profile} pairs in Otaniemi, free flow and with traffic`, () => {
      const network = otaniemiNetworks()[profile];
      assert.equal(checkPairs(network, network.freeFlow, 300, 7, true), 300);
      assert.equal(checkPairs(network, trafficWeights(network, seededRandom(11)), 300, 8, true), 300);
    });
  }

  it('equals Dijkstra on a generated 40x40 grid with oneways, slowdowns and closures', () => {
    const network = prepareNetwork(buildRoadGraph(gridExtract(40, seededRandom(3)), 'road'));
    assert.ok(network.graph.nodeCount > 1000);
    for (let round = 0; round < 3; round++) {
      checkPairs(network, trafficWeights(network, seededRandom(100 + round)), 200, 200 + round, round === 0);
    }
  });

  it('does less work than Dijkstra on long trips', () => {
    const network = prepareNetwork(buildRoadGraph(gridExtract(40, seededRandom(5)), 'sidewalk'));
    const n = network.graph.nodeCount;
    let alt = 0;
    let dijkstra = 0;
    const random = seededRandom(9);
    for (let i = 0; i < 50; i++) {
      const s = Math.floor(random() * n);
      const t = Math.floor(random() * n);
      alt += shortestPath(network.space, network.freeFlow, network.landmarks, [{ node: s, cost: 0 }], [{ node: t, cost: 0 }])!.settled;
      dijkstra += shortestPath(network.space, network.freeFlow, null, [{ node: s, cost: 0 }], [{ node: t, cost: 0 }])!.settled;
    }
    assert.ok(alt * 2 < dijkstra, `ALT settled ${alt} nodes, Dijkstra ${dijkstra}`);
  });

  it('reports no path when closures cut the target off', () => {
    const network = otaniemiNetworks().road;
    const target = 5;
    const weights = network.freeFlow.slice();
    for (let a = 0; a < network.graph.arcCount; a++) if (network.graph.arcHead[a] === target) weights[a] = Infinity;
    assert.equal(shortestPath(network.space, weights, network.landmarks, [{ node: 0, cost: 0 }], [{ node: target, cost: 0 }]), null);
  });
});
