import { ValidationError } from '@kera/platform';
import type { Geometry as ProtoGeometry } from '@kera/proto/common/v1/envelope';
import { IncidentKind, Severity, type Incident } from '@kera/proto/traffic/v1/events';
import type { Geometry } from 'geojson';
import type { IncidentReport } from '../../app/route-events.js';
import type { GeoPoint } from '../../domain/webhook-event.js';

const position = (p: GeoPoint): [number, number] => [p.lon, p.lat];

/** Kera's geometry → GeoJSON (the boundary where Turf takes over). */
export function toGeoJson(geometry: ProtoGeometry | undefined): Geometry {
  const kind = geometry?.kind;
  switch (kind?.$case) {
    case 'point':
      return { type: 'Point', coordinates: position(kind.value) };
    case 'line':
      if (kind.value.points.length < 2) throw new ValidationError('line geometry needs at least 2 points');
      return { type: 'LineString', coordinates: kind.value.points.map(position) };
    case 'polygon': {
      const ring = kind.value.ring.map(position);
      if (ring.length < 3) throw new ValidationError('polygon geometry needs at least 3 points');
      const [first, last] = [ring[0]!, ring.at(-1)!];
      if (first[0] !== last[0] || first[1] !== last[1]) ring.push(first);
      return { type: 'Polygon', coordinates: [ring] };
    }
    case 'multi':
      if (kind.value.parts.length === 0) throw new ValidationError('multi geometry without parts');
      return { type: 'GeometryCollection', geometries: kind.value.parts.map(toGeoJson) };
    case undefined:
      throw new ValidationError('incident without a geometry');
    default: {
      const unreachable: never = kind;
      throw new ValidationError(`unknown geometry ${String(unreachable)}`);
    }
  }
}

const name = (text: string | undefined): string => (text ?? 'UNSPECIFIED').replace(/^(INCIDENT_KIND_|SEVERITY_)/, '');

export function toIncidentReport(incident: Incident): IncidentReport {
  if (!incident.incidentId) throw new ValidationError('Incident without an incident_id');
  const closure = incident.kind === IncidentKind.CLOSURE;
  return {
    closure,
    active: incident.active,
    validUntil: incident.validUntil,
    incident: {
      id: incident.incidentId,
      kind: name(IncidentKind[incident.kind]),
      severity: name(Severity[incident.severity]),
      description: incident.description,
      validFrom: incident.validFrom?.toISOString() ?? null,
      validUntil: incident.validUntil?.toISOString() ?? null,
      // Withdrawn incidents may come without geometry; only active closures need one.
      geometry: closure && incident.active ? toGeoJson(incident.geometry) : { type: 'GeometryCollection', geometries: [] },
    },
  };
}
