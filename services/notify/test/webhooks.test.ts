import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EVENTS, wrap } from '@kera/platform';
import { EtaChangeCause, JobEventKind, JobStatus } from '@kera/proto/fleet/v1/jobs';
import { uniqueName, waitFor } from '@kera/testkit';
import { createDeliveryLanes } from '../src/adapters/redis/delivery-lanes.js';
import { deliveryIdOf } from '../src/domain/delivery.js';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { WebhookEvent } from '../src/domain/webhook-event.js';
import { headersOf, startReceiver, type Receiver, type ReceivedRequest } from './support/receiver.js';
import { LIFECYCLE_TYPES, envelopeId, jobEvent, queueIdle, startNotifyHarness, type NotifyHarness } from './support/notify.js';

const typesOf = (requests: readonly ReceivedRequest[]) => requests.map((r) => r.eventType);

/** Every request for event N came before any request for event N+1. */
function assertNeverAhead(requests: readonly ReceivedRequest[], order: readonly string[]) {
  const positions = requests.map((r) => order.indexOf(r.eventType));
  assert.deepEqual(positions, [...positions].sort((a, b) => a - b), `requests out of order: ${typesOf(requests).join(', ')}`);
}

describe('webhooks for job events', () => {
  let notify: NotifyHarness;
  const receivers: Receiver[] = [];
  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const started = await startReceiver(...args);
    receivers.push(started);
    return started;
  };

  before(async () => {
    notify = await startNotifyHarness();
  });

  after(async () => {
    await notify.close();
    await Promise.all(receivers.map((r) => r.close()));
  });

  it('delivers a job lifecycle in order, signed per Standard Webhooks with the secret', async () => {
    const hooks = await receiver();
    const operatorId = uniqueName('op');
    const { secret, subscription } = await notify.subscribe({ operatorId, url: hooks.url, eventTypes: ['job.*'] });
    const jobId = uniqueName('job');
    const ids = await notify.publishLifecycle(jobId, operatorId);

    const received = await hooks.requests.waitUntil('six webhooks', (items) => items.length >= 6);
    assert.deepEqual(typesOf(received), LIFECYCLE_TYPES);
    assert.deepEqual(received.map((r) => r.eventId), ids);
    const otherSecret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    for (const request of received) {
      assert.equal(request.headers['content-type'], 'application/json');
      assert.match(request.headers['webhook-signature'] as string, /^v1,[A-Za-z0-9+/]+=*$/);
      assert.match(request.headers['webhook-timestamp'] as string, /^\d+$/);
      // The reference library verifies id, timestamp (within its 5-minute window) and body together.
      const verified = new Webhook(secret).verify(request.rawBody, headersOf(request)) as WebhookEvent;
      assert.equal(verified.id, request.headers['webhook-id']);
      assert.throws(() => new Webhook(otherSecret).verify(request.rawBody, headersOf(request)), WebhookVerificationError);
      assert.throws(() => new Webhook(secret).verify(`${request.rawBody} `, headersOf(request)), WebhookVerificationError);
      const stale = { ...headersOf(request), 'webhook-timestamp': String(Math.floor(Date.now() / 1000) - 600) };
      assert.throws(() => new Webhook(secret).verify(request.rawBody, stale), /timestamp/i, 'outside the replay window');
    }
    const delivered = JSON.parse(received[5]!.rawBody) as WebhookEvent;
    assert.equal(delivered.id, ids[5]);
    assert.equal(delivered.type, 'job.delivered');
    assert.ok(!Number.isNaN(Date.parse(delivered.occurredAt)));
    assert.equal(delivered.data.job.id, jobId);
    assert.equal(delivered.data.job.operatorId, operatorId);
    assert.equal(delivered.data.job.status, 'DELIVERED');
    assert.equal(delivered.data.previousStatus, 'PICKED_UP');
    assert.equal(delivered.data.job.vehicleId, 'robot-7');
    assert.equal(delivered.data.job.version, 6);
    assert.deepEqual(delivered.data.job.pickup, { lat: 60.1841, lon: 24.8301 });
    const created = JSON.parse(received[0]!.rawBody) as WebhookEvent;
    assert.equal(created.data.job.vehicleId, null);
    assert.equal(created.data.previousStatus, null);
    assert.ok(subscription?.id);
  });

  it('retries failed attempts (5xx, 429, timeout) without letting later events overtake', async () => {
    // First attempt of every event fails, each in its own way; the second succeeds.
    const hooks = await receiver(({ eventType, attempt }) => {
      if (attempt > 1) return 200;
      if (eventType === 'job.assigned') return 'hang';
      if (eventType === 'job.dispatched') return 429;
      if (eventType === 'job.picked_up') return 408;
      return 503;
    });
    const operatorId = uniqueName('op');
    await notify.subscribe({ operatorId, url: hooks.url, eventTypes: [] });
    await notify.publishLifecycle(uniqueName('job'), operatorId);

    await hooks.requests.waitUntil('six accepted webhooks', () => hooks.accepted().length >= 6);
    assert.deepEqual(typesOf(hooks.accepted()), LIFECYCLE_TYPES);
    assert.equal(hooks.requests.items.length, 12, 'each event failed once and succeeded once');
    assertNeverAhead(hooks.requests.items, LIFECYCLE_TYPES);
    assert.deepEqual(
      hooks.requests.items.map((r) => r.headers['kera-delivery-attempt']),
      LIFECYCLE_TYPES.flatMap(() => ['1', '2']),
    );
  });

  it('keeps permanently failed deliveries in the failed set and still delivers the events after them', async () => {
    // 410 Gone is final at once; a receiver answering 500 to an event exhausts its 4 attempts.
    const hooks = await receiver(({ eventType }) => (eventType === 'job.assigned' ? 410 : eventType === 'job.picked_up' ? 500 : 200));
    const operatorId = uniqueName('op');
    const { subscription } = await notify.subscribe({ operatorId, url: hooks.url });
    const ids = await notify.publishLifecycle(uniqueName('job'), operatorId);

    await hooks.requests.waitFor('the delivered webhook', (r) => r.eventType === 'job.delivered');
    const attemptsByType = Object.fromEntries(LIFECYCLE_TYPES.map((t) => [t, hooks.requests.items.filter((r) => r.eventType === t).length]));
    assert.deepEqual(attemptsByType, {
      'job.created': 1,
      'job.queued': 1,
      'job.assigned': 1,
      'job.dispatched': 1,
      'job.picked_up': 4,
      'job.delivered': 1,
    });
    assertNeverAhead(hooks.requests.items, LIFECYCLE_TYPES);

    const failed = await waitFor('two failed deliveries', async () => {
      const jobs = (await notify.queue.getFailed()).filter((job) => job.id?.endsWith(`.${subscription!.id}`));
      return jobs.length === 2 ? jobs : undefined;
    });
    const reasons = Object.fromEntries(failed.map((job) => [job.id, job.failedReason]));
    assert.deepEqual(reasons, {
      [`${ids[2]}.${subscription!.id}`]: 'HTTP 410',
      [`${ids[4]}.${subscription!.id}`]: 'HTTP 500',
    });
  });

  it("sends an operator only its own jobs' events, and only the types it asked for", async () => {
    const allEvents = await receiver();
    const deliveredOnly = await receiver();
    const operatorId = uniqueName('op');
    const otherOperator = uniqueName('op-other');
    await notify.subscribe({ operatorId, url: allEvents.url, eventTypes: ['job.*'] });
    await notify.subscribe({ operatorId, url: deliveredOnly.url, eventTypes: ['job.delivered', 'job.failed'] });
    // The other operator's job is published first on the same partition, so it is routed first.
    const otherJob = uniqueName('job-other');
    await notify.publishLifecycle(otherJob, otherOperator);
    const ownJob = uniqueName('job');
    await notify.publishLifecycle(ownJob, operatorId);

    await allEvents.requests.waitUntil('own lifecycle', (items) => items.length >= 6);
    await deliveredOnly.requests.waitUntil('delivered event', (items) => items.length >= 1);
    await waitFor('webhook queue idle', () => queueIdle(notify.queue));

    const jobIds = (r: Receiver) => new Set(r.requests.items.map((req) => (JSON.parse(req.rawBody) as WebhookEvent).data.job.id));
    assert.deepEqual([...jobIds(allEvents)], [ownJob]);
    assert.deepEqual(typesOf(allEvents.requests.items), LIFECYCLE_TYPES);
    assert.deepEqual(typesOf(deliveredOnly.requests.items), ['job.delivered']);
    assert.deepEqual([...jobIds(deliveredOnly)], [ownJob]);
  });

  it('sends one webhook when Kafka delivers the same event twice', async () => {
    const hooks = await receiver();
    const operatorId = uniqueName('op');
    await notify.subscribe({ operatorId, url: hooks.url });
    const jobId = uniqueName('job');
    const created = wrap(EVENTS.jobEvent, jobEvent(jobId, operatorId, JobStatus.CREATED, JobStatus.UNSPECIFIED, 1), {
      source: 'fleet',
      id: envelopeId(),
    });
    const queued = wrap(EVENTS.jobEvent, jobEvent(jobId, operatorId, JobStatus.QUEUED, JobStatus.CREATED, 2), {
      source: 'fleet',
      id: envelopeId(),
    });
    await notify.producer.send(notify.topic, [
      { key: jobId, value: created },
      { key: jobId, value: created },
      { key: jobId, value: queued },
    ]);

    // The lane keeps order, so a second "created" would arrive before "queued".
    await hooks.requests.waitFor('queued webhook', (r) => r.eventType === 'job.queued');
    assert.deepEqual(typesOf(hooks.requests.items), ['job.created', 'job.queued']);
  });

  it('skips an undecodable job event and keeps delivering the ones after it', async () => {
    const hooks = await receiver();
    const operatorId = uniqueName('op');
    await notify.subscribe({ operatorId, url: hooks.url });
    const jobId = uniqueName('job');
    await notify.producer.send(notify.topic, [
      { key: jobId, value: Buffer.from('{"not":"an envelope"}') },
      { key: jobId, value: wrap(EVENTS.jobEvent, { job: undefined, previousStatus: JobStatus.UNSPECIFIED, kind: JobEventKind.UNSPECIFIED, etaCause: EtaChangeCause.UNSPECIFIED, trafficVersion: 0 }, { source: 'fleet' }) },
    ]);
    await notify.publishLifecycle(jobId, operatorId, [JobStatus.CREATED]);
    await hooks.requests.waitUntil('created webhook', (items) => items.length >= 1);
    assert.deepEqual(typesOf(hooks.requests.items), ['job.created']);
  });

  it('stops delivering to a deleted subscription', async () => {
    const hooks = await receiver();
    const operatorId = uniqueName('op');
    const { subscription } = await notify.subscribe({ operatorId, url: hooks.url });
    const jobId = uniqueName('job');
    await notify.publishLifecycle(jobId, operatorId, [JobStatus.CREATED]);
    await hooks.requests.waitUntil('created webhook', (items) => items.length >= 1);

    await new Promise<void>((resolve, reject) =>
      notify.client.deleteSubscription({ subscriptionId: subscription!.id }, (err) => (err ? reject(err) : resolve())),
    );
    const marker = await receiver();
    await notify.subscribe({ operatorId, url: marker.url });
    await notify.publishLifecycle(jobId, operatorId, [JobStatus.QUEUED]);
    await marker.requests.waitUntil('queued webhook to the remaining subscription', (items) => items.length >= 1);
    await waitFor('webhook queue idle', () => queueIdle(notify.queue));
    assert.deepEqual(typesOf(hooks.requests.items), ['job.created']);
  });

  it('repairs a lane stranded by a crash between storing an event and queueing it', async () => {
    const hooks = await receiver();
    const operatorId = uniqueName('op');
    const { subscription, secret } = await notify.subscribe({ operatorId, url: hooks.url });
    const eventId = envelopeId();
    const body = JSON.stringify({ id: eventId, type: 'job.created', occurredAt: new Date().toISOString(), data: {} });
    // What a crash leaves behind: the event sits at the head of its lane with no queue job.
    const lanes = createDeliveryLanes(notify.redis, notify.prefix);
    const { fresh } = await lanes.append({
      deliveryId: deliveryIdOf(eventId, subscription!.id),
      eventId,
      eventType: 'job.created',
      subscriptionId: subscription!.id,
      operatorId,
      jobId: uniqueName('job'),
      body,
    });
    assert.ok(fresh);

    const [request] = await hooks.requests.waitUntil('repaired webhook', (items) => items.length >= 1);
    assert.equal(request!.rawBody, body);
    assert.doesNotThrow(() => new Webhook(secret).verify(request!.rawBody, headersOf(request!)));
  });
});
