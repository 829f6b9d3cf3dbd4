/**
 * Driving along street polylines (WGS84, metres), measured with `@turf/*`.
 * The rest of the simulator speaks `LatLon` (the shape on the wire); this file
 * is where it crosses into GeoJSON, whose positions are `[lon, lat]`.
 */
import along from '@turf/along';
import bearing from '@turf/bearing';
import distance from '@turf/distance';
import { bearingToAzimuth, lineString } from '@turf/helpers';
import nearestPointOnLine from '@turf/nearest-point-on-line';
import type { Feature, LineString, Position } from 'geojson';

export interface LatLon {
  lat: number;
  lon: number;
}

const METRES = { units: 'meters' } as const;

const positionOf = (p: LatLon): Position => [p.lon, p.lat];
const latLonOf = ([lon, lat]: Position): LatLon => ({ lat: lat!, lon: lon! });

export function distanceM(a: LatLon, b: LatLon): number {
  return distance(positionOf(a), positionOf(b), METRES);
}

/** Initial bearing from a to b: 0 = north, 90 = east, always in [0, 360). */
export function bearingDeg(a: LatLon, b: LatLon): number {
  // A bearing of -1e-15 is 360 once turned into an azimuth in floating point; the modulo folds it back to 0.
  return bearingToAzimuth(bearing(positionOf(a), positionOf(b))) % 360;
}

/** A path as GeoJSON, with the distance from its start to each of its points. */
interface MeasuredPath {
  readonly line: Feature<LineString> | undefined;
  readonly atM: readonly number[];
}

/**
 * A vehicle asks where it is on the same edge path every tick; measuring it
 * once keeps a tick at a binary search and one `@turf/along` on one segment.
 * Paths are immutable parts of an order, so the array itself is the key.
 */
const measured = new WeakMap<readonly LatLon[], MeasuredPath>();

function measure(path: readonly LatLon[]): MeasuredPath {
  let known = measured.get(path);
  if (!known) {
    const atM = [0];
    for (let i = 1; i < path.length; i++) atM.push(atM[i - 1]! + distanceM(path[i - 1]!, path[i]!));
    known = { line: path.length >= 2 ? lineString(path.map(positionOf)) : undefined, atM };
    measured.set(path, known);
  }
  return known;
}

export function pathLengthM(path: readonly LatLon[]): number {
  return measure(path).atM.at(-1) ?? 0;
}

export interface PointOnPath {
  position: LatLon;
  headingDeg: number;
}

/**
 * The point `alongM` metres from the start of the path, with the heading of
 * the segment it lies on (zero-length segments have no heading and are
 * skipped). Past the end it is the last point.
 */
export function pointAlong(path: readonly LatLon[], alongM: number): PointOnPath {
  const first = path[0];
  if (!first) throw new Error('pointAlong needs a non-empty path');
  const { atM } = measure(path);
  const end = segmentEnd(atM, alongM);
  if (end === undefined) return { position: path.at(-1)!, headingDeg: lastHeading(path, atM) };
  const from = path[end - 1]!;
  const to = path[end]!;
  // @turf/along gives the segment's own end points exactly at 0 and at its full length.
  const onSegment = along(lineString([positionOf(from), positionOf(to)]), Math.max(0, alongM - atM[end - 1]!), METRES);
  return { position: latLonOf(onSegment.geometry.coordinates), headingDeg: bearingDeg(from, to) };
}

/** The index of the point ending the first segment of non-zero length that reaches `alongM`. */
function segmentEnd(atM: readonly number[], alongM: number): number | undefined {
  const reaches = (i: number) => (alongM > 0 ? atM[i]! >= alongM : atM[i]! > 0);
  let low = 1;
  let high = atM.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (reaches(middle)) high = middle;
    else low = middle + 1;
  }
  return low < atM.length ? low : undefined;
}

function lastHeading(path: readonly LatLon[], atM: readonly number[]): number {
  for (let i = path.length - 1; i > 0; i--) {
    if (atM[i]! > atM[i - 1]!) return bearingDeg(path[i - 1]!, path[i]!);
  }
  return 0;
}

/**
 * How far along the path (metres from its start) the point nearest to `p`
 * lies. Used to continue on a replanned edge from where the vehicle actually is.
 */
export function projectOntoPath(path: readonly LatLon[], p: LatLon): number {
  const { line } = measure(path);
  return line ? nearestPointOnLine(line, positionOf(p), METRES).properties.totalDistance : 0;
}
