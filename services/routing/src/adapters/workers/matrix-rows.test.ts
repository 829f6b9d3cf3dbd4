import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createLogger } from '@kera/platform';
import { createRoutePlanner } from '../../app/route-planner.js';
import { freeFlowStore, otaniemiNetworks, seededRandom } from '../../testing/networks.js';
import { createMatrixWorker } from './matrix-rows.js';

const networks = otaniemiNetworks();
const worker = createMatrixWorker(networks, createLogger({ name: 'test', level: 'silent' }));
after(() => worker.close());

describe('matrix rows on a worker thread', () => {
  it('gives exactly the matrix the main thread computes alone, on live weights', async () => {
    const store = freeFlowStore(networks);
    const random = seededRandom(33);
    const slowed = networks.road.freeFlow.map((w) => (random() > 0.8 ? w * 3 : w));
    store.swap({ version: 2, arcWeights: { ...store.current.arcWeights, road: slowed } });
    const parallel = createRoutePlanner({ networks, weights: store, snapRadiusM: 250, matrixRows: worker });
    const alone = createRoutePlanner({ networks, weights: store, snapRadiusM: 250 });
    for (const profile of ['road', 'sidewalk'] as const) {
      const { graph } = networks[profile];
      const points = Array.from({ length: 20 }, () => {
        const v = Math.floor(random() * graph.nodeCount);
        return { lat: graph.nodeLat[v]!, lon: graph.nodeLon[v]! + 0.0001 };
      });
      const command = { profile, sources: points, destinations: points.slice(0, 15), departure: new Date() };
      const a = await parallel.planMatrix(command);
      const b = await alone.planMatrix(command);
      assert.deepEqual(a, b);
      assert.equal(a.trafficVersion, 2);
    }
  });
});
