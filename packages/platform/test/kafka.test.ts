import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Inbox, testInfra, uniqueName } from '@kera/testkit';
import { createKafka, type IncomingMessage, type KafkaPort } from '../src/kafka/client.js';
import { EVENTS } from '../src/kafka/events.js';
import { unwrap, wrap } from '../src/kafka/envelope.js';
import { createLogger } from '../src/logger.js';

const log = createLogger({ name: 'platform-test', level: 'warn' });

describe('Kafka port against a real broker', () => {
  let kafka: KafkaPort;
  const topic = uniqueName('test.platform');

  before(async () => {
    const { kafkaBrokers } = await testInfra();
    kafka = createKafka({ brokers: kafkaBrokers, clientId: 'platform-test', log });
    const created = await kafka.ensureTopics([
      { name: topic, partitions: 2, cleanupPolicy: 'delete', retentionMs: 60_000, description: 'test' },
    ]);
    assert.deepEqual(created, [topic]);
  });

  after(async () => {
    await kafka.deleteTopics([topic]);
  });

  it('creates topics idempotently', async () => {
    const again = await kafka.ensureTopics([
      { name: topic, partitions: 2, cleanupPolicy: 'delete', retentionMs: 60_000, description: 'test' },
    ]);
    assert.deepEqual(again, []);
  });

  it('delivers enveloped events to a consumer group and commits its offsets', async () => {
    const producer = await kafka.producer();
    const groupId = uniqueName('group');
    const inbox = new Inbox<IncomingMessage>();
    const consumer = kafka.consumer({ groupId, topics: [topic], fromBeginning: true, handle: async (m) => inbox.push(m) });
    await consumer.start();

    const jobs = ['job-a', 'job-b', 'job-c'];
    await producer.send(
      topic,
      jobs.map((id) => ({
        key: id,
        value: wrap(EVENTS.trafficChange, { areaCell: id, profile: 2, trafficVersion: 7, edgeIds: [1, 2, 3] }, { source: 'test' }),
        headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      })),
    );

    const received = await inbox.waitUntil('three events', (items) => items.length >= 3);
    const decoded = received.map((m) => unwrap(EVENTS.trafficChange, m.value!));
    assert.deepEqual(decoded.map((d) => d.payload.areaCell).sort(), jobs);
    assert.deepEqual(decoded[0]!.payload.edgeIds, [1, 2, 3]);
    assert.equal(decoded[0]!.meta.type, 'kera.traffic.v1.TrafficChange');
    assert.match(decoded[0]!.meta.id, /^[0-9a-f-]{36}$/);
    assert.ok(received.every((m) => m.headers.traceparent?.startsWith('00-4bf92f3577b34da6a3ce929d0e0e4736')));

    await consumer.stop();
    await producer.close();
    const committed = await kafka.committedOffsets(groupId, topic);
    const total = committed.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    assert.equal(total, 3, 'all three offsets committed after stop');
  });

  it('starts a new group at the end once: what is produced after start() resolves is never skipped, even across a restart before any commit', async () => {
    const producer = await kafka.producer();
    const send = (value: string) => producer.send(topic, [{ key: value, value: Buffer.from(value) }]);
    const groupId = uniqueName('group-end');
    const inbox = new Inbox<string>();
    const start = async () => {
      const consumer = kafka.consumer({ groupId, topics: [topic], handle: async (m) => inbox.push(m.value!.toString()) });
      await consumer.start();
      return consumer;
    };
    await send('before-the-group');

    // Stopped before reading anything, so no offset of its own was committed.
    await (await start()).stop();
    await send('while-stopped');
    const consumer = await start();
    await send('after-restart');
    await inbox.waitUntil('both later messages', (items) => items.includes('while-stopped') && items.includes('after-restart'));
    assert.ok(!inbox.items.includes('before-the-group'), 'a new group does not replay what came before it');
    await consumer.stop();
    await producer.close();
  });

  it('rejects an envelope of the wrong type', () => {
    const bytes = wrap(EVENTS.trafficChange, { areaCell: 'x', profile: 1, trafficVersion: 1, edgeIds: [] }, { source: 'test' });
    assert.throws(() => unwrap(EVENTS.jobEvent, bytes), /expected event type kera.fleet.v1.JobEvent/);
  });
});
