import type { Job, Vehicle } from './types.js';

export interface Candidate {
  vehicle: Vehicle;
  /** Seconds from the vehicle's position to the pickup; undefined when unreachable. */
  toPickupS: number | undefined;
}

export interface DispatchRules {
  minBatteryPct: number;
}

export type Choice =
  | { ok: true; vehicle: Vehicle; toPickupS: number }
  | { ok: false; reason: string; retry: boolean };

/** A vehicle may take a job when it is idle, free, charged and big enough, on a profile that reaches the job. */
export function isEligible(vehicle: Vehicle, job: Job, rules: DispatchRules): boolean {
  return (
    vehicle.status === 'IDLE' &&
    !vehicle.jobId &&
    vehicle.position !== undefined &&
    vehicle.capacity >= job.size &&
    vehicle.batteryPct >= rules.minBatteryPct &&
    job.profiles.includes(vehicle.profile)
  );
}

/**
 * The best feasible vehicle: earliest arrival at the pickup, respecting the
 * job's time window (pickup + the trip must end before latest delivery).
 */
export function chooseVehicle(
  job: Job,
  candidates: Candidate[],
  tripS: (v: Vehicle) => number | undefined,
  now: Date,
  tie?: { withinS: number; round: number },
): Choice {
  const reachable = candidates.filter((c): c is Candidate & { toPickupS: number } => c.toPickupS !== undefined);
  if (reachable.length === 0) {
    return { ok: false, retry: true, reason: 'no idle vehicle can reach the pickup yet' };
  }
  const feasible = reachable.filter((c) => {
    if (!job.latestDelivery) return true;
    const trip = tripS(c.vehicle);
    if (trip === undefined) return false;
    const start = Math.max(now.getTime() + c.toPickupS * 1000, job.earliestPickup?.getTime() ?? 0);
    return start + trip * 1000 <= job.latestDelivery.getTime();
  });
  if (feasible.length === 0) {
    return { ok: false, retry: true, reason: 'no vehicle can deliver before latest_delivery' };
  }
  feasible.sort((a, b) => a.toPickupS - b.toPickupS || a.vehicle.id.localeCompare(b.vehicle.id));
  // Vehicles about as near as the best are equally good: spread concurrent jobs over them
  // (by job id, so the choice stays deterministic) instead of having them all race for one.
  const nearBest = feasible.filter((c) => c.toPickupS <= feasible[0]!.toPickupS + (tie?.withinS ?? 0));
  const best = nearBest[tie ? hash(`${job.id}:${tie.round}`) % nearBest.length : 0]!;
  return { ok: true, vehicle: best.vehicle, toPickupS: best.toPickupS };
}

/** FNV-1a: a stable, well-spread number from a string. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
