import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EVENTS, unwrap } from '@kera/platform';
import { IncidentKind, Severity, SurfaceState } from '@kera/proto/traffic/v1/events';
import type { RawMessage } from '../../app/ports.js';
import { deadLetterMessage, incidentMessage, MAX_KEPT_ORIGINAL_BYTES, observationMessage } from './traffic-publisher.js';

const message: RawMessage = {
  topic: 'city.ngsi.v1',
  partition: 1,
  offset: '42',
  key: Buffer.from('k'),
  value: Buffer.from('{"broken"'),
  headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
  timestamp: 0,
};

describe('traffic publisher mapping', () => {
  it('envelopes an observation at its event time, keyed by location', () => {
    const out = observationMessage({
      locationId: 'urn:ngsi-ld:RoadSegment:x:forward',
      geometry: { kind: 'point', point: { lat: 60.18, lon: 24.83 } },
      windowStart: new Date('2025-05-06T07:14:00Z'),
      windowEnd: new Date('2025-05-06T07:15:00Z'),
      source: 'ngsi-ld',
      sourceId: 'urn:ngsi-ld:TrafficFlowObserved:x',
      speedKmh: 30,
      sampleCount: 1,
    });
    assert.equal(out.key, 'urn:ngsi-ld:RoadSegment:x:forward');
    const { meta, payload } = unwrap(EVENTS.observation, out.value);
    assert.equal(meta.occurredAt.toISOString(), '2025-05-06T07:15:00.000Z');
    assert.equal(meta.source, 'ingest');
    assert.deepEqual(payload.geometry, { kind: { $case: 'point', value: { lat: 60.18, lon: 24.83 } } });
    assert.equal(payload.speedKmh, 30);
    assert.equal(payload.flowVph, undefined);
    assert.equal(payload.bearingDeg, undefined);
    assert.equal(payload.surface, SurfaceState.UNSPECIFIED);
  });

  it('maps an ended incident with its end time and no kind', () => {
    const at = new Date('2025-05-06T09:00:00Z');
    const out = incidentMessage({
      incidentId: 'urn:ngsi-ld:RoadSegment:x',
      kind: 'unspecified',
      severity: 'unspecified',
      validFrom: at,
      validUntil: at,
      description: 'Otaniementie open',
      source: 'ngsi-ld',
      active: false,
      statusAt: at,
    });
    assert.equal(out.key, 'urn:ngsi-ld:RoadSegment:x');
    const { payload } = unwrap(EVENTS.incident, out.value);
    assert.equal(payload.active, false);
    assert.equal(payload.kind, IncidentKind.UNSPECIFIED);
    assert.equal(payload.severity, Severity.UNSPECIFIED);
    assert.deepEqual(payload.validUntil, at);
    assert.equal(payload.geometry, undefined);
  });

  it('keys a dead letter by source topic, partition and offset and keeps the input', () => {
    const out = deadLetterMessage({ message, code: 'invalid_json', reason: 'not valid JSON', rejectedAt: new Date() });
    assert.equal(out.key, 'city.ngsi.v1:1:42');
    const { payload } = unwrap(EVENTS.deadLetter, out.value);
    assert.deepEqual(payload.originalValue, message.value);
    assert.deepEqual(payload.originalKey, message.key);
    assert.deepEqual(payload.originalHeaders, message.headers);
    assert.equal(payload.sourceOffset, '42');
  });

  it('truncates an input too large to fit in a dead letter, and says so', () => {
    const huge = { ...message, value: Buffer.alloc(MAX_KEPT_ORIGINAL_BYTES + 10, 0x61) };
    const { payload } = unwrap(EVENTS.deadLetter, deadLetterMessage({ message: huge, code: 'invalid_json', reason: 'not valid JSON', rejectedAt: new Date() }).value);
    assert.equal(payload.originalValue.length, MAX_KEPT_ORIGINAL_BYTES);
    assert.match(payload.reason, /^not valid JSON \(original value truncated to its first 786432 of 786442 bytes/);
  });
});
