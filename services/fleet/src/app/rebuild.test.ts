import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { foldEvents } from './rebuild.js';
import type { Job, Order, Vehicle } from '../domain/types.js';

const at = new Date('2026-11-27T10:00:00Z');
const job = (version: number, status: Job['status']): Job =>
  ({ id: 'job-1', requestId: 'r', operatorId: 'op', status, pickup: { lat: 1, lon: 2 }, dropoff: { lat: 1, lon: 3 }, size: 1, priority: 0, profiles: ['sidewalk'], createdAt: at, updatedAt: at, version }) satisfies Job;
const vehicle = (status: Vehicle['status']): Omit<Vehicle, 'version'> => ({ id: 'v1', kind: 'ROBOT', profile: 'sidewalk', capacity: 2, batteryPct: 90, headingDeg: 0, status, lastSeen: at });
const order = (orderUpdateId: number) => ({ orderId: 'o1', orderUpdateId, jobId: 'job-1', vehicleId: 'v1', nodes: [], edges: [], trafficVersion: 1, graphEdgeIds: [], durationS: 60 }) satisfies Order;

describe('rebuild fold', () => {
  it('keeps the highest job version even when a replay repeats or reorders events', () => {
    const fold = foldEvents();
    for (const [v, s] of [[1, 'CREATED'], [2, 'QUEUED'], [3, 'ASSIGNED'], [2, 'QUEUED']] as const) fold.add({ kind: 'job', job: job(v, s) });
    assert.deepEqual(fold.result().jobs.map((j) => [j.status, j.version]), [['ASSIGNED', 3]]);
  });

  it("rebuilds a job's ETA history from its ETA_CHANGED events: the ETA before the first change, then each change once, in version order", () => {
    const t = (minute: number) => new Date(at.getTime() + minute * 60_000);
    const withEta = (version: number, eta: Date, updatedAt: Date): Job => ({ ...job(version, 'DISPATCHED'), eta, updatedAt });
    const fold = foldEvents();
    fold.add({ kind: 'job', job: withEta(4, t(20), t(1)) }); // DISPATCHED: the first ETA
    const second = { kind: 'job' as const, job: withEta(6, t(30), t(5)), etaChanged: { previousEta: t(26), cause: 'progress' as const, trafficVersion: 8 } };
    fold.add(second);
    fold.add({ kind: 'job', job: withEta(5, t(26), t(3)), etaChanged: { previousEta: t(20), cause: 'traffic', trafficVersion: 7 } });
    fold.add(second); // a replay repeats it
    const { etaHistories, jobs } = fold.result();
    assert.deepEqual(jobs.map((j) => j.version), [6]);
    assert.deepEqual(etaHistories, [{
      jobId: 'job-1',
      records: [
        { eta: t(20), computedAt: t(1), trafficVersion: 0 },
        { eta: t(26), computedAt: t(3), cause: 'traffic', trafficVersion: 7 },
        { eta: t(30), computedAt: t(5), cause: 'progress', trafficVersion: 8 },
      ],
    }]);
  });

  it('keeps the last vehicle event and the latest order update', () => {
    const fold = foldEvents();
    fold.add({ kind: 'vehicle', vehicle: vehicle('IDLE') });
    fold.add({ kind: 'vehicle', vehicle: vehicle('EN_ROUTE') });
    fold.add({ kind: 'order', order: order(1) });
    fold.add({ kind: 'order', order: order(0) });
    const { vehicles, orders } = fold.result();
    assert.deepEqual(vehicles.map((v) => [v.status, v.version]), [['EN_ROUTE', 2]]);
    assert.deepEqual(orders.map((o) => o.orderUpdateId), [1]);
  });
});
