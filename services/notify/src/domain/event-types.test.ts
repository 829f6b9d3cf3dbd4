import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JOB_STATUSES, eventTypePatternProblem, jobEventType, matchesEventType } from './event-types.js';

describe('job event types', () => {
  it('names each lifecycle step after its status', () => {
    assert.deepEqual(
      JOB_STATUSES.map((status) => jobEventType(status, undefined)),
      ['job.created', 'job.queued', 'job.assigned', 'job.dispatched', 'job.picked_up', 'job.delivered', 'job.failed', 'job.cancelled'],
    );
    assert.equal(jobEventType('QUEUED', 'ASSIGNED'), 'job.queued', 'back in the queue is a step of its own');
  });

  it('calls a change that keeps the status (a new ETA) job.updated', () => {
    assert.equal(jobEventType('DISPATCHED', 'DISPATCHED'), 'job.updated');
  });

  it('matches exact types, job.* and * ; empty means everything', () => {
    assert.equal(matchesEventType(['job.delivered'], 'job.delivered'), true);
    assert.equal(matchesEventType(['job.delivered'], 'job.failed'), false);
    assert.equal(matchesEventType(['job.*'], 'job.picked_up'), true);
    assert.equal(matchesEventType(['*'], 'job.created'), true);
    assert.equal(matchesEventType([], 'job.cancelled'), true);
    assert.equal(matchesEventType(['job.failed', 'job.cancelled'], 'job.cancelled'), true);
    assert.equal(matchesEventType(['vehicle.*'], 'vehicle.error'), true);
    assert.equal(matchesEventType(['vehicle.*'], 'job.arriving'), false);
    assert.equal(matchesEventType(['job.*'], 'job.delayed'), true, 'job.* includes the job alerts');
  });

  it('accepts known patterns and explains unknown ones', () => {
    for (const ok of ['job.*', '*', 'job.delivered', 'job.picked_up', 'job.updated']) {
      assert.equal(eventTypePatternProblem(ok), undefined, ok);
    }
    for (const ok of ['vehicle.*', 'incident.*', 'job.eta_changed', 'vehicle.offline', 'incident.on_route']) {
      assert.equal(eventTypePatternProblem(ok), undefined, ok);
    }
    for (const bad of ['job.exploded', 'JOB.DELIVERED', 'job', 'job.', 'fleet.*', '']) {
      assert.match(eventTypePatternProblem(bad) ?? '', /^unknown event type/, bad);
    }
  });
});
