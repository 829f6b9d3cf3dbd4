import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { roadSegment } from '../../../test/fixtures/ngsi.js';
import { mapNgsiEntity, type EntityOutcome } from './message.js';

const WRITTEN_AT = new Date('2025-05-06T07:15:02Z');

function incidentOf(entity: unknown) {
  const outcome = mapNgsiEntity(entity, WRITTEN_AT);
  assert.equal(outcome.kind, 'incident', `expected an incident, got ${JSON.stringify(outcome)}`);
  return (outcome as Extract<EntityOutcome, { kind: 'incident' }>).incident;
}

function rejectionOf(entity: unknown) {
  const outcome = mapNgsiEntity(entity, WRITTEN_AT);
  assert.equal(outcome.kind, 'rejected', `expected a rejection, got ${JSON.stringify(outcome)}`);
  return (outcome as Extract<EntityOutcome, { kind: 'rejected' }>).rejection;
}

describe('RoadSegment status → incident', () => {
  it('turns a closed segment into an active, open-ended closure keyed by the entity id', () => {
    const incident = incidentOf(roadSegment('closed', { statusDescription: { type: 'Property', value: 'Bridge lifted' } }));
    assert.equal(incident.incidentId, 'urn:ngsi-ld:RoadSegment:otaniementie-east');
    assert.equal(incident.kind, 'closure');
    assert.equal(incident.severity, 'high');
    assert.equal(incident.active, true);
    assert.equal(incident.validUntil, undefined);
    assert.equal(incident.geometry?.kind, 'line');
    assert.equal(incident.description, 'Otaniementie closed: Bridge lifted');
    assert.equal(incident.source, 'ngsi-ld');
  });

  it('ends the incident when the segment is open again, so routing lifts it', () => {
    const incident = incidentOf(roadSegment('open', { dateModified: '2025-05-06T09:00:00Z' }));
    assert.equal(incident.incidentId, 'urn:ngsi-ld:RoadSegment:otaniementie-east');
    assert.equal(incident.active, false);
    assert.deepEqual(incident.validUntil, new Date('2025-05-06T09:00:00Z'));
    assert.deepEqual(incident.statusAt, new Date('2025-05-06T09:00:00Z'));
  });

  it('classifies a limited segment as road works when the data says so, else as a hazard', () => {
    const works = incidentOf(roadSegment('limited', { statusDescription: 'Roadworks, one lane open' }));
    assert.equal(works.kind, 'road_works');
    assert.equal(works.severity, 'medium');
    assert.equal(works.active, true);
    assert.equal(incidentOf(roadSegment('limited', { roadWork: 'WATERLEAK' })).kind, 'road_works');
    const hazard = incidentOf(roadSegment('limited', { statusDescription: 'Fallen tree' }));
    assert.equal(hazard.kind, 'hazard');
    assert.equal(hazard.severity, 'medium');
  });

  it('takes the time from modifiedAt or dateModified, else from when the message was written', () => {
    assert.deepEqual(incidentOf(roadSegment('closed', { modifiedAt: '2025-05-06T06:00:00Z' })).validFrom, new Date('2025-05-06T06:00:00Z'));
    assert.deepEqual(incidentOf(roadSegment('closed')).validFrom, WRITTEN_AT);
  });

  it('builds the geometry from startPoint and endPoint when there is no location', () => {
    const { location: _location, ...segment } = roadSegment('closed');
    const incident = incidentOf(segment);
    assert.deepEqual(incident.geometry, {
      kind: 'line',
      points: [
        { lon: 24.8265, lat: 60.1839 },
        { lon: 24.8331, lat: 60.1859 },
      ],
    });
  });

  it('reads the key-values form', () => {
    const incident = incidentOf({
      id: 'urn:ngsi-ld:RoadSegment:tietotie',
      type: 'RoadSegment',
      name: 'Tietotie',
      status: 'closed',
      location: { type: 'LineString', coordinates: [[24.8205, 60.1852], [24.8231, 60.1869]] },
    });
    assert.equal(incident.kind, 'closure');
    assert.equal(incident.description, 'Tietotie closed');
  });

  it('rejects a segment without a status, with an unknown status, or closed without geometry', () => {
    const { status: _status, ...noStatus } = roadSegment('closed');
    assert.match(rejectionOf(noStatus).reason, /^status: required to derive an incident \(expected one of open, closed, limited\)/);
    assert.match(rejectionOf(roadSegment('closed', { status: 'blocked' })).reason, /^status: expected one of open, closed, limited, got "blocked"/);
    const { location: _l, startPoint: _s, endPoint: _e, ...nowhere } = roadSegment('closed');
    const rejection = rejectionOf(nowhere);
    assert.equal(rejection.code, 'schema');
    assert.match(rejection.reason, /^location: required for a closed or limited segment/);
    const { location: _l2, startPoint: _s2, endPoint: _e2, ...openNowhere } = roadSegment('open');
    assert.equal(incidentOf(openNowhere).active, false, 'ending an incident needs no geometry');
  });

  it('rejects a malformed dateModified rather than guessing a time', () => {
    const rejection = rejectionOf(roadSegment('closed', { dateModified: '06/05/2025' }));
    assert.match(rejection.reason, /^dateModified: expected an ISO 8601 date-time \(UTC\), got "06\/05\/2025"/);
  });
});
