import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { status, type ServiceError } from '@grpc/grpc-js';
import { JobStatus } from '@kera/proto/fleet/v1/jobs';
import { uniqueName, waitFor } from '@kera/testkit';
import { createRedisSubscriptionStore } from '../src/adapters/redis/subscription-store.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { queueIdle, startNotifyHarness, type NotifyHarness } from './support/notify.js';

const SECRET = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;

describe('SSRF guard on webhook destinations', () => {
  let notify: NotifyHarness;
  let allowed: Receiver;
  let internal: Receiver;

  before(async () => {
    allowed = await startReceiver();
    // Stands for an internal service on the same host: never allowlisted.
    internal = await startReceiver();
    // Only the allowed receiver's exact host:port, so every other loopback port stays refused.
    notify = await startNotifyHarness({ WEBHOOK_ALLOWED_HOSTS: new URL(allowed.url).host });
  });

  after(async () => {
    await notify.close();
    await Promise.all([allowed.close(), internal.close()]);
  });

  const rejection = async (promise: Promise<unknown>): Promise<ServiceError> => {
    try {
      await promise;
    } catch (err) {
      return err as ServiceError;
    }
    assert.fail('expected the call to fail');
  };

  /**
   * A subscription as it would be after DNS changed since it was accepted:
   * stored directly, so only the send-time check stands between it and the address.
   */
  async function storedSubscription(operatorId: string, url: string): Promise<string> {
    const id = uniqueName('sub');
    await createRedisSubscriptionStore(notify.redis, notify.prefix).save({ id, operatorId, url, eventTypes: [], secret: SECRET, createdAt: new Date() });
    return id;
  }

  it('refuses loopback and metadata destinations at subscribe time unless allowlisted', async () => {
    const operatorId = uniqueName('op');
    const loopback = await rejection(notify.subscribe({ operatorId, url: internal.url }));
    assert.equal(loopback.code, status.INVALID_ARGUMENT);
    assert.match(loopback.details, /^url: 127\.0\.0\.1 is a loopback address; refused unless WEBHOOK_ALLOWED_HOSTS names it$/);
    const metadata = await rejection(notify.subscribe({ operatorId, url: 'http://169.254.169.254/latest/meta-data/' }));
    assert.equal(metadata.code, status.INVALID_ARGUMENT);
    assert.match(metadata.details, /a cloud metadata address/);

    await notify.subscribe({ operatorId, url: allowed.url });
    await notify.publishLifecycle(uniqueName('job'), operatorId, [JobStatus.CREATED]);
    await allowed.requests.waitUntil('webhook to the allowlisted receiver', (items) => items.length >= 1);
  });

  it('refuses at send time a hostname that now resolves to loopback, and a metadata address', async () => {
    const operatorId = uniqueName('op');
    const rebound = new URL(internal.url);
    rebound.hostname = 'localhost';
    const reboundId = await storedSubscription(operatorId, rebound.toString());
    const metadataId = await storedSubscription(operatorId, 'http://169.254.169.254/latest/meta-data/');
    await notify.publishLifecycle(uniqueName('job'), operatorId, [JobStatus.CREATED]);

    const failed = await waitFor('two refused deliveries', async () => {
      const jobs = (await notify.queue.getFailed()).filter((job) => job.id?.endsWith(reboundId) || job.id?.endsWith(metadataId));
      return jobs.length === 2 ? jobs : undefined;
    });
    const reasons = Object.fromEntries(failed.map((job) => [job.id!.endsWith(reboundId) ? 'rebound' : 'metadata', job.failedReason]));
    assert.match(reasons.rebound!, /^destination refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address; refused unless WEBHOOK_ALLOWED_HOSTS names it$/);
    assert.equal(reasons.metadata, 'destination refused: 169.254.169.254 is a cloud metadata address; refused unless WEBHOOK_ALLOWED_HOSTS names it');
    assert.deepEqual(failed.map((job) => job.attemptsMade), [1, 1], 'refused at once, never retried');
    await waitFor('webhook queue idle', () => queueIdle(notify.queue));
    assert.equal(internal.requests.items.length, 0, 'nothing reached the internal service');
  });
});
