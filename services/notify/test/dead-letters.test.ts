import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { status, type ServiceError } from '@grpc/grpc-js';
import { JobStatus } from '@kera/proto/fleet/v1/jobs';
import type { DeadLetter, ReplayDeadLetterResponse } from '@kera/proto/notify/v1/subscriptions';
import { uniqueName, waitFor } from '@kera/testkit';
import { Webhook } from 'standardwebhooks';
import { headersOf, startReceiver, type Receiver } from './support/receiver.js';
import { createRedisSubscriptionStore } from '../src/adapters/redis/subscription-store.js';
import { startNotifyHarness, type NotifyHarness } from './support/notify.js';

describe('webhook dead letters', () => {
  let notify: NotifyHarness;
  const receivers: Receiver[] = [];

  before(async () => {
    notify = await startNotifyHarness();
  });

  after(async () => {
    await notify.close();
    await Promise.all(receivers.map((r) => r.close()));
  });

  const list = (request: { operatorId?: string; subscriptionId?: string; limit?: number }) =>
    new Promise<DeadLetter[]>((resolve, reject) =>
      notify.client.listDeadLetters({ operatorId: '', subscriptionId: '', limit: 0, ...request }, (err, res) =>
        err ? reject(err) : resolve(res.deadLetters),
      ),
    );
  const replay = (deadLetterId: string, operatorId = '') =>
    new Promise<ReplayDeadLetterResponse>((resolve, reject) =>
      notify.client.replayDeadLetter({ deadLetterId, operatorId }, (err, res) => (err ? reject(err) : resolve(res))),
    );
  const rejection = async (promise: Promise<unknown>): Promise<ServiceError> => {
    try {
      await promise;
    } catch (err) {
      return err as ServiceError;
    }
    assert.fail('expected the call to fail');
  };

  it('lists a delivery that ran out of attempts, and a replay reaches the receiver with the same webhook-id', async () => {
    // The receiver is down for "assigned" until the operator fixes it, then accepts everything.
    let fixed = false;
    const hooks = await startReceiver(({ eventType }) => (eventType === 'job.assigned' && !fixed ? 503 : 200));
    receivers.push(hooks);
    const operatorId = uniqueName('op');
    const { subscription, secret } = await notify.subscribe({ operatorId, url: hooks.url });
    const jobId = uniqueName('job');
    const ids = await notify.publishLifecycle(jobId, operatorId, [JobStatus.CREATED, JobStatus.QUEUED, JobStatus.ASSIGNED, JobStatus.DISPATCHED]);

    // The dead letter releases the lane, so the event after it still arrives.
    await hooks.requests.waitFor('dispatched webhook', (r) => r.eventType === 'job.dispatched');
    const [letter] = await waitFor('one dead letter', async () => {
      const letters = await list({ operatorId });
      return letters.length === 1 ? letters : undefined;
    });
    const failedAttempts = hooks.requests.items.filter((r) => r.eventType === 'job.assigned');
    assert.equal(failedAttempts.length, 4, 'WEBHOOK_MAX_ATTEMPTS attempts, with backoff');
    assert.deepEqual(
      { ...letter, failedAt: undefined },
      {
        id: `${ids[2]}.${subscription!.id}`,
        eventId: ids[2],
        eventType: 'job.assigned',
        subscriptionId: subscription!.id,
        operatorId,
        jobId,
        reason: 'HTTP 503',
        attempts: 4,
        failedAt: undefined,
        replays: 0,
      },
    );
    assert.ok(letter!.failedAt instanceof Date);
    assert.deepEqual(await list({ operatorId: uniqueName('op-other') }), [], 'another operator sees none of it');

    fixed = true;
    const replayed = await replay(letter!.id, operatorId);
    assert.deepEqual(replayed, { deliveryId: `${letter!.id}.replay1`, eventId: ids[2] });
    const accepted = await hooks.requests.waitFor('replayed webhook', (r) => r.eventType === 'job.assigned' && r.answer === 200);
    assert.equal(accepted.headers['webhook-id'], ids[2], 'receivers dedupe on the original webhook-id');
    assert.equal(accepted.rawBody, failedAttempts[0]!.rawBody, 'the same body');
    assert.doesNotThrow(() => new Webhook(secret).verify(accepted.rawBody, headersOf(accepted)));
    await waitFor('dead letter gone after replay', async () => (await list({ operatorId })).length === 0);

    const again = await rejection(replay(letter!.id, operatorId));
    assert.equal(again.code, status.NOT_FOUND);
    assert.match(again.details, new RegExp(`dead letter ${letter!.id.replaceAll('.', '\\.')} not found`));
  });

  it("does not replay another operator's dead letter, and validates the request", async () => {
    const hooks = await startReceiver(() => 410);
    receivers.push(hooks);
    const operatorId = uniqueName('op');
    await notify.subscribe({ operatorId, url: hooks.url });
    await notify.publishLifecycle(uniqueName('job'), operatorId, [JobStatus.CREATED]);
    const [letter] = await waitFor('dead letter', async () => {
      const letters = await list({ operatorId });
      return letters.length === 1 ? letters : undefined;
    });
    assert.equal(letter!.reason, 'HTTP 410');
    assert.equal(letter!.attempts, 1, '410 is final at once');

    const foreign = await rejection(replay(letter!.id, uniqueName('op-other')));
    assert.equal(foreign.code, status.NOT_FOUND);
    const empty = await rejection(replay(''));
    assert.equal(empty.code, status.INVALID_ARGUMENT);
    assert.match(empty.details, /^dead_letter_id: required/);
    const tooMany = await rejection(list({ operatorId, limit: 501 }));
    assert.equal(tooMany.code, status.INVALID_ARGUMENT);
    assert.match(tooMany.details, /^limit: between 1 and 500/);
  });

  it('dead-letters at once a subscription whose secret predates Standard Webhooks, telling to recreate it', async () => {
    const hooks = await startReceiver();
    receivers.push(hooks);
    const operatorId = uniqueName('op');
    // What an upgrade finds in Redis: a base64url secret, which no Standard Webhooks library accepts.
    const legacy = { id: uniqueName('sub'), operatorId, url: hooks.url, eventTypes: [], createdAt: new Date() };
    await createRedisSubscriptionStore(notify.redis, notify.prefix).save({ ...legacy, secret: 'whsec_K_DzPYh273TBkviERLSb8o9Dgc5E2MR7sIKeBkkDoXE' });
    await notify.publishLifecycle(uniqueName('job'), operatorId, [JobStatus.CREATED]);
    const [letter] = await waitFor('dead letter', async () => {
      const letters = await list({ operatorId });
      return letters.length === 1 ? letters : undefined;
    });
    assert.equal(letter!.reason, 'the subscription secret is not a Standard Webhooks secret (whsec_ + base64); recreate the subscription');
    assert.equal(letter!.attempts, 1);
    assert.equal(hooks.requests.items.length, 0, 'nothing unverifiable was sent');
  });
});
