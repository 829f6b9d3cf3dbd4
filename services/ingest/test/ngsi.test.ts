import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IncidentKind, Severity } from '@kera/proto/traffic/v1/events';
import { bytes, keyValuesFlow, normalizedFlow, roadSegment } from './fixtures/ngsi.js';
import { ingestHarness, type IngestHarness } from './support/harness.js';

/** A minute-long provider period that just ended, so the reading is neither stale nor ahead. */
function recentWindow(offsetS = 0) {
  const end = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000 + offsetS * 1000);
  return { from: new Date(end.getTime() - 60_000).toISOString(), to: end.toISOString() };
}

describe('ingest: NGSI-LD against Kafka and Redis', () => {
  let h: IngestHarness;
  const publish = (value: Buffer, key = 'provider-key') => h.publish(h.topics.ngsi, value, key);

  before(async () => {
    h = await ingestHarness('ngsi');
    await h.start();
  });
  after(() => h?.close());

  it('turns a normalized TrafficFlowObserved into an observation of its event-time window, keyed by location', async () => {
    const window = recentWindow();
    const id = 'urn:ngsi-ld:TrafficFlowObserved:it-valid';
    await publish(bytes(normalizedFlow({ id, ...window, speed: 31.5, intensity: 20, occupancy: 0.1 })));
    const received = await h.observations.waitFor('the observation', (o) => o.payload.sourceId === id);
    assert.equal(received.key, id);
    assert.equal(received.meta.source, 'ingest');
    const o = received.payload;
    const end = Date.parse(window.to);
    assert.equal(o.windowStart?.getTime(), Math.floor(end / 60_000) * 60_000, 'the 60 s window the reading falls in');
    assert.equal(o.windowEnd!.getTime() - o.windowStart!.getTime(), 60_000);
    assert.equal(received.meta.occurredAt.getTime(), o.windowEnd?.getTime());
    assert.equal(o.locationId, id);
    assert.equal(o.source, 'ngsi-ld');
    assert.equal(o.speedKmh, 31.5);
    assert.equal(o.flowVph, 1200, '20 vehicles in one minute');
    assert.ok(Math.abs((o.occupancyPct ?? NaN) - 10) < 1e-9);
    assert.equal(o.sampleCount, 1);
    assert.equal(o.geometry?.kind?.$case, 'line');
    assert.ok(o.bearingDeg !== undefined && o.bearingDeg > 55 && o.bearingDeg < 62);
  });

  it('dead-letters invalid JSON with the original bytes and where it came from', async () => {
    const original = Buffer.from('{"id": "urn:ngsi-ld:TrafficFlowObserved:broken", "type": ');
    await publish(original, 'broken-key');
    const dead = await h.deadLetters.waitFor('the invalid JSON dead letter', (d) => d.payload.originalValue.equals(original));
    assert.equal(dead.payload.errorCode, 'invalid_json');
    assert.match(dead.payload.reason, /^not valid JSON: /);
    assert.equal(dead.payload.sourceTopic, h.topics.ngsi);
    assert.equal(dead.payload.sourcePartition, 0);
    assert.equal(dead.payload.originalKey.toString(), 'broken-key');
    assert.equal(dead.key, `${h.topics.ngsi}:0:${dead.payload.sourceOffset}`);
  });

  it('dead-letters an entity missing a required field, naming the field', async () => {
    const entity = keyValuesFlow({ id: 'urn:ngsi-ld:TrafficFlowObserved:it-nolocation', ...recentWindow() });
    delete entity.location;
    const original = bytes(entity);
    await publish(original);
    const dead = await h.deadLetters.waitFor('the missing-field dead letter', (d) => d.payload.originalValue.equals(original));
    assert.equal(dead.payload.errorCode, 'schema');
    assert.equal(
      dead.payload.reason,
      'location: required (a GeoJSON Point or LineString); Kera places observations by geometry [entity urn:ngsi-ld:TrafficFlowObserved:it-nolocation]',
    );
  });

  it('dead-letters wrong types, absurd speeds, far-future times and oversized or compressed input', async () => {
    const cases: Array<[string, Buffer, string, RegExp]> = [
      ['wrong type', bytes(keyValuesFlow({ id: 'urn:x:wrongtype', ...recentWindow(), speed: 'fast' as unknown as number })), 'schema', /averageVehicleSpeed/],
      ['negative speed', bytes(keyValuesFlow({ id: 'urn:x:negative', ...recentWindow(), speed: -12 })), 'schema', /averageVehicleSpeed.*-12/],
      ['far future', bytes(keyValuesFlow({ id: 'urn:x:future', ...recentWindow(7200) })), 'stale', /ahead of ingest's clock/],
      ['oversized', Buffer.from(`{"pad":"${'x'.repeat(600 * 1024)}"}`), 'too_large', /larger than the 524288 bytes/],
      ['gzip bomb', (await import('node:zlib')).gzipSync(Buffer.alloc(5_000_000, 0x20)), 'invalid_json', /not valid JSON/],
    ];
    for (const [, value] of cases) await publish(value);
    for (const [what, value, code, reason] of cases) {
      const dead = await h.deadLetters.waitFor(what, (d) => d.payload.originalValue.equals(value));
      assert.equal(dead.payload.errorCode, code, what);
      assert.match(dead.payload.reason, reason, what);
    }
  });

  it('reports an entity far outside the loaded map instead of applying it', async () => {
    const entity = keyValuesFlow({ id: 'urn:ngsi-ld:TrafficFlowObserved:it-tampere', ...recentWindow() });
    entity.location = { type: 'Point', coordinates: [23.76, 61.5] };
    const original = bytes(entity);
    await publish(original);
    const dead = await h.deadLetters.waitFor('the outside-map dead letter', (d) => d.payload.originalValue.equals(original));
    assert.equal(dead.payload.errorCode, 'outside_map');
    assert.match(dead.payload.reason, /outside the loaded map \[24\.8, 60\.17, 24\.86, 60\.2\]/);
  });

  it('dead-letters an unsupported entity type', async () => {
    const original = bytes({ id: 'urn:ngsi-ld:WeatherObserved:it', type: 'WeatherObserved', temperature: 3.5 });
    await publish(original);
    const dead = await h.deadLetters.waitFor('the unsupported-type dead letter', (d) => d.payload.originalValue.equals(original));
    assert.equal(dead.payload.errorCode, 'unsupported_type');
    assert.match(dead.payload.reason, /^type: "WeatherObserved" is not translated by ingest/);
  });

  it('turns a closed RoadSegment into an active closure, and lifts it when the segment opens again', async () => {
    const id = 'urn:ngsi-ld:RoadSegment:otaniementie-east';
    await publish(bytes(roadSegment('closed', { dateModified: new Date(Date.now() - 10_000).toISOString() })));
    const closed = await h.incidents.waitFor('the closure', (i) => i.payload.incidentId === id && i.payload.active);
    assert.equal(closed.key, id);
    assert.equal(closed.payload.kind, IncidentKind.CLOSURE);
    assert.equal(closed.payload.severity, Severity.HIGH);
    assert.equal(closed.payload.geometry?.kind?.$case, 'line');
    assert.equal(closed.payload.validUntil, undefined);

    await publish(bytes(roadSegment('open')));
    const lifted = await h.incidents.waitFor('the lifted closure', (i) => i.payload.incidentId === id && !i.payload.active);
    assert.equal(lifted.key, id);
    assert.ok(lifted.payload.validUntil);
    // The closure delivered again after its withdrawal is an older version: not re-emitted.
    await publish(bytes(roadSegment('closed', { dateModified: new Date(Date.now() - 10_000).toISOString() })));
    await publish(bytes(keyValuesFlow({ id: 'urn:x:marker-after-reclose', ...recentWindow() })));
    await h.observations.waitFor('the marker', (o) => o.payload.sourceId === 'urn:x:marker-after-reclose');
    assert.equal(h.incidents.items.filter((i) => i.payload.incidentId === id).length, 2);
  });

  it('commits the input offsets once everything is handled', async () => {
    const [end] = await h.kafka.endOffsets(h.topics.ngsi);
    const { waitFor } = await import('@kera/testkit');
    await waitFor('committed offsets to reach the end of the input', async () => {
      const [committed] = await h.kafka.committedOffsets(h.config.INGEST_GROUP_ID, h.topics.ngsi);
      return committed?.offset === end?.offset;
    });
  });
});
