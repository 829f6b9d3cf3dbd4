import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gridExtract, seededRandom } from '../../testing/networks.js';
import { buildRoadGraph } from '../graph-builder.js';
import { prepareNetwork, type ProfileNetwork } from '../network.js';
import type { OsmExtract } from '../osm.js';
import { shortestPath } from '../search/shortest-path.js';
import { Hierarchy } from './hierarchy.js';
import { cchShortestPath } from './query.js';

const SIZE = 14;

/** The grid with random turn restrictions: via nodes (row → column) and via ways (row → column → next row). */
function restrictedGrid(random: () => number): OsmExtract {
  const grid = gridExtract(SIZE, random);
  const restrictions: OsmExtract['restrictions'][number][] = [];
  const rowWay = (r: number) => r + 1;
  const columnWay = (c: number) => SIZE + c + 1;
  for (let i = 0; i < 40; i++) {
    const r = 1 + Math.floor(random() * (SIZE - 2));
    const c = 1 + Math.floor(random() * (SIZE - 2));
    const type = random() < 0.8 ? 'no_left_turn' : 'only_right_turn';
    const viaWay = random() < 0.5;
    restrictions.push({
      id: 1000 + i,
      tags: { type: 'restriction', restriction: type },
      members: [
        { type: 'way', ref: rowWay(r), role: 'from' },
        viaWay ? { type: 'way', ref: columnWay(c), role: 'via' } : { type: 'node', ref: r * SIZE + c + 1, role: 'via' },
        { type: 'way', ref: viaWay ? rowWay(r + 1) : columnWay(c), role: 'to' },
      ],
    });
  }
  return { ...grid, restrictions };
}

/** Live weights: some edges slowed up to 4x, a few closed. */
function trafficWeights(network: ProfileNetwork, random: () => number): Float64Array {
  const weights = network.freeFlow.slice();
  const { graph } = network;
  for (let e = 0; e < graph.edgeCount; e++) {
    const roll = random();
    if (roll < 0.3) continue;
    const factor = roll > 0.97 ? Infinity : 1 + random() * 3;
    for (let i = graph.edgeFirstArc[e]!; i < graph.edgeFirstArc[e + 1]!; i++) weights[graph.edgeArcs[i]!]! *= factor;
  }
  return weights;
}

describe('hierarchy on a road graph with turn restrictions', () => {
  it('matches Dijkstra on the turn-split graph for random pairs and random live weights', () => {
    const random = seededRandom(21);
    const unrestricted = buildRoadGraph(gridExtract(SIZE, seededRandom(21)), 'road');
    const network = prepareNetwork(buildRoadGraph(restrictedGrid(random), 'road'));
    assert.ok(network.graph.nodeCount > unrestricted.nodeCount, 'restrictions split junctions');
    for (let round = 0; round < 3; round++) {
      const weights = trafficWeights(network, random);
      const metric = network.hierarchy.metricFor(weights);
      for (let i = 0; i < 300; i++) {
        const s = Math.floor(random() * network.graph.nodeCount);
        const t = Math.floor(random() * network.graph.nodeCount);
        const fast = cchShortestPath(network.hierarchy.space, metric, [{ node: s, cost: 0 }], [{ node: t, cost: 0 }]);
        const plain = shortestPath(network.space, weights, null, [{ node: s, cost: 0 }], [{ node: t, cost: 0 }]);
        const expected = plain?.cost ?? Infinity;
        const found = fast?.cost ?? Infinity;
        assert.ok(found === expected || Math.abs(found - expected) <= 1e-9 * expected, `${s} -> ${t}: ${found} vs ${expected}`);
        if (!fast) continue;
        // The unpacked route is a real walk over graph arcs, so it obeys the split junctions.
        let at = s;
        for (const arc of fast.arcs) {
          assert.equal(network.graph.arcTail[arc], at);
          at = network.graph.arcHead[arc]!;
        }
        assert.equal(at, t);
      }
    }
  });
});

describe('deriving a metric for new weights', () => {
  it('leaves the previous metric as it was and equals customizing the new weights from scratch', () => {
    const random = seededRandom(33);
    const network = prepareNetwork(buildRoadGraph(restrictedGrid(random), 'road'));
    const { hierarchy } = network;
    const before = trafficWeights(network, random);
    const old = hierarchy.metricFor(before);
    const oldUp = old.up.slice();
    for (const count of [3, 40, network.graph.arcCount]) {
      const after = before.slice();
      const changed = Array.from({ length: count }, () => Math.floor(random() * network.graph.arcCount));
      for (const arc of changed) after[arc] = random() < 0.1 ? Infinity : network.freeFlow[arc]! * (1 + 3 * random());
      const derived = hierarchy.derive(before, after, changed);
      assert.deepEqual(old.up, oldUp, 'a query still on the previous snapshot reads unchanged weights');
      assert.equal(hierarchy.metricFor(after), derived, 'queries on the new snapshot find the derived metric');
      const fresh = new Hierarchy(hierarchy.topology, network.arcLengthM).metricFor(after);
      assert.deepEqual(derived.up, fresh.up);
      assert.deepEqual(derived.down, fresh.down);
    }
  });
});
