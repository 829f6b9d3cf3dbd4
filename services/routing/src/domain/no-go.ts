import type { ProfileName } from './profiles.js';

/** [lon, lat] rings; the first ring is the outer boundary, the rest are holes. */
export type PolygonRings = ReadonlyArray<ReadonlyArray<readonly [number, number]>>;

/** An area a profile must never enter (from config). */
export interface NoGoZone {
  readonly name: string;
  /** Profiles the zone applies to; all profiles when absent. */
  readonly profiles?: readonly ProfileName[];
  readonly polygons: readonly PolygonRings[];
}

interface PreparedPolygon {
  readonly rings: PolygonRings;
  readonly minLon: number;
  readonly minLat: number;
  readonly maxLon: number;
  readonly maxLat: number;
}

/** Answers "does this polyline touch any zone?" for one profile. */
export interface NoGoTest {
  readonly isEmpty: boolean;
  touches(lats: ArrayLike<number>, lons: ArrayLike<number>, from: number, to: number): boolean;
}

export function noGoTestFor(zones: readonly NoGoZone[], profile: ProfileName): NoGoTest {
  const polygons: PreparedPolygon[] = zones
    .filter((zone) => zone.profiles === undefined || zone.profiles.includes(profile))
    .flatMap((zone) => zone.polygons.map(prepare));
  return {
    isEmpty: polygons.length === 0,
    touches(lats, lons, from, to) {
      return polygons.some((polygon) => polylineTouches(polygon, lats, lons, from, to));
    },
  };
}

function prepare(rings: PolygonRings): PreparedPolygon {
  let minLon = Infinity;
  let minLat = Infinity;
  let maxLon = -Infinity;
  let maxLat = -Infinity;
  for (const [lon, lat] of rings[0] ?? []) {
    minLon = Math.min(minLon, lon);
    maxLon = Math.max(maxLon, lon);
    minLat = Math.min(minLat, lat);
    maxLat = Math.max(maxLat, lat);
  }
  return { rings, minLon, minLat, maxLon, maxLat };
}

function polylineTouches(p: PreparedPolygon, lats: ArrayLike<number>, lons: ArrayLike<number>, from: number, to: number): boolean {
  let minLon = Infinity;
  let minLat = Infinity;
  let maxLon = -Infinity;
  let maxLat = -Infinity;
  for (let i = from; i < to; i++) {
    minLon = Math.min(minLon, lons[i]!);
    maxLon = Math.max(maxLon, lons[i]!);
    minLat = Math.min(minLat, lats[i]!);
    maxLat = Math.max(maxLat, lats[i]!);
  }
  if (maxLon < p.minLon || minLon > p.maxLon || maxLat < p.minLat || minLat > p.maxLat) return false;
  for (let i = from; i < to; i++) if (pointInPolygon(p.rings, lons[i]!, lats[i]!)) return true;
  for (let i = from + 1; i < to; i++) {
    if (crossesAnyRing(p.rings, lons[i - 1]!, lats[i - 1]!, lons[i]!, lats[i]!)) return true;
  }
  return false;
}

/** Even-odd rule over all rings, so holes are outside. */
export function pointInPolygon(rings: PolygonRings, lon: number, lat: number): boolean {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i]!;
      const [xj, yj] = ring[j]!;
      if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

function crossesAnyRing(rings: PolygonRings, ax: number, ay: number, bx: number, by: number): boolean {
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [cx, cy] = ring[j]!;
      const [dx, dy] = ring[i]!;
      if (segmentsIntersect(ax, ay, bx, by, cx, cy, dx, dy)) return true;
    }
  }
  return false;
}

function segmentsIntersect(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): boolean {
  const d1 = cross(cx, cy, dx, dy, ax, ay);
  const d2 = cross(cx, cy, dx, dy, bx, by);
  const d3 = cross(ax, ay, bx, by, cx, cy);
  const d4 = cross(ax, ay, bx, by, dx, dy);
  return d1 * d2 < 0 && d3 * d4 < 0;
}

const cross = (ox: number, oy: number, ax: number, ay: number, bx: number, by: number): number =>
  (ax - ox) * (by - oy) - (ay - oy) * (bx - ox);

/** Reads a GeoJSON FeatureCollection (or single Feature/geometry) of Polygon/MultiPolygon into zones. */
export function noGoZonesFromGeoJson(document: unknown): NoGoZone[] {
  const features = featureList(document);
  return features.map((feature, index) => {
    const properties = (feature.properties ?? {}) as Record<string, unknown>;
    const name = typeof properties.name === 'string' ? properties.name : `zone ${index}`;
    const profiles = parseProfiles(properties.profiles, name);
    return { name, ...(profiles ? { profiles } : {}), polygons: polygonsOf(feature.geometry, name) };
  });
}

interface FeatureLike {
  properties?: unknown;
  geometry?: { type?: unknown; coordinates?: unknown };
}

function featureList(document: unknown): FeatureLike[] {
  const doc = document as { type?: unknown; features?: unknown };
  if (doc?.type === 'FeatureCollection' && Array.isArray(doc.features)) return doc.features as FeatureLike[];
  if (doc?.type === 'Feature') return [doc as FeatureLike];
  if (doc?.type === 'Polygon' || doc?.type === 'MultiPolygon') return [{ geometry: doc as FeatureLike['geometry'] }];
  throw new Error('no-go zones: expected a GeoJSON FeatureCollection, Feature, Polygon or MultiPolygon');
}

function parseProfiles(value: unknown, name: string): ProfileName[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  for (const item of list) {
    if (item !== 'sidewalk' && item !== 'road') throw new Error(`no-go zone "${name}": unknown profile ${JSON.stringify(item)}`);
  }
  return list as ProfileName[];
}

function polygonsOf(geometry: FeatureLike['geometry'], name: string): PolygonRings[] {
  const coordinates = geometry?.coordinates;
  if (geometry?.type === 'Polygon') return [ringsOf(coordinates, name)];
  if (geometry?.type === 'MultiPolygon' && Array.isArray(coordinates)) return coordinates.map((c) => ringsOf(c, name));
  throw new Error(`no-go zone "${name}": geometry must be a Polygon or MultiPolygon`);
}

function ringsOf(value: unknown, name: string): PolygonRings {
  const valid =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
      (ring) =>
        Array.isArray(ring) &&
        ring.length >= 3 &&
        ring.every((p) => Array.isArray(p) && Number.isFinite(p[0]) && Number.isFinite(p[1])),
    );
  if (!valid) throw new Error(`no-go zone "${name}": each polygon needs rings of at least 3 [lon, lat] positions`);
  return (value as number[][][]).map((ring) => ring.map((p) => [p[0]!, p[1]!] as const));
}
