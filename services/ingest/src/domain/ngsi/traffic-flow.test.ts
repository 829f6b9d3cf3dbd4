import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { keyValuesFlow, normalizedFlow } from '../../../test/fixtures/ngsi.js';
import { mapNgsiEntity, type EntityOutcome } from './message.js';

const WRITTEN_AT = new Date('2025-05-06T07:15:02Z');

function observationOf(entity: unknown) {
  const outcome = mapNgsiEntity(entity, WRITTEN_AT);
  assert.equal(outcome.kind, 'observation', `expected an observation, got ${JSON.stringify(outcome)}`);
  return outcome as Extract<EntityOutcome, { kind: 'observation' }>;
}

function rejectionOf(entity: unknown) {
  const outcome = mapNgsiEntity(entity, WRITTEN_AT);
  assert.equal(outcome.kind, 'rejected', `expected a rejection, got ${JSON.stringify(outcome)}`);
  return (outcome as Extract<EntityOutcome, { kind: 'rejected' }>).rejection;
}

describe('TrafficFlowObserved → observation', () => {
  it('maps the NGSI-LD normalized form with units converted', () => {
    const { observation, ignored } = observationOf(normalizedFlow());
    assert.equal(observation.locationId, 'urn:ngsi-ld:TrafficFlowObserved:otaniementie-1-forward');
    assert.equal(observation.sourceId, 'urn:ngsi-ld:TrafficFlowObserved:otaniementie-1-forward');
    assert.equal(observation.source, 'ngsi-ld');
    assert.deepEqual(observation.windowStart, new Date('2025-05-06T07:10:00Z'));
    assert.deepEqual(observation.windowEnd, new Date('2025-05-06T07:15:00Z'));
    assert.equal(observation.speedKmh, 38.5);
    assert.equal(observation.flowVph, 1440, '120 vehicles in 5 minutes is 1440 per hour');
    assert.equal(observation.occupancyPct, 25);
    assert.equal(observation.sampleCount, 1);
    assert.deepEqual(observation.geometry, {
      kind: 'line',
      points: [
        { lon: 24.8265, lat: 60.1839 },
        { lon: 24.8299, lat: 60.1848 },
        { lon: 24.8331, lat: 60.1859 },
      ],
    });
    assert.ok(observation.bearingDeg !== undefined && observation.bearingDeg > 55 && observation.bearingDeg < 62);
    assert.deepEqual(ignored, []);
  });

  it('maps the key-values form to the same observation', () => {
    assert.deepEqual(observationOf(keyValuesFlow()).observation, observationOf(normalizedFlow()).observation);
  });

  it('points the bearing against the line for a backward lane, and back again when the lane is reversed', () => {
    const forward = observationOf(keyValuesFlow()).observation.bearingDeg ?? NaN;
    const backward = observationOf(keyValuesFlow({ laneDirection: 'backward' })).observation.bearingDeg ?? NaN;
    assert.ok(Math.abs(backward - ((forward + 180) % 360)) < 1e-9);
    const reversed = observationOf({ ...keyValuesFlow({ laneDirection: 'backward' }), reversedLane: true }).observation;
    assert.ok(Math.abs((reversed.bearingDeg ?? NaN) - forward) < 1e-9);
  });

  it('gives no bearing for a point, or for a line without laneDirection', () => {
    const point = { ...keyValuesFlow(), location: { type: 'Point', coordinates: [24.8299, 60.1848] } };
    const { observation } = observationOf(point);
    assert.deepEqual(observation.geometry, { kind: 'point', point: { lon: 24.8299, lat: 60.1848 } });
    assert.equal(observation.bearingDeg, undefined);
    const { laneDirection: _omitted, ...withoutDirection } = keyValuesFlow();
    assert.equal(observationOf(withoutDirection).observation.bearingDeg, undefined);
  });

  it('reads dateObserved alone: an interval, a start/duration, and a zone-less time as UTC', () => {
    const base = keyValuesFlow();
    delete base.dateObservedFrom;
    delete base.dateObservedTo;
    const cases: Array<[string, string, string]> = [
      ['2025-05-06T07:10:00Z/2025-05-06T07:15:00Z', '2025-05-06T07:10:00.000Z', '2025-05-06T07:15:00.000Z'],
      ['2025-05-06T07:10:00Z/PT5M', '2025-05-06T07:10:00.000Z', '2025-05-06T07:15:00.000Z'],
      ['PT1M/2025-05-06T10:15:00+03:00', '2025-05-06T07:14:00.000Z', '2025-05-06T07:15:00.000Z'],
      ['2025-05-06T07:10:00/2025-05-06T07:15:00', '2025-05-06T07:10:00.000Z', '2025-05-06T07:15:00.000Z'],
    ];
    for (const [dateObserved, start, end] of cases) {
      const { observation } = observationOf({ ...base, dateObserved });
      assert.equal(observation.windowStart.toISOString(), start, dateObserved);
      assert.equal(observation.windowEnd.toISOString(), end, dateObserved);
    }
  });

  it('keeps speed and occupancy of an instant reading but says why its intensity has no rate', () => {
    const base = keyValuesFlow();
    delete base.dateObservedFrom;
    delete base.dateObservedTo;
    const { observation, ignored } = observationOf({ ...base, dateObserved: '2025-05-06T07:15:00Z' });
    assert.equal(observation.flowVph, undefined);
    assert.equal(observation.speedKmh, 38.5);
    assert.equal(observation.occupancyPct, 25);
    assert.deepEqual(ignored.map((i) => i.field), ['intensity']);
  });

  it('uses refRoadSegment plus lane as the location when the entity names its segment', () => {
    const entity = {
      ...normalizedFlow(),
      refRoadSegment: { type: 'Relationship', object: 'urn:ngsi-ld:RoadSegment:otaniementie-east' },
    };
    assert.equal(observationOf(entity).observation.locationId, 'urn:ngsi-ld:RoadSegment:otaniementie-east:lane:1');
    const noLane: Record<string, unknown> = { ...keyValuesFlow(), refRoadSegment: 'urn:ngsi-ld:RoadSegment:x' };
    delete noLane.laneId;
    assert.equal(observationOf(noLane).observation.locationId, 'urn:ngsi-ld:RoadSegment:x:forward');
  });

  it('converts speed and occupancy given with a UN/CEFACT unit code', () => {
    const entity = {
      ...normalizedFlow(),
      averageVehicleSpeed: { type: 'Property', value: 10, unitCode: 'MTS' },
      occupancy: { type: 'Property', value: 40, unitCode: 'P1' },
    };
    const { observation } = observationOf(entity);
    assert.equal(observation.speedKmh, 36);
    assert.equal(observation.occupancyPct, 40);
  });

  it('accepts an expanded type IRI and entities with only some measurements', () => {
    const entity = {
      id: 'urn:ngsi-ld:TrafficFlowObserved:t1',
      type: 'https://smartdatamodels.org/dataModel.Transportation/TrafficFlowObserved',
      dateObserved: '2025-05-06T07:15:00Z',
      location: { type: 'Point', coordinates: [24.83, 60.185] },
      averageVehicleSpeed: 12,
    };
    const { observation } = observationOf(entity);
    assert.equal(observation.speedKmh, 12);
    assert.equal(observation.occupancyPct, undefined);
  });
});

describe('TrafficFlowObserved rejections name the field and what was expected', () => {
  const without = (field: string) => {
    const entity = keyValuesFlow();
    delete entity[field];
    return entity;
  };
  const cases: Array<[string, unknown, RegExp]> = [
    ['no id', without('id'), /^id: expected a non-empty entity id/],
    ['no date', (() => {
      const e = without('dateObserved');
      delete e.dateObservedFrom;
      delete e.dateObservedTo;
      return e;
    })(), /^dateObserved: required/],
    ['only dateObservedFrom', (() => {
      const e = without('dateObserved');
      delete e.dateObservedTo;
      return e;
    })(), /^dateObservedTo: required together with dateObservedFrom/],
    ['unparseable date', { ...without('dateObservedFrom'), dateObserved: 'yesterday' }, /^dateObserved: expected an ISO 8601 date-time or interval.*"yesterday"/],
    ['31 February', { ...keyValuesFlow(), dateObservedFrom: '2025-02-31T10:00:00Z' }, /^dateObservedFrom: expected an ISO 8601 date-time/],
    ['period ends before it starts', keyValuesFlow({ from: '2025-05-06T07:20:00Z' }), /^dateObservedFrom: 2025-05-06T07:20:00.000Z is after dateObservedTo/],
    ['no location', without('location'), /^location: required \(a GeoJSON Point or LineString\)/],
    ['polygon location', { ...keyValuesFlow(), location: { type: 'Polygon', coordinates: [[[24.8, 60.1], [24.9, 60.1], [24.9, 60.2], [24.8, 60.1]]] } }, /^location: expected a GeoJSON Point or LineString, got type "Polygon"/],
    ['latitude out of range', { ...keyValuesFlow(), location: { type: 'Point', coordinates: [24.8, 160.1] } }, /^location\.coordinates\[1\]: expected a latitude between -90 and 90, got 160.1/],
    ['one-point line', { ...keyValuesFlow(), location: { type: 'LineString', coordinates: [[24.8, 60.1]] } }, /^location\.coordinates: expected at least 2 \[lon, lat\] positions/],
    ['speed as text', { ...keyValuesFlow(), averageVehicleSpeed: 'fast' }, /^averageVehicleSpeed: expected a speed ≥ 0 \(km\/h\), got "fast"/],
    ['negative speed', keyValuesFlow({ speed: -3 }), /^averageVehicleSpeed: expected a speed ≥ 0 \(km\/h\), got -3/],
    ['implausible speed', keyValuesFlow({ speed: 900 }), /^averageVehicleSpeed: expected km\/h between 0 and 300, got 900 km\/h/],
    ['occupancy as percent', keyValuesFlow({ occupancy: 76 }), /^occupancy: expected a fraction of the observation time between 0 and 1, got 76/],
    ['negative intensity', keyValuesFlow({ intensity: -1 }), /^intensity: expected a vehicle count ≥ 0/],
    ['unknown unit', { ...normalizedFlow(), averageVehicleSpeed: { type: 'Property', value: 3, unitCode: 'KNT' } }, /^averageVehicleSpeed\.unitCode: expected KMH, MTS or HM, got "KNT"/],
    ['lane direction outside the enum', { ...keyValuesFlow(), laneDirection: 'north' }, /^laneDirection: expected one of forward, backward, got "north"/],
    ['Property without value', { ...normalizedFlow(), intensity: { type: 'Property' } }, /^intensity: NGSI-LD Property without a "value"/],
    ['no measurement', (() => {
      const e = without('averageVehicleSpeed');
      delete e.intensity;
      delete e.occupancy;
      return e;
    })(), /^expected at least one measurement: averageVehicleSpeed, intensity or occupancy/],
    ['fractional lane id', { ...keyValuesFlow(), laneId: 1.5 }, /^laneId: expected a lane number ≥ 1, got 1.5/],
  ];
  for (const [name, entity, reason] of cases) {
    it(`rejects ${name} as schema`, () => {
      const rejection = rejectionOf(entity);
      assert.equal(rejection.code, 'schema');
      assert.match(rejection.reason, reason);
    });
  }

  it('rejects an unknown entity type as unsupported_type, and a missing type as schema', () => {
    const unsupported = rejectionOf({ ...keyValuesFlow(), type: 'ParkingSpot' });
    assert.equal(unsupported.code, 'unsupported_type');
    assert.match(unsupported.reason, /^type: "ParkingSpot" is not translated by ingest; supported: TrafficFlowObserved, RoadSegment/);
    const { type: _type, ...untyped } = keyValuesFlow();
    const missing = rejectionOf(untyped);
    assert.equal(missing.code, 'schema');
    assert.match(missing.reason, /^type: required/);
  });

  it('keeps the entity id beside the rejection', () => {
    const outcome = mapNgsiEntity(keyValuesFlow({ speed: -1 }), WRITTEN_AT);
    assert.equal(outcome.kind === 'rejected' && outcome.entityId, 'urn:ngsi-ld:TrafficFlowObserved:otaniementie-1-forward');
  });
});
