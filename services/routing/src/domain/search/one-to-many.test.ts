import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gridExtract, otaniemiNetworks, seededRandom } from '../../testing/networks.js';
import { buildRoadGraph } from '../graph-builder.js';
import { prepareNetwork, type ProfileNetwork } from '../network.js';
import { bucketPlan, indexTargetEntries, oneToMany, type TargetEntries } from './one-to-many.js';
import { shortestPath } from './shortest-path.js';

/** Targets at plain nodes (zero extra cost), as the matrix builds them for snapped points. */
function nodeTargets(network: ProfileNetwork, nodes: number[], pruneDeadEnds: boolean): TargetEntries {
  const flat = {
    first: Int32Array.from({ length: nodes.length + 1 }, (_, i) => i),
    nodes: Int32Array.from(nodes),
    costs: new Float64Array(nodes.length),
    lengths: new Float64Array(nodes.length),
  };
  return indexTargetEntries(network.graph.nodeCount, flat, pruneDeadEnds ? network.treeParent : undefined);
}

function slowed(network: ProfileNetwork, random: () => number): Float64Array {
  return network.freeFlow.map((w) => {
    const roll = random();
    return roll > 0.98 ? Infinity : roll > 0.6 ? w * (1 + 5 * random()) : w;
  });
}

describe('one-to-many (matrix rows) with a bucket queue', () => {
  it('finds dead-end trees that hang off the core by one node', () => {
    const { graph, treeParent } = otaniemiNetworks().road;
    const inTrees = treeParent.filter((p) => p !== -1).length;
    assert.ok(inTrees > 0 && inTrees < graph.nodeCount / 2, `${inTrees} of ${graph.nodeCount} nodes in dead-end trees`);
    for (let v = 0; v < graph.nodeCount; v++) {
      const parent = treeParent[v]!;
      if (parent === -1) continue;
      const linked = [...Array(graph.firstOut[v + 1]! - graph.firstOut[v]!).keys()].some((i) => graph.arcHead[graph.firstOut[v]! + i] === parent);
      assert.ok(linked, `node ${v} links to its tree parent ${parent}`);
    }
  });

  const cases: Array<[string, ProfileNetwork]> = [
    ['Otaniemi roads', otaniemiNetworks().road],
    ['Otaniemi sidewalks', otaniemiNetworks().sidewalk],
    ['a 40x40 grid', prepareNetwork(buildRoadGraph(gridExtract(40, seededRandom(4)), 'road'))],
  ];
  for (const [name, network] of cases) {
    it(`equals point-to-point Dijkstra on ${name}, free flow and with slowdowns and closures, with and without dead-end pruning`, () => {
      const random = seededRandom(17);
      const n = network.graph.nodeCount;
      for (const weights of [network.freeFlow, slowed(network, random)]) {
        const plan = bucketPlan(weights);
        const targets = Array.from({ length: 30 }, () => Math.floor(random() * n));
        for (let round = 0; round < 10; round++) {
          const source = Math.floor(random() * n);
          const row = oneToMany(network.rowScratch, network.graph, weights, plan, [{ node: source, cost: 0, lengthM: 0 }], nodeTargets(network, targets, round % 2 === 0), network.arcLengthM);
          targets.forEach((target, i) => {
            const expected = shortestPath(network.space, weights, null, [{ node: source, cost: 0 }], [{ node: target, cost: 0 }]);
            const got = row.durations[i]!;
            if (!expected) assert.equal(got, Infinity, `${source}->${target} unreachable`);
            else assert.ok(Math.abs(got - expected.cost) <= 1e-9 * (1 + expected.cost), `${source}->${target}: ${got} vs ${expected.cost}`);
          });
        }
      }
    });
  }
});
