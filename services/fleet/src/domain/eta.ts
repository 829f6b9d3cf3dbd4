import type { JobChange } from './job.js';
import { remainingStops } from './order.js';
import type { Job, JobStatus, LatLon, Profile } from './types.js';

/**
 * Live ETAs: when a recomputed ETA is worth telling, and which jobs a traffic
 * change concerns. Pure: the caller brings the job, the plan's duration, the
 * time and the policy.
 */

export type EtaCause = 'traffic' | 'progress';

/** Statuses in which a vehicle is on its way with the job, so its ETA can move. */
export const ETA_TRACKED: readonly JobStatus[] = ['ASSIGNED', 'DISPATCHED', 'PICKED_UP'];

export interface EtaPolicy {
  /** An ETA that moved less than this (either way) from the job's current one is not told. */
  thresholdS: number;
}

/** One ETA in a job's history: the first, or one told with ETA_CHANGED. */
export interface EtaRecord {
  eta: Date;
  computedAt: Date;
  /** undefined: the first ETA, set when the vehicle accepted the order. */
  cause?: EtaCause | undefined;
  /** 0 when unknown. */
  trafficVersion: number;
}

/** A recomputed ETA: where it came from. */
export interface EtaEstimate {
  eta: Date;
  cause: EtaCause;
  trafficVersion: number;
}

export type EtaDecision =
  | { changed: true; change: JobChange; previousEta: Date; record: EtaRecord; shiftS: number }
  | { changed: false; reason: string };

/** The ETA of a route that takes `durationS` from `now`. */
export const etaAfter = (now: Date, durationS: number): Date => new Date(now.getTime() + Math.round(durationS * 1000));

/** Where a route for the rest of the job goes: from the vehicle through the stops still ahead. */
export const remainingRoute = (job: Job, vehiclePosition: LatLon): LatLon[] => [vehiclePosition, ...remainingStops(job)];

/**
 * A new ETA replaces the job's one only when it moved at least the threshold
 * away; smaller moves leave the job (and its baseline) alone, so a slow drift
 * still adds up to a change that is told. A job with no ETA yet gets its first
 * one when the vehicle accepts the order, not here.
 */
export function reviseEta(job: Job, estimate: EtaEstimate, now: Date, policy: EtaPolicy): EtaDecision {
  if (!ETA_TRACKED.includes(job.status)) return { changed: false, reason: `job is ${job.status}` };
  if (!job.eta) return { changed: false, reason: 'no ETA yet (the vehicle has not accepted the order)' };
  const shiftS = Math.round((estimate.eta.getTime() - job.eta.getTime()) / 1000);
  if (Math.abs(shiftS) < policy.thresholdS) return { changed: false, reason: `moved ${shiftS} s, under the ${policy.thresholdS} s threshold` };
  return {
    changed: true,
    previousEta: job.eta,
    shiftS,
    change: { previousStatus: job.status, job: { ...job, eta: estimate.eta, updatedAt: now, version: job.version + 1 } },
    record: { eta: estimate.eta, computedAt: now, cause: estimate.cause, trafficVersion: estimate.trafficVersion },
  };
}

/** The first record of a history: the ETA the job had before fleet revised it. */
export const baselineRecord = (job: Job): EtaRecord | undefined =>
  job.eta ? { eta: job.eta, computedAt: job.updatedAt, trafficVersion: 0 } : undefined;

/** Edges whose weights changed, per profile (edge ids are per profile graph), merged from several traffic changes. */
export interface ChangedEdges {
  byProfile: Map<Profile, Set<number>>;
  /** The newest traffic version among the changes. */
  trafficVersion: number;
}

export function mergeChanges(changes: ReadonlyArray<{ profile: Profile; trafficVersion: number; edgeIds: readonly number[] }>): ChangedEdges {
  const byProfile = new Map<Profile, Set<number>>();
  let trafficVersion = 0;
  for (const c of changes) {
    const edges = byProfile.get(c.profile) ?? new Set<number>();
    for (const e of c.edgeIds) edges.add(e);
    byProfile.set(c.profile, edges);
    trafficVersion = Math.max(trafficVersion, c.trafficVersion);
  }
  return { byProfile, trafficVersion };
}

/** The route meets a changed edge of some profile: only then is its vehicle's profile worth looking up. */
export const routeMayBeAffected = (changed: ChangedEdges, routeEdgeIds: readonly number[]): boolean =>
  [...changed.byProfile.values()].some((edges) => routeEdgeIds.some((e) => edges.has(e)));

/** The job's route (its order's road-graph edges, on its vehicle's profile) drives over a changed edge. */
export function routeAffected(changed: ChangedEdges, profile: Profile, routeEdgeIds: readonly number[]): boolean {
  const edges = changed.byProfile.get(profile);
  return edges !== undefined && routeEdgeIds.some((e) => edges.has(e));
}

/** Progress recomputes a job's ETA at most once per interval, however often its vehicle reports. */
export const progressDue = (lastComputedMs: number | undefined, nowMs: number, intervalMs: number): boolean =>
  lastComputedMs === undefined || nowMs - lastComputedMs >= intervalMs;
