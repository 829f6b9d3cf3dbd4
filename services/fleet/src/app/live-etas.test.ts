import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inMemoryStores, ManualClock, silentLog } from '../../test/in-memory-ports.js';
import type { EtaRecord } from '../domain/eta.js';
import type { RoutePlan } from '../domain/order.js';
import type { Job, LatLon, Order, Vehicle } from '../domain/types.js';
import type { EtaHistoryStore, TrafficChangeInbox, TrafficChangeNotice } from './eta-ports.js';
import { createLiveEtas } from './live-etas.js';
import type { RoutePlanner } from './ports.js';

const PICKUP = { lat: 60.1855, lon: 24.829 };
const DROPOFF = { lat: 60.1875, lon: 24.8335 };

/** A route planner whose every route takes `durationS`; counts its calls. */
function fixedRoutes(durationS: number) {
  const calls: LatLon[][] = [];
  const routes: RoutePlanner & { calls: LatLon[][]; durationS: number } = {
    calls,
    durationS,
    async planRoute(_profile, waypoints): Promise<RoutePlan> {
      calls.push(waypoints);
      return { legs: [], durationS: routes.durationS, trafficVersion: 5, edgeIds: [] };
    },
    planMatrix: async () => [],
  };
  return routes;
}

function setup() {
  const clock = new ManualClock(Date.parse('2026-12-02T10:00:00Z'));
  const stores = inMemoryStores();
  const histories = new Map<string, EtaRecord[]>();
  const etas: EtaHistoryStore = {
    async revise(change, events, records) {
      if (!(await stores.jobs.save(change, events))) return false;
      histories.set(change.job.id, [...(histories.get(change.job.id) ?? []), ...records]);
      return true;
    },
    history: async (jobId) => histories.get(jobId) ?? [],
  };
  const inboxed = new Map<string, TrafficChangeNotice>();
  const inbox: TrafficChangeInbox = {
    add: async (c) => void inboxed.set(`${c.profile}:${c.trafficVersion}:${c.areaCell}`, c),
    pending: async (limit) => [...inboxed].slice(0, limit).map(([key, c]) => ({ key, ...c })),
    done: async (keys) => keys.forEach((k) => inboxed.delete(k)),
  };
  const routes = fixedRoutes(600);
  const live = createLiveEtas({ ...stores, routes, etas, inbox, clock, log: silentLog, settings: { thresholdS: 60, progressIntervalMs: 10_000, scanLimit: 100, concurrency: 2 } });
  const eta = new Date(clock.now().getTime() + 600_000);
  stores.put.vehicle({ id: 'r1', kind: 'ROBOT', profile: 'sidewalk', capacity: 2, batteryPct: 90, headingDeg: 0, status: 'EN_ROUTE', position: PICKUP, jobId: 'job-1', orderId: 'ord-1', lastSeen: clock.now(), version: 1 } satisfies Vehicle);
  stores.put.job({ id: 'job-1', operatorId: 'op', status: 'DISPATCHED', pickup: PICKUP, dropoff: DROPOFF, vehicleId: 'r1', orderId: 'ord-1', eta, version: 4, createdAt: clock.now(), updatedAt: clock.now() } as Job);
  void stores.vehicles.saveOrder({ orderId: 'ord-1', orderUpdateId: 0, jobId: 'job-1', vehicleId: 'r1', nodes: [], edges: [], trafficVersion: 1, graphEdgeIds: [10, 11, 12], durationS: 600 } as Order);
  const etaEvents = () => stores.log.events.flatMap((e) => (e.kind === 'job' && e.etaChanged ? [e] : []));
  return { live, stores, routes, inbox, inboxed, clock, histories, etaEvents, eta };
}

describe('live ETAs', () => {
  it('recomputes the jobs whose route uses a changed edge, announces a move past the threshold once, and empties the inbox', async () => {
    const { live, routes, inbox, inboxed, clock, etaEvents, histories, eta } = setup();
    routes.durationS = 900;
    await inbox.add({ profile: 'sidewalk', trafficVersion: 5, areaCell: 'c1', edgeIds: [11] });
    assert.deepEqual(await live.sweepTrafficChanges(), { changes: 1, affected: 1, changed: 1 });
    assert.deepEqual(routes.calls, [[PICKUP, PICKUP, DROPOFF]], 'from the vehicle, via the pickup');
    const [event] = etaEvents();
    assert.deepEqual(event?.etaChanged, { previousEta: eta, cause: 'traffic', trafficVersion: 5 });
    assert.deepEqual(event?.change.job.eta, new Date(clock.now().getTime() + 900_000));
    assert.deepEqual(histories.get('job-1')?.map((r) => r.cause), [undefined, 'traffic'], 'the first ETA, then the change');
    assert.equal(inboxed.size, 0);

    // The same change again (a redelivered record): recomputed, nothing new to tell.
    await inbox.add({ profile: 'sidewalk', trafficVersion: 5, areaCell: 'c1', edgeIds: [11] });
    assert.deepEqual(await live.sweepTrafficChanges(), { changes: 1, affected: 1, changed: 0 });
    assert.equal(etaEvents().length, 1);
  });

  it('does not plan for changes on other edges or on the other profile', async () => {
    const { live, routes, inbox, etaEvents } = setup();
    routes.durationS = 2_000;
    await inbox.add({ profile: 'sidewalk', trafficVersion: 5, areaCell: 'c1', edgeIds: [99] });
    await inbox.add({ profile: 'road', trafficVersion: 5, areaCell: 'c1', edgeIds: [11] });
    assert.deepEqual(await live.sweepTrafficChanges(), { changes: 2, affected: 0, changed: 0 });
    assert.equal(routes.calls.length, 0);
    assert.equal(etaEvents().length, 0);
  });

  it('recomputes from vehicle reports at most once per interval, and tells only a move past the threshold', async () => {
    const { live, routes, clock, etaEvents } = setup();
    routes.durationS = 630; // 30 s later: under the threshold
    for (let i = 0; i < 10; i++) await live.vehicleReported('r1');
    assert.equal(routes.calls.length, 1, 'ten reports, one recomputation');
    assert.equal(etaEvents().length, 0);
    clock.advance(9_999);
    await live.vehicleReported('r1');
    assert.equal(routes.calls.length, 1);
    clock.advance(1);
    routes.durationS = 500; // 10 s elapsed + 500 s: 90 s earlier than the ETA set at the start
    await live.vehicleReported('r1');
    assert.equal(routes.calls.length, 2);
    assert.deepEqual(etaEvents().map((e) => [e.etaChanged?.cause, e.change.job.version]), [['progress', 5]]);
  });

  it('leaves a job whose vehicle has moved on to another job', async () => {
    const { live, stores, routes } = setup();
    const vehicle = (await stores.vehicles.get('r1'))!;
    stores.put.vehicle({ ...vehicle, jobId: 'job-2' });
    assert.equal(await live.recompute('job-1', 'traffic'), 'skipped');
    assert.equal(routes.calls.length, 0);
  });
});
