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

  it('prepares the next chunk of a partition while delivering the current one, and commits a chunk only after its delivery', async () => {
    const chunked = uniqueName('test.platform.chunks');
    await kafka.ensureTopics([{ name: chunked, partitions: 1, cleanupPolicy: 'delete', retentionMs: 60_000, description: 'test' }]);
    const producer = await kafka.producer();
    // One send, one record batch: the consumer fetches all five together and cuts them into [0,1] [2,3] [4].
    await producer.send(chunked, ['m0', 'm1', 'm2', 'm3', 'm4'].map((key) => ({ key, value: Buffer.from(key) })));
    await producer.close();

    const steps: string[] = [];
    const offsets = (messages: IncomingMessage[]) => messages.map((m) => m.offset).join(',');
    let secondPrepared!: () => void;
    const secondPreparedYet = new Promise<void>((resolve) => (secondPrepared = resolve));
    let failedOnce = false;
    const delivered = new Inbox<string>();
    const groupId = uniqueName('group-chunks');
    const quiet = createKafka({ brokers: (await testInfra()).kafkaBrokers, clientId: 'platform-test-chunks', log: createLogger({ name: 'platform-test', level: 'silent' }) });
    const consumer = quiet.batchConsumer({
      groupId,
      topics: [chunked],
      fromBeginning: true,
      maxBatchSize: 2,
      stages: {
        prepare: async (messages) => {
          steps.push(`prepare ${offsets(messages)}`);
          if (messages[0]?.offset === '2') secondPrepared();
          return offsets(messages);
        },
        deliver: async (chunk) => {
          // Finishes only once the next chunk is being prepared: proves the overlap.
          if (chunk === '0,1') await secondPreparedYet;
          if (chunk === '2,3' && !failedOnce) {
            failedOnce = true;
            steps.push(`fail ${chunk}`);
            throw new Error('transient failure');
          }
          steps.push(`deliver ${chunk}`);
          delivered.push(chunk);
        },
      },
    });
    await consumer.start();
    await delivered.waitUntil('every chunk delivered', (items) => items.includes('4'));
    await consumer.stop();

    assert.deepEqual(steps.slice(0, 4), ['prepare 0,1', 'prepare 2,3', 'deliver 0,1', 'prepare 4'], 'chunk 2,3 prepared before 0,1 was delivered');
    assert.equal(steps[4], 'fail 2,3');
    assert.deepEqual(delivered.items, ['0,1', '2,3', '4'], 'after the failure, delivery resumes at the failed chunk: nothing skipped, 0,1 not again');
    const [committed] = await kafka.committedOffsets(groupId, chunked);
    assert.equal(committed?.offset, '5');
    await kafka.deleteTopics([chunked]);
  });

  it('rejects an envelope of the wrong type', () => {
    const bytes = wrap(EVENTS.trafficChange, { areaCell: 'x', profile: 1, trafficVersion: 1, edgeIds: [] }, { source: 'test' });
    assert.throws(() => unwrap(EVENTS.jobEvent, bytes), /expected event type kera.fleet.v1.JobEvent/);
  });
});
