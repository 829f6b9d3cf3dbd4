import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createJob, transition, validateSubmission } from './job.js';

const now = new Date('2026-11-27T10:00:00Z');
const submission = {
  id: 'job-1',
  requestId: 'req-1',
  operatorId: 'op',
  pickup: { lat: 60.185, lon: 24.827 },
  dropoff: { lat: 60.188, lon: 24.833 },
  size: 1,
  priority: 0,
  profiles: ['sidewalk' as const],
};

describe('job lifecycle', () => {
  it('walks CREATED → QUEUED → ASSIGNED → DISPATCHED → PICKED_UP → DELIVERED, one version per step', () => {
    let job = createJob(submission, now).job;
    const path = ['QUEUED', 'ASSIGNED', 'DISPATCHED', 'PICKED_UP', 'DELIVERED'] as const;
    for (const to of path) {
      const decision = transition(job, to, now, to === 'ASSIGNED' ? { vehicleId: 'v1', orderId: 'o1' } : {});
      assert.ok(decision.ok, `→ ${to}`);
      assert.equal(decision.change.previousStatus, job.status);
      job = decision.change.job;
    }
    assert.equal(job.status, 'DELIVERED');
    assert.equal(job.version, 6);
    assert.equal(job.vehicleId, 'v1');
  });

  it('refuses to skip steps or leave a terminal status, and says why', () => {
    const job = createJob(submission, now).job;
    const skip = transition(job, 'DELIVERED', now);
    assert.deepEqual(skip, { ok: false, reason: 'job job-1 is CREATED; it cannot become DELIVERED' });
    const cancelled = transition(job, 'CANCELLED', now, { reason: 'no longer needed' });
    assert.ok(cancelled.ok);
    assert.equal(cancelled.change.job.reason, 'no longer needed');
    assert.equal(transition(cancelled.change.job, 'QUEUED', now).ok, false);
  });

  it('going back to the queue forgets the vehicle and keeps the reason', () => {
    const queued = transition(createJob(submission, now).job, 'QUEUED', now);
    assert.ok(queued.ok);
    const assigned = transition(queued.change.job, 'ASSIGNED', now, { vehicleId: 'v1', orderId: 'o1' });
    assert.ok(assigned.ok);
    const back = transition(assigned.change.job, 'QUEUED', now, { reason: 'vehicle v1 went offline' });
    assert.ok(back.ok);
    assert.equal(back.change.job.vehicleId, undefined);
    assert.equal(back.change.job.orderId, undefined);
    assert.equal(back.change.job.reason, 'vehicle v1 went offline');
  });

  it('lists every problem of a bad submission with its field', () => {
    const problems = validateSubmission(
      { ...submission, operatorId: '', pickup: { lat: 95, lon: 0 }, size: 0, latestDelivery: new Date('2026-11-27T09:00:00Z') },
      now,
    );
    assert.deepEqual(problems, [
      'operator_id: required',
      'pickup: expected lat in [-90, 90] and lon in [-180, 180]',
      'size: expected an integer ≥ 1',
      'latest_delivery: must be in the future',
    ]);
  });
});
