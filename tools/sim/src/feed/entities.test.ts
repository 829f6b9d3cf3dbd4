import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { roadSegment, roadSegmentId, trafficFlowId, trafficFlowObserved } from './entities.js';
import { OTANIEMI_SEGMENTS } from './segments.js';

const segment = OTANIEMI_SEGMENTS[0]!;
const window = { start: new Date('2025-05-06T07:14:00Z'), end: new Date('2025-05-06T07:15:00Z') };
const conditions = { speedKmh: 23.4, flowVph: 900, occupancy: 0.25 };

/** Otaniemi demo map bounds. */
const BBOX = { west: 24.8122, south: 60.1798, east: 24.8494, north: 60.1923 };

describe('NGSI-LD entities of the city feed', () => {
  it('writes TrafficFlowObserved in the normalized form the data model documents', () => {
    const entity = trafficFlowObserved({ segment, direction: 'backward', window, conditions, form: 'normalized' });
    assert.equal(entity.id, 'urn:ngsi-ld:TrafficFlowObserved:espoo-otaniemi:otaniementie-west:backward');
    assert.equal(entity.type, 'TrafficFlowObserved');
    assert.ok(Array.isArray(entity['@context']));
    for (const [name, attribute] of Object.entries(entity)) {
      if (['id', 'type', '@context'].includes(name)) continue;
      const a = attribute as Record<string, unknown>;
      assert.ok(['Property', 'GeoProperty', 'Relationship'].includes(String(a.type)), `${name} is an NGSI-LD attribute`);
      assert.ok('value' in a || 'object' in a, `${name} carries a value or object`);
    }
    assert.deepEqual(entity.averageVehicleSpeed, { type: 'Property', value: 23.4 });
    assert.deepEqual(entity.intensity, { type: 'Property', value: 15 }, '900 vehicles per hour over one minute');
    assert.deepEqual(entity.occupancy, { type: 'Property', value: 0.25 });
    assert.deepEqual(entity.laneDirection, { type: 'Property', value: 'backward' });
    assert.deepEqual(entity.dateObservedFrom, { type: 'Property', value: { '@type': 'DateTime', '@value': '2025-05-06T07:14:00.000Z' } });
    assert.deepEqual(entity.dateObservedTo, { type: 'Property', value: { '@type': 'DateTime', '@value': '2025-05-06T07:15:00.000Z' } });
    assert.deepEqual(entity.refRoadSegment, { type: 'Relationship', object: roadSegmentId(segment) });
    const location = entity.location as { type: string; value: { type: string; coordinates: number[][] } };
    assert.equal(location.type, 'GeoProperty');
    assert.equal(location.value.type, 'LineString');
    assert.ok(location.value.coordinates.length >= 2);
  });

  it('writes the key-values form with the same content as plain values', () => {
    const normalized = trafficFlowObserved({ segment, direction: 'forward', window, conditions, form: 'normalized' });
    const keyValues = trafficFlowObserved({ segment, direction: 'forward', window, conditions, form: 'keyValues' });
    assert.equal(keyValues.averageVehicleSpeed, 23.4);
    assert.equal(keyValues.dateObservedTo, '2025-05-06T07:15:00.000Z');
    assert.equal(keyValues.refRoadSegment, roadSegmentId(segment));
    assert.equal((keyValues.location as { type: string }).type, 'LineString');
    for (const [name, value] of Object.entries(keyValues)) {
      if (['id', 'type', '@context'].includes(name)) continue;
      const wrapped = normalized[name] as { value?: unknown; object?: unknown };
      const unwrapped = wrapped.object ?? wrapped.value;
      const literal = unwrapped as { '@value'?: unknown };
      assert.deepEqual(literal?.['@value'] ?? unwrapped, value, name);
    }
  });

  it('leaves out the speed when nothing drove past', () => {
    const entity = trafficFlowObserved({ segment, direction: 'forward', window, conditions: { flowVph: 0, occupancy: 0 }, form: 'keyValues' });
    assert.equal('averageVehicleSpeed' in entity, false);
    assert.equal(entity.intensity, 0);
  });

  it('writes RoadSegment with status, geometry and modification time', () => {
    const entity = roadSegment({ segment, status: 'closed', statusDescription: 'Closed for an event', modifiedAt: window.end, form: 'normalized' });
    assert.equal(entity.id, 'urn:ngsi-ld:RoadSegment:espoo-otaniemi:otaniementie-west');
    assert.equal(entity.type, 'RoadSegment');
    assert.deepEqual(entity.status, { type: 'Property', value: 'closed' });
    assert.deepEqual(entity.statusDescription, { type: 'Property', value: 'Closed for an event' });
    assert.equal((entity.location as { type: string }).type, 'GeoProperty');
    assert.deepEqual(entity.dateModified, { type: 'Property', value: { '@type': 'DateTime', '@value': '2025-05-06T07:15:00.000Z' } });
    assert.ok(entity.startPoint && entity.endPoint && entity.allowedVehicleType, 'carries the model\'s required attributes');
  });

  it('places every segment on the Otaniemi map with distinct ids', () => {
    const ids = new Set<string>();
    for (const s of OTANIEMI_SEGMENTS) {
      for (const [lon, lat] of s.coordinates) {
        assert.ok(lon >= BBOX.west && lon <= BBOX.east && lat >= BBOX.south && lat <= BBOX.north, `${s.id} ${lon},${lat}`);
      }
      for (const d of s.directions) ids.add(trafficFlowId(s, d));
    }
    assert.equal(ids.size, OTANIEMI_SEGMENTS.reduce((n, s) => n + s.directions.length, 0));
  });
});
