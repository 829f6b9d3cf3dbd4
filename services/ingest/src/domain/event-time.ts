import type { Rejection } from './rejection.js';

export interface EventTimeLimits {
  /** Readings whose event time is older than this are history, not traffic. */
  readonly maxAgeMs: number;
  /** Tolerated clock skew of providers; later event times are wrong clocks. */
  readonly maxFutureMs: number;
}

/**
 * Whether a reading's event time is usable for live traffic. Both ends are
 * dead-lettered as `stale`: the reading does not describe the street now.
 */
export function checkEventTime(eventTime: Date, now: Date, limits: EventTimeLimits): Rejection | undefined {
  const aheadMs = eventTime.getTime() - now.getTime();
  if (aheadMs > limits.maxFutureMs) {
    return {
      code: 'stale',
      reason: `event time ${eventTime.toISOString()} is ${formatSeconds(aheadMs)} ahead of ingest's clock ${now.toISOString()} (at most ${formatSeconds(limits.maxFutureMs)} allowed)`,
    };
  }
  if (-aheadMs > limits.maxAgeMs) {
    return {
      code: 'stale',
      reason: `event time ${eventTime.toISOString()} is ${formatSeconds(-aheadMs)} old (older than the maximum age ${formatSeconds(limits.maxAgeMs)})`,
    };
  }
  return undefined;
}

const formatSeconds = (ms: number): string => `${Math.round(ms / 1000)} s`;
