import { describeValue, reject } from './rejection.js';
import type { GeoPoint, Geometry } from './types.js';

export type GeometryKind = Exclude<Geometry['kind'], 'multi'>;

const GEOJSON_TYPE: Record<string, GeometryKind> = {
  Point: 'point',
  LineString: 'line',
  Polygon: 'polygon',
};

/**
 * A GeoJSON geometry (RFC 7946: positions are [lon, lat, alt?]) read into
 * Kera's geometry. `allowed` lists the kinds the caller can use; anything else
 * is refused with the field name and what was expected.
 */
export function readGeoJson(value: unknown, field: string, allowed: readonly GeometryKind[]): Geometry {
  const expected = allowed.map(geoJsonName).join(' or ');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return reject('schema', `${field}: expected a GeoJSON ${expected}, got ${describeValue(value)}`);
  }
  const object = value as Record<string, unknown>;
  const type = object.type;
  const kind = typeof type === 'string' ? GEOJSON_TYPE[type] : undefined;
  if (kind === undefined || !allowed.includes(kind)) {
    return reject('schema', `${field}: expected a GeoJSON ${expected}, got type ${describeValue(type)}`);
  }
  const coordinates = object.coordinates;
  switch (kind) {
    case 'point':
      return { kind, point: readPosition(coordinates, `${field}.coordinates`) };
    case 'line':
      return { kind, points: readPositions(coordinates, `${field}.coordinates`, 2) };
    case 'polygon': {
      if (!Array.isArray(coordinates) || coordinates.length === 0) {
        return reject('schema', `${field}.coordinates: expected an array of linear rings, got ${describeValue(coordinates)}`);
      }
      return { kind, ring: readPositions(coordinates[0], `${field}.coordinates[0]`, 4) };
    }
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}

const MULTI_PART: Record<string, GeometryKind> = { MultiPoint: 'point', MultiLineString: 'line', MultiPolygon: 'polygon' };

/**
 * Any GeoJSON geometry a provider may send for a place (Point, LineString,
 * Polygon, their Multi* forms, a GeometryCollection of them): single parts
 * stay single, several become a `multi`.
 */
export function readAnyGeoJson(value: unknown, field: string): Geometry {
  const object = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  const type = object?.type;
  if (object && typeof type === 'string' && type in MULTI_PART) {
    const kind = MULTI_PART[type]!;
    const parts = object.coordinates;
    if (!Array.isArray(parts) || parts.length === 0) return reject('schema', `${field}.coordinates: expected a non-empty array of ${type} parts, got ${describeValue(parts)}`);
    const read = parts.map((coordinates, i) => readGeoJson({ type: geoJsonName(kind), coordinates }, `${field}.coordinates[${i}]`, [kind]));
    return read.length === 1 ? read[0]! : { kind: 'multi', parts: read };
  }
  if (object && type === 'GeometryCollection') {
    const geometries = object.geometries;
    if (!Array.isArray(geometries) || geometries.length === 0) return reject('schema', `${field}.geometries: expected a non-empty array, got ${describeValue(geometries)}`);
    const read = geometries.map((g, i) => readAnyGeoJson(g, `${field}.geometries[${i}]`));
    return read.length === 1 ? read[0]! : { kind: 'multi', parts: read };
  }
  return readGeoJson(value, field, ['point', 'line', 'polygon']);
}

/** Every position of a geometry, for bounds checks. */
export function* positionsOf(geometry: Geometry): Generator<GeoPoint> {
  switch (geometry.kind) {
    case 'point':
      yield geometry.point;
      return;
    case 'line':
      yield* geometry.points;
      return;
    case 'polygon':
      yield* geometry.ring;
      return;
    case 'multi':
      for (const part of geometry.parts) yield* positionsOf(part);
      return;
    default: {
      const unreachable: never = geometry;
      return unreachable;
    }
  }
}

function readPositions(value: unknown, field: string, minimum: number): GeoPoint[] {
  if (!Array.isArray(value) || value.length < minimum) {
    return reject('schema', `${field}: expected at least ${minimum} [lon, lat] positions, got ${describeValue(value)}`);
  }
  return value.map((position, i) => readPosition(position, `${field}[${i}]`));
}

function readPosition(value: unknown, field: string): GeoPoint {
  if (!Array.isArray(value) || value.length < 2) {
    return reject('schema', `${field}: expected a [lon, lat] position, got ${describeValue(value)}`);
  }
  const [lon, lat] = value as unknown[];
  if (typeof lon !== 'number' || !Number.isFinite(lon) || lon < -180 || lon > 180) {
    return reject('schema', `${field}[0]: expected a longitude between -180 and 180, got ${describeValue(lon)}`);
  }
  if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90) {
    return reject('schema', `${field}[1]: expected a latitude between -90 and 90, got ${describeValue(lat)}`);
  }
  return { lat, lon };
}

function geoJsonName(kind: GeometryKind): string {
  switch (kind) {
    case 'point':
      return 'Point';
    case 'line':
      return 'LineString';
    case 'polygon':
      return 'Polygon';
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}

const toRadians = (deg: number) => (deg * Math.PI) / 180;

/** Initial great-circle bearing from a to b, degrees clockwise from north in [0, 360). */
export function bearingBetween(a: GeoPoint, b: GeoPoint): number {
  const phi1 = toRadians(a.lat);
  const phi2 = toRadians(b.lat);
  const deltaLambda = toRadians(b.lon - a.lon);
  const y = Math.sin(deltaLambda) * Math.cos(phi2);
  const x = Math.cos(phi1) * Math.sin(phi2) - Math.sin(phi1) * Math.cos(phi2) * Math.cos(deltaLambda);
  const degrees = (Math.atan2(y, x) * 180) / Math.PI;
  return (degrees + 360) % 360;
}

/**
 * The overall direction of a line, from its first to its last point (a curvy
 * street's first segment can point anywhere). A closed loop falls back to its
 * first non-zero segment; a line of one repeated point has no direction.
 */
export function lineBearing(points: readonly GeoPoint[]): number | undefined {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) return undefined;
  if (first.lat !== last.lat || first.lon !== last.lon) return bearingBetween(first, last);
  const next = points.find((p) => p.lat !== first.lat || p.lon !== first.lon);
  return next ? bearingBetween(first, next) : undefined;
}

export const oppositeBearing = (deg: number): number => (deg + 180) % 360;
