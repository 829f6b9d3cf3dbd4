import { hash } from 'node:crypto';
import type { Reading, ReadingValues } from './reading.js';
import { SURFACE_STATES, type SurfaceState, type TrafficObservation } from './types.js';

/**
 * Event-time windows: each location's readings are grouped into tumbling
 * windows of `windowMs` by their event time. A window accepts readings until
 * the location's watermark (its newest event time seen) passes the window's
 * end by `latenessMs`; later readings are dead-lettered as `late`.
 */
export interface WindowPolicy {
  readonly windowMs: number;
  readonly latenessMs: number;
}

export const windowStartOf = (eventMs: number, windowMs: number): number => Math.floor(eventMs / windowMs) * windowMs;

/** The sums a window keeps (in Redis), and how many distinct readings went in. */
export interface WindowAggregate {
  readonly locationId: string;
  readonly windowStartMs: number;
  readonly sampleCount: number;
  /** sampleCount of the last observation emitted for this window (0 = none yet). */
  readonly emittedCount: number;
  readonly sums: Readonly<Partial<Record<SummedValue, { sum: number; n: number }>>>;
  readonly frictionMin?: number;
  readonly surfaceRank: number;
}

export const SUMMED_VALUES = ['speedKmh', 'flowVph', 'occupancyPct', 'pedestrianDensity', 'surfaceTemperatureC'] as const;
export type SummedValue = (typeof SUMMED_VALUES)[number];

export const surfaceRank = (surface: SurfaceState | undefined): number => (surface ? SURFACE_STATES.indexOf(surface) : 0);

export function lateReason(reading: Reading, windowStartMs: number, watermarkMs: number, policy: WindowPolicy): string {
  const closedAt = windowStartMs + policy.windowMs + policy.latenessMs;
  return (
    `event time ${reading.eventTime.toISOString()} falls in the window ${new Date(windowStartMs).toISOString()}` +
    `..${new Date(windowStartMs + policy.windowMs).toISOString()} of ${reading.locationId}, closed at ${new Date(closedAt).toISOString()} ` +
    `(allowed lateness ${policy.latenessMs / 1000} s; newest event time at this location ${new Date(watermarkMs).toISOString()})`
  );
}

/**
 * A window's current aggregate as an observation: means of the summed values,
 * the lowest friction, the worst surface. `sample` is a reading of the window
 * (it carries the location's geometry and source).
 */
export function observationOf(aggregate: WindowAggregate, sample: Reading, policy: WindowPolicy): TrafficObservation {
  const mean = (name: SummedValue): number | undefined => {
    const s = aggregate.sums[name];
    return s && s.n > 0 ? s.sum / s.n : undefined;
  };
  const means: Record<string, number> = {};
  for (const name of SUMMED_VALUES) {
    const value = mean(name);
    if (value !== undefined) means[name] = value;
  }
  const values = means as ReadingValues;
  const surface = SURFACE_STATES[aggregate.surfaceRank];
  return {
    locationId: aggregate.locationId,
    geometry: sample.geometry,
    ...(sample.bearingDeg === undefined ? {} : { bearingDeg: sample.bearingDeg }),
    windowStart: new Date(aggregate.windowStartMs),
    windowEnd: new Date(aggregate.windowStartMs + policy.windowMs),
    source: sample.source,
    sourceId: sample.sourceId,
    ...values,
    ...(surface && surface !== 'unknown' ? { surface } : {}),
    ...(aggregate.frictionMin === undefined ? {} : { friction: aggregate.frictionMin }),
    sampleCount: aggregate.sampleCount,
  };
}

/**
 * A name-based UUID (v5 layout over SHA-1) of an output's identity, so the
 * same window update, incident version or dead letter always carries the same
 * envelope id: a consumer can drop a resend by id.
 */
export function stableEventId(identity: string): string {
  const digest = hash('sha1', identity, 'buffer');
  digest[6] = (digest[6]! & 0x0f) | 0x50;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
