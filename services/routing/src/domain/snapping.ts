import CheapRuler from 'cheap-ruler';
import KDBush from 'kdbush';
import type { RoadGraph } from './graph.js';

/** A point on a geometry: where a waypoint or an observation lands on the network. */
export interface NetworkPosition {
  readonly geometry: number;
  /** Global index of the segment's first point. */
  readonly segment: number;
  /** 0..1 along the whole geometry, in its point order. */
  readonly fraction: number;
  readonly distanceM: number;
  readonly lat: number;
  readonly lon: number;
  /** Direction of the segment in point order, degrees clockwise from north. */
  readonly bearingDeg: number;
}

/** Points sampled along segments at most this far apart, so a radius query finds every near segment. */
const SAMPLE_SPACING_M = 20;

/**
 * A spatial index over a graph's geometries in local metres (an equirectangular
 * projection around the map's centre, accurate to well under 1% at city scale).
 */
export class SnapIndex {
  private readonly index: KDBush;
  private readonly sampleSegment: Uint32Array;
  private readonly pointGeometry: Uint32Array;
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  /** Distance from the geometry's start to each point, metres. */
  private readonly along: Float64Array;
  readonly ruler: CheapRuler;
  private readonly lat0: number;
  private readonly lon0: number;
  /**
   * One frozen [lon, lat] per shape point, made on first use and shared by
   * every route through it: route geometry then makes almost no garbage, and
   * young-generation pauses stop landing in the query-time tail.
   */
  private readonly pointPairs: Array<readonly [number, number] | undefined>;

  constructor(readonly graph: RoadGraph) {
    const { pointLat, pointLon } = graph;
    this.pointPairs = new Array<readonly [number, number] | undefined>(pointLat.length);
    this.lat0 = (Math.min(...sampleOf(pointLat)) + Math.max(...sampleOf(pointLat))) / 2;
    this.lon0 = (Math.min(...sampleOf(pointLon)) + Math.max(...sampleOf(pointLon))) / 2;
    this.ruler = new CheapRuler(this.lat0, 'meters');
    const count = pointLat.length;
    this.x = new Float64Array(count);
    this.y = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      this.x[i] = (pointLon[i]! - this.lon0) * this.ruler.kx;
      this.y[i] = (pointLat[i]! - this.lat0) * this.ruler.ky;
    }
    this.pointGeometry = new Uint32Array(count);
    this.along = new Float64Array(count);
    const samples = this.sampleSegments();
    this.sampleSegment = samples.segments;
    this.index = new KDBush(samples.segments.length, 64, Float64Array);
    for (let s = 0; s < samples.segments.length; s++) this.index.add(samples.x[s]!, samples.y[s]!);
    this.index.finish();
  }

  private sampleSegments(): { segments: Uint32Array; x: Float64Array; y: Float64Array } {
    const segments: number[] = [];
    const xs: number[] = [];
    const ys: number[] = [];
    const { geometryFirst, geometryCount } = this.graph;
    for (let g = 0; g < geometryCount; g++) {
      const first = geometryFirst[g]!;
      const last = geometryFirst[g + 1]! - 1;
      for (let i = first; i <= last; i++) this.pointGeometry[i] = g;
      for (let i = first; i < last; i++) {
        const length = Math.hypot(this.x[i + 1]! - this.x[i]!, this.y[i + 1]! - this.y[i]!);
        this.along[i + 1] = this.along[i]! + length;
        const steps = Math.max(1, Math.ceil(length / SAMPLE_SPACING_M));
        for (let s = 0; s <= steps; s++) {
          segments.push(i);
          xs.push(this.x[i]! + ((this.x[i + 1]! - this.x[i]!) * s) / steps);
          ys.push(this.y[i]! + ((this.y[i + 1]! - this.y[i]!) * s) / steps);
        }
      }
    }
    return { segments: Uint32Array.from(segments), x: Float64Array.from(xs), y: Float64Array.from(ys) };
  }

  /** The nearest position on the network within radiusM, or null. */
  nearest(lat: number, lon: number, radiusM: number): NetworkPosition | null {
    for (const radius of [Math.min(25, radiusM), Math.min(100, radiusM), radiusM]) {
      const found = this.within(lat, lon, radius);
      if (found.length > 0) return found[0]!;
      if (radius === radiusM) break;
    }
    return null;
  }

  /** The nearest position on every geometry within radiusM, nearest first. */
  within(lat: number, lon: number, radiusM: number): NetworkPosition[] {
    const qx = (lon - this.lon0) * this.ruler.kx;
    const qy = (lat - this.lat0) * this.ruler.ky;
    const bestByGeometry = new Map<number, NetworkPosition>();
    for (const sample of this.index.within(qx, qy, radiusM + SAMPLE_SPACING_M / 2)) {
      const position = this.onSegment(this.sampleSegment[sample]!, qx, qy);
      if (position.distanceM > radiusM) continue;
      const previous = bestByGeometry.get(position.geometry);
      if (!previous || position.distanceM < previous.distanceM) bestByGeometry.set(position.geometry, position);
    }
    return [...bestByGeometry.values()].sort((a, b) => a.distanceM - b.distanceM || a.geometry - b.geometry);
  }

  /** Geometries with a sampled point inside the lat/lon box. */
  geometriesInBox(minLat: number, minLon: number, maxLat: number, maxLon: number): Set<number> {
    const found = new Set<number>();
    const ids = this.index.range(
      (minLon - this.lon0) * this.ruler.kx - SAMPLE_SPACING_M,
      (minLat - this.lat0) * this.ruler.ky - SAMPLE_SPACING_M,
      (maxLon - this.lon0) * this.ruler.kx + SAMPLE_SPACING_M,
      (maxLat - this.lat0) * this.ruler.ky + SAMPLE_SPACING_M,
    );
    for (const sample of ids) found.add(this.pointGeometry[this.sampleSegment[sample]!]!);
    return found;
  }

  /** Length of a geometry in the index's metres. */
  geometryLength(geometry: number): number {
    const first = this.graph.geometryFirst[geometry]!;
    const last = this.graph.geometryFirst[geometry + 1]! - 1;
    return this.along[last]! - this.along[first]!;
  }

  /**
   * The geometry's [lon, lat] points between two fractions of its length, in
   * travel order (from > to walks it backwards).
   */
  slice(geometry: number, from: number, to: number): Array<readonly [number, number]> {
    const first = this.graph.geometryFirst[geometry]!;
    const last = this.graph.geometryFirst[geometry + 1]! - 1;
    const total = this.geometryLength(geometry);
    const lo = Math.min(from, to) * total + this.along[first]!;
    const hi = Math.max(from, to) * total + this.along[first]!;
    const points: Array<readonly [number, number]> = [this.pointAt(first, last, lo)];
    for (let i = first; i <= last; i++) {
      const at = this.along[i]!;
      if (at > lo && at < hi) points.push(this.pointPair(i));
    }
    points.push(this.pointAt(first, last, hi));
    return from > to ? points.reverse() : points;
  }

  private pointAt(first: number, last: number, at: number): readonly [number, number] {
    const { pointLat, pointLon } = this.graph;
    for (let i = first; i < last; i++) {
      const start = this.along[i]!;
      const end = this.along[i + 1]!;
      if (at <= end || i === last - 1) {
        const t = end > start ? Math.max(0, Math.min(1, (at - start) / (end - start))) : 0;
        if (t === 0) return this.pointPair(i);
        if (t === 1) return this.pointPair(i + 1);
        return [pointLon[i]! + (pointLon[i + 1]! - pointLon[i]!) * t, pointLat[i]! + (pointLat[i + 1]! - pointLat[i]!) * t];
      }
    }
    return this.pointPair(first);
  }

  private pointPair(i: number): readonly [number, number] {
    let pair = this.pointPairs[i];
    if (!pair) this.pointPairs[i] = pair = Object.freeze([this.graph.pointLon[i]!, this.graph.pointLat[i]!] as const);
    return pair;
  }

  private onSegment(segment: number, qx: number, qy: number): NetworkPosition {
    const ax = this.x[segment]!;
    const ay = this.y[segment]!;
    const dx = this.x[segment + 1]! - ax;
    const dy = this.y[segment + 1]! - ay;
    const lengthSq = dx * dx + dy * dy;
    const t = lengthSq === 0 ? 0 : Math.max(0, Math.min(1, ((qx - ax) * dx + (qy - ay) * dy) / lengthSq));
    const px = ax + dx * t;
    const py = ay + dy * t;
    const geometry = this.pointGeometry[segment]!;
    const first = this.graph.geometryFirst[geometry]!;
    const last = this.graph.geometryFirst[geometry + 1]! - 1;
    const total = this.along[last]! - this.along[first]!;
    const at = this.along[segment]! - this.along[first]! + Math.sqrt(lengthSq) * t;
    return {
      geometry,
      segment,
      fraction: total > 0 ? at / total : 0,
      distanceM: Math.hypot(qx - px, qy - py),
      lat: this.lat0 + py / this.ruler.ky,
      lon: this.lon0 + px / this.ruler.kx,
      bearingDeg: (Math.atan2(dx, dy) * 180) / Math.PI + (dx < 0 ? 360 : 0),
    };
  }
}

/** Math.min/max over a huge array would overflow the call stack: a strided sample is enough for a centre. */
function sampleOf(values: Float64Array): number[] {
  const step = Math.max(1, Math.floor(values.length / 10_000));
  const out: number[] = [];
  for (let i = 0; i < values.length; i += step) out.push(values[i]!);
  out.push(values[values.length - 1]!);
  return out;
}
