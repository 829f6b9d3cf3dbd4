import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countingMetrics, fakeHeartbeats, inMemoryStores, ManualClock, silentLog } from '../../test/in-memory-ports.js';
import type { Job, JobStatus, Vehicle } from '../domain/types.js';
import { createLeaseWatchdog } from './lease-watchdog.js';

const LEASE = 15_000;

function setup(jobStatus: JobStatus = 'DISPATCHED') {
  const clock = new ManualClock();
  const stores = inMemoryStores();
  const heartbeats = fakeHeartbeats(new Date(clock.now().getTime() - 3_600_000));
  const dropped: string[] = [];
  const metrics = countingMetrics();
  const vehicle: Vehicle = { id: 'r1', kind: 'ROBOT', profile: 'sidewalk', capacity: 2, batteryPct: 90, headingDeg: 0, status: 'EN_ROUTE', jobId: 'job-1', orderId: 'ord-1', lastSeen: clock.now(), version: 3 };
  const job = { id: 'job-1', status: jobStatus, vehicleId: 'r1', orderId: 'ord-1', version: 4, createdAt: clock.now(), updatedAt: clock.now() } as Job;
  stores.put.vehicle(vehicle);
  stores.put.job(job);
  const watchdog = createLeaseWatchdog({ ...stores, heartbeats, clock, log: silentLog, metrics, leaseMs: LEASE, dropCommands: async (id) => void dropped.push(id) });
  return { watchdog, clock, stores, heartbeats, dropped, metrics };
}

describe('lease watchdog', () => {
  it('takes a vehicle silent past its lease OFFLINE, drops its commands and requeues its job with the reason', async () => {
    const { watchdog, clock, stores, dropped, metrics } = setup('DISPATCHED');
    clock.advance(LEASE);
    await watchdog.sweep();
    assert.equal((await stores.vehicles.get('r1'))?.status, 'EN_ROUTE', 'not before the lease has passed');
    clock.advance(1);
    await watchdog.sweep();
    const v = await stores.vehicles.get('r1');
    assert.equal(v?.status, 'OFFLINE');
    assert.equal(v?.jobId, undefined);
    assert.deepEqual(dropped, ['r1']);
    assert.equal(metrics.counts.leaseExpired, 1);
    const job = await stores.jobs.get('job-1');
    assert.equal(job?.status, 'QUEUED');
    assert.match(job?.reason ?? '', /vehicle r1 silent for more than 15000 ms/);
    assert.deepEqual(stores.enqueued, ['job-1']);
  });

  it('fails a job whose goods are on board', async () => {
    const { watchdog, clock, stores } = setup('PICKED_UP');
    clock.advance(LEASE + 1);
    await watchdog.sweep();
    const job = await stores.jobs.get('job-1');
    assert.equal(job?.status, 'FAILED');
    assert.match(job?.reason ?? '', /with the goods on board/);
  });

  it('reads only vehicles silent for a lease on most sweeps, and the whole fleet now and then', async () => {
    const { watchdog, clock, stores } = setup('DISPATCHED');
    const reads = { list: 0, seenBefore: 0 };
    const { list, seenBefore } = stores.vehicles;
    stores.vehicles.list = () => (reads.list++, list());
    stores.vehicles.seenBefore = (at) => (reads.seenBefore++, seenBefore(at));
    for (let i = 0; i < 61; i++) await watchdog.sweep();
    assert.deepEqual(reads, { list: 2, seenBefore: 59 });
    clock.advance(LEASE + 1);
    await watchdog.sweep();
    assert.equal((await stores.vehicles.get('r1'))?.status, 'OFFLINE', 'found through the last-seen index');
  });

  it('does not count a fleet outage against the vehicle: the lease starts again when the fleet is back', async () => {
    const { watchdog, clock, stores, heartbeats } = setup('PICKED_UP');
    clock.advance(10 * LEASE); // the whole fleet was down this long
    heartbeats.set(clock.now());
    await watchdog.sweep();
    assert.equal((await stores.vehicles.get('r1'))?.status, 'EN_ROUTE', 'a fresh grace period');
    clock.advance(LEASE + 1);
    await watchdog.sweep();
    assert.equal((await stores.vehicles.get('r1'))?.status, 'OFFLINE', 'gone for a whole lease after the fleet came back');
  });
});
