/**
 * What ingest produces, in its own words. Adapters translate these into the
 * protobuf contracts; the domain never imports generated code.
 */

/** WGS84 coordinate. */
export interface GeoPoint {
  readonly lat: number;
  readonly lon: number;
}

export type Geometry =
  | { readonly kind: 'point'; readonly point: GeoPoint }
  | { readonly kind: 'line'; readonly points: readonly GeoPoint[] }
  | { readonly kind: 'polygon'; readonly ring: readonly GeoPoint[] }
  /** Several parts of one thing, e.g. a GeoJSON MultiLineString road work. */
  | { readonly kind: 'multi'; readonly parts: readonly Geometry[] };

/** Road-surface condition, from worst-for-nobody to worst-for-everybody (the order is the rank). */
export const SURFACE_STATES = ['unknown', 'dry', 'wet', 'snow', 'icy'] as const;
export type SurfaceState = (typeof SURFACE_STATES)[number];

/** One normalized measurement of a street at a place and event-time window. */
export interface TrafficObservation {
  /** Stable id of the place (and direction) measured; the Kafka key. */
  readonly locationId: string;
  readonly geometry: Geometry;
  /** Travel direction, degrees clockwise from north, when the data tells it. */
  readonly bearingDeg?: number;
  readonly windowStart: Date;
  readonly windowEnd: Date;
  /** Provider format, e.g. "ngsi-ld". */
  readonly source: string;
  /** The provider's own id of the reading (NGSI-LD entity id). */
  readonly sourceId: string;
  readonly speedKmh?: number;
  readonly flowVph?: number;
  readonly occupancyPct?: number;
  /** Pedestrians per 100 m² of walkway. */
  readonly pedestrianDensity?: number;
  readonly surface?: SurfaceState;
  readonly surfaceTemperatureC?: number;
  /** Road friction coefficient, 0..1 (dry asphalt ~0.8, ice < 0.3). */
  readonly friction?: number;
  /** Raw readings merged into this window. */
  readonly sampleCount: number;
}

export type IncidentKind = 'closure' | 'road_works' | 'hazard' | 'weight_restriction' | 'announcement' | 'unspecified';
export type IncidentSeverity = 'low' | 'medium' | 'high' | 'unspecified';

/** A closure or hazard; `active: false` means the provider ended it. */
export interface TrafficIncident {
  /** Stable id across updates; the Kafka key of the compacted topic. */
  readonly incidentId: string;
  readonly kind: IncidentKind;
  readonly severity: IncidentSeverity;
  readonly geometry?: Geometry;
  readonly validFrom: Date;
  /** Unset means open-ended. */
  readonly validUntil?: Date;
  readonly description: string;
  readonly source: string;
  readonly active: boolean;
  /** When the provider says the status took effect: the event time. */
  readonly statusAt: Date;
}
