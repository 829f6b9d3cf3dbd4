import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { baselineRecord, etaAfter, mergeChanges, progressDue, remainingRoute, reviseEta, routeAffected, routeMayBeAffected } from './eta.js';
import type { Job, JobStatus } from './types.js';

const now = new Date('2026-12-02T10:00:00Z');
const PICKUP = { lat: 60.1855, lon: 24.829 };
const DROPOFF = { lat: 60.1875, lon: 24.8335 };
const job = (status: JobStatus = 'DISPATCHED', eta: Date | null = new Date('2026-12-02T10:10:00Z')): Job => ({
  id: 'job-1', requestId: 'r', operatorId: 'op', status, pickup: PICKUP, dropoff: DROPOFF, size: 1, priority: 0, profiles: ['sidewalk'],
  vehicleId: 'r1', orderId: 'ord-1', eta: eta ?? undefined, createdAt: now, updatedAt: new Date('2026-12-02T09:58:00Z'), version: 4,
});
const policy = { thresholdS: 60 };
const at = (iso: string) => new Date(iso);

describe('live ETA rules', () => {
  it('announces an ETA that moved at least the threshold, either way: same status, next version, the old ETA and the cause kept', () => {
    const later = reviseEta(job(), { eta: at('2026-12-02T10:15:20Z'), cause: 'traffic', trafficVersion: 9 }, now, policy);
    assert.ok(later.changed);
    assert.equal(later.shiftS, 320);
    assert.deepEqual(later.previousEta, at('2026-12-02T10:10:00Z'));
    assert.deepEqual([later.change.previousStatus, later.change.job.status, later.change.job.version], ['DISPATCHED', 'DISPATCHED', 5]);
    assert.deepEqual(later.change.job.eta, at('2026-12-02T10:15:20Z'));
    assert.deepEqual(later.change.job.updatedAt, now);
    assert.deepEqual(later.record, { eta: at('2026-12-02T10:15:20Z'), computedAt: now, cause: 'traffic', trafficVersion: 9 });

    const earlier = reviseEta(job('PICKED_UP'), { eta: at('2026-12-02T10:09:00Z'), cause: 'progress', trafficVersion: 9 }, now, policy);
    assert.ok(earlier.changed);
    assert.equal(earlier.shiftS, -60, 'exactly the threshold counts');
  });

  it('keeps the ETA when it moved less than the threshold, so a slow drift still adds up against the same baseline', () => {
    const small = reviseEta(job(), { eta: at('2026-12-02T10:10:59Z'), cause: 'progress', trafficVersion: 1 }, now, policy);
    assert.deepEqual(small, { changed: false, reason: 'moved 59 s, under the 60 s threshold' });
    const drifted = reviseEta(job(), { eta: at('2026-12-02T10:11:01Z'), cause: 'progress', trafficVersion: 1 }, now, policy);
    assert.ok(drifted.changed, '61 s from the same baseline');
  });

  it('leaves alone a job without an ETA yet, or no longer on its way', () => {
    const estimate = { eta: at('2026-12-02T11:00:00Z'), cause: 'traffic' as const, trafficVersion: 2 };
    assert.match((reviseEta(job('ASSIGNED', null), estimate, now, policy) as { reason: string }).reason, /no ETA yet/);
    for (const status of ['QUEUED', 'DELIVERED', 'CANCELLED', 'FAILED'] as const) {
      assert.deepEqual(reviseEta(job(status), estimate, now, policy), { changed: false, reason: `job is ${status}` });
    }
  });

  it('plans what remains from the vehicle: via the pickup until the goods are on board, then straight to the drop-off', () => {
    const here = { lat: 60.18, lon: 24.82 };
    assert.deepEqual(remainingRoute(job('DISPATCHED'), here), [here, PICKUP, DROPOFF]);
    assert.deepEqual(remainingRoute(job('PICKED_UP'), here), [here, DROPOFF]);
    assert.deepEqual(etaAfter(now, 90.4), at('2026-12-02T10:01:30.400Z'));
  });

  it('starts a history with the ETA the job had, stamped when it was set', () => {
    assert.deepEqual(baselineRecord(job()), { eta: at('2026-12-02T10:10:00Z'), computedAt: at('2026-12-02T09:58:00Z'), trafficVersion: 0 });
    assert.equal(baselineRecord(job('ASSIGNED', null)), undefined);
  });

  it('finds routes over a changed edge of the same profile only, across merged changes', () => {
    const changed = mergeChanges([
      { profile: 'sidewalk', trafficVersion: 7, edgeIds: [1, 2] },
      { profile: 'road', trafficVersion: 8, edgeIds: [30] },
      { profile: 'sidewalk', trafficVersion: 8, edgeIds: [3] },
    ]);
    assert.equal(changed.trafficVersion, 8);
    assert.equal(routeAffected(changed, 'sidewalk', [10, 3, 11]), true);
    assert.equal(routeAffected(changed, 'sidewalk', [10, 30]), false, 'edge 30 changed on the road graph, not the sidewalk one');
    assert.equal(routeAffected(changed, 'road', [30]), true);
    assert.equal(routeAffected(mergeChanges([]), 'road', [30]), false);
    assert.deepEqual([routeMayBeAffected(changed, [30]), routeMayBeAffected(changed, [99])], [true, false], 'any profile, before the vehicle is read');
  });

  it('lets progress recompute at most once per interval', () => {
    assert.equal(progressDue(undefined, 1_000, 30_000), true);
    assert.equal(progressDue(1_000, 30_999, 30_000), false);
    assert.equal(progressDue(1_000, 31_000, 30_000), true);
  });
});
