import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  closeRedis,
  createKafka,
  createLogger,
  createRedis,
  EVENTS,
  TOPICS,
  unwrap,
  type EventConsumer,
  type EventMeta,
  type EventProducer,
  type IncomingMessage,
  type KafkaPort,
} from '@kera/platform';
import { IncidentKind, Severity, type Incident, type Observation } from '@kera/proto/traffic/v1/events';
import type { DeadLetter } from '@kera/proto/ingest/v1/dead_letter';
import { Inbox, testInfra, uniqueName, waitFor } from '@kera/testkit';
import { loadConfig, type IngestConfig } from '../src/config.js';
import { startIngestService, type IngestService, type IngestTopics } from '../src/service.js';
import { bytes, keyValuesFlow, normalizedFlow, roadSegment } from './fixtures/ngsi.js';

interface Received<T> {
  key: string;
  meta: EventMeta;
  payload: T;
}

const log = createLogger({ name: 'ingest-test', level: 'silent' });

/** A minute-long window that just ended, so the reading is neither stale nor ahead. */
function recentWindow(offsetS = 0) {
  const end = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000 + offsetS * 1000);
  return { from: new Date(end.getTime() - 60_000).toISOString(), to: end.toISOString() };
}

describe('ingest against Kafka and Redis', () => {
  const topics: IngestTopics = {
    ngsi: uniqueName('test.city.ngsi'),
    observations: uniqueName('test.traffic.observations'),
    incidents: uniqueName('test.traffic.incidents'),
    dlq: uniqueName('test.ingest.dlq'),
  };
  const observations = new Inbox<Received<Observation>>();
  const incidents = new Inbox<Received<Incident>>();
  const deadLetters = new Inbox<Received<DeadLetter>>();
  let config: IngestConfig;
  let kafka: KafkaPort;
  let provider: EventProducer;
  let collector: EventConsumer;
  let service: IngestService | undefined;

  before(async () => {
    const infra = await testInfra();
    config = loadConfig({
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      REDIS_URL: infra.redisUrl,
      OPS_PORT: '0',
      LOG_LEVEL: 'silent',
      INGEST_GROUP_ID: uniqueName('ingest-test'),
      INGEST_REDIS_PREFIX: `${uniqueName('ingest-test')}:`,
    });
    kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'ingest-test', log });
    // One partition each, so "the marker arrived" means everything before it arrived too.
    await kafka.ensureTopics([
      { ...TOPICS.cityNgsi, name: topics.ngsi, partitions: 1 },
      { ...TOPICS.trafficObservations, name: topics.observations, partitions: 1 },
      { ...TOPICS.trafficIncidents, name: topics.incidents, partitions: 1 },
      { ...TOPICS.ingestDlq, name: topics.dlq, partitions: 1 },
    ]);
    provider = await kafka.producer();
    collector = kafka.consumer({
      groupId: uniqueName('ingest-test-collector'),
      topics: [topics.observations, topics.incidents, topics.dlq],
      fromBeginning: true,
      handle: async (m: IncomingMessage) => collect(m),
    });
    await collector.start();
    service = await startIngestService(config, { log, topics });
  });

  after(async () => {
    await service?.stop();
    await collector?.stop();
    await provider?.close();
    await kafka?.deleteTopics(Object.values(topics));
    const redis = createRedis({ url: config.REDIS_URL, log });
    const keys = await redis.keys(`${config.INGEST_REDIS_PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
    await closeRedis(redis);
  });

  function collect(m: IncomingMessage): void {
    const key = m.key?.toString() ?? '';
    const value = m.value ?? Buffer.alloc(0);
    if (m.topic === topics.observations) observations.push({ key, ...unwrap(EVENTS.observation, value) });
    else if (m.topic === topics.incidents) incidents.push({ key, ...unwrap(EVENTS.incident, value) });
    else deadLetters.push({ key, ...unwrap(EVENTS.deadLetter, value) });
  }

  const publish = (value: Buffer, key = 'provider-key') => provider.send(topics.ngsi, [{ key, value }]);

  it('turns a normalized TrafficFlowObserved into an observation keyed by location', async () => {
    const window = recentWindow();
    const id = 'urn:ngsi-ld:TrafficFlowObserved:it-valid';
    await publish(bytes(normalizedFlow({ id, ...window, speed: 31.5, intensity: 20, occupancy: 0.1 })));
    const received = await observations.waitFor('the observation', (o) => o.payload.sourceId === id);
    assert.equal(received.key, id);
    assert.equal(received.meta.source, 'ingest');
    assert.equal(received.meta.occurredAt.toISOString(), window.to);
    const o = received.payload;
    assert.equal(o.locationId, id);
    assert.equal(o.source, 'ngsi-ld');
    assert.equal(o.windowStart?.toISOString(), window.from);
    assert.equal(o.windowEnd?.toISOString(), window.to);
    assert.equal(o.speedKmh, 31.5);
    assert.equal(o.flowVph, 1200, '20 vehicles in one minute');
    assert.ok(Math.abs((o.occupancyPct ?? NaN) - 10) < 1e-9);
    assert.equal(o.sampleCount, 1);
    assert.equal(o.geometry?.kind?.$case, 'line');
    assert.deepEqual(o.geometry?.kind?.value, {
      points: [
        { lat: 60.1839, lon: 24.8265 },
        { lat: 60.1848, lon: 24.8299 },
        { lat: 60.1859, lon: 24.8331 },
      ],
    });
    assert.ok(o.bearingDeg !== undefined && o.bearingDeg > 55 && o.bearingDeg < 62);
  });

  it('dead-letters invalid JSON with the original bytes and where it came from', async () => {
    const original = Buffer.from('{"id": "urn:ngsi-ld:TrafficFlowObserved:broken", "type": ');
    await publish(original, 'broken-key');
    const dead = await deadLetters.waitFor('the invalid JSON dead letter', (d) => d.payload.originalValue.equals(original));
    assert.equal(dead.payload.errorCode, 'invalid_json');
    assert.match(dead.payload.reason, /^not valid JSON: /);
    assert.equal(dead.payload.sourceTopic, topics.ngsi);
    assert.equal(dead.payload.sourcePartition, 0);
    assert.equal(dead.payload.originalKey.toString(), 'broken-key');
    assert.equal(dead.key, `${topics.ngsi}:0:${dead.payload.sourceOffset}`);
  });

  it('dead-letters an entity missing a required field, naming the field', async () => {
    const entity = keyValuesFlow({ id: 'urn:ngsi-ld:TrafficFlowObserved:it-nolocation', ...recentWindow() });
    delete entity.location;
    const original = bytes(entity);
    await publish(original);
    const dead = await deadLetters.waitFor('the missing-field dead letter', (d) => d.payload.originalValue.equals(original));
    assert.equal(dead.payload.errorCode, 'schema');
    assert.equal(
      dead.payload.reason,
      'location: required (a GeoJSON Point or LineString); Kera places observations by geometry [entity urn:ngsi-ld:TrafficFlowObserved:it-nolocation]',
    );
  });

  it('dead-letters an unsupported entity type', async () => {
    const original = bytes({ id: 'urn:ngsi-ld:WeatherObserved:it', type: 'WeatherObserved', temperature: 3.5 });
    await publish(original);
    const dead = await deadLetters.waitFor('the unsupported-type dead letter', (d) => d.payload.originalValue.equals(original));
    assert.equal(dead.payload.errorCode, 'unsupported_type');
    assert.match(dead.payload.reason, /^type: "WeatherObserved" is not translated by ingest/);
  });

  it('emits a reading delivered twice only once, also after a restart', async () => {
    const id = 'urn:ngsi-ld:TrafficFlowObserved:it-duplicate';
    const window = recentWindow(-5);
    await publish(bytes(keyValuesFlow({ id, ...window })));
    await publish(bytes(normalizedFlow({ id, ...window })));
    const marker = 'urn:ngsi-ld:TrafficFlowObserved:it-marker-1';
    await publish(bytes(keyValuesFlow({ id: marker, ...window })));
    await observations.waitFor('the first marker', (o) => o.payload.sourceId === marker);

    await service?.stop();
    service = await startIngestService(config, { log, topics });
    await publish(bytes([keyValuesFlow({ id, ...window }), keyValuesFlow({ id: 'urn:ngsi-ld:TrafficFlowObserved:it-marker-2', ...window })]));
    await observations.waitFor('the second marker', (o) => o.payload.sourceId === 'urn:ngsi-ld:TrafficFlowObserved:it-marker-2');

    assert.equal(observations.items.filter((o) => o.payload.sourceId === id).length, 1);
    const redis = createRedis({ url: config.REDIS_URL, log });
    try {
      const [seenKey] = await redis.keys(`${config.INGEST_REDIS_PREFIX}seen:*${id}*`);
      assert.ok(seenKey, 'the reading is remembered in Redis under the configured prefix');
      const ttl = await redis.ttl(seenKey);
      assert.ok(ttl > 0 && ttl <= config.INGEST_DEDUPE_TTL_S, `expires (ttl ${ttl} s)`);
    } finally {
      await closeRedis(redis);
    }
  });

  it('turns a closed RoadSegment into an active closure, and lifts it when the segment opens', async () => {
    const id = 'urn:ngsi-ld:RoadSegment:otaniementie-east';
    await publish(bytes(roadSegment('closed', { dateModified: new Date(Date.now() - 10_000).toISOString() })));
    const closed = await incidents.waitFor('the closure', (i) => i.payload.incidentId === id && i.payload.active);
    assert.equal(closed.key, id);
    assert.equal(closed.payload.kind, IncidentKind.CLOSURE);
    assert.equal(closed.payload.severity, Severity.HIGH);
    assert.equal(closed.payload.geometry?.kind?.$case, 'line');
    assert.equal(closed.payload.validUntil, undefined);

    await publish(bytes(roadSegment('open')));
    const lifted = await incidents.waitFor('the lifted closure', (i) => i.payload.incidentId === id && !i.payload.active);
    assert.equal(lifted.key, id);
    assert.ok(lifted.payload.validUntil);
  });

  it('commits the input offsets once everything is handled', async () => {
    const [end] = await kafka.endOffsets(topics.ngsi);
    await waitFor('committed offsets to reach the end of the input', async () => {
      const [committed] = await kafka.committedOffsets(config.INGEST_GROUP_ID, topics.ngsi);
      return committed?.offset === end?.offset;
    });
  });
});
