import type { RoadGraph } from './graph.js';
import { pointInPolygon, type PolygonRings } from './no-go.js';
import type { SnapIndex } from './snapping.js';

export interface LatLon {
  readonly lat: number;
  readonly lon: number;
}

/** Where a piece of traffic information applies, as providers describe it. */
export type TrafficGeometry =
  | { readonly kind: 'point'; readonly point: LatLon }
  | { readonly kind: 'line'; readonly points: readonly LatLon[] }
  | { readonly kind: 'polygon'; readonly ring: readonly LatLon[] }
  /** Several parts of one thing (a road work in stretches): the union of what each part matches. */
  | { readonly kind: 'multi'; readonly parts: readonly TrafficGeometry[] };

/** How close a point reading must be to a street, metres. */
export const POINT_TOLERANCE_M = 30;
/** How close a line must run along a street, metres. */
export const LINE_TOLERANCE_M = 12;
const LINE_SAMPLE_M = 8;
/** A line and a street are "along" each other when their directions differ by at most this. */
const PARALLEL_DEG = 35;
/** A bearing matches an edge's travel direction within this. */
const BEARING_DEG = 60;

/**
 * Maps a geometry (and optional travel bearing) onto the directed edges it
 * describes: points to the nearest street, lines to the streets they run
 * along, polygons to every street inside.
 */
export function matchEdges(graph: RoadGraph, index: SnapIndex, geometry: TrafficGeometry, bearingDeg?: number): number[] {
  switch (geometry.kind) {
    case 'point':
      return matchPoint(graph, index, geometry.point, bearingDeg);
    case 'line':
      return matchLine(graph, index, geometry.points, bearingDeg);
    case 'polygon':
      return matchPolygon(graph, index, geometry.ring);
    case 'multi': {
      const edges = new Set<number>();
      for (const part of geometry.parts) for (const edge of matchEdges(graph, index, part, bearingDeg)) edges.add(edge);
      return [...edges].sort((x, y) => x - y);
    }
    default: {
      const unknown: never = geometry;
      throw new Error(`unknown geometry ${JSON.stringify(unknown)}`);
    }
  }
}

const angleBetween = (a: number, b: number): number => {
  const d = Math.abs((((a - b) % 360) + 360) % 360);
  return d > 180 ? 360 - d : d;
};

/** The directed edges of a geometry whose travel direction fits the bearing (both when none is given). */
function edgesOf(graph: RoadGraph, geometry: number, segmentBearing: number, bearingDeg: number | undefined): number[] {
  const out: number[] = [];
  for (const direction of [0, 1]) {
    const edge = graph.geometryEdges[2 * geometry + direction]!;
    if (edge < 0) continue;
    const travel = segmentBearing + (direction === 1 ? 180 : 0);
    if (bearingDeg === undefined || angleBetween(travel, bearingDeg) <= BEARING_DEG) out.push(edge);
  }
  return out;
}

function matchPoint(graph: RoadGraph, index: SnapIndex, point: LatLon, bearingDeg?: number): number[] {
  for (const position of index.within(point.lat, point.lon, POINT_TOLERANCE_M)) {
    const edges = edgesOf(graph, position.geometry, position.bearingDeg, bearingDeg);
    if (edges.length > 0) return edges;
  }
  return [];
}

function matchLine(graph: RoadGraph, index: SnapIndex, points: readonly LatLon[], bearingDeg?: number): number[] {
  if (points.length === 1) return matchPoint(graph, index, points[0]!, bearingDeg);
  const coverage = new Map<number, { metres: number; bearing: number }>();
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const dx = (b.lon - a.lon) * index.ruler.kx;
    const dy = (b.lat - a.lat) * index.ruler.ky;
    const length = Math.hypot(dx, dy);
    const lineBearing = (Math.atan2(dx, dy) * 180) / Math.PI;
    const steps = Math.max(1, Math.ceil(length / LINE_SAMPLE_M));
    const stepLength = length / steps;
    for (let s = 0; s < steps; s++) {
      const t = (s + 0.5) / steps;
      for (const position of index.within(a.lat + (b.lat - a.lat) * t, a.lon + (b.lon - a.lon) * t, LINE_TOLERANCE_M)) {
        const difference = angleBetween(position.bearingDeg, lineBearing);
        if (Math.min(difference, 180 - difference) > PARALLEL_DEG) continue;
        const seen = coverage.get(position.geometry) ?? { metres: 0, bearing: position.bearingDeg };
        seen.metres += stepLength;
        coverage.set(position.geometry, seen);
      }
    }
  }
  const edges: number[] = [];
  for (const [geometry, seen] of coverage) {
    // A street counts when the line covers most of it, or a good stretch of a long one.
    const needed = Math.min(0.5 * index.geometryLength(geometry), 40);
    if (seen.metres >= needed) edges.push(...edgesOf(graph, geometry, seen.bearing, bearingDeg));
  }
  return edges.sort((x, y) => x - y);
}

function matchPolygon(graph: RoadGraph, index: SnapIndex, ring: readonly LatLon[]): number[] {
  if (ring.length < 3) return [];
  const rings: PolygonRings = [ring.map((p) => [p.lon, p.lat] as const)];
  const lats = ring.map((p) => p.lat);
  const lons = ring.map((p) => p.lon);
  const candidates = index.geometriesInBox(Math.min(...lats), Math.min(...lons), Math.max(...lats), Math.max(...lons));
  const edges: number[] = [];
  for (const geometry of candidates) {
    let inside = false;
    for (let i = graph.geometryFirst[geometry]!; i < graph.geometryFirst[geometry + 1]! && !inside; i++) {
      inside = pointInPolygon(rings, graph.pointLon[i]!, graph.pointLat[i]!);
    }
    if (!inside) continue;
    for (const direction of [0, 1]) {
      const edge = graph.geometryEdges[2 * geometry + direction]!;
      if (edge >= 0) edges.push(edge);
    }
  }
  return edges.sort((x, y) => x - y);
}
