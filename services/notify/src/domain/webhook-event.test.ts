import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jobChangedEvent, webhookBody, type JobChanged } from './webhook-event.js';

const dispatched: JobChanged = {
  eventId: '01928f5e-0000-7000-8000-000000000001',
  occurredAt: new Date('2025-03-01T12:00:00.000Z'),
  previousStatus: 'ASSIGNED',
  job: {
    id: 'job-1',
    operatorId: 'acme',
    status: 'DISPATCHED',
    pickup: { lat: 60.1841, lon: 24.8301 },
    dropoff: { lat: 60.1867, lon: 24.8277 },
    size: 2,
    priority: 5,
    earliestPickup: undefined,
    latestDelivery: new Date('2025-03-01T13:00:00.000Z'),
    vehicleId: 'robot-7',
    orderId: 'order-1',
    eta: new Date('2025-03-01T12:20:00.000Z'),
    reason: undefined,
    createdAt: new Date('2025-03-01T11:50:00.000Z'),
    updatedAt: new Date('2025-03-01T12:00:00.000Z'),
    version: 4,
  },
};

describe('job change → webhook JSON', () => {
  it('maps every job field, with ISO times and null for absent values', () => {
    assert.deepEqual(JSON.parse(webhookBody(jobChangedEvent(dispatched))), {
      id: '01928f5e-0000-7000-8000-000000000001',
      type: 'job.dispatched',
      occurredAt: '2025-03-01T12:00:00.000Z',
      data: {
        job: {
          id: 'job-1',
          operatorId: 'acme',
          status: 'DISPATCHED',
          pickup: { lat: 60.1841, lon: 24.8301 },
          dropoff: { lat: 60.1867, lon: 24.8277 },
          size: 2,
          priority: 5,
          earliestPickup: null,
          latestDelivery: '2025-03-01T13:00:00.000Z',
          vehicleId: 'robot-7',
          orderId: 'order-1',
          eta: '2025-03-01T12:20:00.000Z',
          reason: null,
          createdAt: '2025-03-01T11:50:00.000Z',
          updatedAt: '2025-03-01T12:00:00.000Z',
          version: 4,
        },
        previousStatus: 'ASSIGNED',
      },
    });
  });

  it('carries the reason of a failed job and null previous status of a new one', () => {
    const failed = jobChangedEvent({
      ...dispatched,
      previousStatus: undefined,
      job: { ...dispatched.job, status: 'FAILED', reason: 'vehicle robot-7 went offline', vehicleId: undefined },
    });
    assert.equal(failed.type, 'job.failed');
    assert.equal(failed.data.job.reason, 'vehicle robot-7 went offline');
    assert.equal(failed.data.reason, 'vehicle robot-7 went offline', 'repeated at the top of data');
    assert.equal(failed.data.job.vehicleId, null);
    assert.equal(failed.data.previousStatus, null);
  });
});
