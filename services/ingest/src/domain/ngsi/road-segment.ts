import { readGeoJson } from '../geometry.js';
import { reject } from '../rejection.js';
import type { Geometry, IncidentKind, IncidentSeverity, TrafficIncident } from '../types.js';
import { attributeValue, readEntityId, readEnum, readInstant, readTextLeniently, type Entity } from './attributes.js';
import { NGSI_SOURCE } from './traffic-flow.js';

type SegmentStatus = 'open' | 'closed' | 'limited';

const ROAD_WORKS_WORDS = /road ?works?|construction|maintenance|repair|resurfac/i;

/**
 * FIWARE RoadSegment with a status → the incident for that segment, keyed by
 * the entity id so each status change replaces the last one on the compacted
 * topic. `open` ends the incident (active=false) so routing lifts it.
 *
 * @param fallbackTime when the entity carries no time of its own
 *   (modifiedAt, dateModified, dateObserved): the time the message was written.
 */
export function mapRoadSegment(entity: Entity, fallbackTime: Date): TrafficIncident {
  const incidentId = readEntityId(entity);
  const status = readEnum<SegmentStatus>(entity, 'status', ['open', 'closed', 'limited']);
  if (status === undefined) {
    return reject('schema', 'status: required to derive an incident (expected one of open, closed, limited)');
  }
  const statusAt = statusTime(entity) ?? fallbackTime;
  const geometry = segmentGeometry(entity);
  if (geometry === undefined && status !== 'open') {
    reject('schema', 'location: required for a closed or limited segment (a GeoJSON LineString, Point or Polygon), or startPoint and endPoint');
  }
  const { kind, severity } = classify(entity, status);
  const active = status !== 'open';
  return {
    incidentId,
    kind,
    severity,
    ...(geometry === undefined ? {} : { geometry }),
    validFrom: statusAt,
    ...(active ? {} : { validUntil: statusAt }),
    description: describeSegment(entity, status),
    source: NGSI_SOURCE,
    active,
    statusAt,
  };
}

function classify(entity: Entity, status: SegmentStatus): { kind: IncidentKind; severity: IncidentSeverity } {
  switch (status) {
    case 'closed':
      return { kind: 'closure', severity: 'high' };
    case 'limited': {
      const works =
        attributeValue(entity, 'roadWork') !== undefined ||
        ROAD_WORKS_WORDS.test(readTextLeniently(entity, 'statusDescription') ?? '');
      return { kind: works ? 'road_works' : 'hazard', severity: 'medium' };
    }
    case 'open':
      // The provider only says the segment is usable again; what ended is not known.
      return { kind: 'unspecified', severity: 'unspecified' };
    default: {
      const unreachable: never = status;
      return unreachable;
    }
  }
}

/** NGSI-LD's system attribute first, then the models' own timestamps. */
function statusTime(entity: Entity): Date | undefined {
  return readInstant(entity, 'modifiedAt') ?? readInstant(entity, 'dateModified') ?? readInstant(entity, 'dateObserved');
}

function segmentGeometry(entity: Entity): Geometry | undefined {
  const location = attributeValue(entity, 'location');
  if (location !== undefined) return readGeoJson(location, 'location', ['line', 'point', 'polygon']);
  const start = attributeValue(entity, 'startPoint');
  const end = attributeValue(entity, 'endPoint');
  if (start === undefined || end === undefined) return undefined;
  const a = readGeoJson(start, 'startPoint', ['point']);
  const b = readGeoJson(end, 'endPoint', ['point']);
  if (a.kind !== 'point' || b.kind !== 'point') return undefined;
  return { kind: 'line', points: [a.point, b.point] };
}

function describeSegment(entity: Entity, status: SegmentStatus): string {
  const name = readTextLeniently(entity, 'name') ?? readTextLeniently(entity, 'roadName') ?? 'road segment';
  const detail = readTextLeniently(entity, 'statusDescription');
  return detail ? `${name} ${status}: ${detail}` : `${name} ${status}`;
}
