import area from '@turf/area';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { decodeJsonPayload, type PayloadLimits } from '../payload.js';
import type { FeedFormat, ParsedMessage, Reading, SourceMessage } from '../reading.js';
import type { Rejection } from '../rejection.js';
import type { GeoPoint, SurfaceState } from '../types.js';
import { POLE_READING_SCHEMA } from './schema.js';

export const POLE_FEED = 'pole';

interface PoleReading {
  poleId: string;
  location?: { coordinates: number[] };
  zone: { id: string; area: { coordinates: number[][][] } };
  observedAt: string;
  periodS: number;
  counts: { pedestrians?: number; bikes?: number; vehicles?: number };
  surface?: { state?: SurfaceState; temperatureC?: number };
}

const MIN_AREA_M2 = 1;
const MAX_AREA_M2 = 1_000_000;

/**
 * Kera's smart-pole readings (docs/schemas/pole-reading.v1.schema.json),
 * validated with Ajv; a violation is dead-lettered with the failing field and
 * the schema path. Pedestrians in the zone become a density per 100 m² of the
 * zone's area (Turf), which slows robots on the sidewalks inside it.
 */
export function createPoleFormat(limits: PayloadLimits): FeedFormat {
  const ajv = new Ajv2020({ allErrors: false, strict: true, strictTuples: false });
  addFormats.default(ajv, ['date-time']);
  const validate = ajv.compile(POLE_READING_SCHEMA) as ValidateFunction<PoleReading>;
  return {
    feed: POLE_FEED,
    parse(message: SourceMessage): ParsedMessage {
      const decoded = decodeJsonPayload(message.value, limits);
      if (!decoded.ok) return result({ rejection: decoded.rejection }, true);
      if (!validate(decoded.json)) return result({ rejection: schemaRejection(validate.errors ?? []) }, false);
      return result(toReading(decoded.json), false);
    },
  };
}

function result(outcome: Reading | { rejection: Rejection; entityId?: string }, unreadable: boolean): ParsedMessage {
  if ('rejection' in outcome) {
    return { entityCount: 1, readings: [], incidents: [], rejections: [{ index: 0, rejection: outcome.rejection, ...(outcome.entityId ? { entityId: outcome.entityId } : {}) }], unreadable };
  }
  return { entityCount: 1, readings: [{ index: 0, reading: outcome }], incidents: [], rejections: [], unreadable: false };
}

export function schemaRejection(errors: readonly ErrorObject[]): Rejection {
  const [e] = errors;
  if (!e) return { code: 'schema', reason: 'does not match pole-reading v1' };
  const where = e.instancePath === '' ? '(root)' : e.instancePath;
  const params = e.keyword === 'additionalProperties' ? ` "${String((e.params as { additionalProperty?: string }).additionalProperty)}"` : e.keyword === 'enum' ? ` ${JSON.stringify((e.params as { allowedValues?: unknown }).allowedValues)}` : '';
  return { code: 'schema', reason: `${where}: ${e.message ?? 'is invalid'}${params} (schema path ${e.schemaPath}, pole-reading v1)` };
}

function toReading(r: PoleReading): Reading | { rejection: Rejection; entityId: string } {
  const sourceId = `${r.poleId}/${r.zone.id}`;
  const fail = (reason: string) => ({ rejection: { code: 'schema' as const, reason }, entityId: sourceId });
  const ring = r.zone.area.coordinates[0]!;
  const first = ring[0]!;
  const last = ring[ring.length - 1]!;
  if (first[0] !== last[0] || first[1] !== last[1]) return fail('/zone/area/coordinates/0: the ring must end where it starts (GeoJSON linear ring)');
  const polygon = { type: 'Polygon' as const, coordinates: r.zone.area.coordinates };
  const areaM2 = area(polygon);
  if (areaM2 < MIN_AREA_M2 || areaM2 > MAX_AREA_M2) return fail(`/zone/area: expected between ${MIN_AREA_M2} m² and ${MAX_AREA_M2} m², got ${Math.round(areaM2)} m²`);
  if (r.location && !booleanPointInPolygon(r.location.coordinates, polygon)) {
    return fail(`/location: the pole at [${r.location.coordinates.join(', ')}] is outside its zone ${r.zone.id}`);
  }
  const observedAt = new Date(r.observedAt);
  const pedestrians = r.counts.pedestrians;
  return {
    locationId: `pole:${sourceId}`,
    geometry: { kind: 'polygon', ring: ring.map(([lon, lat]): GeoPoint => ({ lon: lon!, lat: lat! })) },
    eventTime: observedAt,
    source: POLE_FEED,
    sourceId,
    readingKey: `${POLE_FEED}|${sourceId}|${observedAt.getTime()}`,
    values: {
      ...(pedestrians === undefined ? {} : { pedestrianDensity: (pedestrians * 100) / areaM2 }),
      ...(r.surface?.state ? { surface: r.surface.state } : {}),
      ...(r.surface?.temperatureC === undefined ? {} : { surfaceTemperatureC: r.surface.temperatureC }),
    },
    ...(r.counts.bikes !== undefined || r.counts.vehicles !== undefined
      ? { ignored: [{ field: 'counts.bikes/vehicles', reason: 'bikes and vehicles in a pole zone are not yet used by routing' }] }
      : {}),
  };
}
