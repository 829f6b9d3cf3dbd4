/** Small-area geometry for driving along street polylines (WGS84, metres). */
export interface LatLon {
  lat: number;
  lon: number;
}

const EARTH_RADIUS_M = 6_371_008.8;
const rad = (deg: number): number => (deg * Math.PI) / 180;
const deg = (radians: number): number => (radians * 180) / Math.PI;

export function distanceM(a: LatLon, b: LatLon): number {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Initial bearing from a to b: 0 = north, 90 = east. */
export function bearingDeg(a: LatLon, b: LatLon): number {
  const y = Math.sin(rad(b.lon - a.lon)) * Math.cos(rad(b.lat));
  const x =
    Math.cos(rad(a.lat)) * Math.sin(rad(b.lat)) - Math.sin(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.cos(rad(b.lon - a.lon));
  return (deg(Math.atan2(y, x)) + 360) % 360;
}

export function pathLengthM(path: readonly LatLon[]): number {
  let total = 0;
  for (let i = 1; i < path.length; i++) total += distanceM(path[i - 1]!, path[i]!);
  return total;
}

export interface PointOnPath {
  position: LatLon;
  headingDeg: number;
}

/**
 * The point `alongM` metres from the start of the path, with the heading of
 * the segment it lies on. Linear interpolation in degrees is accurate to
 * centimetres over street-segment lengths.
 */
export function pointAlong(path: readonly LatLon[], alongM: number): PointOnPath {
  const first = path[0];
  if (!first) throw new Error('pointAlong needs a non-empty path');
  let walked = 0;
  for (let i = 1; i < path.length; i++) {
    const a = path[i - 1]!;
    const b = path[i]!;
    const segment = distanceM(a, b);
    if (segment === 0) continue;
    if (walked + segment >= alongM) {
      const t = Math.max(0, (alongM - walked) / segment);
      return { position: { lat: a.lat + (b.lat - a.lat) * t, lon: a.lon + (b.lon - a.lon) * t }, headingDeg: bearingDeg(a, b) };
    }
    walked += segment;
  }
  return { position: path.at(-1)!, headingDeg: lastHeading(path) };
}

function lastHeading(path: readonly LatLon[]): number {
  for (let i = path.length - 1; i > 0; i--) {
    if (distanceM(path[i - 1]!, path[i]!) > 0) return bearingDeg(path[i - 1]!, path[i]!);
  }
  return 0;
}

/**
 * How far along the path the point nearest to `p` lies. Used to continue on
 * a replanned edge from where the vehicle actually is. Works in a local
 * equirectangular frame, fine at city scale.
 */
export function projectOntoPath(path: readonly LatLon[], p: LatLon): number {
  const cosLat = Math.cos(rad(p.lat));
  const toXY = (q: LatLon) => ({ x: rad(q.lon - p.lon) * cosLat * EARTH_RADIUS_M, y: rad(q.lat - p.lat) * EARTH_RADIUS_M });
  let best = { distance: Infinity, alongM: 0 };
  let walked = 0;
  for (let i = 1; i < path.length; i++) {
    const a = toXY(path[i - 1]!);
    const b = toXY(path[i]!);
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const lengthSq = dx * dx + dy * dy;
    const t = lengthSq === 0 ? 0 : Math.min(1, Math.max(0, -(a.x * dx + a.y * dy) / lengthSq));
    const distance = Math.hypot(a.x + t * dx, a.y + t * dy);
    const segment = Math.sqrt(lengthSq);
    if (distance < best.distance) best = { distance, alongM: walked + t * segment };
    walked += segment;
  }
  return best.alongM;
}
