import type { Rejection } from './rejection.js';
import type { Geometry, SurfaceState, TrafficIncident } from './types.js';

/** The measured values of one raw reading; any may be absent. */
export interface ReadingValues {
  readonly speedKmh?: number;
  readonly flowVph?: number;
  readonly occupancyPct?: number;
  /** Pedestrians per 100 m² of walkway. */
  readonly pedestrianDensity?: number;
  readonly surface?: SurfaceState;
  readonly surfaceTemperatureC?: number;
  readonly friction?: number;
}

/** A reported value that no output field carries: counted and logged, never silent. */
export interface IgnoredField {
  readonly field: string;
  readonly reason: string;
}

/**
 * One raw measurement at a place and instant, before event-time windowing.
 * Readings of one location and window are merged into one observation.
 */
export interface Reading {
  /** Stable id of the place (and direction); the window and Kafka key. */
  readonly locationId: string;
  readonly geometry: Geometry;
  readonly bearingDeg?: number;
  /** When the provider measured it. */
  readonly eventTime: Date;
  /** The feed, e.g. "digitraffic-tms". */
  readonly source: string;
  /** The provider's own id of what measured it (entity id, station/sensor). */
  readonly sourceId: string;
  /** Same reading however often it is delivered: feed, sensor and measurement time. */
  readonly readingKey: string;
  readonly values: ReadingValues;
  readonly ignored?: readonly IgnoredField[];
}

export interface EntityRejection {
  /** Position in the message (0 for a single record). */
  readonly index: number;
  readonly entityId?: string;
  readonly rejection: Rejection;
}

/** What one provider message turns into, before the event-time checks, windows and dedupe. */
export interface ParsedMessage {
  readonly entityCount: number;
  readonly readings: ReadonlyArray<{ readonly index: number; readonly reading: Reading }>;
  readonly incidents: ReadonlyArray<{ readonly index: number; readonly incident: TrafficIncident }>;
  readonly rejections: readonly EntityRejection[];
  /** The whole message was unreadable (not JSON, empty, too large): nothing in it was looked at. */
  readonly unreadable: boolean;
}

/** A provider message as a format sees it. */
export interface SourceMessage {
  readonly key: string | undefined;
  readonly value: Uint8Array | null;
  readonly headers: Readonly<Record<string, string>>;
  /** When the provider wrote it (Kafka timestamp): the fallback event time. */
  readonly writtenAt: Date;
}

/** One provider format: pure, never throws on bad input (rejections instead). */
export interface FeedFormat {
  /** The feed name, also Observation.source. */
  readonly feed: string;
  parse(message: SourceMessage): ParsedMessage;
}

export const unreadable = (rejection: Rejection): ParsedMessage => ({
  entityCount: 0,
  readings: [],
  incidents: [],
  rejections: [{ index: 0, rejection }],
  unreadable: true,
});

const MAX_LISTED = 10;

/**
 * One dead letter per message (its key is the message's topic:partition:offset
 * and it keeps the original bytes); the reason lists every rejected record.
 * The error code is the first rejection's; each listed entry names its own.
 */
export function summarizeRejections(rejections: readonly EntityRejection[], entityCount: number): Rejection | undefined {
  const [first] = rejections;
  if (!first) return undefined;
  if (entityCount <= 1) return { code: first.rejection.code, reason: withEntity(first) };
  const listed = rejections
    .slice(0, MAX_LISTED)
    .map((r) => `#${r.index} ${r.rejection.code}: ${withEntity(r)}`)
    .join('; ');
  const more = rejections.length > MAX_LISTED ? `; and ${rejections.length - MAX_LISTED} more` : '';
  return { code: first.rejection.code, reason: `${rejections.length} of ${entityCount} entities rejected: ${listed}${more}` };
}

const withEntity = (r: EntityRejection): string =>
  r.entityId === undefined ? r.rejection.reason : `${r.rejection.reason} [entity ${r.entityId}]`;
