import { positionsOf } from './geometry.js';
import type { Geometry } from './types.js';

/** The area routing has a map of (WGS84 degrees), with a margin for providers' rounding. */
export interface MapBounds {
  readonly minLon: number;
  readonly minLat: number;
  readonly maxLon: number;
  readonly maxLat: number;
}

/** "minLon,minLat,maxLon,maxLat" (the GeoJSON bbox order). */
export function parseBounds(text: string): MapBounds {
  const parts = text.split(',').map((p) => Number(p.trim()));
  const [minLon, minLat, maxLon, maxLat] = parts;
  if (parts.length !== 4 || parts.some((p) => !Number.isFinite(p)) || minLon! >= maxLon! || minLat! >= maxLat!) {
    throw new Error(`expected "minLon,minLat,maxLon,maxLat" with min < max, got "${text}"`);
  }
  return { minLon: minLon!, minLat: minLat!, maxLon: maxLon!, maxLat: maxLat! };
}

/**
 * Whether a geometry lies entirely outside the map: its bounding box does not
 * touch the map's. A cheap check on plain numbers, run on every record.
 */
export function outsideMap(geometry: Geometry, bounds: MapBounds): boolean {
  let minLon = Infinity;
  let minLat = Infinity;
  let maxLon = -Infinity;
  let maxLat = -Infinity;
  for (const p of positionsOf(geometry)) {
    if (p.lon < minLon) minLon = p.lon;
    if (p.lon > maxLon) maxLon = p.lon;
    if (p.lat < minLat) minLat = p.lat;
    if (p.lat > maxLat) maxLat = p.lat;
  }
  return maxLon < bounds.minLon || minLon > bounds.maxLon || maxLat < bounds.minLat || minLat > bounds.maxLat;
}

export const describeBounds = (b: MapBounds): string => `[${b.minLon}, ${b.minLat}, ${b.maxLon}, ${b.maxLat}]`;
