/** Pure figures over latency samples and time series. */

/** The q-quantile (0..1) by nearest rank; undefined for no samples. */
export function quantile(samples: readonly number[], q: number): number | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export const mean = (values: readonly number[]): number | undefined =>
  values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;

export const round1 = (v: number | undefined): number | null => (v === undefined ? null : Math.round(v * 10) / 10);

export interface JobTiming {
  submittedAt: number;
  /** When a vehicle first received an order for the job; undefined if none did. */
  receivedAt?: number;
}

/**
 * A job belongs to the failover window when its wait for an order overlapped
 * [from, to]: submitted before the fleet recovered, and not served before the kill.
 */
export function inFailoverWindow(job: JobTiming, window: { from: number; to: number } | undefined): boolean {
  if (!window) return false;
  return job.submittedAt <= window.to && (job.receivedAt === undefined || job.receivedAt >= window.from);
}

export interface LatencySplit {
  p50Ms: number | null;
  p99Ms: number | null;
  failoverP99Ms: number | null;
  samplesOutside: number;
  samplesInside: number;
}

/** submit → order received, split at the failover window. */
export function splitLatencies(jobs: readonly JobTiming[], window: { from: number; to: number } | undefined): LatencySplit {
  const outside: number[] = [];
  const inside: number[] = [];
  for (const job of jobs) {
    if (job.receivedAt === undefined) continue;
    (inFailoverWindow(job, window) ? inside : outside).push(job.receivedAt - job.submittedAt);
  }
  return {
    p50Ms: round1(quantile(outside, 0.5)),
    p99Ms: round1(quantile(outside, 0.99)),
    failoverP99Ms: window ? round1(quantile(inside, 0.99)) : null,
    samplesOutside: outside.length,
    samplesInside: inside.length,
  };
}

export interface StateSample {
  at: number;
  /** Vehicles fleet lists as connected (not OFFLINE) with a lastSeen. */
  vehicles: number;
  /** Mean of (sample time − lastSeen) over those vehicles. */
  meanAgeMs: number;
}

/**
 * A lower bound on the state messages fleet absorbs per second, seen from
 * outside: fleet stamps lastSeen when it starts handling a report, so a
 * vehicle whose reports are handled every T ms shows an average age of T/2
 * when sampled at random, and N vehicles handled at a total rate R a mean age
 * of N/(2R). The time a handled report takes to become visible, and uneven
 * rates between vehicles, only make the age longer: the estimate errs low.
 * It cannot see a backlog (a report handled late is still stamped "now").
 */
export function absorbedLowerBound(samples: readonly StateSample[]): number | undefined {
  const rates = samples.filter((s) => s.vehicles > 0 && s.meanAgeMs > 0).map((s) => s.vehicles / (2 * (s.meanAgeMs / 1000)));
  return mean(rates);
}

/** Latencies above a threshold, counted per bucket of submit time since `from` (where slow samples cluster). */
export function slowByBucket(samples: ReadonlyArray<{ submittedAt: number; latencyMs: number }>, o: { from: number; bucketMs: number; overMs: number }): Array<{ fromS: number; slow: number; of: number; maxMs: number }> {
  const buckets = new Map<number, { slow: number; of: number; maxMs: number }>();
  for (const s of samples) {
    const key = Math.floor((s.submittedAt - o.from) / o.bucketMs);
    const b = buckets.get(key) ?? { slow: 0, of: 0, maxMs: 0 };
    b.of++;
    if (s.latencyMs > o.overMs) b.slow++;
    b.maxMs = Math.max(b.maxMs, s.latencyMs);
    buckets.set(key, b);
  }
  return [...buckets.entries()].sort(([a], [b]) => a - b).map(([key, b]) => ({ fromS: (key * o.bucketMs) / 1_000, ...b, maxMs: Math.round(b.maxMs) }));
}
