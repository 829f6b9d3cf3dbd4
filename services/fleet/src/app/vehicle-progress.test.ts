import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { counterIds, countingMetrics, fakeDirectory, inMemoryLedgerStore, inMemoryStores, ManualClock, silentLog, straightRoutes } from '../../test/in-memory-ports.js';
import type { Job, JobStatus, Order, StateReport, Vehicle } from '../domain/types.js';
import { createCommandLedger } from './command-ledger.js';
import { createVehicleProgress } from './vehicle-progress.js';

const PICKUP = { lat: 60.1855, lon: 24.829 };
const DROPOFF = { lat: 60.1875, lon: 24.8335 };

function setup(jobStatus: JobStatus) {
  const clock = new ManualClock();
  const stores = inMemoryStores();
  const store = inMemoryLedgerStore();
  const metrics = countingMetrics();
  const ledger = createCommandLedger({ store, directory: fakeDirectory(), channels: new Map(), clock, log: silentLog, metrics, resendMs: 1_000, maxSends: 5, onExhausted: async () => undefined });
  const order = { orderId: 'ord-1', orderUpdateId: 0, jobId: 'job-1', vehicleId: 'r1', nodes: [], edges: [], trafficVersion: 1, graphEdgeIds: [], durationS: 100 } as Order;
  stores.put.vehicle({ id: 'r1', kind: 'ROBOT', profile: 'sidewalk', capacity: 2, batteryPct: 90, headingDeg: 0, status: 'EN_ROUTE', position: PICKUP, jobId: 'job-1', orderId: 'ord-1', lastSeen: clock.now(), version: 1 } satisfies Vehicle);
  stores.put.job({ id: 'job-1', status: jobStatus, pickup: PICKUP, dropoff: DROPOFF, vehicleId: 'r1', orderId: 'ord-1', version: 1, createdAt: clock.now(), updatedAt: clock.now() } as Job);
  void stores.vehicles.saveOrder(order);
  const progress = createVehicleProgress({ ...stores, routes: straightRoutes, clock, ids: counterIds(), log: silentLog, metrics, ledger: () => ledger, positionEventMs: 5_000 });
  const report = (patch: Partial<StateReport> = {}): StateReport => ({
    orderId: 'ord-1', orderUpdateId: 0, position: PICKUP, headingDeg: 0, batteryPct: 90, driving: true, paused: false, charging: false, actions: [], at: clock.now(), ...patch,
  });
  return { progress, stores, store, clock, report, metrics };
}

describe('vehicle progress', () => {
  it('publishes the full state on a change of status or battery, a moving position at most every 5 s, and the position it comes to rest at', async () => {
    const { progress, stores, clock, report } = setup('DISPATCHED');
    const published = () => stores.log.vehicleEvents('r1').filter((e) => e.type === 'STATE').map((e) => e.vehicle);
    await progress.onState('r1', report());
    assert.equal(published().length, 1, 'the first report of a session');
    clock.advance(1_000);
    await progress.onState('r1', report({ position: { lat: 60.186, lon: 24.83 }, at: clock.now() }));
    assert.equal(published().length, 1, 'moving: sampled');
    clock.advance(1_000);
    await progress.onState('r1', report({ position: { lat: 60.186, lon: 24.83 }, at: clock.now() }));
    assert.deepEqual(published().at(-1)?.position, { lat: 60.186, lon: 24.83 }, 'at rest: published at once');
    await progress.onState('r1', report({ position: { lat: 60.186, lon: 24.83 }, batteryPct: 80, at: clock.now() }));
    assert.equal(published().at(-1)?.batteryPct, 80);
    assert.equal(published().at(-1)?.jobId, 'job-1', 'with its job and order');
  });

  it('moves the job on from the action states of its order', async () => {
    const { progress, stores, report } = setup('DISPATCHED');
    await progress.onState('r1', report({ actions: [{ actionId: 'job-1:pick', status: 'FINISHED' }] }));
    assert.equal((await stores.jobs.get('job-1'))?.status, 'PICKED_UP');
    await progress.onState('r1', report({ actions: [{ actionId: 'job-1:pick', status: 'FINISHED' }, { actionId: 'job-1:drop', status: 'FINISHED' }] }));
    assert.equal((await stores.jobs.get('job-1'))?.status, 'DELIVERED');
    assert.equal((await stores.vehicles.get('r1'))?.jobId, undefined);
  });

  it('sends what remains to a vehicle that reports no order while its job has goods on board, once', async () => {
    const { progress, store, report, metrics } = setup('PICKED_UP');
    const here = { lat: 60.186, lon: 24.83 };
    await progress.onState('r1', report({ orderId: '', driving: false, position: here }));
    await progress.onState('r1', report({ orderId: '', driving: false, position: here }));
    const pending = await store.pending('r1');
    assert.equal(pending.length, 1, 'not again while the first is unacked');
    const cmd = pending[0]!.command;
    assert.ok(cmd.kind === 'order');
    assert.deepEqual([cmd.order.orderId, cmd.order.orderUpdateId], ['ord-1', 1]);
    assert.deepEqual(cmd.order.nodes.map((n) => n.actions.map((a) => a.actionId)), [[], ['job-1:drop']]);
    assert.deepEqual(cmd.order.nodes[0]?.position, here);
    assert.equal(metrics.counts['repaired:resent'], 1);
  });

  it('fails the job with the reason when what remains cannot be planned', async () => {
    const { progress, stores, report } = setup('PICKED_UP');
    await progress.onState('r1', report({ orderId: '', driving: false, position: { lat: 61.5, lon: 24.8 } }));
    const job = await stores.jobs.get('job-1');
    assert.equal(job?.status, 'FAILED');
    assert.match(job?.reason ?? '', /lost order ord-1 and what remains cannot be sent: waypoint is far from any street with the goods on board/);
  });

  it('reads a vehicle once per session, yet keeps what another writer changed between two reports', async () => {
    const { progress, stores, report } = setup('DISPATCHED');
    let reads = 0;
    const get = stores.vehicles.get;
    stores.vehicles.get = (id) => (reads++, get(id));
    await progress.onState('r1', report({ batteryPct: 80 }));
    await progress.onState('r1', report({ batteryPct: 79 }));
    assert.equal(reads, 1, 'the second report compare-and-sets against the vehicle the first one stored');
    // Another replica frees the vehicle between two reports: the stale copy fails, the stored one wins.
    const stored = (await get('r1'))!;
    await stores.vehicles.save({ ...stored, jobId: undefined, orderId: undefined, version: stored.version + 1 }, stored.version, []);
    await progress.onState('r1', report({ orderId: '', driving: false, batteryPct: 78 }));
    const after = (await get('r1'))!;
    assert.deepEqual([after.jobId, after.status, after.batteryPct], [undefined, 'IDLE', 78]);
  });

  it('leaves a vehicle alone that still drives its order, or whose job is only assigned', async () => {
    const { progress, store, report } = setup('ASSIGNED');
    await progress.onState('r1', report({ orderId: '', driving: false }));
    assert.equal((await store.pending('r1')).length, 0);
  });
});
