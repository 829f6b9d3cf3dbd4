import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planDeliveries, stepAfterAttempt } from './delivery.js';
import { verdictForStatus } from './delivery-outcome.js';
import type { Subscription } from './subscription.js';
import { jobChangedEvent, type JobChanged } from './webhook-event.js';

const subscription = (id: string, operatorId: string, eventTypes: string[]): Subscription => ({
  id,
  operatorId,
  url: `https://${id}.example.com/`,
  eventTypes,
  secret: 'whsec_0123456789abcdef',
  createdAt: new Date(0),
});

const delivered: JobChanged = {
  eventId: 'evt-1',
  occurredAt: new Date('2025-03-01T12:00:00.000Z'),
  previousStatus: 'PICKED_UP',
  job: {
    id: 'job-1',
    operatorId: 'acme',
    status: 'DELIVERED',
    pickup: undefined,
    dropoff: undefined,
    size: 1,
    priority: 0,
    earliestPickup: undefined,
    latestDelivery: undefined,
    vehicleId: 'robot-7',
    orderId: undefined,
    eta: undefined,
    reason: undefined,
    createdAt: undefined,
    updatedAt: undefined,
    version: 6,
  },
};

describe('planning deliveries', () => {
  it('plans one delivery per subscription of the job operator that wants the type', () => {
    const plans = planDeliveries(jobChangedEvent(delivered), [
      subscription('sub_all', 'acme', []),
      subscription('sub_delivered', 'acme', ['job.delivered']),
      subscription('sub_failed', 'acme', ['job.failed']),
      subscription('sub_other_operator', 'globex', ['job.*']),
    ]);
    assert.deepEqual(
      plans.map((p) => [p.deliveryId, p.subscriptionId, p.eventType, p.jobId]),
      [
        ['evt-1.sub_all', 'sub_all', 'job.delivered', 'job-1'],
        ['evt-1.sub_delivered', 'sub_delivered', 'job.delivered', 'job-1'],
      ],
    );
    assert.equal(JSON.parse(plans[0]!.body).data.job.status, 'DELIVERED');
  });

  it('derives the same delivery ids from the same event (dedupe on redelivery)', () => {
    const subs = [subscription('sub_a', 'acme', [])];
    assert.deepEqual(planDeliveries(jobChangedEvent(delivered), subs), planDeliveries(jobChangedEvent(delivered), subs));
  });
});

describe('attempt verdicts and steps', () => {
  it('treats 2xx as delivered, 408/429/5xx as retry, other 4xx and 3xx as rejected', () => {
    const verdicts = Object.fromEntries([200, 204, 299, 301, 400, 401, 404, 408, 410, 422, 429, 500, 503].map((s) => [s, verdictForStatus(s)]));
    assert.deepEqual(verdicts, {
      200: 'delivered',
      204: 'delivered',
      299: 'delivered',
      301: 'rejected',
      400: 'rejected',
      401: 'rejected',
      404: 'rejected',
      408: 'retry',
      410: 'rejected',
      422: 'rejected',
      429: 'retry',
      500: 'retry',
      503: 'retry',
    });
  });

  it('retries until the last attempt, then fails; rejection fails at once', () => {
    assert.equal(stepAfterAttempt('retry', 1, 4), 'retry');
    assert.equal(stepAfterAttempt('retry', 3, 4), 'retry');
    assert.equal(stepAfterAttempt('retry', 4, 4), 'failed');
    assert.equal(stepAfterAttempt('rejected', 1, 4), 'failed');
    assert.equal(stepAfterAttempt('delivered', 2, 4), 'completed');
    assert.equal(stepAfterAttempt('dropped', 1, 4), 'completed');
  });
});
