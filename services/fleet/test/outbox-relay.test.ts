import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createLogger, type EventProducer } from '@kera/platform';
import { deleteKeys, testInfra, uniqueName } from '@kera/testkit';
import { createOutboxRelay, encodeOutboxEntries } from '../src/adapters/kafka/outbox-relay.js';
import { fleetKeys } from '../src/adapters/redis/stores.js';
import { createJob } from '../src/domain/job.js';
import { DROPOFF, PICKUP } from './fleet-client.js';

/**
 * The relay on real Redis with a producer the test holds: a relay whose lock
 * ran out while it was sending (another replica took the outbox over) must not
 * trim the entries — the other relay has not sent them yet.
 */
describe('fleet outbox relay', () => {
  let redis: Redis;
  let redisUrl: string;
  const prefix = uniqueName('fleet-relay-test');
  const keys = fleetKeys(prefix);
  const topics = { jobEvents: 'test.jobs', vehicleEvents: 'test.vehicles', orders: 'test.orders' };

  before(async () => {
    redisUrl = (await testInfra()).redisUrl;
    redis = new Redis(redisUrl);
  });
  after(async () => {
    redis.disconnect();
    await deleteKeys(redisUrl, [`${prefix}:*`]);
  });

  it('leaves the batch in the outbox when its lock was taken over during the send', async () => {
    const job = createJob({ id: uniqueName('job'), requestId: uniqueName('req'), operatorId: 'acme', pickup: PICKUP, dropoff: DROPOFF, size: 1, priority: 0, profiles: ['road'] }, new Date());
    const entries = encodeOutboxEntries(topics, () => new Date())([{ kind: 'job', change: job }]);
    await redis.rpush(keys.outbox, ...entries);

    let sendStarted!: () => void;
    const started = new Promise<void>((resolve) => (sendStarted = resolve));
    let finishSend!: () => void;
    const sent: string[] = [];
    const producer: EventProducer = {
      async send(topic) {
        sent.push(topic);
        sendStarted();
        await new Promise<void>((resolve) => (finishSend = resolve));
      },
      sendMany: async () => undefined,
      close: async () => undefined,
    };
    const relay = createOutboxRelay({ redis, keys, producer, topics, log: createLogger({ name: 'relay-test', level: 'silent' }), pollMs: 60_000, instanceId: 'replica-a' });

    relay.kick();
    await started;
    // The lock expired mid-send and replica B holds it now.
    await redis.set(keys.outboxLock, 'replica-b', 'PX', 15_000);
    finishSend();
    await relay.stop().catch(() => undefined);

    assert.deepEqual(sent, [topics.jobEvents], 'replica A did send (a duplicate at worst)');
    assert.deepEqual(await redis.lrange(keys.outbox, 0, -1), entries, 'the entries stay for replica B to send');
  });
});
