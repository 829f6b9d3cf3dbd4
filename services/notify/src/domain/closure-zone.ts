import booleanIntersects from '@turf/boolean-intersects';
import buffer from '@turf/buffer';
import { lineString, point } from '@turf/helpers';
import type { Feature, Geometry, Polygon, MultiPolygon } from 'geojson';
import type { GeoPoint } from './webhook-event.js';

/**
 * The area around a closure within which a route counts as affected. Built
 * once per incident (buffering is the costly part); each route is then one
 * intersection test. Turf works on GeoJSON, so positions become [lon, lat].
 */
export interface ClosureZone {
  touches(route: readonly GeoPoint[]): boolean;
}

const position = (p: GeoPoint): [number, number] => [p.lon, p.lat];

export function closureZone(geometry: Geometry, distanceM: number): ClosureZone {
  if (geometry.type === 'GeometryCollection') {
    // A multi-part closure (several streets of one road work): affected when any part is.
    const parts = geometry.geometries.map((part) => closureZone(part, distanceM));
    return { touches: (route) => parts.some((part) => part.touches(route)) };
  }
  const zone = buffer(geometry, distanceM, { units: 'meters' }) as Feature<Polygon | MultiPolygon> | undefined;
  return {
    touches(route) {
      if (!zone || route.length === 0) return false;
      const path = route.length === 1 ? point(position(route[0]!)) : lineString(route.map(position));
      return booleanIntersects(zone, path);
    },
  };
}
