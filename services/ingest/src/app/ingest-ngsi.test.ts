import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '@kera/platform';
import { bytes, keyValuesFlow, normalizedFlow, roadSegment } from '../../test/fixtures/ngsi.js';
import { FeedFreshness } from '../domain/feed-freshness.js';
import { createNgsiIngest } from './ingest-ngsi.js';
import type { DedupeStore, IngestMetrics, IngestOutput, RawMessage, TrafficPublisher } from './ports.js';

const NOW = new Date('2025-05-06T07:16:00Z');

function harness(options: { failPublish?: boolean } = {}) {
  const calls: string[] = [];
  const published: IngestOutput[] = [];
  const seen = new Set<string>();
  const publisher: TrafficPublisher = {
    async publish(output) {
      calls.push('publish');
      if (options.failPublish) throw new Error('broker unavailable');
      published.push(output);
    },
  };
  const dedupe: DedupeStore = {
    unseen: async (keys) => keys.map((k) => !seen.has(k)),
    async markSeen(keys) {
      calls.push('markSeen');
      for (const k of keys) seen.add(k);
    },
  };
  const noop = () => undefined;
  const metrics: IngestMetrics = { messageHandled: noop, recordsEmitted: noop, rejected: noop, duplicatesSkipped: noop, fieldIgnored: noop };
  const freshness = new FeedFreshness();
  const ingest = createNgsiIngest({
    publisher,
    dedupe,
    metrics,
    freshness,
    limits: { maxAgeMs: 3_600_000, maxFutureMs: 300_000 },
    clock: () => NOW,
    log: createLogger({ name: 'test', level: 'silent' }),
  });
  let offset = 0;
  const deliver = (value: Buffer | null) => {
    const message: RawMessage = {
      topic: 'city.ngsi.v1',
      partition: 2,
      offset: String(offset++),
      key: Buffer.from('k'),
      value,
      headers: { provider: 'espoo' },
      timestamp: NOW.getTime() - 30_000,
    };
    return ingest.handle(message).then(() => message);
  };
  const observations = () => published.flatMap((p) => p.observations);
  const deadLetters = () => published.flatMap((p) => p.deadLetters);
  const incidents = () => published.flatMap((p) => p.incidents);
  return { deliver, calls, observations, deadLetters, incidents, freshness, seen };
}

describe('NGSI ingest', () => {
  it('publishes an observation and only then remembers the reading', async () => {
    const h = harness();
    await h.deliver(bytes(normalizedFlow()));
    assert.equal(h.observations().length, 1);
    assert.equal(h.deadLetters().length, 0);
    assert.deepEqual(h.calls, ['publish', 'markSeen']);
  });

  it('emits a reading delivered twice only once, across messages and within a batch', async () => {
    const h = harness();
    await h.deliver(bytes(normalizedFlow()));
    await h.deliver(bytes(keyValuesFlow()));
    await h.deliver(bytes([keyValuesFlow({ to: '2025-05-06T07:16:00Z' }), normalizedFlow({ to: '2025-05-06T07:16:00Z' })]));
    assert.equal(h.observations().length, 2);
    assert.deepEqual(
      h.observations().map((o) => o.windowEnd.toISOString()),
      ['2025-05-06T07:15:00.000Z', '2025-05-06T07:16:00.000Z'],
    );
  });

  it('keeps the good entities of a batch and dead-letters the message once with every reason', async () => {
    const h = harness();
    const value = bytes([
      keyValuesFlow({ id: 'urn:ngsi-ld:TrafficFlowObserved:a' }),
      keyValuesFlow({ id: 'urn:ngsi-ld:TrafficFlowObserved:b', occupancy: 76 }),
      roadSegment('closed'),
      { id: 'urn:ngsi-ld:ParkingSpot:p1', type: 'ParkingSpot' },
    ]);
    const message = await h.deliver(value);
    assert.deepEqual(h.observations().map((o) => o.sourceId), ['urn:ngsi-ld:TrafficFlowObserved:a']);
    assert.equal(h.incidents().length, 1);
    const [dead, ...more] = h.deadLetters();
    assert.equal(more.length, 0);
    assert.ok(dead);
    assert.equal(dead.code, 'schema');
    assert.equal(dead.message, message);
    assert.equal(dead.reason,
      '2 of 4 entities rejected: ' +
        '#1 schema: occupancy: expected a fraction of the observation time between 0 and 1, got 76 [entity urn:ngsi-ld:TrafficFlowObserved:b]; ' +
        '#3 unsupported_type: type: "ParkingSpot" is not translated by ingest; supported: TrafficFlowObserved, RoadSegment [entity urn:ngsi-ld:ParkingSpot:p1]');
  });

  it('dead-letters unreadable input with the original bytes', async () => {
    const h = harness();
    const message = await h.deliver(Buffer.from('not json'));
    const [dead] = h.deadLetters();
    assert.equal(dead?.code, 'invalid_json');
    assert.match(dead?.reason ?? '', /^not valid JSON/);
    assert.equal(dead?.message.value, message.value);
  });

  it('dead-letters readings too old or too far ahead as stale', async () => {
    const h = harness();
    await h.deliver(bytes(keyValuesFlow({ from: '2025-05-06T05:00:00Z', to: '2025-05-06T05:05:00Z' })));
    await h.deliver(bytes(keyValuesFlow({ from: '2025-05-06T08:00:00Z', to: '2025-05-06T08:05:00Z' })));
    assert.equal(h.observations().length, 0);
    const [old, future] = h.deadLetters();
    assert.equal(old?.code, 'stale');
    assert.match(old?.reason ?? '', /^event time 2025-05-06T05:05:00.000Z is 7860 s old \(older than the maximum age 3600 s\)/);
    assert.equal(future?.code, 'stale');
    assert.match(future?.reason ?? '', /^event time 2025-05-06T08:05:00.000Z is 2940 s ahead of ingest's clock/);
  });

  it('does not remember a reading whose publish failed, so the redelivery emits it', async () => {
    const h = harness({ failPublish: true });
    await assert.rejects(h.deliver(bytes(keyValuesFlow())), /broker unavailable/);
    assert.equal(h.seen.size, 0);
  });

  it('tracks the newest event time per source for feed freshness', async () => {
    const h = harness();
    await h.deliver(bytes(keyValuesFlow({ from: '2025-05-06T07:11:00Z', to: '2025-05-06T07:12:00Z' })));
    await h.deliver(bytes(keyValuesFlow({ from: '2025-05-06T07:05:00Z', to: '2025-05-06T07:06:00Z' })));
    assert.deepEqual(h.freshness.feeds(), [{ source: 'ngsi-ld', lastEventTime: new Date('2025-05-06T07:12:00Z') }]);
  });
});
