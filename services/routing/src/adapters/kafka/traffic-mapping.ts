import { ValidationError } from '@kera/platform';
import type { Geometry } from '@kera/proto/common/v1/envelope';
import {
  IncidentKind,
  Severity,
  SurfaceState,
  type Incident,
  type Observation,
} from '@kera/proto/traffic/v1/events';
import type { TrafficGeometry } from '../../domain/edge-matching.js';
import type {
  IncidentFact,
  IncidentKind as DomainIncidentKind,
  IncidentSeverity,
  ObservationFact,
  SurfaceCondition,
} from '../../domain/traffic.js';

/** proto Observation → domain fact; throws ValidationError naming the bad field. */
export function toObservationFact(observation: Observation, occurredAt: Date): ObservationFact {
  if (!observation.locationId) throw new ValidationError('observation.location_id is empty');
  const windowEnd = observation.windowEnd ?? observation.windowStart ?? occurredAt;
  const bearing = observation.bearingDeg;
  if (bearing !== undefined && !Number.isFinite(bearing)) throw new ValidationError('observation.bearing_deg is not a number');
  return {
    locationId: observation.locationId,
    geometry: toTrafficGeometry(observation.geometry, 'observation.geometry'),
    ...(bearing !== undefined ? { bearingDeg: ((bearing % 360) + 360) % 360 } : {}),
    windowEndMs: windowEnd.getTime(),
    ...(observation.speedKmh !== undefined ? { speedKmh: observation.speedKmh } : {}),
    ...(observation.pedestrianDensity !== undefined ? { pedestrianDensity: observation.pedestrianDensity } : {}),
    surface: toSurface(observation.surface),
    sampleCount: observation.sampleCount,
  };
}

export function toIncidentFact(incident: Incident): IncidentFact {
  if (!incident.incidentId) throw new ValidationError('incident.incident_id is empty');
  return {
    incidentId: incident.incidentId,
    kind: toIncidentKind(incident.kind),
    severity: toSeverity(incident.severity),
    // A withdrawn incident needs no geometry: it only removes what was applied.
    geometry: incident.active
      ? toTrafficGeometry(incident.geometry, 'incident.geometry')
      : { kind: 'point', point: { lat: 0, lon: 0 } },
    ...(incident.validFrom ? { validFromMs: incident.validFrom.getTime() } : {}),
    ...(incident.validUntil ? { validUntilMs: incident.validUntil.getTime() } : {}),
    active: incident.active,
  };
}

function checkPoint(point: { lat: number; lon: number }, field: string): { lat: number; lon: number } {
  const ok = Number.isFinite(point.lat) && Number.isFinite(point.lon) && Math.abs(point.lat) <= 90 && Math.abs(point.lon) <= 180;
  if (!ok) throw new ValidationError(`${field}: (${point.lat}, ${point.lon}) is not a WGS84 coordinate`);
  return { lat: point.lat, lon: point.lon };
}

export function toTrafficGeometry(geometry: Geometry | undefined, field: string): TrafficGeometry {
  const kind = geometry?.kind;
  if (!kind) throw new ValidationError(`${field} is missing (point, line or polygon required)`);
  switch (kind.$case) {
    case 'point':
      return { kind: 'point', point: checkPoint(kind.value, `${field}.point`) };
    case 'line':
      if (kind.value.points.length === 0) throw new ValidationError(`${field}.line has no points`);
      return { kind: 'line', points: kind.value.points.map((p, i) => checkPoint(p, `${field}.line.points[${i}]`)) };
    case 'polygon':
      if (kind.value.ring.length < 3) throw new ValidationError(`${field}.polygon needs at least 3 ring points`);
      return { kind: 'polygon', ring: kind.value.ring.map((p, i) => checkPoint(p, `${field}.polygon.ring[${i}]`)) };
    case 'multi':
      if (kind.value.parts.length === 0) throw new ValidationError(`${field}.multi has no parts`);
      return { kind: 'multi', parts: kind.value.parts.map((part, i) => toTrafficGeometry(part, `${field}.multi.parts[${i}]`)) };
    default: {
      const unknown: never = kind;
      throw new ValidationError(`${field} has an unknown kind ${JSON.stringify(unknown)}`);
    }
  }
}

function toSurface(surface: SurfaceState): SurfaceCondition {
  switch (surface) {
    case SurfaceState.DRY:
      return 'dry';
    case SurfaceState.WET:
      return 'wet';
    case SurfaceState.SNOW:
      return 'snow';
    case SurfaceState.ICY:
      return 'icy';
    case SurfaceState.UNSPECIFIED:
    case SurfaceState.UNRECOGNIZED:
      return 'unknown';
    default: {
      // Numbers newer than this build decode as plain numbers: treat them as unspecified.
      const newer: never = surface;
      void newer;
      return 'unknown';
    }
  }
}

function toIncidentKind(kind: IncidentKind): DomainIncidentKind {
  switch (kind) {
    case IncidentKind.CLOSURE:
      return 'closure';
    case IncidentKind.ROAD_WORKS:
      return 'road_works';
    case IncidentKind.HAZARD:
      return 'hazard';
    case IncidentKind.WEIGHT_RESTRICTION:
      return 'weight_restriction';
    case IncidentKind.ANNOUNCEMENT:
      return 'announcement';
    case IncidentKind.UNSPECIFIED:
    case IncidentKind.UNRECOGNIZED:
      return 'unspecified';
    default: {
      // Numbers newer than this build decode as plain numbers: treat them as unspecified.
      const newer: never = kind;
      void newer;
      return 'unspecified';
    }
  }
}

function toSeverity(severity: Severity): IncidentSeverity {
  switch (severity) {
    case Severity.LOW:
      return 'low';
    case Severity.MEDIUM:
      return 'medium';
    case Severity.HIGH:
      return 'high';
    case Severity.UNSPECIFIED:
    case Severity.UNRECOGNIZED:
      return 'unspecified';
    default: {
      // Numbers newer than this build decode as plain numbers: treat them as unspecified.
      const newer: never = severity;
      void newer;
      return 'unspecified';
    }
  }
}
